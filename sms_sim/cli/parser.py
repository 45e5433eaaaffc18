"""The command line's reader: the argparse parser that reads the arguments
(their values by ``specs.py``), prints the help (its text in
``help_text.py``) and says a usage error.
"""
from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from sms_sim import __version__
from sms_sim.cli import error_specs, receipt_specs, route_specs, specs
from sms_sim.cli.actions import Once, plan_value
from sms_sim.cli.carrier_specs import carrier
from sms_sim.cli.status import ExitStatus, say
from sms_sim.cli.traffic_specs import traffic_class
from sms_sim.model.config import (CAP_UNITS, MAX_MESSAGES, MAX_SENDERS,
                                  MAX_SPEED, MESSAGES, MIN_INTERVAL_S,
                                  MIN_SPEED)
from sms_sim.model.encoding import MAX_SEGMENTS
from sms_sim.model.gateway import Backoff
from sms_sim.model.latency import SHAPES
from sms_sim.model.route import ROUTINGS
from sms_sim.model.texts import TEXT_ORDERS
from sms_sim.model.traffic import PRIORITIES, STRICT
from sms_sim.output.csvlog import CsvLog
from sms_sim.output.environment import Environment
from sms_sim.plan.names import (FIT_NAMES, MAX_RUNS, MIN_RUNS, SOLVE_NAMES,
                                SWEEP_NAMES)

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

from sms_sim.cli.help_text import (DEFAULT_MEAN_S, DEFAULT_MESSAGES,
                                   DEFAULT_SENDERS, DESCRIPTION, EPILOG,
                                   GROUPS, HELP_COLUMNS, USAGE, presets_text)


class Parser(argparse.ArgumentParser):
    """Reads ``-inf``, ``-1:0:0:0`` and ``-1e3`` as values, not options, so
    that they get the range message like every other bad value; takes no
    abbreviated options; ends each group of options in the help with its
    ``examples``; and writes to the program's own streams, those of
    ``env``: the help and the version to its standard output, failing, as
    a run does, when that cannot be written, and an error to its standard
    error."""

    def __init__(self, env: Environment, examples: dict[str, str],
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.env = env
        self.examples = examples
        """Each group's examples, by its title."""
        self.file_option = "--scenario"
        """The option whose file is being read: --compare's files are
        read as --scenario's, and an error in one names --compare."""
        self.from_file: dict[str, str] = {}
        """The scenario file that gave an argument its value, by the
        argument's name, so that an error in the value names the file."""
        self._negative_number_matcher = re.compile(
            r"^-(?:\d|\.\d|inf|nan)", re.IGNORECASE)

    def refuse_unknown(self, args: Sequence[str]) -> None:
        """Exit through ``error`` if ``args`` has an unknown option, named
        before anything else: parsing would take a value after it for a
        positional argument, and blame that (``--spee max``:
        ``num_messages ... got 'max'``)."""
        unknown, values, option = [], 0, ""
        for arg in args[:_end_of_options(args)]:
            known = arg.partition("=")[0] in self._option_string_actions
            if values and not known:  # the option's value
                values -= 1
                if self._dashed(arg):  # which argparse takes for an option
                    self.error(f"argument {option}: expected one argument: "
                               "a value that starts with a dash is "
                               f"written {option}={arg}")
            elif arg in self._option_string_actions:
                option = arg
                nargs = self._option_string_actions[arg].nargs
                values = 1 if nargs is None else \
                    nargs if isinstance(nargs, int) else 0
            elif self._dashed(arg) and not known:
                unknown.append(arg)
        if unknown:
            self.error("unrecognized arguments: "
                       + " ".join(map(self._suggested, unknown)))

    def _dashed(self, arg: str) -> bool:
        """Whether argparse reads ``arg`` as an option: it starts with a
        dash, but is not ``-``, a negative number or words with a space
        (``--text '--- ALERT ---'`` is a value)."""
        return arg.startswith("-") and len(arg) > 1 and " " not in arg \
            and not self._negative_number_matcher.match(arg)

    def _suggested(self, arg: str) -> str:
        """An unknown option, with the known one it may be a typo of, as a
        scenario file's unknown key has (``--sped``: ``--speed``)."""
        import difflib  # an error's alone: a run starts without it
        # Names alone, in lowercase: the dashes they share made "--rate"
        # as close to "--at" as to "--max-rate".
        names = {option[2:]: option for option in self._option_string_actions
                 if option.startswith("--")}
        close = difflib.get_close_matches(
            arg.partition("=")[0].lstrip("-").lower(), names, n=1,
            cutoff=0.8)
        return f"{arg} (did you mean {names[close[0]]}?)" if close else arg

    def error(self, message: str) -> NoReturn:
        """argparse's error, but an error in a value from a scenario file
        names the file and the key instead of the argument."""
        name, colon, rest = message.partition(": ")
        path = self.from_file.get(name.removeprefix("argument "))
        if colon and path is not None:
            key = name.removeprefix("argument ").lstrip("-")
            message = f"argument {self.file_option}: {path}: {key}: {rest}"
        super().error(message)

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        # --help asks with no file: standard output, None if it is closed.
        self.write_out(self.format_help(), file)

    def write_out(self, text: str,
                  file: SupportsWrite[str] | None = None) -> None:
        """Write ``text`` to ``file`` (None: the standard output), or say
        why not and exit with a fault."""
        stream = self.env.stdout if file is None else file
        reason = "standard output is closed"
        if stream is not None:
            try:
                stream.write(text)
                getattr(stream, "flush", lambda: None)()
                return
            except OSError as error:
                reason = error.strerror or str(error)
        say(self.env.stderr, f"sms-sim: cannot write the output: {reason}\n")
        raise SystemExit(ExitStatus.FAULT)

    def format_help(self) -> str:
        """argparse's help, but each group of options ends with its
        examples, as a manual's sections do."""
        formatter = self._get_formatter()
        formatter.add_usage(self.usage, self._actions,
                            self._mutually_exclusive_groups)
        formatter.add_text(self.description)
        for group in self._action_groups:
            formatter.start_section(group.title)
            formatter.add_arguments(group._group_actions)
            if group._group_actions and group.title in self.examples:
                formatter.add_text("examples:\n" + self.examples[group.title])
            formatter.end_section()
        formatter.add_text(self.epilog)
        return formatter.format_help()

    def _print_message(self, message: str,
                       file: SupportsWrite[str] | None = None) -> None:
        # All else argparse prints is an error's usage and message, which
        # go to standard error: status 2 follows, whatever.
        super()._print_message(message, self.env.stderr)


def _end_of_options(args: Sequence[str]) -> int:
    """Where the options of ``args`` end: at ``--``, or their end."""
    return args.index("--") if "--" in args else len(args)


def help_width() -> int:
    """The help's width: argparse's own (the terminal's, less 2), at most
    ``HELP_COLUMNS``'s."""
    # Imported, as argparse imports it, when the help or a usage error is
    # written: a run that writes neither needs it not.
    import shutil
    return min(shutil.get_terminal_size().columns, HELP_COLUMNS) - 2


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Fills each paragraph of the description and the epilog to the
    help's width, as argparse fills an option's help; a paragraph with
    indented lines (the examples) stays as it is written.  However wide
    the terminal, the help is at most ``HELP_COLUMNS`` wide: longer lines
    are hard to read."""

    def __init__(self, prog: str, indent_increment: int = 2,
                 max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         help_width() if width is None
                         else min(width, HELP_COLUMNS - 2))

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap  # for the help alone, as argparse imports it
        as_written = super()._fill_text
        return "\n\n".join(
            as_written(paragraph, width, indent) if "\n " in paragraph else
            textwrap.fill(" ".join(paragraph.split()), width,
                          initial_indent=indent, subsequent_indent=indent,
                          break_long_words=False, break_on_hyphens=False)
            for paragraph in text.split("\n\n"))


class _Say(argparse.Action):
    """An option that prints ``text()`` on the standard output and exits,
    as ``--help`` does: ``--presets``, ``--version``."""

    def __init__(self, option_strings: list[str], dest: str,
                 text: Callable[[], str], **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0,
                         default=argparse.SUPPRESS, **kwargs)
        self._text = text

    def __call__(self, parser: argparse.ArgumentParser,
                 namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        assert isinstance(parser, Parser)
        parser.write_out(self._text())
        parser.exit()


def build_parser(prog: str = "start.py",
                 env: Environment | None = None) -> Parser:
    """The parser of the program run as ``prog``, that writes to ``env``'s
    streams (None: the process's own, as they are now)."""
    command = f"python3 {prog}" if prog.endswith(".py") else prog
    parser = Parser(  # its errors exit with ExitStatus.USAGE, argparse's 2
        Environment.of_process() if env is None else env,
        {title: text.replace("%(command)s", command)
         for title, text in GROUPS.items()},
        prog=prog, usage=USAGE, description=DESCRIPTION, allow_abbrev=False,
        epilog=EPILOG, formatter_class=_Formatter, add_help=False)
    group = {title: parser.add_argument_group(title) for title in GROUPS}
    add = group["the run"].add_argument
    positional = specs.unless_not_given
    add("num_messages", nargs="?", type=positional(specs.messages),
        default=None,
        help=f"messages to send, an integer from 0 to {MAX_MESSAGES:,}, "
        f"all waiting at 0 (default: {DEFAULT_MESSAGES}, or 0 with "
        "--traffic)")
    add = group["senders and shapes"].add_argument
    add("num_senders", nargs="?", type=positional(specs.num_senders),
        default=None,
        help=f"senders with the settings below, an integer from 0 to "
        f"{MAX_SENDERS:,}; 0 needs --senders (default: {DEFAULT_SENDERS})")
    add("mean_processing_time", nargs="?", type=positional(specs.seconds),
        default=None,
        help=f"mean simulated seconds to send one message, >= 0 (default: "
        f"{DEFAULT_MEAN_S})")
    add("max_deviation", nargs="?", type=positional(specs.seconds),
        default=None,
        help="seconds a send may differ from the mean, uniformly, from 0 to "
        "the mean; with --dist normal or lognormal, the standard deviation "
        "(default: half the mean)")
    add("failure_rate", nargs="?", type=positional(specs.number),
        default=None,
        help=f"share of sends that fail, from 0 to 1 (default: "
        f"{specs.DEFAULT_FAILURE_RATE})")
    add("--dist", metavar="SHAPE", default=None,
        help=f"the shape of the positional senders' send times: "
        f"{', '.join(SHAPES[:-1])}, or empirical:file=PATH[,column=NAME] "
        "(default: uniform)")
    add("--senders", metavar="GROUP", type=route_specs.sender_group,
        action="append", default=[],
        help="add a group of senders with their own settings: "
        "COUNT:MEAN:DEVIATION:FAILURE_RATE[:TPS], uniform, or named, "
        "count=N,mean=S,sd=S,fail=P,tps=X,dist=SHAPE (dev=S for uniform; "
        "dist=empirical,file=PATH for measured times; fail is "
        f"{specs.DEFAULT_FAILURE_RATE} unless given); name=NAME makes it a "
        "route, down=START+LENGTH (repeatable) takes it down, detect=S "
        "after the start the client notices (till then its sends fail), "
        "reconnect=S after the end it sends again, preset=NAME gives it a "
        "number type's documented per-sender cap (tps= overrides it) and "
        "validity (validity=D does; --presets lists them); "
        "accept=R[,burst=B] has its SMSC accept R submits a second "
        "(bursts of B, default R), answering the rest THROTTLED after one "
        "round trip (rtt=SHAPE, last; default the send time), "
        "on-throttle=pause:1s (the default), requeue:30s*20 or "
        "backoff saying what the client does then; window=W lets each "
        "sender have W submits on the way at once (default 1); "
        "errors=queue-full:1%%,system:0.5%%,timeout:1%%,rejected:0.5%% "
        "fails "
        "shares of attempts by error class (fail is then 0 unless given; "
        "timeout waits wait-ack=S, default 60s); repeatable")
    add = group["routes and carriers"].add_argument
    add("--presets", action=_Say, text=lambda: presets_text(help_width()),
        help="list the presets by number type, each with its per-sender "
        "cap, validity and source, and exit")
    add("--routing", choices=ROUTINGS, default="spread",
        help="spread: the sender free first, of any route that is up, "
        "sends next; failover: a route sends only while every route "
        "before it (in the order given, the positional senders first) is "
        "down (default: %(default)s)")
    add = group["routes and carriers"].add_argument
    add("--carrier-delay", metavar="SPEC", type=specs.latency, default=None,
        help="the carrier's delay from a send to the phone: "
        "SHAPE:key=value,... (lognormal:mean=8,sd=20, exponential:mean=8) "
        "or a file of measured delays; adds when each phone had it")
    add("--receipts", metavar="MIX", type=receipt_specs.receipts,
        default=None,
        help="delivery receipts: each sent message's final state, by "
        "shares adding up to 100%%, delivered=90%%,undeliverable=6%%,"
        "none=2%%,rejected=2%%, and optionally last ,delay=SHAPE after the "
        "phone had it; adds the stage confirmed (a delivered receipt)")
    add("--carriers", metavar="CARRIER", type=carrier, action="append",
        default=[],
        help="the recipients' carriers, NAME=SHARE[,cap=R/s][,daily=N]"
        "[,fail=P][,delay=SHAPE] (att=40%%,cap=75/s), repeatable, the "
        "shares adding up to 100%%: a cap on sends to it a second, a cap "
        "a day (the rest fail as daily-cap), a share it drops, its own "
        "delay (last; needs --carrier-delay); counts reported apart")
    add = group["traffic"].add_argument
    add("--traffic", metavar="CLASS", type=traffic_class, action="append",
        default=[],
        help="a class of messages that arrive over time, besides "
        "num_messages (the class named default): a batch, name=NAME,"
        "count=N,at=T, or a stream, name=NAME,rate=R/h,for=D[,from=T]"
        "[,arrivals=poisson|even] (rates per s, m or h; default poisson); "
        "priority=P (0, the most urgent, to 9, the default) and weight=W "
        "(> 0, default 1) for --priority, and validity=D: what has not "
        "started within D of its arrival expires; repeatable; each "
        "class's counts are reported apart")
    add("--priority", choices=PRIORITIES, default=STRICT, type=str.lower,
        help="how a free sender chooses among the classes with a message "
        "ready: strict, the most urgent class first, or weighted, each "
        "class a share of the sends in proportion to its weight, so none "
        "starves; a send in progress is never pre-empted (default: "
        "%(default)s)")
    add = group["the run"].add_argument
    add("--speed", metavar="X", type=specs.speed, default=None,
        help=f"simulated seconds per real second, from {MIN_SPEED:g} to "
        f"{MAX_SPEED:g}, or max: no pacing, as fast as the machine goes; "
        "every simulated figure is the same at any speed (default: 1, or "
        "max for --runs, --sweep and --target)")
    add = group["traffic"].add_argument
    add("--text", metavar="TEXT", type=specs.message_text, default=None,
        help="every message carries this text (default: random printable "
        "ASCII, 1 to 100 characters); its encoding (GSM-7, or UCS-2 for "
        f"any other character) sets its segments, at most {MAX_SEGMENTS}")
    add("--text-file", metavar="FILE", type=specs.text_file, default=None,
        help="messages carry the texts of FILE (UTF-8), one a line, blank "
        "lines skipped")
    add("--text-order", choices=TEXT_ORDERS, default=None, type=str.lower,
        help="with --text-file: each message takes the next text in turn, "
        "or one at random, drawn from the seed (default: turn)")
    add = group["gateway and caps"].add_argument
    add("--count", choices=CAP_UNITS, default=MESSAGES, type=str.lower,
        help="what --tps, --max-rate and a group's tps count: messages, or "
        "segments, when a message of k segments takes k slots and k times "
        "its drawn send time (default: %(default)s)")
    add = group["senders and shapes"].add_argument
    add("--tps", metavar="X", type=specs.number, default=None,
        help="each positional sender starts at most X sends per simulated "
        "second, >= 1e-06")
    add = group["gateway and caps"].add_argument
    add("--max-rate", metavar="R", type=specs.number, default=None,
        help="all senders together start at most R sends per simulated "
        "second, evenly spaced, >= 1e-06")
    add = group["retries"].add_argument
    add("--retries", metavar="N", type=specs.retries, default=0,
        help="retry a failed attempt up to N more times, 0 to 100 "
        "(default: %(default)s)")
    backoff = Backoff()
    add("--backoff", metavar="BASE[:CAP]", type=specs.backoff,
        default=f"{backoff.base_s:g}:{backoff.cap_s:g}",  # read as typed
        help="before retry k wait uniformly up to min(CAP, BASE*2**(k-1)) "
        f"simulated seconds, 0 < BASE <= CAP; BASE alone sets CAP to "
        f"max(BASE, {backoff.cap_s:g}) (default: {backoff.base_s:g}:"
        f"{backoff.cap_s:g})")
    add("--permanent", metavar="P", type=specs.number, default=0.0,
        help="share of failed attempts that fail for good, never retried, "
        "0 to 1 (default: %(default)g)")
    add("--retry-table", metavar="TABLE", type=error_specs.retry_table,
        default=None,
        help="how each error class of a group's errors= is retried: "
        "CLASS=COUNTxDELAY,... (queue-full=2x180s,system=2x30s,"
        "timeout=3xbackoff), a fixed delay or --backoff's; a rejection is "
        "never retried (default: Jasmin's, queue-full=2x180s,"
        "system=2x30s; timeout by --retries and --backoff)")
    add = group["gateway and caps"].add_argument
    add("--deadline", metavar="S", type=specs.duration, default=None,
        help="no attempt starts after S simulated seconds (or 20m, 1h); "
        "what is not sent by then expires (with --traffic, of the "
        "positional messages)")
    add = group["checks"].add_argument
    add("--min-delivered", metavar="[CLASS:]P[@T]", type=specs.goal,
        default=None,
        help="exit 3 after the report unless at least this share of all "
        "messages was sent, 0 to 1 (by simulated time T, if given); "
        "CLASS: of a --traffic class's messages, T from each one's "
        "arrival (alert:0.95@5m)")
    add("--min-reached", metavar="[CLASS:]P[@T]", type=specs.goal,
        default=None,
        help="with --carrier-delay: exit 3 unless at least this share of "
        "all messages reached the phones (by simulated time T, if given)")
    add("--min-confirmed", metavar="[CLASS:]P[@T]", type=specs.goal,
        default=None,
        help="with --receipts: exit 3 unless at least this share of all "
        "messages was confirmed delivered (by simulated time T, if given)")
    add = group["planning"].add_argument
    add("--runs", metavar="R", type=specs.runs, default=None,
        help=f"replications, {MIN_RUNS} to {MAX_RUNS:,}, with seeds drawn "
        "from --seed: each figure's mean, 95%% interval, min and max")
    add("--sweep", metavar="NAME=VALUES", type=plan_value("sweep"),
        action=Once, default=None,
        help=f"a run per value of one setting, NAME one of "
        f"{', '.join(SWEEP_NAMES)} (senders, tps and mean are the "
        "positional senders'), or a route's ROUTE.count, ROUTE.tps, "
        "ROUTE.mean (primary.count=5..20/5), ROUTE.fail or ROUTE.down, its "
        "first "
        "outage's length (primary.down=2m+0..10m/2m), or a carrier's "
        "CARRIER.cap, CARRIER.daily or CARRIER.fail (att.cap=25..100/25), "
        "or a --traffic class's CLASS.rate (a second), CLASS.at, "
        "CLASS.validity or CLASS.weight; a mean swept without "
        "max_deviation takes half of itself, as one given alone does; "
        "VALUES as 5,10,20 or 10..50/10")
    add("--target", metavar="[CLASS:]SHARE@TIME", type=plan_value("target"),
        default=None,
        help="with --solve: the share of all messages to be sent "
        "(reached, with --carrier-delay) by a simulated time: 0.95@20m; "
        "CLASS: of a --traffic class's, each within TIME of its arrival "
        "(alert:0.95@5m)")
    add("--solve", metavar="NAME", default=None,
        type=plan_value("solve_name"),
        help=f"with --target: find the least value of NAME, one of "
        f"{', '.join(SOLVE_NAMES)}, a route's ROUTE.count or ROUTE.tps "
        "(backup.tps) or a carrier's CARRIER.cap, that meets it (in every "
        "run, with --runs), doubling from its setting, then narrowing; "
        "with --fit, "
        f"fit NAME, which may also be "
        f"{', '.join(FIT_NAMES[len(SOLVE_NAMES):])}, ROUTE.mean or "
        "ROUTE.down")
    add("--fit", metavar="FILE", type=plan_value("fit_points"), default=None,
        help="with --solve: the value of its setting whose runs pass "
        "closest to observed points, FILE's TIME,SHARE lines (600,0.84: "
        "84%% sent by 10 minutes), by the sum of squared differences; a "
        "grid, then refined")
    add("--compare", metavar="FILE", nargs="+", action=Once,
        why="give every scenario to one --compare", default=None,
        help="run two or more scenario files (and the command line's "
        "options over each) with the same seeds, and show each one's "
        "figures and its difference from the first's, with a paired 95%% "
        "interval with --runs")
    add("--at", metavar="T", type=specs.duration, default=None,
        help="with --runs, --sweep or --compare: a column of the share of "
        "all messages sent (reached, with --carrier-delay) by simulated "
        "time T, counted exactly")
    add("--jobs", metavar="N", type=specs.jobs, default=None,
        help="worker processes for --runs, --sweep, --target and "
        "--compare; the same figures with any number (default: the "
        "machine's CPUs)")
    add = group["the run"].add_argument
    add("--scenario", metavar="FILE", type=specs.path, default=None,
        help="read options from FILE, TOML (Python 3.11 or newer) if it "
        "ends in .toml, else JSON: each key an option's long name "
        "(max-rate) or a positional's (num_messages), each value as "
        "typed; the command line's options override the file's")
    add("--print-scenario", action="store_true",
        help="write the effective scenario, every option with its value "
        "(null: not set), as JSON, and exit without running")
    add = group["output"].add_argument
    add("--report", metavar="FILE", type=specs.path, default=None,
        help="also write a self-contained HTML report, with charts, to FILE")
    add("--log", metavar="FILE", type=specs.path, default=None,
        help="write one CSV row per message as it ends, with columns "
        + ", ".join(CsvLog.COLUMNS) + f" (and {CsvLog.CARRIER_COLUMN} with "
        "--carrier-delay); a file of its own, not where the output or "
        "errors go")
    add("--interval", metavar="S", type=specs.number, default=1.0,
        help=f"real seconds between progress reports, >= {MIN_INTERVAL_S:g} "
        "(default: %(default)s)")
    add = group["the run"].add_argument
    add("--seed", metavar="N", type=specs.seed, default=None,
        help="seed the random generator, an integer >= 0 of at most 40 "
        "digits: the same seed and settings give the same simulated "
        "figures and log, at any speed (default: a seed drawn and shown "
        "in the report)")
    add = group["output"].add_argument
    add("--json", action="store_true",
        help="write one JSON object per line instead of text")
    add("-h", "--help", action="help", help="show this help and exit")
    add("--version", action=_Say,
        text=lambda: f"sms-sim {__version__}\n",
        help="show the program's version and exit")
    return parser
