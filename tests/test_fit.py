"""``--fit FILE --solve NAME``: the value of a setting whose runs pass
closest to observed points finds a value that was planted; each bad file
or combination is one line and status 2."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sms_sim.cli import main as cli
from sms_sim.cli.options import parse_options
from sms_sim.cli.parser import build_parser
from sms_sim.cli.status import ExitStatus
from sms_sim.output.environment import Environment

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["2000", "4", "0.01", "0.005"]
"""A small blast: 2,000 messages, 4 senders taking 10 ms +- 5 ms."""


def _json(*argv: str) -> list[dict[str, Any]]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main([*argv, "--json", "--jobs", "1"],
                      env=Environment(out, err))
    assert (status, err.getvalue()) == (ExitStatus.OK, "")
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _points(folder: Path, *argv: str, count: int = 3) -> Path:
    """A file of ``count`` points of the curve of one run of ``argv``."""
    curve = _json(*argv, "--speed", "max")[-1]["curve"]
    path = folder / "observed.csv"
    path.write_text("# time (s), share sent by then\n" + "".join(
        f"{time_s},{share}\n" for time_s, share in
        (curve[len(curve) * k // (count + 1)] for k in range(1, count + 1))))
    return path


def _fit(*argv: str) -> dict[str, Any]:
    lines = _json(*argv)
    assert lines[-1]["event"] == "plan" and lines[-1]["kind"] == "fit"
    assert not lines[-1]["interrupted"]
    (found,) = [line for line in lines if line["event"] == "fit"]
    return found


def test_a_fit_over_the_failure_rate_finds_the_one_planted(
        tmp_path: Path) -> None:
    """A run with 16% of attempts failing for good; 3 points of its curve;
    fitted from 10%, on the same seed, within 0.01 of 16%."""
    points = _points(tmp_path, *SMALL, "0.16", "--permanent", "1",
                     "--seed", "5")
    found = _fit(*SMALL, "0.1", "--permanent", "1", "--seed", "5", "--fit",
                 str(points), "--solve", "fail")
    assert found["name"] == "fail"
    assert abs(found["value"] - 0.16) <= 0.01
    assert found["error"] < 1e-5
    assert all(abs(point["fitted"] - point["observed"]) < 0.005
               for point in found["points"])
    tried = {entry["value"]: entry["error"] for entry in found["tried"]}
    assert min(tried, key=lambda value: (tried[value], value)) == \
        found["value"]
    assert tried[0.0] > 100 * found["error"]  # the grid's ends are far off


def test_a_fit_over_a_count_finds_the_one_planted(tmp_path: Path) -> None:
    points = _points(tmp_path, "500", "6", "0.01", "0.005", "0.1",
                     "--seed", "2")
    found = _fit("500", "4", "0.01", "0.005", "0.1", "--seed", "2",
                 "--fit", str(points), "--solve", "senders")
    # (0 but for the points' times, rounded to the microsecond)
    assert found["value"] == 6 and found["error"] < 1e-4


def test_one_point_cannot_tell_a_cap_from_failures(tmp_path: Path) -> None:
    """The calibration example of docs/scenarios.md, cut to 1,200
    messages by 20 s: a cap of 50/s and a cap of 100/s with 16% failing
    for good both pass through 84% by then; a second point at half the
    time tells them apart."""
    blast = ["1200", "20", "0.01", "0", "0"]
    one = tmp_path / "one.csv"
    one.write_text("20,0.84\n")
    two = tmp_path / "two.csv"
    two.write_text("10,0.70\n20,0.84\n")
    fits = {(name, len(path.read_text().splitlines())): _fit(
        *blast, "--max-rate", "100", "--seed", "1", "--fit", str(path),
        "--solve", name, *(["--permanent", "1"] if name == "fail" else []))
        for name in ("max-rate", "fail") for path in (one, two)}
    assert abs(fits["max-rate", 1]["value"] - 50) < 1
    # (16% of 1,200 draws fail at a rate 1.1% either way, one sd)
    assert abs(fits["fail", 1]["value"] - 0.16) < 0.03
    assert fits["max-rate", 1]["error"] < 1e-5
    assert fits["fail", 1]["error"] < 1e-5
    assert fits["fail", 2]["error"] < 1e-4
    assert fits["max-rate", 2]["error"] > 0.01  # the cap misses one


def test_a_fit_over_the_mean_finds_the_one_planted(tmp_path: Path) -> None:
    """A mean given alone, its spread half of it: fitted from 10 ms, its
    spread following it, the 20 ms planted is found within 1%."""
    points = _points(tmp_path, "1000", "4", "0.02", "-", "0.1", "--seed",
                     "3")
    found = _fit("1000", "4", "0.01", "-", "0.1", "--seed", "3", "--fit",
                 str(points), "--solve", "mean")
    assert abs(found["value"] - 0.02) <= 0.0002 and found["error"] < 1e-6


def test_a_fit_leaves_out_the_values_the_settings_rules_refuse(
        tmp_path: Path) -> None:
    """A uniform carrier delay of 8 s +- 4 s: a mean below 4 s would
    have a deviation beyond it, so the fit never tries one."""
    points = tmp_path / "reached.csv"
    points.write_text("5,0.3\n10,0.6\n")
    found = _fit("500", "4", "0.01", "0.005", "0.1", "--carrier-delay",
                 "uniform:mean=8,dev=4", "--seed", "1", "--fit",
                 str(points), "--solve", "carrier-mean")
    tried = [entry["value"] for entry in found["tried"]]
    assert min(tried) >= 4 and 8 in tried and max(tried) == 256
    assert 4 <= found["value"] < 16


def _usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as caught:
        parse_options(build_parser("start.py"), list(argv))
    assert caught.value.code == ExitStatus.USAGE
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("usage: ")
    return err[-1]


@pytest.mark.parametrize(("text", "error"), [
    ("", "{path}: has no points; write TIME,SHARE lines (600,0.84)"),
    ("# only a comment\n\n", "{path}: has no points; write TIME,SHARE "
     "lines (600,0.84)"),
    ("600,1.2\n", "{path}: line 1: the share must be from 0 to 1, got 1.2"),
    ("600,-0.1\n", "{path}: line 1: the share must be from 0 to 1, got "
     "-0.1"),
    ("600,0.8\n300,0.9\n", "{path}: line 2: the times must go forward, "
     "and 300 s comes after 600 s"),
    ("10m,0.8\n600,0.9\n", "{path}: line 2: the times must go forward, "
     "and 600 s comes after 600 s"),
    ("600 0.8\n", "{path}: line 1: must be TIME,SHARE (600,0.84), got "
     "'600 0.8'"),
    # A header is the first line only, and has no digit.
    ("time,share\nsent,by\n600,0.8\n", "{path}: line 2: must be a "
     "number of seconds, or with s, m or h (20m), got 'sent'"),
    ("time,share\n", "{path}: has no points; write TIME,SHARE lines "
     "(600,0.84)"),
    ("t1,share\n600,0.8\n", "{path}: line 1: must be a number of seconds, "
     "or with s, m or h (20m), got 't1'"),
])
def test_a_bad_file_of_points_is_one_line_and_status_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
        error: str) -> None:
    path = tmp_path / "points.csv"
    path.write_text(text)
    assert _usage_error(capsys, "--fit", str(path), "--solve", "fail") == \
        "start.py: error: argument --fit: " + error.format(path=path)


def test_a_csv_header_before_the_points_is_skipped(tmp_path: Path) -> None:
    plain, headed = tmp_path / "plain.csv", tmp_path / "headed.csv"
    plain.write_text("600,0.8\n10m30s,0.9\n")
    headed.write_text("# from the vendor's report\ntime_s,share\n"
                      + plain.read_text())
    read = [parse_options(build_parser("start.py"), [
        "--fit", str(path), "--solve", "fail"]).fit for path in
        (plain, headed)]
    assert read[0] == read[1] and read[0] is not None
    assert [point.time_s for point in read[0]] == [600.0, 630.0]


def test_a_point_with_a_bad_time_names_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "points.csv"
    path.write_text("600,0.8\nsoon,0.9\n")
    line = _usage_error(capsys, "--fit", str(path), "--solve", "fail")
    assert line.startswith(f"start.py: error: argument --fit: {path}: "
                           "line 2: must be a number of seconds")


@pytest.mark.parametrize(("argv", "error"), [
    (["--fit", "{path}"], "argument --fit: needs --solve, the setting to "
     "fit to the points"),
    (["--fit", "{path}", "--solve", "fail", "--target", "0.9@10m"],
     "argument --fit: not with --target: a fit finds the value of "
     "--solve's setting that passes closest to its points"),
    (["--fit", "{path}", "--solve", "fail", "--sweep", "senders=2,4"],
     "argument --fit: not with --sweep: a fit finds the value of "
     "--solve's setting that passes closest to its points"),
    (["--solve", "fail", "--target", "0.9@10m"], "argument --solve: fail "
     "is fitted (--fit), not searched: a target search finds the least "
     "senders, tps or max-rate that meets it"),
    (["2", "--senders", "name=b,count=2,mean=0.01", "--solve", "b.mean",
      "--target", "0.9@10m"],
     "argument --solve: b.mean is fitted (--fit), not searched: a target "
     "search finds the least senders, tps or max-rate that meets it"),
    (["--fit", "{path}", "--solve", "deadline"], "argument --solve: "
     "deadline starts from its setting; give --deadline"),
    (["2", "--senders", "name=b,count=2,mean=0.01", "--fit", "{path}",
      "--solve", "b.down"],
     "argument --solve: b.down starts from its setting; give down= on "
     "route b"),
    (["--fit", "{path}", "--solve", "carrier-mean"], "argument --solve: "
     "carrier-mean starts from its setting; give --carrier-delay"),
    (["--fit", "{path}", "--solve", "carrier-mean", "--carrier-delay",
      "empirical:file=examples/carrier_delays.csv,column=delay_s"],
     "argument --solve: carrier-mean: must be the uniform, normal, "
     "exponential or lognormal shape's: an empirical one has the file's, "
     "got 46.8295"),
])
def test_a_fit_without_its_setting_or_with_a_search_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, argv: list[str],
        error: str) -> None:
    monkeypatch.chdir(ROOT)  # the examples' file
    path = tmp_path / "points.csv"
    path.write_text("600,0.84\n")
    assert _usage_error(capsys, *(a.format(path=path) for a in argv)) == \
        "start.py: error: " + error


def test_a_fit_from_end_to_end_with_its_report(tmp_path: Path) -> None:
    points = tmp_path / "observed.csv"
    points.write_text("1.3,0.22\n2.6,0.43\n3.8,0.64\n")
    report = tmp_path / "fit.html"
    done = subprocess.run(
        [sys.executable, str(ROOT / "start.py"), *SMALL, "0.1",
         "--permanent", "1", "--seed", "5", "--fit", str(points), "--solve",
         "fail", "--jobs", "1", "--report", str(report)],
        capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == ExitStatus.OK, done.stderr
    assert "a fit of fail to 3 points" in done.stdout
    answer = [line for line in done.stdout.splitlines()
              if line.startswith("  fit: fail 0.1")]
    assert len(answer) == 1 and "passes closest to the 3 points" in answer[0]
    page = report.read_text()
    assert page.count('<circle class="observed"') == 3
    assert "The fitted fail against the observed points" in page
