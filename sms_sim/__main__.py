"""The program, as ``python3 -m sms_sim`` and ``start.py`` run it.

Any Python reads this file whole before it runs a line of it, so nothing
here is newer than Python 2.7 can read: an old Python is told what it
lacks (see ``python_version``) before anything else is imported.
"""
import sys

# Statuses said before the program's ExitStatus (cli/status.py) can be
# imported, when the Python may be too old to read it: the same numbers.
INTERRUPTED = 130  # ExitStatus.INTERRUPTED: SIGINT, as from the run itself
USAGE = 2  # ExitStatus.USAGE, as for any other usage error


def main():
    # type: () -> int
    """Run the program; its exit status."""
    try:
        from sms_sim.cli.python_version import refusal
        too_old = refusal(sys.version_info)
        if too_old is not None:
            _say(too_old + "\n")
            return USAGE
        import time
        started_at = time.monotonic()  # before the imports: the run's time
        from sms_sim.cli import main as cli
        return cli.main(started_at=started_at)
    except KeyboardInterrupt:
        # A Ctrl-C before the run's own handler is in place: while Python
        # imports the program or reads its arguments.  From then until
        # the report is out, the run is stopped and reported instead (see
        # cli.main); after that, nothing is left to interrupt.
        _say("sms-sim: interrupted before the run started\n")
        return INTERRUPTED


def _say(text):
    # type: (str) -> None
    """Write ``text`` to stderr, if there is one that can be written."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):  # none, closed or full
        pass


if __name__ == "__main__":
    raise SystemExit(main())
