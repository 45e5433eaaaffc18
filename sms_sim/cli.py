"""The command line: arguments to a config, a view, signals, exit codes."""
from __future__ import annotations

import argparse
import gc
import os
import re
import signal
import stat
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar

from sms_sim import simulation, tuning
from sms_sim.checks import Check, min_delivered
from sms_sim.config import (MAX_MESSAGES, MAX_RETRIES, MAX_SENDERS,
                            MAX_SPEED, MIN_INTERVAL_S, MIN_SPEED, Backoff,
                            ConfigError, Gateway, SenderGroup,
                            SimulationConfig)
from sms_sim.csvlog import CsvLog
from sms_sim.display import View, make_view
from sms_sim.stop import StopEvent

EXIT_OK = 0
EXIT_FAULT = 1
EXIT_USAGE = 2
EXIT_CHECK_FAILED = 3
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `| head`
STOP_SIGNALS = tuple(getattr(signal, name) for name in
                     ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
DEFAULT_SENDERS = 4
if TYPE_CHECKING:
    from _typeshed import SupportsWrite

T = TypeVar("T")
LONGEST_ECHO = 40
"""Most characters of a bad value that an error message repeats."""
INTEGER = re.compile(r"[+-]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+"
                     r"|[0-9]{1,3}(?:_[0-9]{3})+)")
"""How an integer argument is written: see ``_int``."""

ARGUMENTS = {
    # config field: (argument, its name inside --senders or --backoff)
    "num_messages": ("num_messages", ""),
    "count": ("num_senders", "COUNT"),
    "mean_s": ("mean_processing_time", "MEAN"),
    "max_deviation_s": ("max_deviation", "DEVIATION"),
    "failure_rate": ("failure_rate", "FAILURE_RATE"),
    "tps": ("--tps", "TPS"),
    "num_senders": ("num_senders", ""),
    "interval_s": ("--interval", ""),
    "speed": ("--speed", ""),
    "max_rate": ("--max-rate", ""),
    "retries": ("--retries", ""),
    "base_s": ("--backoff", "BASE"),
    "cap_s": ("--backoff", "CAP"),
    "permanent": ("--permanent", ""),
    "deadline_s": ("--deadline", ""),
    "seed": ("--seed", ""),
}
"""The one table from config fields to what the user typed."""

USAGE = """%(prog)s [num_messages] [num_senders] [mean_processing_time]
           [max_deviation] [failure_rate] [--senders C:M:D:F[:TPS]]...
           [--speed X] [--tps X] [--max-rate R] [--retries N]
           [--backoff BASE[:CAP]] [--permanent P] [--deadline S]
           [--min-delivered P] [--log FILE] [--interval S] [--seed N]
           [--json]"""
DESCRIPTION = """\
Simulate an emergency SMS alert blast: a producer generates messages to
random phone numbers, sender threads 'send' them, each taking a random time
around a mean and failing at a given rate, and a monitor reports progress.
Every time is simulated: the gateway's own clock, which real time follows
(--speed sets how fast)."""
EPILOG = f"""\
examples:
  %(command)s 10000 4 0.01 0.001 0.2
      10000 messages, 4 senders taking 0.01 s +- 0.001 s each, 20% failing
  %(command)s 300 2 0.001 0 0 --senders 2:0.002:0:1 --json
      two groups of senders with different settings, JSON lines out
  %(command)s 100000 20 0.05 0.01 0.1 --max-rate 100 --retries 3 \\
      --deadline 1200 --min-delivered 0.95 --speed 100
      a 100/s account cap, 3 retries, a 20-minute validity, and exit 3
      unless 95% are sent: about 11 s of real time

Senders over all groups: 1 to {MAX_SENDERS:,}; the {DEFAULT_SENDERS} default
senders count unless num_senders is 0.  Times are simulated seconds.
Integers are written in ASCII digits, optionally grouped in threes by
commas or underscores: 1000, 1,000 or 1_000.

exit codes: 0 completed, 1 a fault (or the output or log could not be
written), 2 usage error, 3 a --min-delivered check failed, 129/130/143
stopped by SIGHUP/SIGINT/SIGTERM, 141 output pipe closed.
"""


def _echo(text: str) -> str:
    """``text`` quoted, shortened if long: error messages stay one line."""
    if len(text) <= LONGEST_ECHO:
        return repr(text)
    return f"{text[:24]!r}...{text[-8:]!r} ({len(text):,} characters)"


def _int(text: str, limit: int | None = None) -> int:
    """An integer as people write one: ASCII digits, in threes split by
    commas or underscores if at all.  (``int`` alone would take ``1_0``
    and other scripts' digits, Arabic-Indic or full-width.)"""
    if not INTEGER.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"must be an integer in digits (1000, 1,000 or 1_000), got "
            f"{_echo(text)}")
    digits = text.replace(",", "").replace("_", "")
    if limit is not None and len(digits.lstrip("+-0")) > len(str(limit)):
        raise argparse.ArgumentTypeError(
            f"too large (at most {limit:,}), got {_echo(text)}")
    return int(digits)


def _float(text: str) -> float:
    try:
        return float(text) + 0.0  # + 0.0: -0.0 becomes 0.0
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a number, got {_echo(text)}") from None


def _count(text: str) -> int:
    return _int(text, MAX_MESSAGES)


def _senders(text: str) -> int:
    return _int(text, MAX_SENDERS)


def _num_senders(text: str) -> int:
    """Unlike a group's COUNT, the positional senders may be 0."""
    value = _senders(text)
    if not 0 <= value <= MAX_SENDERS:
        raise argparse.ArgumentTypeError(
            f"must be an integer from 0 to {MAX_SENDERS:,}, got {value}")
    return value


def _seed(text: str) -> int:
    return _int(text, 10 ** LONGEST_ECHO - 1)


def _retries(text: str) -> int:
    return _int(text, MAX_RETRIES)  # the rule itself is the config's


def _fields(text: str, names: Sequence[str], optional: int) -> list[str]:
    fields = text.split(":")
    if not len(names) - optional <= len(fields) <= len(names):
        spec = ":".join(names[:len(names) - optional]) + "".join(
            f"[:{name}]" for name in names[len(names) - optional:])
        raise argparse.ArgumentTypeError(
            f"must be {spec}, got {_echo(text)}")
    return fields


def _spec_error(text: str, field: str, error: Exception) -> NoReturn:
    raise argparse.ArgumentTypeError(
        f"{_echo(text)}: {ARGUMENTS[field][1]} {error}") from None


def _field(text: str, name: str, parse: Callable[[str], T],
           field: str) -> T:
    try:
        return parse(field)
    except argparse.ArgumentTypeError as error:
        _spec_error(text, name, error)


def _sender_spec(text: str) -> SenderGroup:
    fields = _fields(text, ("COUNT", "MEAN", "DEVIATION", "FAILURE_RATE",
                            "TPS"), optional=1)
    count = _field(text, "count", _senders, fields[0])
    mean_s, deviation_s, failure_rate = (
        _field(text, name, _float, field) for name, field in
        zip(("mean_s", "max_deviation_s", "failure_rate"), fields[1:4]))
    tps = _field(text, "tps", _float, fields[4]) if len(fields) > 4 else None
    try:
        return SenderGroup(count, mean_s, deviation_s, failure_rate, tps)
    except ConfigError as error:
        _spec_error(text, error.field, error)


def _backoff(text: str) -> Backoff:
    fields = _fields(text, ("BASE", "CAP"), optional=1)
    base_s = _field(text, "base_s", _float, fields[0])
    cap_s = (_field(text, "cap_s", _float, fields[1]) if len(fields) > 1
             else max(base_s, Backoff().cap_s))
    try:
        return Backoff(base_s, cap_s)
    except ConfigError as error:
        _spec_error(text, error.field, error)


class _Parser(argparse.ArgumentParser):
    """Reads ``-inf``, ``-1:0:0:0`` and ``-1e3`` as values, not options, so
    that they get the range message like every other bad value; takes no
    abbreviated options; and fails, as a run does, when ``--help`` cannot
    be written."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._negative_number_matcher = re.compile(
            r"^-(?:\d|\.\d|inf|nan)", re.IGNORECASE)

    def _print_message(self, message: str,
                       file: SupportsWrite[str] | None = None) -> None:
        if file is sys.stderr:  # errors: status 2 follows, whatever
            super()._print_message(message, file)
            return
        # --help, to stdout: None if it is closed.
        reason = "standard output is closed"
        if file is not None:
            try:
                file.write(message)
                getattr(file, "flush", lambda: None)()
                return
            except OSError as error:
                reason = error.strerror or str(error)
        _say(sys.stderr, f"sms-sim: cannot write the output: {reason}\n")
        raise SystemExit(EXIT_FAULT)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Fills each paragraph of the description and the epilog to the
    help's width, as argparse fills an option's help; a paragraph with
    indented lines (the examples) stays as it is written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        as_written = super()._fill_text
        return "\n\n".join(
            as_written(paragraph, width, indent) if "\n " in paragraph else
            textwrap.fill(" ".join(paragraph.split()), width,
                          initial_indent=indent, subsequent_indent=indent,
                          break_long_words=False, break_on_hyphens=False)
            for paragraph in text.split("\n\n"))


def build_parser(prog: str = "start.py") -> argparse.ArgumentParser:
    command = f"python3 {prog}" if prog.endswith(".py") else prog
    parser = _Parser(  # its errors exit with EXIT_USAGE
        prog=prog, usage=USAGE, description=DESCRIPTION, allow_abbrev=False,
        epilog=EPILOG.replace("%(command)s", command),
        formatter_class=_Formatter)
    add = parser.add_argument
    add("num_messages", nargs="?", type=_count, default=1000,
        help=f"messages to send, an integer from 0 to {MAX_MESSAGES:,} "
        "(default: %(default)s)")
    add("num_senders", nargs="?", type=_num_senders, default=None,
        help=f"senders with the settings below, an integer from 0 to "
        f"{MAX_SENDERS:,}; 0 needs --senders (default: {DEFAULT_SENDERS})")
    add("mean_processing_time", nargs="?", type=_float, default=0.01,
        help="mean simulated seconds to send one message, >= 0 "
        "(default: %(default)s)")
    add("max_deviation", nargs="?", type=_float, default=None,
        help="seconds a send may differ from the mean, uniformly, from 0 to "
        "the mean (default: half the mean)")
    add("failure_rate", nargs="?", type=_float, default=0.1,
        help="share of sends that fail, from 0 to 1 (default: %(default)s)")
    add("--senders", metavar="COUNT:MEAN:DEVIATION:FAILURE_RATE[:TPS]",
        type=_sender_spec, action="append", default=[],
        help="add a group of COUNT (>= 1) senders with their own settings, "
        "same units and ranges as above; TPS caps each one's sends per "
        "second; repeatable")
    add("--speed", metavar="X", type=_float, default=1.0,
        help=f"simulated seconds per real second, from {MIN_SPEED:g} to "
        f"{MAX_SPEED:g} (default: %(default)s)")
    add("--tps", metavar="X", type=_float, default=None,
        help="each positional sender starts at most X sends per simulated "
        "second, > 0")
    add("--max-rate", metavar="R", type=_float, default=None,
        help="all senders together start at most R sends per simulated "
        "second, evenly spaced, > 0")
    add("--retries", metavar="N", type=_retries, default=0,
        help="retry a failed attempt up to N more times, 0 to 100 "
        "(default: %(default)s)")
    backoff = Backoff()
    add("--backoff", metavar="BASE[:CAP]", type=_backoff, default=backoff,
        help="before retry k wait uniformly up to min(CAP, BASE*2**(k-1)) "
        f"simulated seconds, 0 < BASE <= CAP; BASE alone sets CAP to "
        f"max(BASE, {backoff.cap_s:g}) (default: {backoff.base_s:g}:"
        f"{backoff.cap_s:g})")
    add("--permanent", metavar="P", type=_float, default=0.0,
        help="share of failed attempts that fail for good, never retried, "
        "0 to 1 (default: %(default)s)")
    add("--deadline", metavar="S", type=_float, default=None,
        help="no attempt starts after S simulated seconds; what is not sent "
        "by then expires, > 0")
    add("--min-delivered", metavar="P", type=_float, default=None,
        help="exit 3 after the report unless at least this share of all "
        "messages was sent, 0 to 1")
    add("--log", metavar="FILE", default=None,
        help="write one CSV row per message as it ends, with columns "
        + ", ".join(CsvLog.COLUMNS) + " (a file of its own, not where "
        "the output or errors go)")
    add("--interval", metavar="S", type=_float, default=1.0,
        help=f"real seconds between progress reports, >= {MIN_INTERVAL_S:g} "
        "(default: %(default)s)")
    add("--seed", metavar="N", type=_seed, default=None,
        help="seed the random generator, an integer >= 0 of at most 40 "
        "digits: the same messages and, with one sender group and no "
        "deadline, the same totals every run")
    add("--json", action="store_true",
        help="write one JSON object per line instead of text")
    return parser


@dataclass(frozen=True, slots=True)
class Options:
    config: SimulationConfig
    json: bool
    min_delivered: float | None
    log: str | None


def _fail(parser: argparse.ArgumentParser, field: str,
          error: Exception) -> NoReturn:
    parser.error(f"argument {ARGUMENTS.get(field, (field, ''))[0]}: {error}")


def parse_options(parser: argparse.ArgumentParser,
                  argv: Sequence[str] | None) -> Options:
    """Validated options; a broken rule exits through ``parser.error``
    (usage, one line, status 2)."""
    args = parser.parse_args(argv)
    num_senders = (DEFAULT_SENDERS if args.num_senders is None
                   else args.num_senders)
    groups = list(args.senders)
    try:  # checked even when num_senders is 0: a bad value is never moot
        positional = SenderGroup(
            max(num_senders, 1), args.mean_processing_time,
            args.mean_processing_time / 2 if args.max_deviation is None
            else args.max_deviation, args.failure_rate, args.tps)
    except ConfigError as error:
        _fail(parser, error.field, error)
    if num_senders:
        groups.insert(0, positional)
    elif not groups:
        parser.error("argument num_senders: must be >= 1 unless --senders "
                     "adds a group, got 0")
    elif args.tps is not None:
        parser.error("argument --tps: caps the positional senders, and "
                     "num_senders is 0; give a group's cap as the TPS of "
                     "its --senders")
    try:
        gateway = Gateway(args.max_rate, args.retries, args.backoff,
                          args.permanent, args.deadline)
        config = SimulationConfig(args.num_messages, tuple(groups),
                                  args.interval, args.seed, args.speed,
                                  gateway)
    except ConfigError as error:
        if error.field == "num_senders" and args.num_senders is None:
            parser.error(
                f"argument --senders: {error}; the {DEFAULT_SENDERS} default "
                "senders count too (give num_senders 0 to leave them out)")
        _fail(parser, error.field, error)
    if args.min_delivered is not None and not 0 <= args.min_delivered <= 1:
        parser.error(f"argument --min-delivered: must be a number from 0 to "
                     f"1, got {args.min_delivered!r}")
    return Options(config, args.json, args.min_delivered, args.log)


REPEAT_GRACE_S = 0.5
"""A repeat of the first signal within this long is the same request:
``timeout`` and some supervisors signal the process and then its whole
process group, so the program receives the signal twice at once."""


@contextmanager
def _stop_on_signals(stop: threading.Event, abandon: Callable[[], None],
                     monotonic: Callable[[], float] = time.monotonic
                     ) -> Iterator[list[int]]:
    """While inside, SIGINT, SIGTERM and SIGHUP set ``stop`` and are
    recorded.  A second one ends the process at once, after ``abandon``
    has left the screen sane, with status 128 + the signal's number;
    except a repeat of the first within ``REPEAT_GRACE_S``, which is
    ignored.

    Setting an Event from a handler is safe here only because the main
    thread never holds ``stop``'s lock while handlers are installed: it
    merely starts and joins threads (see ``simulation.run``).
    """
    received: list[int] = []
    first_at: list[float] = []

    def handle(signum: int, frame: FrameType | None) -> None:
        if received:
            if signum == received[0] and \
                    monotonic() - first_at[0] < REPEAT_GRACE_S:
                return
            abandon()
            os._exit(128 + signum)
        received.append(signum)
        first_at.append(monotonic())
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in STOP_SIGNALS}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def _interpreter_tuned(num_threads: int) -> Iterator[None]:
    """The interpreter's switch interval suited to the run's threads, and
    the garbage collector's thresholds to its allocations (see
    ``tuning``), process-wide; both restored after."""
    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    sys.setswitchinterval(tuning.switch_interval_s(num_threads, interval))
    gc.set_threshold(*tuning.gc_thresholds(thresholds))
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        gc.set_threshold(*thresholds)


def _say(stream: TextIO | None, text: str) -> None:
    """Write to stderr if it can be written at all; never raise."""
    try:
        if stream is not None:
            stream.write(text)
            stream.flush()
    except (OSError, ValueError):
        pass


def _open_log(parser: argparse.ArgumentParser, path: str | None
              ) -> CsvLog | None:
    if path is None:
        return None
    for name, stream in (("output", sys.stdout), ("error", sys.stderr)):
        if _same_file(path, stream):  # checked before it is emptied
            parser.error(f"argument --log: {_echo(path)} is also the "
                         f"standard {name}; give the log a file of its own")
    try:
        return CsvLog.create(path)
    except OSError as error:
        parser.error(f"argument --log: cannot write {_echo(path)}: "
                     f"{CsvLog.reason(error)}")


def _same_file(path: str, stream: TextIO | None) -> bool:
    """Whether ``path``, its links followed, is the file that ``stream``
    writes to, so that what one writes would mix with the other's: a
    file, a pipe or a terminal, not a sink such as /dev/null."""
    if stream is None:
        return False
    try:
        target, own = os.stat(path), os.fstat(stream.fileno())
    except (OSError, ValueError):
        return False  # no such file yet, or a stream that is no file
    return os.path.samestat(target, own) and (
        not stat.S_ISCHR(own.st_mode) or stream.isatty())


def main(argv: Sequence[str] | None = None,
         started_at: float | None = None) -> int:
    """The program; ``started_at``, a ``time.monotonic()`` reading taken as
    the process started, makes the reported real time the process's own.
    """
    started_at = time.monotonic() if started_at is None else started_at
    prog = os.path.basename(sys.argv[0])
    parser = build_parser("python3 -m sms_sim" if prog == "__main__.py"
                          else prog)
    options = parse_options(parser, argv)
    if sys.stdout is None:
        _say(sys.stderr, "sms-sim: cannot write the output: standard "
             "output is closed\n")
        return EXIT_FAULT
    log = _open_log(parser, options.log)
    config = options.config
    stop = StopEvent()
    view: View = make_view(options.json, on_closed=stop.set,
                           interval_s=config.interval_s)
    checks: list[Check] = []
    try:  # signals are handled until the report is out: see __main__
        with _stop_on_signals(stop, view.abandon) as received:
            with view.running(), _interpreter_tuned(config.num_senders + 2):
                outcome = simulation.run(
                    config, view.progress, stop=stop,
                    sink=None if log is None else log.write,
                    started_at=started_at)
            if options.min_delivered is not None:
                checks.append(min_delivered(outcome.snapshot,
                                            options.min_delivered))
            view.final(outcome.snapshot, checks)
    finally:
        view.close()
        if log is not None:
            log.close()
    for fault in outcome.faults:
        _say(sys.stderr, f"sms-sim: {fault}")
    if view.error is not None:
        _say(sys.stderr, f"sms-sim: cannot write the output: {view.error}\n")
        return EXIT_FAULT
    if view.closed:
        return EXIT_CLOSED_PIPE
    if received and outcome.snapshot.interrupted:
        return 128 + received[0]
    if outcome.faults:
        return EXIT_FAULT
    if not all(check.ok for check in checks):
        return EXIT_CHECK_FAILED
    return EXIT_OK
