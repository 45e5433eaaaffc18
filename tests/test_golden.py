"""Runs pinned figure for figure: a handful of commands whose every
simulated figure, and the set of their log's rows, must not move unless a
change means to move them.

``tests/golden.json`` holds, for each command, its JSON summary less the
fields that are about the machine, and a digest of its log's sorted rows.
A change that means to move a figure (a fix to the model) regenerates it
with ``python3 -m tests.test_golden`` and says in its commit which figures
moved and why.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.background import BACKGROUND, Job

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden.json"
MACHINE_FIELDS = ("elapsed_s", "max_lag_s", "speed")
"""A summary's fields that the machine, not the seed, decides."""

COMMANDS: dict[str, list[str]] = {
    "demo": ["--seed", "7"],
    "worked example": ["100000", "20", "0.05", "0.01", "0.1", "--max-rate",
                       "100", "--retries", "3", "--deadline", "20m",
                       "--min-delivered", "0.95", "--seed", "11"],
    "groups, caps, retries, deadline": [
        "3000", "0", "--senders", "10:0.02:0.01:0.3", "--senders",
        "5:0.1:0.05:0.3", "--retries", "2", "--backoff", "0.05:0.2",
        "--max-rate", "300", "--deadline", "9", "--seed", "5"],
    "shapes and a carrier": [
        "2000", "3", "0.02", "--dist", "lognormal",
        "--senders", "2:0.05:0.01:0.1:15", "--carrier-delay",
        "empirical:file=examples/carrier_delays.csv,column=delay_s",
        "--retries", "1", "--seed", "9"],
    "measured send times": [
        "1500", "6", "--dist", "examples/send_times.txt", "--permanent",
        "0.5", "--retries", "2", "--seed", "2"],
}
"""Each a single run, asked for at ``--speed max`` with ``--json`` and
``--log``."""


def command(args: Sequence[str], log: Path) -> list[str]:
    return [sys.executable, str(ROOT / "start.py"), *args, "--speed", "max",
            "--json", "--log", str(log)]


def fingerprint(stdout: str, log: Path) -> dict[str, Any]:
    """What a seed fixes of one run: its summary, less the machine's
    fields, and the digest of its log's rows in sorted order."""
    summary = json.loads(stdout.splitlines()[-1])
    assert summary["event"] == "summary"
    for name in MACHINE_FIELDS:
        summary.pop(name)
    header, *rows = log.read_text().splitlines()
    digest = hashlib.sha256("\n".join([header, *sorted(rows)]).encode())
    return {"summary": summary, "log_sha256": digest.hexdigest(),
            "log_rows": len(rows)}


def seeded_figures(job: Job) -> tuple[dict[str, object], list[str], str]:
    """What a seed fixes of a finished job's run, for tests that compare
    one run at several speeds: its summary less the machine's fields, its
    log's rows sorted, and the log's header."""
    done = job.result()
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.splitlines()[-1])
    for name in MACHINE_FIELDS:
        summary.pop(name)
    header, *rows = (job.dir / "log.csv").read_text().splitlines()
    return summary, sorted(rows), header


def logged(args: Sequence[str]) -> Callable[[Path], list[str]]:
    """The command of ``args``, logging to its job's own folder."""
    return lambda folder: command(args, folder / "log.csv")


RUNS: dict[str, Job] = {name: BACKGROUND.add(logged(args))
                        for name, args in COMMANDS.items()}


@pytest.mark.parametrize("name", COMMANDS)
def test_a_pinned_run_gives_the_figures_it_always_gave(name: str) -> None:
    job = RUNS[name]
    done = job.result()
    assert done.returncode == 0, done.stderr
    golden = json.loads(GOLDEN.read_text())[name]
    assert golden["args"] == COMMANDS[name]
    got = fingerprint(done.stdout, job.dir / "log.csv")
    assert got["summary"] == golden["summary"]
    assert (got["log_rows"], got["log_sha256"]) == (
        golden["log_rows"], golden["log_sha256"])


def regenerate() -> None:
    """Writes ``golden.json`` from runs of the program as it stands."""
    import tempfile
    pinned = {}
    for name, args in COMMANDS.items():
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder) / "log.csv"
            done = subprocess.run(command(args, log), cwd=ROOT,
                                  capture_output=True, text=True,
                                  check=True)
            pinned[name] = {"args": args, **fingerprint(done.stdout, log)}
    GOLDEN.write_text(json.dumps(pinned, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    regenerate()
