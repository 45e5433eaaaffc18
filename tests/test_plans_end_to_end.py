"""Plans, shapes and the carrier as a user meets them: ``start.py`` run as
a process.  Every run is a few hundred messages at ``--speed max``; the
plans go as processes, ahead of their tests, and the single runs a plan
is compared with run in this process (``run_main``)."""
from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from sms_sim.plan.replications import replication_seeds
from tests.background import BACKGROUND, Job
from tests.helpers import run_main

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 15
"""Only a hang reaches it: each run takes a fraction of a second."""
SMALL = ("300", "2", "0.01", "0.005", "0.1")
"""300 messages, 2 senders of 10 ms +- 5 ms, 10% failing."""
REAL = ("elapsed_s", "max_lag_s")
"""A summary's fields of real time, which differ from run to run."""
SEND_TIMES = "examples/send_times.txt"
CARRIER_DELAYS = "examples/carrier_delays.csv"


def start(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "start.py"), *args]


@contextmanager
def started(*commands: Sequence[str]
            ) -> Iterator[list[subprocess.Popen[str]]]:
    """``commands`` running side by side, their outputs piped; any still
    running when the test is done (it failed) is killed, not left behind.
    """
    with ExitStack() as stack:
        processes = []
        for command in commands:
            process = subprocess.Popen(
                command, cwd=ROOT, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True)
            stack.callback(process.communicate)
            stack.callback(process.kill)
            processes.append(process)
        yield processes


def json_lines(stdout: str) -> list[dict[str, Any]]:
    """The JSON lines but the progress ones, whose number depends on real
    time, the scenario, which has the speed and the jobs, and a plan's
    closing line, checked: it says the plan ended whole, if it did."""
    lines = [json.loads(line) for line in stdout.splitlines()]
    if lines and lines[-1]["event"] == "plan":
        closing = lines.pop()
        assert closing["interrupted"] == (
            closing["runs"] != closing["runs_planned"] is not None)
    return [line for line in lines
            if line["event"] not in ("progress", "scenario")]


def simulated(line: dict[str, Any], *also: str) -> dict[str, Any]:
    """A run's figures without its real times, its event, and ``also``."""
    return {key: value for key, value in line.items()
            if key not in (*REAL, "event", *also)}


def summary(done: subprocess.CompletedProcess[str] | tuple[int, str, str]
            ) -> dict[str, Any]:
    """The summary of one run, which completed: a process, or the status
    and outputs of one in this process."""
    status, out, err = (done if isinstance(done, tuple) else
                        (done.returncode, done.stdout, done.stderr))
    assert status == 0, err
    (line,) = json_lines(out)
    assert line["event"] == "summary" and not line["interrupted"]
    return line


def ahead(*commands: Sequence[str]) -> list[Job]:
    """Runs started ahead of their test (see ``tests/background.py``)."""
    return [BACKGROUND.add(command) for command in commands]


def results(jobs: list[Job]) -> list[subprocess.CompletedProcess[str]]:
    """The runs ended, none with a traceback."""
    done = [job.result() for job in jobs]
    for run in done:
        assert "Traceback" not in run.stderr, run.stderr
    return done


REPLICATIONS = ahead(
    start(*SMALL, "--runs", "3", "--json", "--seed", "21", "--jobs", "1"))


def test_each_replications_seed_repeats_its_run_alone() -> None:
    seeds = replication_seeds(21, 3)
    (plan,) = results(REPLICATIONS)
    alone = [run_main(*SMALL, "--speed", "max", "--json", "--seed",
                      str(seed)) for seed in seeds]
    assert plan.returncode == 0, plan.stderr
    *runs, replications = json_lines(plan.stdout)
    assert [(run["event"], run["index"], run["seed"]) for run in runs] == \
        [("run", index, seed) for index, seed in enumerate(seeds)]
    assert replications["event"] == "replications"
    for run, one in zip(runs, alone):
        assert simulated(run, "index") == simulated(summary(one))
    # Three runs, three different blasts.
    assert len({run["sim_elapsed_s"] for run in runs}) == 3


SWEEP = ("--sweep", "senders=2,4", "--seed", "8", "--json")
SWEPT = ahead(
    start(*SMALL, *SWEEP, "--jobs", "1"), start(*SMALL, *SWEEP, "--jobs", "2"))


def test_a_sweep_is_the_runs_of_its_values_whatever_the_jobs() -> None:
    one_job, two_jobs = results(SWEPT)
    alone = [run_main(SMALL[0], senders, *SMALL[2:], "--speed", "max",
                      "--seed", "8", "--json") for senders in ("2", "4")]
    assert one_job.returncode == two_jobs.returncode == 0
    lines = json_lines(one_job.stdout)
    assert [simulated(line) for line in lines] == \
        [simulated(line) for line in json_lines(two_jobs.stdout)]
    assert [(line["event"], line["name"], line["value"])
            for line in lines] == [("sweep", "senders", 2),
                                   ("sweep", "senders", 4)]
    for line, run in zip(lines, alone):
        assert simulated(line, "name", "value") == simulated(summary(run))
    assert lines[1]["sim_elapsed_s"] < lines[0]["sim_elapsed_s"]


def sent_by(log: Path, moment_s: float) -> int:
    """The messages a ``--log`` says were sent by ``moment_s``."""
    with open(log, newline="") as file:
        return sum(row["outcome"] == "sent"
                   and float(row["delivered_at_s"]) <= moment_s
                   for row in csv.DictReader(file))


SEARCHED = ("300", "1", "0.01", "0.005", "0")
"""300 messages, none failing."""
SEARCH = ahead(start(*SEARCHED, "--target", "0.9@0.5s", "--solve", "senders",
                     "--seed", "7", "--json", "--jobs", "1"))


def test_a_searchs_answer_meets_the_target_and_one_fewer_does_not(
        tmp_path: Path) -> None:
    """90% of them by 0.5 s: the search's least number of senders, and
    one fewer, run alone and logged."""
    blast = SEARCHED
    (search,) = results(SEARCH)
    assert search.returncode == 0, search.stderr
    *tried, target = json_lines(search.stdout)
    assert target["event"] == "target" and target["met"]
    least = int(target["value"])
    assert least > 1  # a search that had something to find
    logs = [tmp_path / f"{senders}.csv" for senders in (least, least - 1)]
    runs = [run_main(blast[0], str(senders), *blast[2:], "--speed", "max",
                     "--seed", "7", "--log", str(log), "--json")
            for senders, log in zip((least, least - 1), logs)]
    assert [status for status, _, _ in runs] == [0, 0]
    enough, short = (sent_by(log, 0.5) for log in logs)
    assert enough >= 0.9 * 300 > short
    shares = {line["value"]: line["target_share"] for line in tried}
    assert (shares[least], shares[least - 1]) == (enough / 300, short / 300)


def assert_self_contained(page: str) -> None:
    """Well-formed markup that loads nothing from anywhere else."""
    assert page.startswith("<!DOCTYPE html>")
    root = ElementTree.fromstring(page)  # every tag closed
    assert root.tag == "html"
    assert not re.search(r"[a-z]+://", page)
    assert "<script" not in page and "@import" not in page
    assert "url(" not in page and "src=" not in page
    assert set(re.findall(r'href="([^"]*)"', page)) <= {"data:,"}


REPORTED = BACKGROUND.add(lambda folder: start(
    *SMALL, "--runs", "2", "--seed", "4", "--report",
    str(folder / "plan.html"), "--jobs", "1"))


def test_the_report_is_one_self_contained_file(tmp_path: Path) -> None:
    """A plan's, from a process, and a run's, from this one."""
    (plan_run,) = results([REPORTED])
    assert plan_run.returncode == 0, plan_run.stderr
    status, _, err = run_main(*SMALL, "--speed", "max", "--seed", "4",
                              "--report", str(tmp_path / "run.html"))
    assert status == 0, err
    for folder, name, title in ((tmp_path, "run.html",
                                 "300 messages, 2 senders"),
                                (REPORTED.dir, "plan.html",
                                 "2 runs of 300 messages")):
        page = (folder / name).read_text(encoding="utf-8")
        assert f"<title>sms-sim: {title}</title>" in page
        assert_self_contained(page)
        assert os.listdir(folder) == [name]  # no temporary left
    # The plan's page says whose figures its per-run sections show.
    plan = (REPORTED.dir / "plan.html").read_text(encoding="utf-8")
    assert re.search(r"<h2>Sender groups \(run 1 of 2, seed \d+\)</h2>",
                     plan)


def test_a_run_or_plan_interrupted_writes_no_report(tmp_path: Path) -> None:
    """Each is signalled once it has written its first progress line: it
    is under way, far from done."""
    reports = [tmp_path / "run.html", tmp_path / "plan.html"]
    with started(
            start("100000", *SMALL[1:], "--json", "--interval", "0.1",
                  "--report", str(reports[0])),
            start(*SMALL, "--runs", "1000", "--jobs", "2", "--json",
                  "--report", str(reports[1]))) as processes:
        for process in processes:
            assert process.stdout is not None
            assert [json.loads(process.stdout.readline())["event"]
                    for _ in range(2)] == ["scenario", "progress"]
            process.send_signal(signal.SIGINT)
        ends = [process.communicate(timeout=TIMEOUT_S)
                for process in processes]
    assert [process.returncode for process in processes] == [130, 130]
    run, plan = (json_lines(out)[-1] for out, _ in ends)
    assert run["interrupted"] and run["unsent"] > 0
    assert plan["event"] == "replications" and plan["runs"] < 1000
    assert list(tmp_path.iterdir()) == []
    for (_, err), report in zip(ends, reports):  # and each says so
        assert err == f"sms-sim: no report written to {report}: the run " \
            "was interrupted\n"


def test_a_second_signal_ends_the_plan_and_its_workers_at_once(
        tmp_path: Path) -> None:
    """The parent ends without a word to its pool: its workers must end
    too, or they hold the output open and a reader never sees its end.
    Nor does it leave the folder of its fork server's socket behind."""
    plan = subprocess.Popen(
        start(*SMALL, "--runs", "1000", "--jobs", "2", "--json",
              "--interval", "0.1"), cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        start_new_session=True)  # its own group, to clean up after a fail
    try:
        assert plan.stdout is not None
        plan.stdout.readline()  # the scenario
        while json.loads(plan.stdout.readline()).get("runs_done") == 0:
            pass  # until the workers are at work (a run line, or so says
            # a progress line)
        # Both pending at once: sent while it is stopped, as two kills in
        # a row on a busy machine may let the first's report out before
        # the second arrives.  (Python then handles them in the order of
        # their numbers.)
        plan.send_signal(signal.SIGSTOP)
        plan.send_signal(signal.SIGTERM)
        plan.send_signal(signal.SIGHUP)
        plan.send_signal(signal.SIGCONT)
        out, _ = plan.communicate(timeout=TIMEOUT_S)  # the output's end
        assert plan.returncode in (128 + signal.SIGHUP, 128 + signal.SIGTERM)
        assert '"replications"' not in out  # at once: no summary
        assert list(tmp_path.iterdir()) == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(plan.pid, signal.SIGKILL)
        plan.communicate()


CARRIED = ("300", "2", "0.01", "0.005", "0", "--carrier-delay",
           "lognormal:mean=2,sd=3", "--speed", "max", "--seed", "3", "--json")
CARRIED_RUN = BACKGROUND.add(lambda folder: start(
    *CARRIED, "--log", str(folder / "run.csv"), "--min-reached", "0.5"))


def test_the_carrier_delay_is_logged_and_checked() -> None:
    """A process logs it; the same run, checked, in this process."""
    (logged,) = results([CARRIED_RUN])
    log = CARRIED_RUN.dir / "run.csv"
    figures = summary(logged)
    with open(log, newline="") as file:
        rows = list(csv.DictReader(file))
    assert "reached_at_s" in rows[0]
    reached = [float(row["reached_at_s"]) for row in rows]
    assert len(reached) == figures["reached"] == 300  # none failed
    assert all(float(row["delivered_at_s"]) <= at
               for row, at in zip(rows, reached))
    assert abs(figures["reached_s"]["p100"] - max(reached)) <= 1e-6
    assert figures["checks"] == [{"name": "min_reached", "ok": True,
                                  "value": 1.0, "limit": 0.5}]
    status, late, err = run_main(*CARRIED, "--min-reached", "1.0@1s")
    assert status == 3, err
    (check,) = json_lines(late)[-1]["checks"]
    by_1s = sum(at <= 1.0 for at in reached)  # the same run, seed 3
    assert (check["ok"], check["value"]) == (False, by_1s / 300)


SHAPED = (*SMALL, "--dist", "lognormal", "--senders",
          "count=2,mean=0.02,dist=exponential,fail=0", "--speed", "max",
          "--seed", "4")
SHAPED_RUN = ahead(start(*SHAPED, "--json"))


def test_each_group_says_its_shape() -> None:
    """As JSON from a process; as text from this one."""
    (as_json,) = results(SHAPED_RUN)
    groups = summary(as_json)["groups"]
    assert [{key: group[key] for key in ("senders", "shape", "mean_s",
                                         "sd_s", "failure_rate")}
            for group in groups] == [
        {"senders": 2, "shape": "lognormal", "mean_s": 0.01, "sd_s": 0.005,
         "failure_rate": 0.1},
        {"senders": 2, "shape": "exponential", "mean_s": 0.02, "sd_s": None,
         "failure_rate": 0.0}]
    assert sum(group["attempts"] for group in groups) == 300
    assert groups[1]["sent"] == groups[1]["attempts"]  # none fail there
    status, as_text, _ = run_main(*SHAPED)
    assert status == 0
    assert re.search(r"^ +1 +2 +lognormal ", as_text, re.MULTILINE)
    assert re.search(r"^ +2 +2 +exponential ", as_text, re.MULTILINE)


EXAMPLES = ahead(start(
    "300", "2", "--dist", SEND_TIMES, "--carrier-delay",
    f"empirical:file={CARRIER_DELAYS},column=delay_s", "--speed", "max",
    "--seed", "5", "--json"))


def test_the_example_files_load_through_the_command_line() -> None:
    """The project's samples: measured send times for the senders, and
    the carrier's measured delays from a column of a CSV file."""
    (done,) = results(EXAMPLES)
    figures = summary(done)
    (group,) = figures["groups"]
    assert (group["shape"], group["file"]) == ("empirical", SEND_TIMES)
    measured = [float(v) for v in (ROOT / SEND_TIMES).read_text().split()]
    assert min(measured) <= figures["min_send_s"]
    assert figures["max_send_s"] <= max(measured)
    with open(ROOT / CARRIER_DELAYS, newline="") as file:
        delays = [float(row["delay_s"]) for row in csv.DictReader(file)]
    assert figures["reached"] == figures["sent"] > 0
    assert figures["last_reached_s"] <= figures["last_sent_s"] + max(delays)
    assert figures["last_reached_s"] > figures["last_sent_s"]
