#!/usr/bin/env python3
"""Micro-benchmarks of the performance tricks in sms-sim's code, each
against the plain way it replaces, in this process.

    python3 benchmarks/micro.py [--case NAME]... [--repeat N]

Each case times both ways ``--repeat`` times (alternating) and prints the
medians and their ratio: how many times as long the plain way takes.
``tuning.py`` lists every trick and where it lives; ``benchmarks/README.md``
holds the figures.  Not part of the test suite: no test asserts a timing.
"""
from __future__ import annotations

import argparse
import gc
import heapq
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate, repeat
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sms_sim.measure.histogram import Histogram  # noqa: E402
from sms_sim.model.config import SenderGroup, SimulationConfig  # noqa: E402
from sms_sim.model.encoding import Form, encode  # noqa: E402
from sms_sim.model.fleet import (  # noqa: E402
    earliest_start_s, next_free_s, next_slot_s)
from sms_sim.model.gateway import Backoff, Gateway  # noqa: E402
from sms_sim.model.message import (PRINTABLE, Message,  # noqa: E402
                                   attempt_bits, generate_messages,
                                   message_of)
from sms_sim.model.result import SENT, Result, result_of  # noqa: E402
from sms_sim.model.schedule import Schedule  # noqa: E402
from sms_sim.run import simulation  # noqa: E402
from sms_sim.run.channels import Stop  # noqa: E402
from sms_sim.run.stop import StopEvent  # noqa: E402

Timed = Callable[[], "float | None"]
"""One way of doing the work; returns the seconds that count, or None
for all of its own."""


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    what: str
    trick: Timed
    plain: Timed


def _waits(event: Stop, threads: int, waits: int) -> None:
    """``threads`` threads each doing ``waits`` timed waits that time out."""
    def body() -> None:
        for _ in range(waits):
            event.wait(0.0001)

    pool = [threading.Thread(target=body) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def _plain_messages(rng: random.Random, count: int) -> list[Message]:
    """What generation costs one message at a time with ``choices``."""
    digits = "0123456789"
    out = []
    for i in range(count):
        d = "".join(rng.choices(digits, k=10))
        text = "".join(rng.choices(PRINTABLE, k=rng.randint(1, 100)))
        out.append(Message(i, f"{d[:3]}-{d[3:6]}-{d[6:]}", text,
                           rng.getrandbits(64), encode(text).form))
    return out


@dataclass(frozen=True, slots=True)
class _SlotsMessage:
    id: int
    phone: str
    text: str
    seed: int
    form: Form


_MASK64 = (1 << 64) - 1


def _splitmix(seed: int, output: int) -> int:
    """SplitMix64's output ``output``, computed from the seed (two
    multiplications), as the draws after a first attempt once were."""
    z = (seed + output * 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def _decide_all(limit: int, messages: list[Message]) -> None:
    parts: list[list[Message] | None] = [
        messages[i:i + 256] for i in range(0, len(messages), 256)]
    chunks = iter(parts + [None])
    plan = Schedule((SenderGroup.uniform(4, 0.0, 0.0, 0.2),), Gateway(),
                    lambda: next(chunks))
    while plan.decide(limit) is not None:
        pass


def _start_threads(count: int, daemon: bool) -> float:
    """Seconds to start ``count`` threads that stay alive, as senders do;
    ending them is not counted, as it only adds noise."""
    gate = threading.Event()
    pool = [threading.Thread(target=gate.wait, daemon=daemon)
            for _ in range(count)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    spent = time.perf_counter() - started
    gate.set()
    for thread in pool:
        thread.join()
    return spent


def _whole_run(threshold: int) -> Timed:
    """A whole zero-delay run with retries, in this process, under a
    collector threshold: the trick's gain is in the run's mix of work,
    which no smaller loop reproduces."""
    config = SimulationConfig(
        num_messages=100_000,
        groups=(SenderGroup.uniform(4, 0.0, 0.0, 0.5),),
        gateway=Gateway(retries=3, backoff=Backoff(0.001, 0.001)),
        interval_s=0.2, seed=1)

    def run() -> None:
        old = gc.get_threshold()
        gc.set_threshold(threshold, old[1], old[2])
        try:
            simulation.run(config, lambda snapshot: None)
        finally:
            gc.set_threshold(*old)
    return run


def build_cases() -> list[Case]:
    rng = random.Random(1)
    messages = generate_messages(rng, 0, 200_000)
    values = [rng.uniform(0.005, 0.015) for _ in range(200_000)]
    batches = [sorted(values[i:i + 128]) for i in range(0, len(values), 128)]
    seeds = [m.seed for m in messages]

    def histogram_batches() -> None:
        histogram = Histogram(1e-9, 0.02)
        for batch in batches:
            histogram.add(batch)

    def histogram_values() -> None:
        histogram = Histogram(1e-9, 0.02)
        for value in values:
            histogram.add((value,))

    def chunks() -> None:
        for first in range(0, 20_000, 256):
            generate_messages(rng, first, 256)

    def one_by_one() -> None:
        _plain_messages(rng, 20_000)

    def named_tuples() -> None:
        for m in messages:
            Message(m.id, m.phone, m.text, m.seed, m.form)

    def dataclasses() -> None:
        for m in messages:
            _SlotsMessage(m.id, m.phone, m.text, m.seed, m.form)

    # In chunks of 256, as generation builds them (a list of all 200,000
    # alive at once timed the allocator more than the building).
    by_256 = [[list(column) for column in zip(*messages[at:at + 256])][:5]
              for at in range(0, len(messages), 256)]

    def from_tuples() -> None:
        for columns in by_256:
            list(map(message_of, zip(*columns, repeat(0), repeat(0.0))))

    def by_new() -> None:
        for columns in by_256:
            list(map(Message, *columns))

    def by_position() -> None:
        for m in messages:
            Result(m, 0, 1, 1, 0.01, 0.01, 0.01, SENT, None)

    def from_tuple() -> None:
        for m in messages:
            result_of((m, 0, 1, 1, 0.01, 0.01, 0.01, SENT, None, None, None,
                       None))

    def by_keyword() -> None:
        for m in messages:
            Result(message=m, group=0, sender=1, attempts=1, send_s=0.01,
                   done_at_s=0.01, spent_s=0.01, outcome=SENT,
                   reached_at_s=None)

    def wyrand() -> None:
        for seed in seeds:
            attempt_bits(seed, 2)

    def splitmix() -> None:
        for seed in seeds:
            _splitmix(seed, 2)

    times = [(free_at, free_at + delay) for free_at, delay in zip(
        accumulate(values), reversed(values))]

    def arithmetic_inlined() -> None:
        slot_s = total = 0.0
        for free_at, done_s in times:
            start = free_at if free_at >= slot_s else slot_s
            slot_s = start + 0.0005
            next_start = start + 0.01
            total += done_s if done_s > next_start else next_start

    def arithmetic_called() -> None:
        slot_s = total = 0.0
        for free_at, done_s in times:
            start = earliest_start_s(free_at, slot_s)
            slot_s = next_slot_s(start, 0.0005)
            total += next_free_s(start, done_s, 0.01)

    def heap_tuples() -> None:
        heap: list[tuple[float, int, Message, int, float]] = []
        for m in messages[:100_000]:
            heapq.heappush(heap, (m.seed * 1e-20, m.id, m, 2, 0.0))
        while heap:
            heapq.heappop(heap)

    def heap_namedtuples() -> None:
        heap: list[Retry] = []
        for m in messages[:100_000]:
            heapq.heappush(heap, Retry(m.seed * 1e-20, m.id, m, 2, 0.0))
        while heap:
            heapq.heappop(heap)

    return [
        Case("stop_event", "1000 threads x 50 timed waits: StopEvent vs "
             "threading.Event",
             lambda: _waits(StopEvent(), 1000, 50),
             lambda: _waits(threading.Event(), 1000, 50)),
        Case("generation", "20,000 messages: a chunk at a time in C vs "
             "random.choices per message", chunks, one_by_one),
        Case("message_tuple", "200,000 messages: NamedTuple vs frozen "
             "slotted dataclass", named_tuples, dataclasses),
        Case("message_columns", "200,000 messages from columns of 256: "
             "message_of over zip's tuples vs Message's own __new__",
             from_tuples, by_new),
        Case("result_by_position", "200,000 results: built by position vs "
             "by keyword", by_position, by_keyword),
        Case("result_of", "200,000 results: from a tuple of every field "
             "(result_of) vs by position", from_tuple, by_position),
        Case("retry_tuple", "100,000 retries through a heap: plain tuples "
             "vs NamedTuples", heap_tuples, heap_namedtuples),
        Case("schedule_inlined", "200,000 decisions' start, slot and free "
             "moment: inlined vs calls to the named functions",
             arithmetic_inlined, arithmetic_called),
        Case("wyrand", "200,000 draws after a first attempt: wyrand vs "
             "SplitMix64", wyrand, splitmix),
        Case("histogram_batches", "200,000 send times: sorted batches of "
             "128 vs one at a time", histogram_batches, histogram_values),
        Case("decision_batches", "200,000 decisions: 128 a take of the "
             "schedule's lock vs one",
             lambda: _decide_all(128, messages),
             lambda: _decide_all(1, messages)),
        Case("daemon_threads", "5,000 threads started: daemons vs not",
             lambda: _start_threads(5000, True),
             lambda: _start_threads(5000, False)),
        Case("gc_threshold", "a run of 100,000 messages at zero delay with "
             "3 retries: youngest threshold 10,000 vs 700",
             _whole_run(10_000), _whole_run(700)),
    ]


class Retry(tuple):  # type: ignore[type-arg]
    """A NamedTuple-like retry, to compare with the plain tuples used."""

    __slots__ = ()

    def __new__(cls, ready: float, id_: int, message: Message, attempt: int,
                spent: float) -> Retry:
        return tuple.__new__(cls, (ready, id_, message, attempt, spent))


def _seconds(timed: Timed) -> float:
    started = time.perf_counter()
    counted = timed()
    return time.perf_counter() - started if counted is None else counted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--case", action="append", default=[])
    args = parser.parse_args(argv)
    cases = [c for c in build_cases() if not args.case or c.name in args.case]
    print(f"python {sys.version.split()[0]}; {args.repeat} rounds, "
          "alternating; medians")
    for case in cases:
        trick: list[float] = []
        plain: list[float] = []
        for _ in range(args.repeat):
            trick.append(_seconds(case.trick))
            plain.append(_seconds(case.plain))
        t, p = statistics.median(trick), statistics.median(plain)
        print(f"{case.name:<20} trick {t * 1e3:8.1f} ms  plain "
              f"{p * 1e3:8.1f} ms  plain/trick {p / t:5.2f}x\n"
              f"{'':<20} {case.what}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
