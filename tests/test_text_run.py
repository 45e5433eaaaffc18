"""A run as text: the progress line, the live frame and the final
report, at any width."""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

import pytest

from sms_sim.measure.checks import Check
from sms_sim.measure.histogram import Bin
from sms_sim.measure.progress import GroupCounts, Progress
from sms_sim.measure.stats import Stats
from sms_sim.measure.summary import Summary
from sms_sim.model.config import SenderGroup
from sms_sim.model.result import FAILED
from sms_sim.output.tables import group_table
from sms_sim.output.text.run import (bar, final_report, group_rows,
                                     live_frame, progress_line)
from sms_sim.output.text.style import GAP, PLAIN, Style, visible_width
from tests.snapshots import DONE, G1, MIDWAY, busy_snapshot, result

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COLOUR = re.compile(r"\x1b\[3\dm")
NUMBER = re.compile(r"\d[\d,.]*\d|\d")
COLOURED = Style(colour=True, emphasis=True, unicode=True)


def text_of(lines: list[str]) -> str:
    return ANSI.sub("", "\n".join(lines))


def test_progress_line_has_the_key_figures_and_no_escapes() -> None:
    line = progress_line(MIDWAY)
    assert line == ("[   2.0s] 320/1,000 (32.0%)  sent 90  failed 230 "
                    "(71.9%)  avg 13.13 ms  rate 190/s  eta 4.2s")
    assert "\x1b" not in line and "\r" not in line


def test_progress_line_shows_speed_expired_and_retrying_when_there() -> None:
    snap = dataclasses.replace(MIDWAY, speed=100.0, sim_elapsed_s=200.0,
                               expired=5, retrying=7)
    line = progress_line(snap)
    assert line.startswith("[3m20s (2.0s real, 100x)] 325/1,000 ")
    assert "expired 5" in line and "retrying 7" in line
    assert "expired" not in progress_line(MIDWAY)
    assert "retrying" not in progress_line(MIDWAY)


def test_bar_shares_and_colours() -> None:
    plain = bar(MIDWAY, 100, Style(unicode=False))
    assert plain == "#" * 9 + "x" * 23 + "-" * 68
    coloured = bar(MIDWAY, 100, COLOURED)
    assert "\x1b[32m" in coloured and "\x1b[31m" in coloured
    assert visible_width(coloured) == 100


def test_bar_keeps_a_single_failure_visible() -> None:
    snap = Progress(total=1000, elapsed_s=1.0, sim_elapsed_s=1.0,
                    groups=(GroupCounts(G1, 900, 899, 1, 1.0),))
    assert bar(snap, 20, PLAIN).count("x") == 1


def test_bar_counts_expired_with_the_failed() -> None:
    snap = dataclasses.replace(MIDWAY, expired=500)
    assert bar(snap, 100, PLAIN).count("x") == 73


@pytest.mark.parametrize("width", [40, 80, 120])
def test_live_frame_fits_the_width_and_shows_groups(width: int) -> None:
    lines = live_frame(MIDWAY, width, COLOURED)
    assert all(visible_width(line) <= width for line in lines)
    text = text_of(lines)
    assert "32.0%" in text and "320/1,000" in text and "eta 4.2s" in text
    assert "rate 190/s" in text and "overall 160/s" in text
    if width >= 80:
        assert re.search(r"^\s+2\s+2\s+20ms \+- 0s\s+50%", text, re.M)
    else:
        assert "group 2: 2 senders" in text


def test_live_frame_of_one_group_has_no_group_table() -> None:
    one = dataclasses.replace(MIDWAY, groups=MIDWAY.groups[:1])
    assert "group" not in text_of(live_frame(one, 80, PLAIN))


@pytest.mark.parametrize("stopped, verdict", [
    (None, "completed"), ("interrupt", "interrupted"),
    ("fault", "stopped by a fault")])
def test_the_final_frame_says_how_the_run_ended(stopped: str | None,
                                                verdict: str) -> None:
    snap = dataclasses.replace(DONE, stopped=stopped)
    text = text_of(live_frame(snap, 80, COLOURED))
    assert verdict in text
    assert "done" not in text and "eta" not in text
    assert "group" not in text  # the report below has the groups
    if stopped == "interrupt":
        assert "completed" not in text


def test_a_carriers_phase_is_in_the_title_as_the_progress_showed_it(
        ) -> None:
    """Its progress reports went on to the last phone: the title gives
    that moment beside the sending's own."""
    carried = dataclasses.replace(DONE, carrier=True, reached=140,
                                  last_reached_s=35.5)
    assert text_of(final_report(carried, None, PLAIN)).startswith(
        "SMS alert simulation completed: 2.0s simulated to send, 35.5s to "
        "reach the phones, 2.0s real\n")


def test_final_report_figures_percentiles_histogram_and_groups() -> None:
    text = text_of(final_report(DONE, 80, PLAIN))
    assert text.startswith("SMS alert simulation completed: 2.0s simulated, "
                           "2.0s real\n")
    assert ("400 total   sent 140   failed 260 (65.0%)   unsent 0"
            in text)
    assert "throughput  200/s simulated" in text
    for figure in ("avg 14.50 ms", "min 9.00 ms", "max 20.00 ms",
                   "p50 10.00 ms", "p95 11.00 ms", "p99 19.90 ms"):
        assert figure in text
    assert ("sent        50% by 800.00 ms   90% by 1.500 s   95% by 1.800 s"
            in text)
    assert "99% not reached   last 1.900 s" in text
    assert re.search(r"9\.00 ms - 12\.00 ms\s+#{40} 380", text)
    assert re.search(r"12\.00 ms - 20\.00 ms\s+#{2}\s+20", text)
    assert re.search(r"^\s+1\s+4\s+10ms \+- 1ms\s+20%\s+300\s+80\s+220",
                     text, re.M)
    assert "attempts" not in text.split("group")[0]  # no retries: no row


def test_a_tail_row_is_labelled_and_the_counts_aligned() -> None:
    snap = dataclasses.replace(DONE, distribution=(
        Bin(0.005, 0.01, 500), Bin(0.01, 0.015, 1480),
        Bin(0.015, 1.0, 20, tail=True)))
    lines = final_report(snap, 80, PLAIN)
    rows = lines[lines.index("  send time distribution") + 1:][:3]
    assert rows[0].startswith("      5.00 ms - 10.00 ms  #")
    assert rows[1].startswith("     10.00 ms - 15.00 ms  #")
    assert rows[2].startswith("  >= 15.00 ms             #")
    assert [row.count("#") for row in rows] == [14, 40, 1]
    assert [row.split()[-1] for row in rows] == ["500", "1,480", "20"]
    assert len({len(row) for row in rows}) == 1  # the counts end together


def test_final_report_of_an_interrupted_run_shows_unsent() -> None:
    stopped = dataclasses.replace(DONE, total=1000, stopped="interrupt")
    text = text_of(final_report(stopped, 80, PLAIN))
    assert text.startswith("SMS alert simulation interrupted:")
    assert "unsent 600" in text


def test_final_report_of_a_run_with_retries_and_expiries() -> None:
    snap = busy_snapshot()
    text = text_of(final_report(snap, None, PLAIN))
    assert "expired 5" in text
    # The row adds up: those waiting for a retry are within unsent.
    assert snap.retrying and \
        f"unsent 1,234,225 ({snap.retrying:,} retrying)" in text
    assert text.count("retrying") == 1
    # 40 retries were due, 37 made before the interrupt.
    assert ("attempts    0: 5   1: 300   2: 37   retries 37   "
            "first try failed 40 (11.8%)") in text
    assert "10m00s simulated, 12.5s real at 100x" in text


def test_final_report_of_nothing() -> None:
    snap = Stats(0, (G1,)).summary(0.0, 0.0)
    text = text_of(final_report(snap, 80, COLOURED))
    assert "0 total" in text and "avg -" in text and "p99 -" in text
    assert "distribution" not in text
    assert not any(line.startswith("  sent ") for line in text.splitlines())


def test_final_report_of_nothing_sent_says_not_reached() -> None:
    stats = Stats(3, (G1,))
    stats.add([result(i, FAILED, 0, 1, 0.01, 0.01) for i in range(3)])
    text = text_of(final_report(stats.summary(1.0, 1.0), None,
                                PLAIN))
    assert ("sent        50% not reached   90% not reached   95% not reached"
            "   99% not reached   last not reached") in text


CHECKS = (Check("min_delivered", True, 0.9999, 0.95),
          Check("min_delivered", False, 0.35, 0.9))


def big_histogram(snap: Summary) -> Summary:
    """``snap`` with the distribution of a big run that had a long tail."""
    edges = [0.005 + i * 0.002 for i in range(6)]
    rows = [Bin(low, high, number) for low, high, number in zip(
        edges, edges[1:], (1_003, 123_456, 1_234_567, 99_999, 10))]
    return dataclasses.replace(snap, distribution=(
        *rows, Bin(edges[-1], 1.4, 12_345, tail=True)))


def test_no_number_is_cut_at_any_width() -> None:
    snap = big_histogram(busy_snapshot())
    piped = text_of(final_report(snap, None, PLAIN, checks=CHECKS))
    for width in range(10, 201):
        lines = final_report(snap, width, PLAIN, checks=CHECKS)
        # Wrapping moves whole fields: the same numbers, each whole, in the
        # same order.
        assert NUMBER.findall("\n".join(lines)) == NUMBER.findall(piped)
        for line in lines:
            # Only a field wider than the width is wider: on a line of its
            # own, from column 0.
            assert len(line) <= width or (
                not line.startswith(" ") and GAP not in line), (width, line)
        widest = max(len("first try failed 40 (11.8%)"),
                     len(f"unsent 1,234,225 ({snap.retrying:,} retrying)"))
        if width >= widest:
            assert all(len(line) <= width for line in lines), width


def test_the_bar_shrinks_then_goes_before_a_count_moves() -> None:
    def distribution(width: int) -> list[str]:
        lines = final_report(DONE, width, PLAIN)
        return lines[lines.index("  send time distribution") + 1:][:2]

    assert distribution(80)[0] == "   9.00 ms - 12.00 ms  " + "#" * 40 + " 380"
    assert distribution(32)[0] == "   9.00 ms - 12.00 ms  ##### 380"
    # Fewer than five cells would not show a shape: none at all.
    assert distribution(31) == ["   9.00 ms - 12.00 ms 380",
                                "  12.00 ms - 20.00 ms  20"]
    assert distribution(24) == ["  9.00 ms - 12.00 ms", "    380"]


def test_piped_reports_never_wrap() -> None:
    snap = busy_snapshot()
    piped = final_report(snap, None, PLAIN)
    assert piped == final_report(snap, 10 ** 6, PLAIN)
    assert len(piped) < len(final_report(snap, 40, PLAIN))
    messages = [line for line in piped if "total" in line]
    assert len(messages) == 1 and "unsent" in messages[0]
    assert any(line.lstrip().startswith("group senders") for line in piped)


def test_the_group_table_stays_aligned_with_long_settings() -> None:
    groups = (GroupCounts(SenderGroup.uniform(2, 0.0105, 0.0005, 0.00012,
                                              1250.0),
                          10 ** 12, 10 ** 12 - 7, 7, 1.0),
              GroupCounts(G1, 3, 2, 1, 0.03))
    table = group_rows(groups, PLAIN, None)
    assert len({len(line) for line in table}) == 1  # right-aligned ends
    assert "10.5ms +- 500us @1250/s" in table[1] and "0.012%" in table[1]
    ends = {line.index("%") for line in table[1:]}
    assert len(ends) == 1 and table[0].index("fail") + 3 in ends


def test_the_group_table_wraps_per_group_when_too_wide() -> None:
    lines = group_rows(MIDWAY.groups, PLAIN, 40)
    assert lines[0] == "  group 1: 4 senders   10ms +- 1ms"
    assert all(len(line) <= 40 for line in lines)
    assert sum(line.startswith("  group ") for line in lines) == 2


def test_group_rows_within_a_limit_say_how_many_more() -> None:
    groups = MIDWAY.groups * 15
    assert len(group_rows(groups, PLAIN, 80)) == 31  # all, with no limit
    lines = group_rows(groups, PLAIN, 80, limit=20)
    assert len(lines) == 20 and lines[0].split()[0] == "group"
    assert [line.split()[0] for line in lines[1:-1]] == \
        [str(n) for n in range(1, 19)]
    assert lines[-1] == "  ... and 12 more groups (--json has them all)"
    assert group_rows(groups, PLAIN, 80, limit=31) == \
        group_rows(groups, PLAIN, 80)
    # Room for the line alone, or not even that.
    assert group_rows(groups, PLAIN, 80, limit=2) == \
        ["  ... 30 groups, too many to show (--json has them all)"]
    assert group_rows(groups, PLAIN, 20, limit=1) == []


def test_a_live_frame_makes_rows_of_only_the_groups_that_fit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """10,000 groups once cost a tenth of a second or more a frame, for
    the twenty rows it shows."""
    tabled: list[int] = []

    def counted(groups: Sequence[GroupCounts], *args: Any,
                **kwargs: Any) -> Any:
        tabled.append(len(groups))
        return group_table(groups, *args, **kwargs)

    monkeypatch.setattr("sms_sim.output.text.run.group_table", counted)
    lines = group_rows(MIDWAY.groups * 5000, PLAIN, 80, limit=20)
    assert tabled == [20]
    assert lines[-1] == "  ... and 9,982 more groups (--json has them all)"


def test_one_group_left_out_is_one_more_group() -> None:
    lines = group_rows(MIDWAY.groups, PLAIN, 50, limit=5)
    assert lines == group_rows(MIDWAY.groups, PLAIN, 50)[:3] + [
        "  ... and 1 more group (--json has them all)"]


def test_the_lag_note_appears_only_beyond_its_threshold() -> None:
    snap = busy_snapshot()  # 3.5 s behind
    assert "fell up to 3.5s behind" in text_of(
        final_report(snap, None, PLAIN, lag_note_after_s=1.0))
    assert "behind" not in text_of(
        final_report(snap, None, PLAIN, lag_note_after_s=5.0))


def test_every_check_is_described_passed_or_failed() -> None:
    failed = Check("min_delivered", False, 0.35, 0.9)
    passed = Check("min_delivered", True, 0.9999, 0.95)
    text = text_of(final_report(DONE, None, PLAIN, checks=[failed, passed]))
    assert "check min_delivered FAILED: 35.00% of messages" in text
    assert "(short by 55.00 percentage points)" in text
    assert text.endswith(
        "\n  check min_delivered passed: 99.99% sent (limit 95%)")
    assert "check" not in text_of(final_report(DONE, 40, PLAIN))


def test_no_colour_codes_when_colour_is_off() -> None:
    style = Style(colour=False, emphasis=True, unicode=True)
    lines = live_frame(MIDWAY, 80, style) + final_report(DONE, 80, style)
    assert not any(COLOUR.search(line) for line in lines)
    assert any("\x1b[1m" in line for line in lines)  # bold may stay


def test_plain_style_has_no_escapes_and_only_ascii() -> None:
    lines = (live_frame(MIDWAY, 80, PLAIN)
             + final_report(busy_snapshot(), 80, PLAIN))
    assert all(line.isascii() and "\x1b" not in line for line in lines)
