from __future__ import annotations

import dataclasses
import json
import re

import pytest

from sms_sim.measure.checks import Check
from sms_sim.measure.histogram import Bin
from sms_sim.measure.progress import GroupCounts, Progress
from sms_sim.measure.stats import Stats
from sms_sim.measure.summary import Summary
from sms_sim.model.config import SenderGroup
from sms_sim.model.message import Message
from sms_sim.model.result import EXPIRED, FAILED, RETRY, SENT, Result
from sms_sim.output.report import (GAP, PLAIN, Style, bar, clock_time,
                                   final_report, fit, group_rows, live_frame,
                                   moment, percent, progress_json,
                                   progress_line, rate, seconds, short_seconds,
                                   summary_json, visible_width, wrap)

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COLOUR = re.compile(r"\x1b\[3\dm")
NUMBER = re.compile(r"\d[\d,.]*\d|\d")
G1 = SenderGroup.uniform(4, 0.01, 0.001, 0.2)
G2 = SenderGroup.uniform(2, 0.02, 0.0, 0.5)
MIDWAY = Progress(
    total=1000, elapsed_s=2.0, sim_elapsed_s=2.0,
    groups=(GroupCounts(G1, 300, 80, 220, 3.8),
            GroupCounts(G2, 20, 10, 10, 0.4)),
    rate_per_s=190.0)
DONE = Summary(
    total=400, elapsed_s=2.0, sim_elapsed_s=2.0,
    groups=(GroupCounts(G1, 300, 80, 220, 3.8),
            GroupCounts(G2, 100, 60, 40, 2.0)),
    min_s=0.009, max_s=0.02, p50_s=0.01, p95_s=0.011, p99_s=0.0199,
    distribution=(Bin(0.009, 0.012, 380), Bin(0.012, 0.02, 20)),
    delivery=(0.8, 1.5, 1.8, None, None), last_sent_s=1.9,
    attempts=((1, 400),), first_attempts=400, first_attempt_failed=260)
COLOURED = Style(colour=True, emphasis=True, unicode=True)


def result(message_id: int, outcome: str, group: int, attempts: int,
           send_s: float | None, done_at_s: float) -> Result:
    return Result(message=Message(message_id, "555-000-0000", "alert", 0),
                  group=group, sender=0, attempts=attempts, send_s=send_s,
                  done_at_s=done_at_s, spent_s=send_s or 0.0,
                  outcome=outcome, reached_at_s=None)


def busy_snapshot() -> Summary:
    """A summary with large counts, retries, expiries and a long
    group setting: every kind of field the final report has."""
    groups = (SenderGroup.uniform(40, 0.0123, 0.0045, 0.125, 12.5),
              SenderGroup.uniform(3, 1.5, 0.25, 0.75))
    stats = Stats(1_234_567, groups, speed=100.0)
    batch = [result(i, SENT, i % 2, 1, 0.01 + i * 1e-5, 0.5 + i)
             for i in range(300)]
    batch += [result(300 + i, RETRY, 0, 1, 0.02, 400.0) for i in range(40)]
    batch += [result(300 + i, SENT, 0, 2, 0.015, 450.0) for i in range(30)]
    batch += [result(330 + i, FAILED, 1, 2, 1.4, 460.0) for i in range(7)]
    batch += [result(400 + i, EXPIRED, 0, 0, None, 600.0) for i in range(5)]
    stats.add(batch)
    stats.max_lag_s = 3.5
    return stats.summary(12.5, stats.latest_s, stopped="interrupt")


def text_of(lines: list[str]) -> str:
    return ANSI.sub("", "\n".join(lines))


@pytest.mark.parametrize("value, text", [
    (None, "-"), (0.0, "0.00 us"), (2.5e-7, "0.25 us"), (0.0105, "10.50 ms"),
    (1.5, "1.500 s"), (1234.5, "1234.500 s"),
    # Too small for any unit: an exponent of seconds, not '1e-294 us'.
    (1e-300, "1e-300 s"), (3e-9, "3e-09 s"),
    # Rounding up to 1000 of a unit takes the next unit.
    (0.999999, "1.000 s"), (0.000999999, "1.00 ms"),
    (0.99949, "999.49 ms")])
def test_seconds(value: float | None, text: str) -> None:
    assert seconds(value) == text


@pytest.mark.parametrize("value, text", [
    (0.0, "0s"), (0.01, "10ms"), (0.0005, "500us"), (2.0, "2s"),
    (0.0105, "10.5ms"), (1e-300, "1e-300s"),
    (0.99951, "1s"), (0.00099951, "1ms"), (1234.0, "1234s")])
def test_short_seconds_never_shows_an_exponent_of_a_unit(
        value: float, text: str) -> None:
    assert short_seconds(value) == text


@pytest.mark.parametrize("value, text", [
    (None, "-"), (0.0, "0.0s"), (4.24, "4.2s"), (59.96, "1m00s"),
    (187, "3m07s"), (3720, "1h02m"), (2 * 86400 + 3 * 3600, "2d03h")])
def test_clock_time(value: float | None, text: str) -> None:
    assert clock_time(value) == text


@pytest.mark.parametrize("value, text", [
    (None, "-"), (0.0, "0/s"), (0.5, "0.5/s"), (0.00833, "0.00833/s"),
    (12.345, "12.3/s"), (190.0, "190/s"), (1234567.8, "1,234,568/s"),
    (2.5e300, "2.5e+300/s")])  # not three hundred digits
def test_rate_shows_slow_simulated_rates(value: float | None,
                                         text: str) -> None:
    assert rate(value) == text


@pytest.mark.parametrize("share, digits, text", [
    (None, 1, "-"), (0.0, 1, "0.0%"), (1.0, 1, "100.0%"), (0.25, 1, "25.0%"),
    (0.1234, 1, "12.3%"), (8e-6, 1, "<0.1%"), (0.99996, 1, ">99.9%"),
    (0.0006, 1, "0.1%"), (0.9994, 1, "99.9%"),  # rounded as usual
    (8e-6, 2, "<0.01%"), (0.99999, 2, ">99.99%"), (0.5, 2, "50.00%")])
def test_a_percent_is_none_or_all_only_when_it_is(
        share: float | None, digits: int, text: str) -> None:
    assert percent(share, digits) == text


@pytest.mark.parametrize("value, text", [
    (None, "not reached"), (0.5, "500.00 ms"), (59.0, "59.000 s"),
    (600.0, "10m00s")])
def test_moment(value: float | None, text: str) -> None:
    assert moment(value) == text


def test_wrap_moves_whole_fields_and_keeps_the_indent() -> None:
    fields = ["alpha 1,234", "beta 56.78", "gamma 9"]
    assert wrap("  x  ", fields, 22, sep=" | ") == [
        "  x  alpha 1,234", "     beta 56.78", "     gamma 9"]
    assert wrap("  x  ", fields, 40, sep=" | ") == [
        "  x  alpha 1,234 | beta 56.78 | gamma 9"]


def test_wrap_puts_a_field_wider_than_the_line_on_a_line_of_its_own() -> None:
    assert wrap("  ", ["1", "123,456,789", "2"], 5) == \
        ["  1", "123,456,789", "  2"]


def test_wrap_moves_a_field_left_rather_than_past_the_width() -> None:
    assert wrap("  a  ", ["12", "1,234,567"], 10) == ["  a  12", " 1,234,567"]
    # A blank head is only indentation: no blank line for it.
    assert wrap("  ", ["sent 1,582"], 10) == ["sent 1,582"]


def test_wrap_without_a_width_never_wraps() -> None:
    fields = [f"field {n:,}" for n in range(1000, 100000, 1000)]
    assert len(wrap("head: ", fields, None)) == 1


def test_wrap_moves_a_field_off_a_head_it_does_not_fit_beside() -> None:
    title = wrap("A long title: ", ["first 12", "second 34"], 20, indent=2)
    assert title == ["A long title:", "  first 12", "  second 34"]
    label = wrap("  label       ", ["first 123,456"], 20)
    assert label == ["  label", "       first 123,456"]


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
    assert ("delivered   50% by 800.00 ms   90% by 1.500 s   95% by 1.800 s"
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
    text = text_of(final_report(busy_snapshot(), None, PLAIN))
    assert "expired 5" in text and "unsent 1,234,225" in text
    # 40 retries were due, 37 made before the interrupt.
    assert ("attempts    0: 5   1: 300   2: 37   retries 37   "
            "first try failed 40 (11.8%)") in text
    assert "10m00s simulated, 12.5s real at 100x" in text


def test_final_report_of_nothing() -> None:
    snap = Stats(0, (G1,)).summary(0.0, 0.0)
    text = text_of(final_report(snap, 80, COLOURED))
    assert "0 total" in text and "avg -" in text and "p99 -" in text
    assert "distribution" not in text and "delivered" not in text


def test_final_report_of_nothing_sent_says_not_reached() -> None:
    stats = Stats(3, (G1,))
    stats.add([result(i, FAILED, 0, 1, 0.01, 0.01) for i in range(3)])
    text = text_of(final_report(stats.summary(1.0, 1.0), None,
                                PLAIN))
    assert ("delivered   50% not reached   90% not reached   95% not reached"
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
        if width >= len("first try failed 40 (11.8%)"):  # the widest field
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


def test_fit_cuts_visible_text_and_keeps_escapes_whole() -> None:
    line = "ab\x1b[32mcdef\x1b[0mgh"
    assert fit(line, 100) == line
    cut = fit(line, 4)
    assert ANSI.sub("", cut) == "abcd" and cut.endswith("\x1b[0m")


def test_progress_json() -> None:
    snap = dataclasses.replace(MIDWAY, speed=10.0, sim_elapsed_s=20.0,
                               expired=3, retrying=4)
    assert progress_json(snap) == {
        "event": "progress", "elapsed_s": 2.0, "sim_elapsed_s": 20.0,
        "speed": 10.0, "total": 1000, "sent": 90, "failed": 230,
        "expired": 3, "retrying": 4, "processed": 323,
        "avg_send_s": 0.013125, "rate_per_s": 190.0,
        "eta_s": pytest.approx(4.192, abs=1e-3)}


def test_summary_json_names_and_values() -> None:
    check = Check("min_delivered", False, 0.35, 0.9)
    summary = summary_json(DONE, [check])
    assert json.loads(json.dumps(summary)) == summary
    assert summary["event"] == "summary"
    assert (summary["sim_elapsed_s"], summary["speed"],
            summary["max_lag_s"]) == (2.0, 1.0, 0.0)
    assert (summary["unsent"], summary["expired"]) == (0, 0)
    assert summary["interrupted"] is False and summary["stopped"] is None
    assert [summary[k] for k in ("min_send_s", "p50_send_s", "p95_send_s",
                                 "p99_send_s", "max_send_s")] == \
        [0.009, 0.01, 0.011, 0.0199, 0.02]
    assert summary["delivery_s"] == {"p50": 0.8, "p90": 1.5, "p95": 1.8,
                                     "p99": None, "p100": None}
    assert summary["last_sent_s"] == 1.9
    assert summary["throughput_per_s"] == 200.0
    assert summary["attempts"] == {"1": 400}
    assert (summary["retries"], summary["first_attempt_failed"]) == (0, 260)
    assert summary["checks"] == [{"name": "min_delivered", "ok": False,
                                  "value": 0.35, "limit": 0.9}]
    assert summary["groups"][1] == {
        "senders": 2, "shape": "uniform", "mean_s": 0.02,
        "max_deviation_s": 0.0, "sd_s": None, "file": None,
        "failure_rate": 0.5, "tps": None, "attempts": 100, "sent": 60,
        "failed": 40, "avg_send_s": 0.02}


def test_summary_json_of_a_run_with_retries_and_an_interrupt() -> None:
    summary = summary_json(busy_snapshot())
    assert summary["stopped"] == "interrupt" and summary["interrupted"]
    assert summary["attempts"] == {"0": 5, "1": 300, "2": 37}
    assert (summary["retries"], summary["expired"]) == (37, 5)
    assert summary["max_lag_s"] == 3.5 and summary["speed"] == 100.0
    assert summary["sim_elapsed_s"] == 600.0  # the last result's moment
    assert summary["groups"][0]["tps"] == 12.5
    assert summary["checks"] == []
    assert set(summary["delivery_s"]) == {"p50", "p90", "p95", "p99",
                                          "p100"}
    assert all(v is None for v in summary["delivery_s"].values())


def test_summary_json_of_nothing_has_nulls_not_errors() -> None:
    summary = summary_json(Stats(0, (G1,)).summary(0.0, 0.0))
    for key in ("avg_send_s", "p50_send_s", "p99_send_s", "max_send_s",
                "last_sent_s", "throughput_per_s"):
        assert summary[key] is None
    assert all(v is None for v in summary["delivery_s"].values())
    assert summary["attempts"] == {} and summary["processed"] == 0
    assert json.loads(json.dumps(summary)) == summary
