"""The command line: arguments to a config, a view, signals, exit codes."""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from sms_sim import simulation
from sms_sim.config import (MAX_SENDERS, ConfigError, SenderGroup,
                            SimulationConfig, check_timing)
from sms_sim.display import make_view
from sms_sim.stop import StopEvent

EXIT_OK = 0
EXIT_FAULT = 1
EXIT_USAGE = 2
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `| head`

POSITIONAL_NAMES = {"mean_s": "mean_processing_time",
                    "max_deviation_s": "max_deviation",
                    "failure_rate": "failure_rate"}
SPEC_FIELDS = {"count": "COUNT", "mean_s": "MEAN",
               "max_deviation_s": "DEVIATION", "failure_rate": "FAILURE_RATE"}

USAGE = """%(prog)s [num_messages] [num_senders] [mean_processing_time]
           [max_deviation] [failure_rate] [--senders C:M:D:F]...
           [--interval S] [--seed N] [--json]"""
DESCRIPTION = """\
Simulate an emergency SMS alert blast: a producer generates messages to
random phone numbers, sender threads 'send' them, each waiting a random time
around a mean and failing at a given rate, and a monitor reports progress."""
EPILOG = f"""\
example:
  %(prog)s 10000 4 0.01 0.001 0.2
      10000 messages, 4 senders waiting 0.01 s +- 0.001 s each, 20%% failing
  %(prog)s 300 2 0.001 0 0 --senders 2:0.002:0:1 --json
      two groups of senders with different settings, JSON lines out

Senders over all groups: 1 to {MAX_SENDERS}.
exit codes: 0 completed, 1 a sender or the producer faulted, 2 usage error,
130 interrupted (SIGINT), 143 terminated (SIGTERM), 141 output pipe closed.
"""


def _number(kind: type[int] | type[float], what: str,
            text: str) -> int | float:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be {what}, got {text!r}") from None


def _int(text: str) -> int:
    return int(_number(int, "an integer", text))


def _float(text: str) -> float:
    return float(_number(float, "a number", text))


def _sender_spec(text: str) -> SenderGroup:
    fields = text.split(":")
    if len(fields) != 4:
        raise argparse.ArgumentTypeError(
            f"must be COUNT:MEAN:DEVIATION:FAILURE_RATE, got {text!r}")
    try:
        count = _int(fields[0])
        mean_s, deviation_s, rate = (_float(f) for f in fields[1:])
        return SenderGroup(count, mean_s, deviation_s, rate)
    except argparse.ArgumentTypeError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None
    except ConfigError as error:
        raise argparse.ArgumentTypeError(
            f"{text!r}: {SPEC_FIELDS[error.field]} {error}") from None


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(  # its errors exit with EXIT_USAGE
        prog=prog, usage=USAGE, description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("num_messages", nargs="?", type=_int, default=1000,
        help="messages to send, an integer >= 0 (default: %(default)s)")
    add("num_senders", nargs="?", type=_int, default=4,
        help="senders with the settings below, an integer >= 0; 0 needs "
        "--senders (default: %(default)s)")
    add("mean_processing_time", nargs="?", type=_float, default=0.01,
        help="mean seconds to send one message, >= 0 (default: %(default)s)")
    add("max_deviation", nargs="?", type=_float, default=0.005,
        help="seconds a send may differ from the mean, uniformly, from 0 to "
        "the mean (default: %(default)s)")
    add("failure_rate", nargs="?", type=_float, default=0.1,
        help="share of sends that fail, from 0 to 1 (default: %(default)s)")
    add("--senders", metavar="COUNT:MEAN:DEVIATION:FAILURE_RATE",
        type=_sender_spec, action="append", default=[],
        help="add a group of COUNT (>= 1) senders with their own settings, "
        "same units and ranges as above; repeatable")
    add("--interval", metavar="S", type=_float, default=1.0,
        help="seconds between progress reports, > 0 (default: %(default)s)")
    add("--seed", metavar="N", type=_int, default=None,
        help="seed the random generator: the same messages and, with one "
        "sender group, the same totals every run")
    add("--json", action="store_true",
        help="write one JSON object per line instead of text")
    return parser


def parse_config(parser: argparse.ArgumentParser,
                 argv: Sequence[str] | None) -> tuple[SimulationConfig, bool]:
    """The validated config and whether JSON output was asked for; a broken
    rule exits through ``parser.error`` (usage, one line, status 2)."""
    args = parser.parse_args(argv)
    if not 0 <= args.num_senders <= MAX_SENDERS:
        parser.error(f"argument num_senders: must be an integer from 0 to "
                     f"{MAX_SENDERS}, got {args.num_senders}")
    settings = (args.mean_processing_time, args.max_deviation,
                args.failure_rate)
    try:
        check_timing(*settings)
    except ConfigError as error:
        parser.error(f"argument {POSITIONAL_NAMES[error.field]}: {error}")
    groups = [SenderGroup(args.num_senders, *settings)] \
        if args.num_senders else []
    groups += args.senders
    if not groups:
        parser.error("argument num_senders: must be >= 1 unless --senders "
                     "adds a group, got 0")
    try:
        config = SimulationConfig(args.num_messages, tuple(groups),
                                  args.interval, args.seed)
    except ConfigError as error:
        name = {"interval_s": "--interval"}.get(error.field, error.field)
        parser.error(f"argument {name}: {error}")
    return config, args.json


@contextmanager
def _stop_on_signals(stop: threading.Event,
                     abandon: Callable[[], None]) -> Iterator[list[int]]:
    """While inside, SIGINT and SIGTERM set ``stop`` and are recorded.  A
    second one of either ends the process at once, after ``abandon`` has
    left the screen sane, with status 128 + the signal's number.

    Setting an Event from a handler is safe here only because the main
    thread never holds ``stop``'s lock while handlers are installed: it
    merely starts and joins threads (see ``simulation.run``).
    """
    received: list[int] = []

    def handle(signum: int, frame: FrameType | None) -> None:
        if received:
            abandon()
            os._exit(128 + signum)
        received.append(signum)
        stop.set()

    previous = {sig: signal.signal(sig, handle)
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: Sequence[str] | None = None) -> int:
    prog = os.path.basename(sys.argv[0])
    parser = build_parser("python3 -m sms_sim" if prog == "__main__.py"
                          else prog)
    config, json_lines = parse_config(parser, argv)
    stop = StopEvent()
    view = make_view(json_lines, on_closed=stop.set)
    try:
        with _stop_on_signals(stop, view.abandon) as received:
            outcome = simulation.run(config, view.progress, stop=stop)
        view.final(outcome.snapshot)
    finally:
        view.close()
    for fault in outcome.faults:
        sys.stderr.write(f"sms-sim: {fault}")
    if view.closed:
        return EXIT_CLOSED_PIPE
    if received and outcome.snapshot.interrupted:
        return 128 + received[0]
    return EXIT_FAULT if outcome.faults else EXIT_OK
