"""The command line: arguments to options, a view, signals, exit codes.

One run reports as it goes (``simulation.run``); replications, a sweep or
a target search run many, each at ``--speed max`` unless a speed is given
(``plans.py``).  The values of the arguments are read by ``specs.py``.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shlex
import signal
import stat
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from sms_sim.cli import specs
from sms_sim.measure.checks import Check, min_delivered, min_reached
from sms_sim.measure.curve import marks
from sms_sim.model.config import (MAX_MESSAGES, MAX_SENDERS, MAX_SPEED,
                                  MIN_INTERVAL_S, MIN_SPEED, UNPACED,
                                  SenderGroup, SimulationConfig)
from sms_sim.model.gateway import Backoff, Gateway
from sms_sim.model.latency import DEFAULT_SPREAD, SHAPES, Latency
from sms_sim.model.validation import ConfigError
from sms_sim.output.csvlog import CsvLog
from sms_sim.output.display import View, make_view
from sms_sim.plan.planner import (MAX_RUNS, MIN_RUNS, SOLVE_NAMES, SWEEP_NAMES,
                                  Target, configured, with_value)
from sms_sim.run import simulation, tuning
from sms_sim.run.stop import StopEvent

EXIT_OK = 0
EXIT_FAULT = 1
EXIT_USAGE = 2
EXIT_CHECK_FAILED = 3
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `| head`
STOP_SIGNALS = tuple(getattr(signal, name) for name in
                     ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
DEFAULT_SENDERS = 4
DEFAULT_MEAN_S = 0.01
if TYPE_CHECKING:
    from _typeshed import SupportsWrite

ARGUMENTS = {
    # config field: the argument that sets it for the positional senders
    # or the gateway (a --senders group's own fields are named in its
    # error by specs.py)
    "num_messages": "num_messages",
    "count": "num_senders",
    "mean_s": "mean_processing_time",
    "max_deviation_s": "max_deviation",
    "sd_s": "max_deviation",  # the standard deviation, with --dist
    "failure_rate": "failure_rate",
    "tps": "--tps",
    "num_senders": "num_senders",
    "interval_s": "--interval",
    "speed": "--speed",
    "max_rate": "--max-rate",
    "retries": "--retries",
    "base_s": "--backoff",
    "cap_s": "--backoff",
    "permanent": "--permanent",
    "deadline_s": "--deadline",
    "seed": "--seed",
}
"""The one table from config fields to what the user typed."""
SWEPT_FIELDS = frozenset(("count", "tps", "max_rate", "retries",
                          "deadline_s", "mean_s"))
"""The config fields that ``--sweep`` and ``--solve`` set."""

USAGE = """%(prog)s [num_messages] [num_senders] [mean_processing_time]
           [max_deviation] [failure_rate] [--dist SHAPE]
           [--senders GROUP]... [--carrier-delay SPEC] [--speed X|max]
           [--tps X] [--max-rate R] [--retries N] [--backoff BASE[:CAP]]
           [--permanent P] [--deadline S] [--min-delivered P]
           [--min-reached P[@T]] [--runs R] [--sweep NAME=VALUES]
           [--target SHARE@TIME --solve NAME] [--jobs N] [--report FILE]
           [--log FILE] [--interval S] [--seed N] [--json]"""
DESCRIPTION = """\
Simulate an emergency SMS alert blast: a producer generates messages to
random phone numbers, sender threads 'send' them, each taking a random time
around a mean and failing at a given rate, and a monitor reports progress.
Every time is simulated: the gateway's own clock, which real time follows
(--speed sets how fast). A seed fixes every simulated figure."""
EPILOG = f"""\
examples:
  %(command)s 10000 4 0.01 0.001 0.2
      10000 messages, 4 senders taking 0.01 s +- 0.001 s each, 20% failing
  %(command)s 300 2 0.001 0 0 --senders count=2,mean=0.002,fail=1 --json
      two groups of senders with different settings, JSON lines out
  %(command)s 20000 50 0.05 0.02 0.1 --dist lognormal \\
      --carrier-delay lognormal:mean=8,sd=20
      lognormal send times, and the carrier's delay to the phone
  %(command)s 100000 20 0.05 0.01 0.1 --max-rate 100 --retries 3 \\
      --deadline 20m --target 0.95@15m --solve max-rate --seed 3
      the least account cap that gets 95% out within 15 minutes

Senders over all groups: 1 to {MAX_SENDERS:,}; the {DEFAULT_SENDERS} default
senders count unless num_senders is 0. Times are simulated seconds, or
take s, m or h: 0.5, 30s, 20m, 1.5h (not --interval, in real seconds).
Integers are written in ASCII digits, optionally grouped in threes by commas
or underscores: 1000, 1,000 or 1_000. No run may model more than 1e9
simulated seconds.

Shapes of send times and of the carrier's delay: uniform (mean,
dev), normal (mean, sd, truncated at 0), exponential (mean), lognormal
(mean, sd of the time itself), empirical (file, column: one number a line,
or a CSV column, sampled between the sorted values).

exit codes: 0 completed, 1 a fault (or the output, log or report could not
be written), 2 usage error, 3 a check failed (in any run), or no value met
the target, 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM, 141 output pipe
closed.
"""


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


class _Once(argparse.Action):
    """An option that may be given once only (a sweep is of one name)."""

    def __call__(self, parser: argparse.ArgumentParser,
                 namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        if getattr(namespace, self.dest) is not None:
            parser.error(f"argument {option_string}: may be given once; "
                         "a sweep is of one setting")
        setattr(namespace, self.dest, values)


def build_parser(prog: str = "start.py") -> argparse.ArgumentParser:
    command = f"python3 {prog}" if prog.endswith(".py") else prog
    parser = _Parser(  # its errors exit with EXIT_USAGE
        prog=prog, usage=USAGE, description=DESCRIPTION, allow_abbrev=False,
        epilog=EPILOG.replace("%(command)s", command),
        formatter_class=_Formatter)
    add = parser.add_argument
    add("num_messages", nargs="?", type=specs.messages, default=1000,
        help=f"messages to send, an integer from 0 to {MAX_MESSAGES:,} "
        "(default: %(default)s)")
    add("num_senders", nargs="?", type=specs.num_senders, default=None,
        help=f"senders with the settings below, an integer from 0 to "
        f"{MAX_SENDERS:,}; 0 needs --senders (default: {DEFAULT_SENDERS})")
    add("mean_processing_time", nargs="?", type=specs.seconds, default=None,
        help=f"mean simulated seconds to send one message, >= 0 (default: "
        f"{DEFAULT_MEAN_S})")
    add("max_deviation", nargs="?", type=specs.seconds, default=None,
        help="seconds a send may differ from the mean, uniformly, from 0 to "
        "the mean; with --dist normal or lognormal, the standard deviation "
        "(default: half the mean)")
    add("failure_rate", nargs="?", type=specs.number,
        default=specs.DEFAULT_FAILURE_RATE,
        help="share of sends that fail, from 0 to 1 (default: %(default)s)")
    add("--dist", metavar="SHAPE", default=None,
        help=f"the shape of the positional senders' send times: "
        f"{', '.join(SHAPES[:-1])}, or empirical:file=PATH[,column=NAME] "
        "(default: uniform)")
    add("--senders", metavar="GROUP", type=specs.sender_group,
        action="append", default=[],
        help="add a group of senders with their own settings: "
        "COUNT:MEAN:DEVIATION:FAILURE_RATE[:TPS], uniform, or named, "
        "count=N,mean=S,sd=S,fail=P,tps=X,dist=SHAPE (dev=S for uniform; "
        "dist=empirical,file=PATH for measured times; fail is "
        f"{specs.DEFAULT_FAILURE_RATE} unless given); repeatable")
    add("--carrier-delay", metavar="SPEC", type=specs.latency, default=None,
        help="the carrier's delay from a send to the phone: "
        "SHAPE:key=value,... (lognormal:mean=8,sd=20, exponential:mean=8) "
        "or a file of measured delays; adds when each phone had it")
    add("--speed", metavar="X", type=specs.speed, default=None,
        help=f"simulated seconds per real second, from {MIN_SPEED:g} to "
        f"{MAX_SPEED:g}, or max: no pacing, as fast as the machine goes; "
        "every simulated figure is the same at any speed (default: 1, or "
        "max for --runs, --sweep and --target)")
    add("--tps", metavar="X", type=specs.number, default=None,
        help="each positional sender starts at most X sends per simulated "
        "second, >= 1e-06")
    add("--max-rate", metavar="R", type=specs.number, default=None,
        help="all senders together start at most R sends per simulated "
        "second, evenly spaced, >= 1e-06")
    add("--retries", metavar="N", type=specs.retries, default=0,
        help="retry a failed attempt up to N more times, 0 to 100 "
        "(default: %(default)s)")
    backoff = Backoff()
    add("--backoff", metavar="BASE[:CAP]", type=specs.backoff,
        default=backoff,
        help="before retry k wait uniformly up to min(CAP, BASE*2**(k-1)) "
        f"simulated seconds, 0 < BASE <= CAP; BASE alone sets CAP to "
        f"max(BASE, {backoff.cap_s:g}) (default: {backoff.base_s:g}:"
        f"{backoff.cap_s:g})")
    add("--permanent", metavar="P", type=specs.number, default=0.0,
        help="share of failed attempts that fail for good, never retried, "
        "0 to 1 (default: %(default)g)")
    add("--deadline", metavar="S", type=specs.duration, default=None,
        help="no attempt starts after S simulated seconds (or 20m, 1h); "
        "what is not sent by then expires")
    add("--min-delivered", metavar="P", type=specs.share, default=None,
        help="exit 3 after the report unless at least this share of all "
        "messages was sent, 0 to 1")
    add("--min-reached", metavar="P[@T]", type=specs.reach_check,
        default=None,
        help="with --carrier-delay: exit 3 unless at least this share of "
        "all messages reached the phones (by simulated time T, if given)")
    add("--runs", metavar="R", type=specs.runs, default=None,
        help=f"replications, {MIN_RUNS} to {MAX_RUNS:,}, with seeds drawn "
        "from --seed: each figure's mean, 95%% interval, min and max")
    add("--sweep", metavar="NAME=VALUES", type=specs.sweep, action=_Once,
        default=None,
        help=f"a run per value of one setting, NAME one of "
        f"{', '.join(SWEEP_NAMES)} (senders, tps and mean are the "
        "positional senders'; a mean swept without max_deviation takes "
        "half of itself, as one given alone does); VALUES as 5,10,20 or "
        "10..50/10")
    add("--target", metavar="SHARE@TIME", type=specs.target, default=None,
        help="with --solve: the share of all messages to be delivered "
        "(reached, with --carrier-delay) by a simulated time: 0.95@20m")
    add("--solve", metavar="NAME", choices=SOLVE_NAMES, default=None,
        type=str.lower,
        help=f"with --target: find the least value of NAME, one of "
        f"{', '.join(SOLVE_NAMES)}, that meets it (in every run, with "
        "--runs), doubling from its setting, then narrowing")
    add("--jobs", metavar="N", type=specs.jobs, default=None,
        help="worker processes for --runs, --sweep and --target; the same "
        "figures with any number (default: the machine's CPUs)")
    add("--report", metavar="FILE", default=None,
        help="also write a self-contained HTML report, with charts, to FILE")
    add("--log", metavar="FILE", default=None,
        help="write one CSV row per message as it ends, with columns "
        + ", ".join(CsvLog.COLUMNS) + f" (and {CsvLog.CARRIER_COLUMN} with "
        "--carrier-delay); a file of its own, not where the output or "
        "errors go")
    add("--interval", metavar="S", type=specs.number, default=1.0,
        help=f"real seconds between progress reports, >= {MIN_INTERVAL_S:g} "
        "(default: %(default)s)")
    add("--seed", metavar="N", type=specs.seed, default=None,
        help="seed the random generator, an integer >= 0 of at most 40 "
        "digits: the same seed and settings give the same simulated "
        "figures and log, at any speed (default: a seed drawn and shown "
        "in the report)")
    add("--json", action="store_true",
        help="write one JSON object per line instead of text")
    return parser


@dataclass(frozen=True, slots=True)
class Options:
    config: SimulationConfig
    """With its seed: the one given, or one drawn for this run."""
    json: bool
    min_delivered: float | None
    min_reached: tuple[float, float | None] | None
    """A share of all messages, and the time by which, if any."""
    log: str | None
    report: str | None
    runs: int | None
    sweep: specs.Sweep | None
    target: Target | None
    solve: str | None
    jobs: int
    command: str
    """The command line that repeats the run, its seed included."""

    @property
    def plan(self) -> bool:
        """Many runs rather than one."""
        return bool(self.runs or self.sweep or self.target)

    @property
    def marks(self) -> tuple[float, ...]:
        """The moments the runs count exactly: the target's and the reach
        check's."""
        moments = [self.target.by_s] if self.target else []
        if self.min_reached and self.min_reached[1] is not None:
            moments.append(self.min_reached[1])
        return tuple(dict.fromkeys(moments))

    def checks(self, snap: Any) -> list[Check]:
        """The checks asked for, of one run's final snapshot."""
        checks = []
        if self.min_delivered is not None:
            checks.append(min_delivered(snap, self.min_delivered))
        if self.min_reached is not None:
            checks.append(min_reached(snap, *self.min_reached))
        return checks


def _fail(parser: argparse.ArgumentParser, field: str,
          error: Exception) -> NoReturn:
    parser.error(f"argument {ARGUMENTS.get(field, field)}: {error}")


def _positional_send(parser: argparse.ArgumentParser,
                     args: argparse.Namespace) -> Latency:
    """The positional senders' send times, of ``--dist``'s shape: the
    mean and max_deviation (the standard deviation, for normal and
    lognormal) as given; an empirical shape takes neither."""
    dist = "uniform" if args.dist is None else args.dist
    if dist.lower() in SHAPES:
        dist = dist.lower()  # names, like max for --speed, in any case
    mean = DEFAULT_MEAN_S if args.mean_processing_time is None \
        else args.mean_processing_time
    spread = mean * DEFAULT_SPREAD if args.max_deviation is None \
        else args.max_deviation
    if dist in ("uniform", "normal", "exponential", "lognormal"):
        if dist == "exponential" and args.max_deviation is not None:
            parser.error("argument max_deviation: the exponential shape "
                         "has its mean alone; leave max_deviation out")
        try:
            if dist == "uniform":
                return Latency.uniform(mean, spread)
            if dist == "exponential":
                return Latency.exponential(mean)
            return Latency(dist, mean, sd_s=spread)
        except ConfigError as error:
            _fail(parser, error.field, error)
    if not (dist.lower().startswith("empirical") or os.path.exists(dist)):
        parser.error(f"argument --dist: must be uniform, normal, "
                     f"exponential, lognormal, empirical:file=PATH"
                     f"[,column=NAME] or a file of measured send times, got "
                     f"{specs.echo(dist)}")
    if args.mean_processing_time is not None or \
            args.max_deviation is not None:
        parser.error("argument mean_processing_time: an empirical shape "
                     "takes its times from its file; leave the mean and "
                     "max_deviation out")
    try:
        return specs.latency(dist)
    except argparse.ArgumentTypeError as error:
        parser.error(f"argument --dist: {error}")


def parse_options(parser: argparse.ArgumentParser,
                  argv: Sequence[str] | None) -> Options:
    """Validated options; a broken rule exits through ``parser.error``
    (usage, one line, status 2)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    num_senders = (DEFAULT_SENDERS if args.num_senders is None
                   else args.num_senders)
    groups = list(args.senders)
    # Checked even when num_senders is 0: a bad value is never moot.
    send = _positional_send(parser, args)
    try:
        positional = SenderGroup(max(num_senders, 1), send,
                                 args.failure_rate, args.tps)
    except ConfigError as error:
        _fail(parser, error.field, error)
    if num_senders:
        groups.insert(0, positional)
    elif not groups:
        parser.error("argument num_senders: must be >= 1 unless --senders "
                     "adds a group, got 0")
    elif args.tps is not None or args.dist is not None:
        option = "--tps" if args.tps is not None else "--dist"
        parser.error(f"argument {option}: is for the positional senders, "
                     "and num_senders is 0; give a group's own in its "
                     "--senders")
    plan = bool(args.runs or args.sweep or args.target)
    speed = args.speed if args.speed is not None \
        else UNPACED if plan else 1.0
    try:
        gateway = Gateway(args.max_rate, args.retries, args.backoff,
                          args.permanent, args.deadline)
        config = simulation.with_seed(SimulationConfig(
            args.num_messages, tuple(groups), args.interval, args.seed,
            speed, gateway, args.carrier_delay))
    except ConfigError as error:
        if error.field == "num_senders" and args.num_senders is None:
            parser.error(
                f"argument --senders: {error}; the {DEFAULT_SENDERS} default "
                "senders count too (give num_senders 0 to leave them out)")
        _fail(parser, error.field, error)
    if args.sweep is not None and args.sweep.name == "mean" and \
            args.max_deviation is None:
        # A mean given alone takes a spread in proportion; so does each
        # swept one, or the sweep's runs would differ from the same runs
        # given alone.
        args.sweep = dataclasses.replace(args.sweep, spread_follows=True)
    _check_plan(parser, args, num_senders, config)
    if args.min_reached is not None and args.carrier_delay is None:
        parser.error("argument --min-reached: counts the phones reached, "
                     "which needs --carrier-delay")
    _check_outputs(parser, args.log, args.report, config)
    program = f"python3 {parser.prog}" if parser.prog.endswith(".py") \
        else parser.prog
    command = f"{program} " + shlex.join(argv + (
        [] if args.seed is not None else ["--seed", str(config.seed)]))
    return Options(config, args.json, args.min_delivered, args.min_reached,
                   args.log, args.report, args.runs, args.sweep, args.target,
                   args.solve, args.jobs or os.cpu_count() or 1, command)


def _check_plan(parser: argparse.ArgumentParser, args: argparse.Namespace,
                num_senders: int, config: SimulationConfig) -> None:
    """The rules of replications, sweeps and searches together."""
    if (args.target is None) != (args.solve is None):
        given, missing = (("--target", "--solve") if args.solve is None
                          else ("--solve", "--target"))
        parser.error(f"argument {given}: needs {missing} (the target and "
                     "the setting to solve for go together)")
    if args.sweep is not None and args.solve is not None:
        parser.error("argument --sweep: a sweep and a --solve search each "
                     "vary a setting; give one or the other")
    plan = args.runs or args.sweep or args.target
    if plan and args.log is not None:
        parser.error("argument --log: logs one run; repeat a run of the "
                     "plan alone, with its --seed, to log it")
    name = args.sweep.name if args.sweep else args.solve
    if name in ("senders", "tps", "mean") and not num_senders:
        parser.error(f"argument {'--sweep' if args.sweep else '--solve'}: "
                     f"{name} is the positional senders', and num_senders "
                     "is 0")
    if args.solve is not None and configured(config, args.solve) is None:
        option = {"tps": "--tps", "max-rate": "--max-rate"}[args.solve]
        parser.error(f"argument --solve: {args.solve} starts from its "
                     f"setting; give {option}")
    if args.sweep is not None:
        for value in args.sweep.values:
            try:
                with_value(config, args.sweep.name, value,
                           args.sweep.spread_follows)
            except ConfigError as error:
                # A rule of another setting is named: mean=0 breaks the
                # deviation's, not its own.
                other = "" if error.field in SWEPT_FIELDS else \
                    f"{ARGUMENTS.get(error.field, error.field)} "
                parser.error(f"argument --sweep: {args.sweep.name}={value:g}"
                             f": {other}{error}")


REPEAT_GRACE_S = 0.5
"""A repeat of the first signal within this long is the same request:
``timeout`` and some supervisors signal the process and then its whole
process group, so the program receives the signal twice at once."""


@contextmanager
def _signals_recorded(abandon: Callable[[], None],
                      monotonic: Callable[[], float] = time.monotonic
                      ) -> Iterator[list[int]]:
    """While inside, SIGINT, SIGTERM and SIGHUP are recorded in the list
    given, for the run to stop on (``simulation.run`` looks at it every
    ``POLL_S``).  A second one ends the process at once, after
    ``abandon`` has left the screen sane, with status 128 + the signal's
    number; except a repeat of the first within ``REPEAT_GRACE_S``, which
    is ignored.

    The handler only appends to a list: it never takes a lock.  It runs in
    the main thread between two of its steps, and a lock the main thread
    holds there (setting the stop Event takes one) would never be let go.
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
        first_at.append(monotonic())
        received.append(signum)

    # A signal this process was started ignoring (nohup's SIGHUP, a
    # shell's trap '' INT) stays ignored: whoever started it asked that.
    previous = {sig: signal.signal(sig, handle) for sig in STOP_SIGNALS
                if signal.getsignal(sig) != signal.SIG_IGN}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _say(stream: TextIO | None, text: str) -> None:
    """Write to stderr if it can be written at all; never raise."""
    try:
        if stream is not None:
            stream.write(text)
            stream.flush()
    except (OSError, ValueError):
        pass


def _check_outputs(parser: argparse.ArgumentParser, log: str | None,
                   report: str | None, config: SimulationConfig) -> None:
    """The log and the report each need a file of their own, checked
    before either is opened: not standard output or error, whose text they
    would mix with or replace; not a file of measurements the run read,
    which they would destroy; and not each other's."""
    inputs = [latency.source for latency in
              (*(group.send for group in config.groups), config.carrier)
              if latency is not None and latency.source]
    for option, path, noun in (("--log", log, "log"),
                               ("--report", report, "report")):
        if path is None:
            continue
        for name, stream in (("output", sys.stdout), ("error", sys.stderr)):
            if _same_file(path, stream):
                parser.error(f"argument {option}: {specs.echo(path)} is "
                             f"also the standard {name}; give the {noun} a "
                             "file of its own")
        if any(_same_path(path, source) for source in inputs):
            parser.error(f"argument {option}: {specs.echo(path)} is a file "
                         f"of measurements the run reads; give the {noun} a "
                         "file of its own")
    if report is not None:
        from sms_sim.output.html_report import check_writable  # see _one_run
        reason = check_writable(report)
        if reason is None and log is not None and \
                os.path.realpath(log) == os.path.realpath(report):
            reason = "the same file as --log; give each its own"
        if reason is not None:
            parser.error(f"argument --report: {reason}")


def _same_path(path: str, other: str) -> bool:
    try:
        return os.path.samefile(path, other)
    except OSError:
        return False  # one of them is not there (yet)


def _open_log(parser: argparse.ArgumentParser, path: str | None,
              carrier: bool) -> CsvLog | None:
    """The log, emptied; ``_check_outputs`` has made sure it may be."""
    if path is None:
        return None
    try:
        return CsvLog.create(path, carrier)
    except OSError as error:
        parser.error(f"argument --log: cannot write {specs.echo(path)}: "
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
    log = _open_log(parser, options.log, options.config.carrier is not None)
    stop = StopEvent()
    view: View = make_view(options.json, on_closed=stop.set,
                           interval_s=options.config.interval_s)
    try:  # signals are handled until the report is out: see __main__
        with _signals_recorded(view.abandon) as received:
            if options.plan:
                from sms_sim.cli import plans  # see _one_run
                with view.running():
                    result = plans.run(options, view, lambda: bool(received),
                                       started_at)
            else:
                result = _one_run(options, view, stop, log,
                                  lambda: bool(received), started_at)
    finally:
        view.close()
        if log is not None:
            log.close()
    for fault in result.faults:
        _say(sys.stderr, f"sms-sim: {fault}")
    if received and (result.interrupted or view.error is not None):
        # A closed terminal signals SIGHUP as it fails the next write:
        # the failed write is the hangup's doing, not a fault.
        return 128 + received[0]
    if view.error is not None:
        _say(sys.stderr, f"sms-sim: cannot write the output: {view.error}\n")
        return EXIT_FAULT
    if view.closed:
        return EXIT_CLOSED_PIPE
    if result.faults:
        return EXIT_FAULT
    if not result.ok:
        return EXIT_CHECK_FAILED
    return EXIT_OK


def no_report(path: str) -> str:
    """The line that says why an interrupted run or plan left ``path`` as
    it was: a report of part of it would pass for the whole."""
    return f"no report written to {path}: the run was interrupted\n"


@dataclass(frozen=True, slots=True)
class Ending:
    """What the command line needs of a run or a plan to exit as it
    should."""

    interrupted: bool
    ok: bool
    """Every check passed in every run, and a target search found its
    answer."""
    faults: tuple[str, ...] = ()


def _one_run(options: Options, view: View, stop: StopEvent,
             log: CsvLog | None, signalled: Callable[[], bool],
             started_at: float) -> Ending:
    """The run, reported as it goes; its checks; its HTML report."""
    config = options.config
    with view.running(), tuning.collector_tuned():
        outcome = simulation.run(
            config, view.progress, stop=stop, signalled=signalled,
            marks=options.marks, sink=None if log is None else log.write,
            started_at=started_at)
    snap = outcome.snapshot
    checks = options.checks(snap)
    target = options.target
    view.final(snap, checks, marks(
        config.gateway.deadline_s,
        None if target is None else (target.share, target.by_s)))
    faults = list(outcome.faults)
    if options.report is not None and snap.stopped is None:
        # Imported only for a report, as the plans are: a run of the
        # command line that needs neither starts faster without them.
        from sms_sim.output import html_pages
        faults += html_pages.write(options.report, html_pages.one_run(
            snap, config, options.command, checks, options.target))
    elif options.report is not None and snap.interrupted:
        faults.append(no_report(options.report))
    return Ending(interrupted=snap.interrupted,
                  ok=all(check.ok for check in checks), faults=tuple(faults))
