#!/usr/bin/env python3
"""Benchmark sms-sim against the reference pipeline, in one session.

Every case runs whole processes with the interpreter running this script,
output piped, alternating with the reference where there is one, and
reports medians over ``--repeat`` rounds.  Ratios, not absolute figures,
are the result: run it on an otherwise idle machine.

    python3 benchmarks/bench.py [--repeat N] [--case NAME]... [--reference P]

Not part of the test suite: no test asserts a timing.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
START = str(ROOT / "start.py")
DEFAULT_REFERENCE = ROOT.parent / "shared" / "bench" / "reference_pipeline.py"


@dataclass(frozen=True, slots=True)
class Run:
    wall_s: float
    cpu_s: float
    max_rss_mb: float
    stdout: str

    @property
    def summary(self) -> dict[str, Any]:
        last: dict[str, Any] = json.loads(self.stdout.splitlines()[-1])
        return last


def measure(argv: list[str]) -> Run:
    """Run ``argv`` to its end; wall time, CPU time and peak RSS of that
    one child (``wait4`` gives each child's own resource usage)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True,
                               cwd=ROOT)
    assert process.stdout is not None
    stdout = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{argv} exited {process.returncode}")
    return Run(wall, usage.ru_utime + usage.ru_stime,
               usage.ru_maxrss / 1024, stdout)


def first_line_after(argv: list[str]) -> float:
    """Seconds from starting ``argv`` to its first line of output; the
    process is then interrupted, as nobody needs the rest."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True,
                               cwd=ROOT)
    assert process.stdout is not None
    process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)
    return elapsed


def ours(*args: str) -> list[str]:
    return [sys.executable, START, *args, "--json"]


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    what: str
    target: str
    run: Callable[[], dict[str, float]]
    """One round: named figures; 'value' is compared with the target."""
    passes: Callable[[float], bool]


def build_cases(reference: Path | None) -> list[Case]:
    def reference_run(*args: str) -> Run:
        assert reference is not None
        return measure([sys.executable, str(reference), *args])

    def startup() -> float:
        return measure(ours("0")).wall_s

    def zero_delay() -> dict[str, float]:
        mine = measure(ours("300000", "4", "0", "0", "0.2"))
        theirs = reference_run("300000", "4")
        return {"value": theirs.wall_s / mine.wall_s,
                "ours_msgs_per_s": 300000 / mine.wall_s,
                "reference_msgs_per_s": 300000 / theirs.wall_s}

    def memory() -> dict[str, float]:
        big = measure(ours("1000000", "4", "0", "0", "0.2")).max_rss_mb
        small = measure(ours("100000", "4", "0", "0", "0.2")).max_rss_mb
        return {"value": big, "rss_1m_mb": big, "rss_100k_mb": small,
                "growth": big / small}

    def fidelity() -> dict[str, float]:
        base = startup()
        run = measure(ours("2000", "4", "0.01", "0.001", "0.2"))
        return {"value": (run.wall_s - base) / 5.0,
                "avg_send_s": run.summary["avg_send_s"],
                "min_send_s": run.summary["min_send_s"]}

    def many_senders() -> dict[str, float]:
        base = startup()
        run = measure(ours("20000", "1000", "0.1", "0.01", "0.2"))
        return {"value": (run.wall_s - base) / 2.0}

    def saturation() -> dict[str, float]:
        mine = measure(ours("100000", "1000", "0.01", "0.001", "0.2"))
        theirs = reference_run("100000", "1000", "0.01", "0.001")
        return {"value": theirs.wall_s / mine.wall_s,
                "ours_wall_s": mine.wall_s, "reference_wall_s": theirs.wall_s,
                "avg_send_s": mine.summary["avg_send_s"]}

    def idle() -> dict[str, float]:
        run = measure(ours("400", "4", "0.05", "0.01", "0.1", "--interval",
                           "0.1"))
        return {"value": 100 * run.cpu_s / run.wall_s}

    def first_status() -> dict[str, float]:
        return {"value": first_line_after(ours(
            "1000000", "4", "0.001", "0", "0", "--interval", "0.2"))}

    cases = [
        Case("startup", "start.py 0: wall s", "(reference for others)",
             lambda: {"value": startup()}, lambda v: True),
        Case("memory", "1M messages: peak RSS MB (and vs 100k)",
             "<= 25 MB, growth <= 1.10", memory, lambda v: v <= 25),
        Case("fidelity", "2000 4 0.01 0.001: (wall - startup) / 5.0 s",
             "<= 1.01, avg within 0.5%, min >= 0.0089", fidelity,
             lambda v: v <= 1.01),
        Case("many_senders", "20000 1000 0.1 0.01: (wall - startup) / 2.0 s",
             "<= 1.10", many_senders, lambda v: v <= 1.10),
        Case("idle", "400 4 0.05 0.01 --interval 0.1: CPU %", "<= 5",
             idle, lambda v: v <= 5),
        Case("first_status", "1M 4 0.001 --interval 0.2: first line s",
             "<= 0.3", first_status, lambda v: v <= 0.3),
    ]
    if reference is not None:
        cases[1:1] = [
            Case("zero_delay", "300000 4 0 0: reference wall / ours",
                 ">= 1.5", zero_delay, lambda v: v >= 1.5),
            Case("saturation", "100000 1000 0.01 0.001: reference wall / ours",
                 ">= 1.5, avg >= 0.0099", saturation, lambda v: v >= 1.5),
        ]
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--case", action="append", default=[],
                        help="run only these cases (repeatable)")
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    args = parser.parse_args(argv)
    reference = args.reference if args.reference.exists() else None
    if reference is None:
        print(f"note: {args.reference} not found; reference cases skipped")
    cases = [c for c in build_cases(reference)
             if not args.case or c.name in args.case]
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} cores; {args.repeat} rounds; medians")
    rounds: dict[str, list[dict[str, float]]] = {c.name: [] for c in cases}
    for _ in range(args.repeat):
        for case in cases:  # alternate the cases round by round
            rounds[case.name].append(case.run())
    failures = 0
    for case in cases:
        figures = {key: statistics.median(r[key] for r in rounds[case.name])
                   for key in rounds[case.name][0]}
        ok = case.passes(figures["value"])
        failures += not ok
        extra = "  ".join(f"{k}={v:.4g}" for k, v in figures.items()
                          if k != "value")
        print(f"{'PASS' if ok else 'MISS'} {case.name:<13} "
              f"{figures['value']:>9.4g}  target {case.target}\n"
              f"     {case.what}\n     {extra}".rstrip())
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
