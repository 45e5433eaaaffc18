"""Run the simulation: ``python3 start.py --help`` says how.  The same
program as ``python3 -m sms_sim`` (see ``sms_sim/__main__.py``)."""
import runpy

if __name__ == "__main__":  # not when a worker process imports this file
    runpy.run_module("sms_sim", run_name="__main__")
