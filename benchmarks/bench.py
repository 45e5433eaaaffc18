#!/usr/bin/env python3
"""Benchmark sms-sim against the reference pipeline, in one session.

Every case runs whole processes with the interpreter running this script,
output piped, alternating with the reference where there is one, and
reports medians over ``--repeat`` rounds.  Ratios, not absolute figures,
are the result: run it on an otherwise idle machine.

    python3 benchmarks/bench.py [--repeat N] [--case NAME]... [--reference P]
                                [--tune NAME=VALUE]... [--old CHECKOUT]

The cases that compare with what a user sees (``saturation``,
``10k_senders``, the memory cases, ``startup``) run the very command a
user types, ``python3 start.py ARGS``, its plain lines through a pipe,
nothing preloaded (but for the setting that ``--tune`` changes).
``--old`` names a checkout of an earlier commit (``git worktree add DIR
7132fcd``) whose ``10k_senders`` run alternates with ours in the same
round.

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
BARE = "import threading, queue, argparse"
"""What any threaded command line imports: ``startup``'s yardstick."""


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


COLD_ENV = dict(os.environ, PYTHONDONTWRITEBYTECODE="1",
                PYTHONPYCACHEPREFIX=str(ROOT / ".no-such-cache"))
"""No bytecode cache to read or write: every module compiled afresh, as
on the first run after an install."""


def cold(argv: list[str]) -> Run:
    """``argv`` run without a bytecode cache (``COLD_ENV``)."""
    started = time.perf_counter()
    process = subprocess.run(argv, stdout=subprocess.PIPE, text=True,
                             cwd=ROOT, env=COLD_ENV, check=True)
    return Run(time.perf_counter() - started, 0.0, 0.0, process.stdout)


def first_line_after(argv: list[str], cold: bool = False) -> float:
    """Seconds from starting ``argv`` to its first line of output; the
    process is then stopped, as nobody needs the rest (by SIGTERM: a
    benchmark started as a script's background job passes on an ignored
    SIGINT, which the program keeps ignoring).  ``cold``: without a
    bytecode cache (see :func:`cold`)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True,
                               cwd=ROOT, env=COLD_ENV if cold else None)
    assert process.stdout is not None
    process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    return elapsed


TUNED = """\
import json, sys
from sms_sim.run import tuning
for name, value in json.loads(sys.argv.pop(1)).items():
    setattr(tuning, name, value)
from sms_sim.cli.main import main
raise SystemExit(main(sys.argv[1:]))
"""
"""start.py with settings of ``sms_sim/run/tuning.py`` changed (``--tune``)."""


def tune_setting(text: str) -> tuple[str, float]:
    """``NAME=VALUE`` naming one of the settings in ``sms_sim/run/tuning.py``.
    """
    name, _, value = text.partition("=")
    sys.path.insert(0, str(ROOT))
    from sms_sim.run import tuning
    current = getattr(tuning, name, None)
    if not name.isupper() or not isinstance(current, (int, float)):
        raise argparse.ArgumentTypeError(
            f"{name!r} is not a setting of sms_sim/run/tuning.py")
    try:
        return name, type(current)(float(value))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number")


Figures = dict[str, float]

FAST = ("--speed", "max", "--seed", "1")
PLAIN_GROUPS = ("1000000", "0", *(
    arg for _ in range(3)
    for arg in ("--senders", "count=4,mean=0.001")), "--retries", "2", *FAST)
ROUTED = ("1000000", "0", "--senders",
          "name=a,count=4,mean=0.001,down=20s+10s", "--senders",
          "name=b,count=4,mean=0.001,down=50s+20s", "--senders",
          "name=c,count=4,mean=0.001", "--retries", "2", *FAST)
CARRIERS = ("--carriers", "att=40%,cap=6000/s", "--carriers",
            "tmobile=30%,daily=290000", "--carriers", "verizon=20%,fail=0.01",
            "--carriers", "other=10%")
"""Issue 25's cost check: routes, outages and carriers, and the same run
without them (the groups unnamed)."""
ONE_MS = ("--senders", "name=s,count=4,mean=0.001,dev=0.0005,fail=0")
STREAM = ("0", "0", *ONE_MS, "--traffic", "name=r,rate=500/s,for=40m", *FAST)
BATCH = ("0", "0", *ONE_MS, "--traffic", "name=b,count=1200000,at=0", *FAST)
POSITIONAL = ("1200000", "0", *ONE_MS, *FAST)
"""Issue 26's: a stream of 1.2 M, a batch of as many at t=0, and as many
positional (which keep no figures per class)."""
SMSC = ("1000000", "0", "--senders", "count=4,mean=0.001,accept=5000,"
        "errors=queue-full:1%,system:0.5%,rejected:0.5%", "--retry-table",
        "queue-full=2x180s,system=2x30s", "--receipts",
        "delivered=90%,undeliverable=6%,none=2%,rejected=2%", *FAST)
SMSC_PLAIN = ("1000000", "0", "--senders", "count=4,mean=0.001,fail=0.02",
              "--retries", "2", *FAST)
"""Issue 27's: a bucket that refuses nothing, error classes, a retry table
and receipts, and the same share failing without them."""


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    what: str
    target: str
    run: Callable[[], Figures]
    """One round: named figures; 'value' leads the printed line."""
    passes: Callable[[Figures], bool]


def within(value: float, expected: float, share: float) -> bool:
    return abs(value - expected) <= share * expected


def build_cases(reference: Path | None, tune: dict[str, float],
                old: Path | None = None) -> list[Case]:
    def ours(*args: str) -> list[str]:
        if tune:
            return [sys.executable, "-c", TUNED, json.dumps(tune), *args,
                    "--json"]
        return [sys.executable, START, *args, "--json"]

    def typed(*args: str) -> list[str]:
        """The command a user types, plain lines out (piped); with
        ``--tune``, start.py with a setting changed."""
        if tune:
            return [sys.executable, "-c", TUNED, json.dumps(tune), *args]
        return [sys.executable, START, *args]

    def old_run(*args: str) -> Run:
        assert old is not None
        return measure([sys.executable, str(old / "start.py"), *args])

    def reference_run(*args: str) -> Run:
        assert reference is not None
        return measure([sys.executable, str(reference), *args])

    def startup() -> float:
        return measure(typed("0")).wall_s

    def startup_figures() -> Figures:
        bare = measure([sys.executable, "-c", BARE]).wall_s
        warm = startup()
        return {"value": warm, "vs_bare": warm / bare, "bare_s": bare,
                "cold_s": cold(typed("0")).wall_s}

    def paced(ideal_s: float, *args: str) -> Figures:
        """(wall - start-up) / the gateway's own duration, and figures."""
        base = startup()
        run = measure(ours(*args))
        summary = run.summary
        return {"value": (run.wall_s - base) / ideal_s,
                "wall_s": run.wall_s, "sim_s": summary["sim_elapsed_s"],
                "avg_send_s": summary["avg_send_s"] or 0.0,
                "lag_s": summary["max_lag_s"],
                "p50_delivery_s": summary["delivery_s"]["p50"] or 0.0}

    def zero_delay() -> Figures:
        mine = measure(ours("300000", "4", "0", "0", "0.2"))
        theirs = reference_run("300000", "4")
        return {"value": theirs.wall_s / mine.wall_s,
                "ours_msgs_per_s": 300000 / mine.wall_s,
                "reference_msgs_per_s": 300000 / theirs.wall_s}

    def saturation() -> Figures:
        args = ("100000", "1000", "0.01", "0.001", "0.2")
        base = startup()
        run = measure(typed(*args))
        figures = {"value": (run.wall_s - base) / 1.0, "wall_s": run.wall_s,
                   "rss_mb": run.max_rss_mb,
                   "avg_send_s": measure(ours(*args)).summary["avg_send_s"]}
        if reference is not None:
            theirs = reference_run("100000", "1000", "0.01", "0.001")
            figures["reference_wall_s"] = theirs.wall_s
        return figures

    def memory() -> Figures:
        big = measure(typed("1000000", "4", "0", "0", "0.2")).max_rss_mb
        small = measure(typed("100000", "4", "0", "0", "0.2")).max_rss_mb
        return {"value": big, "rss_100k_mb": small, "growth": big / small}

    def memory_senders() -> Figures:
        run = measure(typed("1000000", "10000", "0.01", "0.001", "0.2"))
        return {"value": run.max_rss_mb, "wall_s": run.wall_s}

    def many_threads() -> Figures:
        args = ("1000000", "10000", "0", "0", "0.2")
        run = measure(typed(*args))
        figures = {"value": run.max_rss_mb, "wall_s": run.wall_s}
        if old is not None:
            before = old_run(*args)
            figures.update(vs_old=run.wall_s / before.wall_s,
                           old_wall_s=before.wall_s,
                           old_rss_mb=before.max_rss_mb)
        return figures

    def retries() -> Figures:
        args = ("1000000", "4", "0", "0", "0.5")
        plain = measure(typed(*args))
        run = measure(typed(*args, "--retries", "3", "--backoff", "0.001"))
        return {"value": run.max_rss_mb, "wall_vs_none": run.wall_s
                / plain.wall_s, "wall_s": run.wall_s}

    def cost(plain: tuple[str, ...], featured: tuple[str, ...],
             **others: tuple[str, ...]) -> Figures:
        """A feature's cost: ``featured`` against ``plain``, the same run
        without it, in wall time, and its peak memory; ``others``, more
        runs to set it beside, each as ``vs_NAME``."""
        base = measure(typed(*plain))
        run = measure(typed(*featured))
        figures = {"value": run.wall_s / base.wall_s, "wall_s": run.wall_s,
                   "plain_wall_s": base.wall_s, "rss_mb": run.max_rss_mb}
        for name, args in others.items():
            figures[f"vs_{name}"] = run.wall_s / measure(typed(*args)).wall_s
        return figures

    def planner_max() -> Figures:
        base = measure(ours("100000", "4", "0", "0", "0.1"))
        run = measure(ours("100000", "20", "0.05", "0.01", "0.1",
                           "--max-rate", "100", "--retries", "3",
                           "--deadline", "1200", "--speed", "max"))
        return {"value": run.wall_s / base.wall_s, "wall_s": run.wall_s,
                "zero_delay_wall_s": base.wall_s,
                "sim_s": run.summary["sim_elapsed_s"]}

    def planner_search() -> Figures:
        run = measure(ours("100000", "20", "0.05", "0.01", "0.1",
                           "--max-rate", "100", "--retries", "3",
                           "--deadline", "20m", "--target", "0.95@15m",
                           "--solve", "max-rate", "--seed", "3"))
        return {"value": run.wall_s}

    def memory_max() -> Figures:
        run = measure(ours("1000000", "50", "0.5", "0.1", "0.05",
                           "--retries", "2", "--speed", "max"))
        return {"value": run.max_rss_mb, "wall_s": run.wall_s}

    def expiry() -> Figures:
        plain = measure(ours("2000000", "4", "0", "0", "0"))
        run = measure(ours("2000000", "4", "0.01", "0", "0",
                           "--deadline", "0.01"))
        return {"value": run.wall_s / plain.wall_s, "wall_s": run.wall_s,
                "zero_delay_wall_s": plain.wall_s,
                "expired": run.summary["expired"],
                "rss_mb": run.max_rss_mb}

    def summary_of(*args: str) -> Figures:
        summary = measure(ours(*args)).summary
        attempts = summary["attempts"]
        return {"value": summary["sim_elapsed_s"], "sent": summary["sent"],
                "failed": summary["failed"], "expired": summary["expired"],
                "first_failed": summary["first_attempt_failed"],
                **{f"attempts_{k}": v for k, v in attempts.items()},
                "p50_delivery_s": summary["delivery_s"]["p50"] or 0.0}

    def idle() -> Figures:
        run = measure(ours("400", "4", "0.05", "0.01", "0.1", "--interval",
                           "0.1"))
        return {"value": 100 * run.cpu_s / run.wall_s}

    def first_status() -> Figures:
        args = ("1000000", "4", "0.001", "0", "0", "--interval", "0.2")
        return {"value": first_line_after(typed(*args)),
                "cold_s": first_line_after(typed(*args), cold=True)}

    cases = [
        Case("startup", "start.py 0, warm bytecode cache: wall s",
             "<= 0.15 or <= 2.5x python3 -c '" + BARE + "'",
             startup_figures,
             lambda f: f["value"] <= 0.15 or f["vs_bare"] <= 2.5),
        Case("saturation", "100000 1000 0.01 0.001 0.2: (wall - startup) / "
             "1.0 s; peak RSS MB", "<= 1.25, <= 25 MB, avg within 0.5% of "
             "0.01", saturation,
             lambda f: f["value"] <= 1.25 and f["rss_mb"] <= 25
             and within(f["avg_send_s"], 0.01, 0.005)),
        Case("many_senders", "20000 1000 0.1 0.01: (wall - startup) / 2.0 s",
             "<= 1.05", lambda: paced(2.0, "20000", "1000", "0.1", "0.01",
                                      "0.2"),
             lambda f: f["value"] <= 1.05),
        Case("fidelity", "2000 4 0.01 0.001: (wall - startup) / 5.0 s",
             "0.99 to 1.01, avg within 0.5%",
             lambda: paced(5.0, "2000", "4", "0.01", "0.001", "0.2"),
             lambda f: 0.99 <= f["value"] <= 1.01
             and within(f["avg_send_s"], 0.01, 0.005)),
        Case("small_mean", "10000 4 0.001 0 0: avg send s",
             "within 0.5% of 0.001",
             lambda: {**(f := paced(2.5, "10000", "4", "0.001", "0", "0")),
                      "value": f["avg_send_s"]},
             lambda f: within(f["value"], 0.001, 0.005)),
        Case("speed", "200000 100 0.5 0.1 0.02 --speed 100: "
             "(wall - startup) / 10 s", "0.99 to 1.05, sim within 1% of 1000",
             lambda: paced(10.0, "200000", "100", "0.5", "0.1", "0.02",
                           "--speed", "100"),
             lambda f: 0.99 <= f["value"] <= 1.05
             and within(f["sim_s"], 1000, 0.01)),
        Case("exact_schedule", "1000 7 0.1 0 0 --speed 20: simulated s",
             "14.3 to 14.45, p50 delivery 7.1 to 7.3",
             lambda: summary_of("1000", "7", "0.1", "0", "0", "--speed",
                                "20"),
             lambda f: 14.3 <= f["value"] <= 14.45
             and 7.1 <= f["p50_delivery_s"] <= 7.3),
        Case("10k_senders", "1000000 10000 0 0 0.2: peak RSS MB; wall vs "
             "--old", "<= 80 MB; <= 1.1x", many_threads,
             lambda f: f["value"] <= 80 and f.get("vs_old", 1.0) <= 1.1),
        Case("memory_10k", "1000000 10000 0.01 0.001: peak RSS MB",
             "<= 250", memory_senders, lambda f: f["value"] <= 250),
        Case("memory", "1000000 4 0 0: peak RSS MB (and vs 100k)",
             "<= 25 MB, growth <= 1.10", memory,
             lambda f: f["value"] <= 25 and f["growth"] <= 1.10),
        Case("idle", "400 4 0.05 0.01 --interval 0.1: CPU %", "<= 5",
             idle, lambda f: f["value"] <= 5),
        Case("first_status", "1M 4 0.001 --interval 0.2: first line s "
             "(warm, and cold: no bytecode cache)", "<= 0.3 warm",
             first_status, lambda f: f["value"] <= 0.3),
        Case("max_rate", "2000 50 0.01 0 0 --max-rate 200 --speed 10: sim s",
             "10 +- 2%", lambda: summary_of(
                 "2000", "50", "0.01", "0", "0", "--max-rate", "200",
                 "--speed", "10"), lambda f: within(f["value"], 10, 0.02)),
        Case("tps", "300 10 0.01 0 0 --tps 1 --speed 10: sim s",
             "29.0 to 29.6", lambda: summary_of(
                 "300", "10", "0.01", "0", "0", "--tps", "1", "--speed",
                 "10"), lambda f: 29.0 <= f["value"] <= 29.6),
        Case("retries", "20000 20 0.001 0 0.5 --retries 3 --backoff "
             "0.001:0.01 --speed 10 --seed 1: failed",
             "1250 +- 170, first failed ~10000", lambda: {
                 **(f := summary_of(
                     "20000", "20", "0.001", "0", "0.5", "--retries", "3",
                     "--backoff", "0.001:0.01", "--speed", "10", "--seed",
                     "1")), "value": f["failed"]},
             lambda f: abs(f["value"] - 1250) <= 170
             and abs(f["first_failed"] - 10000) <= 300),
        Case("deadline", "1000 1 0.01 0 0 --deadline 5 --speed 10: sent",
             "about 500, with expired adding to 1000", lambda: {
                 **(f := summary_of("1000", "1", "0.01", "0", "0",
                                    "--deadline", "5", "--speed", "10")),
                 "value": f["sent"]},
             lambda f: abs(f["value"] - 500) <= 5
             and f["value"] + f["expired"] == 1000),
        Case("planner_max", "100000 20 0.05 0.01 0.1 --max-rate 100 "
             "--retries 3 --deadline 1200 --speed max: wall / wall of "
             "100000 4 0 0 0.1", "<= 1.5", planner_max,
             lambda f: f["value"] <= 1.5),
        Case("planner_search", "the README's target search: 100000 20 "
             "0.05 0.01 0.1 --max-rate 100 --retries 3 --deadline 20m "
             "--target 0.95@15m --solve max-rate --seed 3: wall s", "< 30",
             planner_search, lambda f: f["value"] < 30),
        Case("memory_max", "1000000 50 0.5 0.1 0.05 --retries 2 --speed "
             "max: peak RSS MB", "<= 30", memory_max,
             lambda f: f["value"] <= 30),
        Case("expiry", "2000000 4 0.01 0 0 --deadline 0.01: wall / wall of "
             "2000000 4 0 0 0", "<= 1.0", expiry,
             lambda f: f["value"] <= 1.0),
        Case("retry_memory", "1000000 4 0 0 0.5 --retries 3 --backoff "
             "0.001: peak RSS MB", "<= 40 MB, wall <= 2.5x without retries",
             retries,
             lambda f: f["value"] <= 40 and f["wall_vs_none"] <= 2.5),
        Case("routes_carriers", "1000000 0 on three routes of 4 senders "
             "of 1 ms (two outages), --retries 2, four carriers (a cap, a "
             "daily cap, drops): wall / wall without routes and carriers; "
             "peak RSS MB", "<= 1.5x, <= 30 MB (issue 25)",
             lambda: cost(PLAIN_GROUPS, ROUTED + CARRIERS,
                          routes_alone=ROUTED, carriers_alone=PLAIN_GROUPS
                          + CARRIERS),
             lambda f: f["value"] <= 1.5 and f["rss_mb"] <= 30),
        Case("stream", "--traffic name=r,rate=500/s,for=40m (1.2 M) on 4 "
             "senders of 1 ms: wall / wall of a batch of 1,200,000 at t=0; "
             "peak RSS MB", "<= 1.3x, <= 30 MB (issue 26)",
             lambda: cost(BATCH, STREAM, positional=POSITIONAL),
             lambda f: f["value"] <= 1.3 and f["rss_mb"] <= 30),
        Case("smsc", "1000000 0 on 4 senders of 1 ms with accept=5000 "
             "(refusing none), three error classes, a retry table and "
             "receipts: wall / wall without them; peak RSS MB",
             "<= 1.5x, <= 30 MB (issue 27)",
             lambda: cost(SMSC_PLAIN, SMSC),
             lambda f: f["value"] <= 1.5 and f["rss_mb"] <= 30),
    ]
    if reference is not None:
        cases.insert(1, Case(
            "zero_delay", "300000 4 0 0: reference wall / ours", ">= 3",
            zero_delay, lambda f: f["value"] >= 3))
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--case", action="append", default=[],
                        help="run only these cases (repeatable)")
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--old", type=Path, default=None,
                        help="a checkout of an earlier commit, run "
                        "alternately in 10k_senders (for example 7132fcd)")
    parser.add_argument("--tune", action="append", default=[],
                        type=tune_setting, metavar="NAME=VALUE",
                        help="run with a setting of sms_sim/run/tuning.py "
                        "changed, to measure what it is for (repeatable)")
    args = parser.parse_args(argv)
    tune = dict(args.tune)
    reference = args.reference if args.reference.exists() else None
    if reference is None:
        print(f"note: {args.reference} not found; reference cases skipped")
    cases = [c for c in build_cases(reference, tune, args.old)
             if not args.case or c.name in args.case]
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} cores; {args.repeat} rounds; medians"
          + "".join(f"; {name}={value:g}" for name, value in tune.items()))
    rounds: dict[str, list[dict[str, float]]] = {c.name: [] for c in cases}
    for _ in range(args.repeat):
        for case in cases:  # alternate the cases round by round
            rounds[case.name].append(case.run())
    failures = 0
    for case in cases:
        keys = dict.fromkeys(k for r in rounds[case.name] for k in r)
        figures = {key: statistics.median(r.get(key, 0.0)
                                          for r in rounds[case.name])
                   for key in keys}
        ok = case.passes(figures)
        failures += not ok
        extra = "  ".join(f"{k}={v:.4g}" for k, v in figures.items()
                          if k != "value")
        print(f"{'PASS' if ok else 'MISS'} {case.name:<13} "
              f"{figures['value']:>9.4g}  target {case.target}\n"
              f"     {case.what}\n     {extra}".rstrip())
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
