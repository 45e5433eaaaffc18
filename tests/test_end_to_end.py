"""The command line as a user meets it: real processes, real threads."""
from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from sms_sim.run.sender import Sender
from tests.background import BACKGROUND, Job
from tests.helpers import assert_filled, run_main, usage_error

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 15
COLOUR = re.compile(r"\x1b\[3\dm")


def environ(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "COLUMNS")}
    env.update(extra)
    return env


def start(*args: str, module: bool = False) -> list[str]:
    entry = ["-m", "sms_sim"] if module else [str(ROOT / "start.py")]
    return [sys.executable, *entry, *args]


@contextmanager
def started(command: list[str], **kwargs: Any
            ) -> Iterator[subprocess.Popen[str]]:
    """``command`` running, its outputs piped; killed when the test is
    done if it still runs then (the test failed), not left behind."""
    process = subprocess.Popen(command, cwd=ROOT, env=environ(),
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, **kwargs)
    try:
        yield process
    finally:
        process.kill()
        process.communicate()


def ahead(command: list[str], **env: str) -> Job:
    """A run that only needs its output read, started ahead of its test
    (see ``tests/background.py``)."""
    return BACKGROUND.add(command, env=environ(**env))


BRIEF = ahead(start("400", "4", "0.001", "0.0001", "0.2", "--interval",
                    "0.05"))
PACED = ahead(start("200", "4", "0.001", "0.0005", "0.2", "--json", "--seed",
                    "3", "--speed", "10"))
SEEDED = ("500", "4", "0", "0", "0.3", "--json", "--seed", "7")
SEEDED_RUN = ahead(start(*SEEDED))
AS_MODULE = [ahead(start("50", "2", "0", "0", "0", "--json", module=True)),
             ahead(start("-1", module=True))]
BAD_INPUT = [["abc"], ["10", "2", "nan"], ["--senders", "1:2:3"],
             ["--nope"], ["--sweep", "senders=1,nan"], ["--target", "2@1m"]]
BAD_RUNS = [ahead(start(*argv)) for argv in BAD_INPUT[::3]]
"""Two kinds through a real process: a value and an option."""
HELP = ahead(start("--help"), COLUMNS="100")


def json_lines(stdout: str) -> list[dict[str, Any]]:
    """The JSON lines but the scenario, which the run writes first."""
    lines = [json.loads(line) for line in stdout.splitlines()]
    return [line for line in lines if line["event"] != "scenario"]


def test_the_briefs_example_at_a_small_scale() -> None:
    done = BRIEF.result()
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "\x1b" not in done.stdout and "\r" not in done.stdout
    assert re.search(r"completed: .*\n.*400 total .* unsent 0\n",
                     done.stdout)
    for figure in ("avg", "p50", "p95", "p99", "throughput"):
        assert figure in done.stdout


def test_json_totals_add_up_and_times_are_simulated() -> None:
    done = PACED.result()
    assert done.returncode == 0, done.stderr
    events = json_lines(done.stdout)
    summary = events[-1]
    assert summary["event"] == "summary"
    assert all(e["event"] == "progress" for e in events[:-1])
    assert summary["sent"] + summary["failed"] == 200
    assert summary["unsent"] == 0 and summary["interrupted"] is False
    assert summary["stopped"] is None and summary["speed"] == 10
    # Simulated send times: the configured distribution, whatever the load.
    assert 0.0005 <= summary["min_send_s"] <= summary["p50_send_s"] \
        <= summary["p95_send_s"] <= summary["p99_send_s"] \
        <= summary["max_send_s"] <= 0.0015
    assert summary["avg_send_s"] == pytest.approx(0.001, rel=0.05)
    # 50 rounds of about 1 ms on 4 senders; no run ends before its gateway.
    assert summary["sim_elapsed_s"] == pytest.approx(0.05, rel=0.2)
    assert summary["elapsed_s"] >= summary["sim_elapsed_s"] / 10 * 0.99
    # About 79% sent: 50% of all messages were, 90% never.
    delivery = summary["delivery_s"]
    assert delivery["p50"] <= summary["last_sent_s"] \
        <= summary["sim_elapsed_s"]
    assert delivery["p90"] is None and delivery["p100"] is None


def test_a_gateway_with_caps_retries_and_a_deadline() -> None:
    _, capped, _ = run_main("300", "10", "0.01", "0", "0", "--tps", "1",
                            "--speed", "max", "--json")
    figures = json_lines(capped)[-1]
    assert 29.0 <= figures["sim_elapsed_s"] <= 29.6  # a start a second each
    status, late, err = run_main(
        "1000", "1", "0.01", "0", "0", "--deadline", "5", "--speed", "100",
        "--json", "--min-delivered", "0.9")
    assert status == 3, err
    summary = json_lines(late)[-1]
    assert summary["sent"] + summary["expired"] == 1000
    assert 495 <= summary["sent"] <= 505
    [check] = summary["checks"]
    assert check["name"] == "min_delivered" and check["ok"] is False
    assert check["limit"] == 0.9


def test_a_failed_check_is_named_in_the_report() -> None:
    failed, passed = (run_main(
        "1000", "1", "0.01", "0", "0", "--deadline", "5", "--speed", "max",
        "--min-delivered", share) for share in ("0.9", "0.4"))
    assert failed[0] == 3
    assert re.search(r"check min_delivered FAILED: 50\.\d+% .* below the "
                     r"90% required", failed[1])
    assert passed[0] == 0, passed[2]
    assert re.search(r"check min_delivered passed: 50\.\d+% sent \(limit "
                     r"40%\)", passed[1])


def test_the_log_has_a_row_per_message(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    status, out, err = run_main(
        "500", "4", "0.001", "0", "0.5", "--retries", "2", "--backoff",
        "0.001:0.002", "--deadline", "0.1", "--speed", "10", "--json",
        "--log", str(log))
    assert status == 0, err
    summary = json_lines(out)[-1]
    header, *rows = log.read_text().splitlines()
    assert header == "id,phone,group,sender,attempts,outcome,send_s," \
        "delivered_at_s,encoding,segments"
    assert len(rows) == 500
    outcomes = Counter(row.split(",")[5] for row in rows)
    assert outcomes == {k: summary[k] for k in ("sent", "failed", "expired")
                        if summary[k]}
    assert all(re.fullmatch(r"\d{3}-\d{3}-\d{4}", row.split(",")[1])
               for row in rows)
    assert sorted(int(row.split(",")[0]) for row in rows) == list(range(500))


def test_a_log_pipe_that_nothing_reads_is_refused_not_waited_for(
        tmp_path: Path) -> None:
    fifo = tmp_path / "log"
    os.mkfifo(fifo)
    # Opening it would block forever.
    status, _, err = run_main("10", "--log", str(fifo))
    assert status == 2
    assert "argument --log: cannot write" in err
    assert "it is a pipe that nothing reads" in err


INTERRUPTED_EARLY = "sms-sim: interrupted before the run started\n"


def test_ctrl_c_while_the_arguments_are_read_says_so() -> None:
    # Parsing thousands of --senders takes a while: a Ctrl-C then comes
    # before the run's own handler is in place.
    code = ("import runpy, sms_sim.cli.main\n"
            "def interrupted(**kwargs): raise KeyboardInterrupt\n"
            "sms_sim.cli.main.main = interrupted\n"
            "runpy.run_module('sms_sim', run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                          env=environ(), capture_output=True, text=True,
                          timeout=TIMEOUT_S)
    assert (done.returncode, done.stdout, done.stderr) == (
        130, "", INTERRUPTED_EARLY)


SLOW_START = """\
import runpy, sys
class Pause:
    # Stands for a slow start: says that the program is being imported,
    # then waits for a line that never comes.
    def __init__(self, module):
        self.module = module
    def find_spec(self, name, path, target=None):
        if name == self.module:
            print("importing", flush=True)
            sys.stdin.readline()
sys.meta_path.insert(0, Pause(sys.argv[1]))
sys.argv = ["start.py", "100", "--json"]
runpy.run_path("start.py", run_name="__main__")
"""
"""Run as ``python -c SLOW_START MODULE``: the import that pauses."""


@pytest.mark.parametrize("module", [
    "sms_sim",  # in runpy, before the program's first line
    "sms_sim.cli.python_version",  # its first import
    "sms_sim.cli.main"])
def test_a_ctrl_c_as_the_program_starts_says_so(module: str) -> None:
    with started([sys.executable, "-c", SLOW_START, module],
                 stdin=subprocess.PIPE) as process:
        assert process.stdout is not None
        assert process.stdout.readline() == "importing\n"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=TIMEOUT_S)
    assert (process.returncode, out, err) == (130, "", INTERRUPTED_EARLY)


@pytest.mark.parametrize("module", [
    "sms_sim.cli.python_version", "sms_sim.cli.main"])
@pytest.mark.parametrize("signum, status, words", [
    (signal.SIGTERM, 143, "terminated"), (signal.SIGHUP, 129, "hung up")])
def test_a_stop_signal_as_the_program_starts_says_so(
        module: str, signum: int, status: int, words: str) -> None:
    """Once an exit with the signal's status and no word."""
    with started([sys.executable, "-c", SLOW_START, module],
                 stdin=subprocess.PIPE) as process:
        assert process.stdout is not None
        assert process.stdout.readline() == "importing\n"
        process.send_signal(signum)
        out, err = process.communicate(timeout=TIMEOUT_S)
    assert (process.returncode, out, err) == (
        status, "", f"sms-sim: {words} before the run started\n")


def shared_output(option: str, path: str, stream: str) -> str:
    return (f"start.py: error: argument {option}: {path!r} is also the "
            f"standard {stream}; give the {option[2:]} a file of its own")


@pytest.mark.parametrize("option", ["--log", "--report"])
@pytest.mark.parametrize("path", ["out.txt", "link.txt"])
def test_the_log_and_report_never_share_a_file_with_the_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str,
        path: str) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out.txt"
    out.write_text("kept\n")
    (tmp_path / "link.txt").symlink_to(out)
    with open(out, "a") as appended:  # as `>> out.txt` opens it
        status, _, err = run_main("200", "4", "0", "0", "0.2", "--json",
                                  option, path, stdout=appended)
    assert status == 2
    assert err.startswith("usage: ")
    assert err.splitlines()[-1] == shared_output(option, path, "output")
    assert out.read_text() == "kept\n"  # not emptied, nothing written


@pytest.mark.parametrize("option", ["--log", "--report"])
@pytest.mark.parametrize("path, stream", [
    ("/dev/stdout", "output"), ("/dev/stderr", "error")])
def test_the_process_own_streams_are_never_the_log_or_report(
        tmp_path: Path, option: str, path: str, stream: str) -> None:
    """Its standard output a file, as ``>> out.txt`` opens it."""
    out = tmp_path / "out.txt"
    out.write_text("kept\n")
    with open(out, "a") as appended:
        done = subprocess.run(
            start("200", "4", "0", "0", "0.2", "--json", option, path),
            cwd=tmp_path, env=environ(), stdout=appended,
            stderr=subprocess.PIPE, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 2
    assert done.stderr.startswith("usage: ")
    assert done.stderr.splitlines()[-1] == shared_output(option, path,
                                                         stream)
    assert out.read_text() == "kept\n"  # not emptied, nothing written


TIMES, DELAYS = "0.01\n0.02\n", "delay_s\n1\n2\n"


@pytest.mark.parametrize("argv", [
    ["20", "--dist", "times.txt", "--log", "times.txt"],
    ["20", "0", "--senders", "count=1,dist=empirical,file=times.txt",
     "--report", "times.txt"],
    ["20", "--carrier-delay", "empirical:file=delays.csv,column=delay_s",
     "--report", "link.html"]])
def test_the_log_and_report_never_replace_a_file_the_run_reads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        argv: list[str]) -> None:
    """Send times or carrier delays, by name or through a link (link.html
    to delays.csv), also given as the log or the report."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "times.txt").write_text(TIMES)
    (tmp_path / "delays.csv").write_text(DELAYS)
    (tmp_path / "link.html").symlink_to(tmp_path / "delays.csv")
    status, out, err = run_main(*argv)
    assert status == 2 and out == ""
    option, path = argv[-2:]
    assert err.splitlines()[-1] == (
        f"start.py: error: argument {option}: {path!r} is a file of "
        f"measurements the run reads; give the {option[2:]} a file of "
        "its own")
    assert (tmp_path / "times.txt").read_text() == TIMES
    assert (tmp_path / "delays.csv").read_text() == DELAYS


def test_a_log_may_be_discarded_with_the_output() -> None:
    with open(os.devnull, "w") as discarded:
        status, _, err = run_main("20", "--log", os.devnull,
                                  stdout=discarded)
    assert (status, err) == (0, "")


def test_help_fills_the_terminals_width() -> None:
    done = HELP.result()
    assert done.returncode == 0
    [notes] = [paragraph for paragraph in done.stdout.split("\n\n")
               if paragraph.startswith("Senders over all groups")]
    assert_filled(notes, 98)
    assert notes.startswith("Senders over all groups: 1 to 10,000; the 4 "
                            "default senders count unless num_senders is 0.")


def test_a_seed_repeats_the_totals() -> None:
    """In a process of its own and twice in this one."""
    outputs = [SEEDED_RUN.result().stdout,
               *(run_main(*SEEDED)[1] for _ in range(2))]
    totals = {(s["sent"], s["failed"]) for s in (
        json_lines(out)[-1] for out in outputs)}
    assert len(totals) == 1
    assert 100 < totals.pop()[1] < 200


def test_sender_groups_with_their_own_settings() -> None:
    status, out, err = run_main("300", "2", "0.001", "0", "0", "--senders",
                                "2:0.002:0:1", "--json")
    assert status == 0, err
    first, second = json_lines(out)[-1]["groups"]
    assert first["failed"] == 0 and second["sent"] == 0
    assert first["sent"] + second["failed"] == 300
    assert first["avg_send_s"] < second["avg_send_s"]


def test_python_m_sms_sim_is_the_same_program() -> None:
    done, bad = (job.result() for job in AS_MODULE)
    assert done.returncode == 0 and json_lines(done.stdout)[-1]["sent"] == 50
    assert bad.returncode == 2
    assert "python3 -m sms_sim: error: argument num_messages" in bad.stderr


def test_a_written_report_is_confirmed_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "run.html"
    status, out, err = run_main("20", "2", "--speed", "max", "--report",
                                str(path), "--json")
    assert status == 0, err
    assert err == f"sms-sim: report written to {path}\n"
    assert path.read_text().startswith("<!DOCTYPE html>")
    assert all(json.loads(line) for line in out.splitlines())


def test_zero_messages_is_an_immediate_empty_report() -> None:
    status, out, _ = run_main("0", "--json")
    assert status == 0
    summary = json_lines(out)[-1]
    assert (summary["sent"], summary["unsent"], summary["avg_send_s"]) == \
        (0, 0, None)


def test_bad_input_through_a_real_process() -> None:
    for done in (job.result() for job in BAD_RUNS):
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.startswith("usage: ")
        assert "Traceback" not in done.stderr
        # The very line that this process gives.
        assert done.stderr.splitlines()[-1] == usage_error(*done.args[2:])


@pytest.mark.parametrize("argv", BAD_INPUT)
def test_bad_input_is_one_short_line(argv: list[str]) -> None:
    assert len(usage_error(*argv)) < 200


def test_a_report_that_would_destroy_a_file_is_refused(
        tmp_path: Path) -> None:
    """Its output (a pipe here), or the log's own file."""
    same = str(tmp_path / "same.html")
    piped = subprocess.run(
        start("10", "1", "--speed", "max", "--report", "/dev/stdout"),
        cwd=ROOT, env=environ(), capture_output=True, text=True,
        timeout=TIMEOUT_S)
    refused = [(piped.returncode, piped.stdout, piped.stderr),
               run_main("10", "1", "--speed", "max", "--log", same,
                        "--report", same)]
    for (status, out, err), reason in zip(refused, (
            "'/dev/stdout' is also the standard output",
            "the same file as --log")):
        assert status == 2 and out == ""
        assert f"argument --report: {reason}" in err
    assert os.listdir(tmp_path) == []


def test_a_signal_interrupts_with_an_exact_report() -> None:
    """SIGINT, SIGTERM and SIGHUP, each to a run under way (three runs
    side by side): each ends with its status and an exact report."""
    signals = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}
    with ExitStack() as stack:
        processes = {signum: stack.enter_context(started(start(
            "100000", "4", "0.01", "0.001", "0.2", "--json", "--interval",
            "0.1"))) for signum in signals}
        for signum, process in processes.items():
            assert process.stdout is not None
            process.stdout.readline()  # the scenario
            first = json.loads(process.stdout.readline())  # under way
            assert first["event"] == "progress"
            process.send_signal(signum)
        for signum, process in processes.items():
            out, err = process.communicate(timeout=TIMEOUT_S)
            assert process.returncode == signals[signum], err
            assert "Traceback" not in err
            summary = json_lines(out)[-1]
            assert summary["interrupted"] is True
            assert summary["sent"] + summary["failed"] + \
                summary["unsent"] == 100000
            assert summary["unsent"] > 0


CARRIED = ("2000", "8", "0.01", "0.005", "0.1", "--carrier-delay",
           "lognormal:mean=8,sd=20", "--seed", "3", "--json")
CARRIED_WHOLE = ahead(start(*CARRIED, "--speed", "max"))


def test_throughput_cut_while_phones_wait_is_over_the_sending() -> None:
    """Interrupted once every message has its outcome, while the carrier
    still has some on the way: the throughput is the completed run's."""
    with started(start(*CARRIED, "--speed", "50", "--interval",
                       "0.05")) as process:
        assert process.stdout is not None
        process.stdout.readline()  # the scenario
        for line in process.stdout:  # until every message has its outcome
            if json.loads(line)["processed"] == 2000:
                break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=TIMEOUT_S)
    assert process.returncode == 130, err
    cut = json_lines(out)[-1]
    whole = json_lines(CARRIED_WHOLE.result().stdout)[-1]
    assert cut["interrupted"] and cut["reached"] < whole["reached"]
    assert cut["sim_elapsed_s"] > whole["sim_elapsed_s"]
    assert cut["throughput_per_s"] == whole["throughput_per_s"]


def test_a_fault_in_a_senders_last_flush_exits_1_and_names_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No signal and no completion: a fault, never an interrupt with
    status 0."""
    def broken(self: Sender) -> None:
        raise MemoryError("injected in the flush")

    monkeypatch.setattr(Sender, "_flush", broken)
    status, out, err = run_main("2000", "2", "0.01", "0", "0", "--speed",
                                "max", "--json")
    assert status == 1, err
    assert "sender-1 stopped after an error" in err
    assert "MemoryError: injected in the flush" in err
    summary = json_lines(out)[-1]
    assert summary["stopped"] == "fault" and not summary["interrupted"]
    assert summary["sent"] + summary["unsent"] == 2000


def test_a_signal_ignored_by_whoever_started_the_run_stays_ignored() -> None:
    """``nohup start.py ...``: the run outlives a SIGHUP, and still stops
    on SIGTERM."""
    nohup = ["sh", "-c", 'trap "" HUP; exec "$0" "$@"']  # as nohup does
    with started([*nohup, *start("100000", "4", "0.01", "0.001", "0.2",
                                 "--json", "--interval", "0.1")]) as process:
        assert process.stdout is not None
        process.stdout.readline()
        process.send_signal(signal.SIGHUP)
        process.stdout.readline()  # a report after it: still running
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=TIMEOUT_S)
    assert process.returncode == 143
    assert json_lines(out)[-1]["interrupted"] is True


def test_an_interrupted_human_report_shows_the_unsent() -> None:
    with started(start("100000", "4", "0.01", "0.001", "0.2", "--interval",
                       "0.1")) as process:
        assert process.stdout is not None
        process.stdout.readline()
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=TIMEOUT_S)
    assert process.returncode == 130
    match = re.search(r"interrupted: .*\n.*100,000 total .* unsent ([\d,]+)",
                      out)
    assert match and int(match.group(1).replace(",", "")) > 0


def test_a_closed_pipe_ends_quietly() -> None:
    with started(start("100000", "4", "0.01", "0.001", "0.2", "--interval",
                       "0.02")) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()  # as `| head -1` does
        process.wait(timeout=TIMEOUT_S)
        assert process.stderr.read() == ""
    assert process.returncode == 141


def run_in_terminal(*args: str, **env: str) -> str:
    """Run under a pseudo-terminal 80 columns wide; return all it drew."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(start(*args), cwd=ROOT, stdin=terminal,
                               stdout=terminal, stderr=terminal,
                               env=environ(COLUMNS="80",
                                           **{"TERM": "xterm", **env}))
    os.close(terminal)
    chunks = []
    deadline = time.monotonic() + TIMEOUT_S
    try:
        while select.select([controller], [], [],
                            max(0.0, deadline - time.monotonic()))[0]:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the other side closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=TIMEOUT_S) == 0
    finally:
        process.kill()
        process.wait()
        os.close(controller)
    return b"".join(chunks).decode()


@pytest.mark.parametrize("no_color", ["", "1"])
def test_on_a_terminal_the_view_is_redrawn_in_place(no_color: str) -> None:
    screen = run_in_terminal("400", "4", "0.002", "0.001", "0.2",
                             "--interval", "0.05", "--senders",
                             "2:0.004:0.001:0.5", NO_COLOR=no_color)
    assert re.search(r"\x1b\[\d+F\x1b\[J", screen)  # cursor up, erase
    assert bool(COLOUR.search(screen)) == (no_color == "")
    visible = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)
    assert all(len(line) <= 80 for line in visible.splitlines())
    assert "eta" in visible and "overall" in visible
    assert "p95" in visible and "p99" in visible
    assert re.search(r"^\s+2\s+2\s+4ms \+- 1ms", visible, re.M)
    assert screen.endswith("\x1b[?25h")  # the cursor is shown again


def test_help_that_cannot_be_written_is_an_error() -> None:
    with open("/dev/full", "w") as full:
        status, _, err = run_main("--help", stdout=full)
    assert status == 1
    assert err == ("sms-sim: cannot write the output: No space left on "
                   "device\n")


def test_a_zero_mean_needs_no_deviation_and_options_are_never_guessed(
        ) -> None:
    status, zero, err = run_main("10", "4", "0", "--json")
    assert status == 0, err  # the deviation: half of 0
    assert json_lines(zero)[-1]["groups"][0]["max_deviation_s"] == 0
    assert "unrecognized arguments: --jso" in usage_error("10", "--jso")


@pytest.mark.parametrize("args, error", [
    # one integer rule and one number rule, wherever a value is read
    (("+10",), "argument num_messages: must be an integer in digits"),
    (("10", "2", "\u0661"), "argument mean_processing_time: must be a "
     "number of seconds"),
    (("--deadline", "\uff11m"), "argument --deadline: must be a number of "
     "seconds"),
    (("--sweep", "senders=1,000"), "argument --sweep: 'senders=1,000': a "
     "value must be an integer in digits, without a leading 0 (1000 or "
     "1_000: commas separate the values), got '000'"),
    (("--sweep", "retries=1e0"), "got '1e0'"),
    # settings that no sender would take, once ignored without a word
    (("10", "0", "0.01", "0.005", "--senders", "2:0.01:0:0"), "argument "
     "mean_processing_time: is for the positional senders, and "
     "num_senders is 0")])
def test_a_value_in_another_form_is_refused_as_its_neighbours_are(
        args: tuple[str, ...], error: str) -> None:
    status, out, err = run_main(*args)
    assert status == 2 and out == ""
    *usage, line = err.splitlines()
    assert usage[0].startswith("usage: ") and error in line, err


def test_a_file_that_cannot_be_what_it_is_given_for_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "read_only.csv").write_text("kept\n")
    (tmp_path / "read_only.csv").chmod(0o444)  # root too is refused it
    (tmp_path / "no_header.txt").write_text("0.08\n0.09\n")
    os.mkfifo(tmp_path / "fifo")
    cases = [
        (("--log", "-"), "argument --log: the log needs a file of its "
         "own, not the standard output (./- for a file named -)"),
        (("--log", "read_only.csv"), "argument --log: 'read_only.csv' is "
         "read-only"),
        (("--dist", "empirical:file=no_header.txt,column=x"), "argument "
         "--dist: 'no_header.txt' has no header"),
        (("--carrier-delay", "fifo"), "argument --carrier-delay: 'fifo' is "
         "a pipe that nothing writes to")]
    for args, error in cases:
        status, out, err = run_main("10", "--speed", "max", *args)
        assert status == 2 and out == ""
        assert err.splitlines()[-1].startswith(
            f"start.py: error: {error}"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fifo", "no_header.txt", "read_only.csv"]  # no file named -
    assert (tmp_path / "read_only.csv").read_text() == "kept\n"


def test_a_positional_value_not_given_lets_a_later_one_be_given() -> None:
    """With a shape that takes no deviation, the failure rate could not
    be given: the deviation before it was refused."""
    status, out, _ = run_main("200", "4", "0.01", "-", "1", "--dist",
                              "exponential", "--speed", "max", "--json")
    summary = json.loads(out.splitlines()[-1])
    assert (status, summary["failed"]) == (0, 200)
