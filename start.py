"""Run the simulation: ``python3 start.py --help`` says how.  The same
program as ``python3 -m sms_sim`` (see ``sms_sim/__main__.py``)."""

if __name__ == "__main__":  # not when a worker process imports this file
    try:
        import runpy
        runpy.run_module("sms_sim", run_name="__main__")
    except KeyboardInterrupt:
        # A Ctrl-C while Python loads the program, before its own
        # handling (sms_sim.__main__) is in place: said as that says it.
        import sys
        try:
            sys.stderr.write("sms-sim: interrupted before the run started\n")
        except Exception:  # no stderr to say it on
            pass
        sys.exit(130)  # ExitStatus.INTERRUPTED, as sms_sim.__main__ says
