"""The program, as ``python3 -m sms_sim`` and ``start.py`` run it.

Any Python reads this file whole before it runs a line of it, so nothing
here is newer than Python 2.7 can read: an old Python is told what it
lacks (see ``python_version``) before anything else is imported.
"""
import signal
import sys

# Statuses said before the program's ExitStatus (cli/status.py) can be
# imported, when the Python may be too old to read it: the same numbers.
INTERRUPTED = 130  # ExitStatus.INTERRUPTED: SIGINT, as from the run itself
USAGE = 2  # ExitStatus.USAGE, as for any other usage error
SIGNALLED = 128  # ExitStatus.of_signal: a signal's status is 128 + its number
EARLY_SIGNALS = (("SIGTERM", "terminated"), ("SIGHUP", "hung up"))
"""The stop signals other than SIGINT (which Python turns into a
KeyboardInterrupt itself), and what each did to a program that had not
started its run."""


class Signalled(BaseException):
    """A stop signal arrived before the run's own handling was in place;
    a BaseException, as KeyboardInterrupt is, so that no ``except
    Exception`` on the way takes it."""

    def __init__(self, signum):
        # type: (int) -> None
        BaseException.__init__(self, signum)
        self.signum = signum


def _raise(signum, frame):
    # type: (int, object) -> None
    raise Signalled(signum)


def main():
    # type: () -> int
    """Run the program; its exit status."""
    try:
        # Until the run records the stop signals (cli/signals.py), one
        # would end the process without a word.  One it was started
        # ignoring (nohup's SIGHUP) stays ignored.
        said = {}
        for name, words in EARLY_SIGNALS:
            signum = getattr(signal, name, None)
            if signum is not None and \
                    signal.getsignal(signum) != signal.SIG_IGN:
                signal.signal(signum, _raise)
                said[signum] = words
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
    except Signalled as signalled:
        _say("sms-sim: " + said[signalled.signum] +
             " before the run started\n")
        return SIGNALLED + signalled.signum


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
