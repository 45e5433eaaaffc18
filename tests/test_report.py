import json
import re

import pytest

from sms_sim.config import SenderGroup
from sms_sim.report import (PLAIN, Style, bar, clock_time, final_report, fit,
                            live_frame, progress_json, progress_line,
                            seconds, summary_json, visible_width)
from sms_sim.stats import Bin, GroupSnapshot, Snapshot

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COLOUR = re.compile(r"\x1b\[3\dm")
G1 = SenderGroup(4, 0.01, 0.001, 0.2)
G2 = SenderGroup(2, 0.02, 0.0, 0.5)
MIDWAY = Snapshot(
    total=1000, elapsed_s=2.0,
    groups=(GroupSnapshot(G1, 300, 80, 3.8), GroupSnapshot(G2, 10, 10, 0.4)),
    min_s=0.009, max_s=0.02, p50_s=0.01, p95_s=0.011, p99_s=0.0199,
    distribution=(Bin(0.009, 0.012, 380), Bin(0.012, 0.02, 20)),
    rate_per_s=190.0)
DONE = Snapshot(total=400, elapsed_s=2.0, groups=MIDWAY.groups,
                min_s=0.009, max_s=0.02, p50_s=0.01, p95_s=0.011,
                p99_s=0.0199, distribution=MIDWAY.distribution, final=True)
EMPTY = Snapshot(total=0, elapsed_s=0.0,
                 groups=(GroupSnapshot(G1, 0, 0, 0.0),), final=True)
COLOURED = Style(colour=True, emphasis=True, unicode=True)


@pytest.mark.parametrize("value, text", [
    (None, "-"), (0.0, "0.00 us"), (2.5e-7, "0.25 us"), (0.0105, "10.50 ms"),
    (1.5, "1.500 s")])
def test_seconds(value: float | None, text: str) -> None:
    assert seconds(value) == text


@pytest.mark.parametrize("value, text", [
    (None, "-"), (4.24, "4.2s"), (187, "3m07s"), (3720, "1h02m")])
def test_clock_time(value: float | None, text: str) -> None:
    assert clock_time(value) == text


def test_progress_line_has_the_key_figures_and_no_escapes() -> None:
    line = progress_line(MIDWAY)
    assert line == ("[   2.0s] 400/1,000 (40.0%)  sent 310  failed 90 "
                    "(22.5%)  avg 10.50 ms  rate 190/s  eta 3.0s")
    assert "\x1b" not in line and "\r" not in line


def test_bar_shares_and_colours() -> None:
    plain = bar(MIDWAY, 100, Style(unicode=False))
    assert plain == "#" * 31 + "x" * 9 + "-" * 60
    coloured = bar(MIDWAY, 100, COLOURED)
    assert "\x1b[32m" in coloured and "\x1b[31m" in coloured
    assert visible_width(coloured) == 100


def test_bar_keeps_a_single_failure_visible() -> None:
    snap = Snapshot(total=1000, elapsed_s=1.0,
                    groups=(GroupSnapshot(G1, 900, 1, 1.0),))
    assert "x" in bar(snap, 20, PLAIN)


@pytest.mark.parametrize("width", [40, 80, 120])
def test_live_frame_fits_the_width_and_shows_groups(width: int) -> None:
    lines = live_frame(MIDWAY, width, COLOURED)
    assert all(visible_width(line) <= width for line in lines)
    text = ANSI.sub("", "\n".join(lines))
    if width >= 80:
        assert "40.0%" in text and "eta 3.0s" in text
        assert "190/s now" in text and "200/s overall" in text
        assert re.search(r"^\s+2\s+2\s+20ms \+- 0s\s+50%", text, re.M)


def test_a_final_frame_says_done_and_leaves_groups_to_the_report() -> None:
    text = "\n".join(live_frame(DONE, 80, PLAIN))
    assert "100.0%" in text and "done" in text and "eta" not in text
    assert "group" not in text


def test_live_frame_without_groups_table_for_one_group() -> None:
    one = Snapshot(total=10, elapsed_s=1.0,
                   groups=(GroupSnapshot(G1, 1, 1, 0.02),))
    assert len(live_frame(one, 80, PLAIN)) == 3


def test_final_report_figures_percentiles_histogram_and_groups() -> None:
    text = "\n".join(final_report(DONE, 80, PLAIN))
    assert "completed in 2.0s" in text
    assert "400 total   310 sent   90 failed (22.5%)   0 unsent" in text
    assert "throughput  200/s" in text
    for figure in ("avg 10.50 ms", "min 9.00 ms", "max 20.00 ms",
                   "p50 10.00 ms", "p95 11.00 ms", "p99 19.90 ms"):
        assert figure in text
    assert re.search(r"9\.00 ms - 12\.00 ms\s+#{40} 380", text)
    assert re.search(r"12\.00 ms - 20\.00 ms\s+#{2}\s+20", text)
    assert re.search(r"^\s+1\s+4\s+10ms \+- 1ms\s+20%\s+300\s+80", text,
                     re.M)


def test_final_report_of_an_interrupted_run_shows_unsent() -> None:
    stopped = Snapshot(total=1000, elapsed_s=1.0, groups=MIDWAY.groups,
                       final=True, interrupted=True)
    text = "\n".join(final_report(stopped, 80, PLAIN))
    assert "interrupted in 1.0s" in text and "600 unsent" in text


def test_final_report_of_nothing() -> None:
    text = "\n".join(final_report(EMPTY, 80, PLAIN))
    assert "0 total" in text and "avg -" in text and "distribution" not in text


def test_no_colour_codes_when_colour_is_off() -> None:
    style = Style(colour=False, emphasis=True, unicode=True)
    lines = live_frame(MIDWAY, 80, style) + final_report(DONE, 80, style)
    assert not any(COLOUR.search(line) for line in lines)
    assert any("\x1b[1m" in line for line in lines)  # bold may stay


def test_fit_cuts_visible_text_and_keeps_escapes_whole() -> None:
    line = "ab\x1b[32mcdef\x1b[0mgh"
    assert fit(line, 100) == line
    cut = fit(line, 4)
    assert ANSI.sub("", cut) == "abcd" and cut.endswith("\x1b[0m")


def test_progress_json() -> None:
    assert progress_json(MIDWAY) == {
        "event": "progress", "elapsed_s": 2.0, "total": 1000, "sent": 310,
        "failed": 90, "processed": 400, "avg_send_s": 0.0105,
        "rate_per_s": 190.0, "eta_s": 3.0}


def test_summary_json_names_and_values() -> None:
    summary = summary_json(DONE)
    assert json.loads(json.dumps(summary)) == summary
    assert summary["event"] == "summary" and summary["unsent"] == 0
    assert summary["interrupted"] is False
    assert [summary[k] for k in ("min_send_s", "p50_send_s", "p95_send_s",
                                 "p99_send_s", "max_send_s")] == \
        [0.009, 0.01, 0.011, 0.0199, 0.02]
    assert summary["throughput_per_s"] == 200.0
    assert summary["groups"][1] == {
        "senders": 2, "mean_s": 0.02, "max_deviation_s": 0.0,
        "failure_rate": 0.5, "sent": 10, "failed": 10, "avg_send_s": 0.02}


def test_summary_json_of_nothing_has_nulls_not_errors() -> None:
    summary = summary_json(EMPTY)
    assert summary["avg_send_s"] is None and summary["p99_send_s"] is None
    assert summary["throughput_per_s"] is None
