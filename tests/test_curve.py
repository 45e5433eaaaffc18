from __future__ import annotations

import math
import re

import pytest

from sms_sim.measure.curve import (CURVE_POINTS, DELIVERY_SHARES, Curve, Mark,
                                   band, crossing, curve_json, curve_ranks,
                                   reach_curve, share_at)
from sms_sim.measure.histogram import Histogram
from sms_sim.output.text.chart import MIN_WIDTH, ROWS, chart
from sms_sim.output.text.style import PLAIN, Style, visible_width

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COLOURED = Style(colour=True, emphasis=True, unicode=True)
GUTTER = 6  # "100% |" before the plot's first column


def blast(label: str = "all", end: float = 1112.0, top: float = 1.0
          ) -> Curve:
    """A hand-made reach curve of 100 points, slow at first."""
    return Curve(label, tuple((end * (k / 100) ** 0.8, top * k / 100)
                              for k in range(1, 101)))


STEP = Curve("step", ((50.0, 0.0), (50.0, 1.0), (100.0, 1.0)))
"""Nothing before 50 s, everything from then on."""


def plot_rows(lines: list[str]) -> list[str]:
    """The plot's rows, without the share labels and the axis."""
    return [line[GUTTER:] for line in lines[:ROWS]]


def test_a_curve_refuses_points_that_go_back_or_leave_0_to_1() -> None:
    for points in [((2.0, 0.5), (1.0, 0.6)), ((1.0, 0.5), (2.0, 0.4)),
                   ((1.0, 1.5),), ((-1.0, 0.1),), ((math.nan, 0.1),)]:
        with pytest.raises(ValueError):
            Curve("bad", points)


def test_the_share_is_zero_before_the_first_point_then_steps_at_each(
        ) -> None:
    curve = Curve("c", ((10.0, 0.2), (20.0, 0.6), (20.0, 0.8), (40.0, 1.0)))
    assert share_at(curve, 9.99) == 0.0
    assert share_at(curve, 10.0) == 0.2
    assert share_at(curve, 15.0) == 0.2  # none got there between: no line
    assert share_at(curve, 20.0) == 0.8  # after the step
    assert share_at(curve, 30.0) == 0.8
    assert share_at(curve, 1e9) == 1.0
    assert share_at(Curve("none", ()), 5.0) == 0.0


def test_crossings_are_the_first_point_at_or_above_the_share() -> None:
    curve = Curve("c", ((10.0, 0.2), (20.0, 0.6), (40.0, 0.95)))
    assert crossing(curve, 0.1) == 10.0  # from nothing to 20% at 10 s
    assert crossing(curve, 0.6) == 20.0
    assert crossing(curve, 0.4) == 20.0  # no one got there at 15 s
    assert crossing(curve, 0.95) == 40.0
    assert crossing(curve, 0.99) is None
    assert crossing(STEP, 0.5) == 50.0


def test_ranks_give_a_point_per_percent_through_each_delivery_share(
        ) -> None:
    ranks = curve_ranks(100_000, 100_000)
    assert len(ranks) == CURVE_POINTS
    for share in DELIVERY_SHARES:
        assert math.ceil(share * 100_000) in ranks
    # Short of all: the last point is the last delivery.
    assert curve_ranks(1000, 995)[-1] == 995
    assert len(curve_ranks(1000, 995)) == 100
    assert curve_ranks(7, 7) == tuple(range(1, 8))  # a few: fewer points
    assert curve_ranks(1000, 0) == ()


def test_a_curve_from_a_histogram_crosses_where_the_report_says() -> None:
    histogram = Histogram(1e-7, 1e8)
    histogram.add([0.5 * i for i in range(1, 981)])  # 980 of 1000 sent
    total = 1000
    ranks = curve_ranks(total, histogram.count)
    curve = reach_curve("all", total, ranks, histogram.at_ranks(ranks))
    delivery = histogram.at_ranks([math.ceil(s * total)
                                   for s in DELIVERY_SHARES])
    assert crossing(curve, 0.5) == delivery[0]
    assert crossing(curve, 0.95) == delivery[2]
    assert crossing(curve, 0.99) is None and delivery[3] is None
    assert curve.points[-1] == (490.0, 0.98)  # the last send, exactly


def test_ranks_without_a_moment_add_no_point() -> None:
    curve = reach_curve("x", 4, (1, 2, 3), (1.0, 2.0, None))
    assert curve.points == ((1.0, 0.25), (2.0, 0.5))


def test_curve_json_is_a_list_of_rounded_pairs() -> None:
    curve = Curve("c", ((1 / 3, 1 / 7), (2.0, 1.0)))
    assert curve_json(curve) == [[0.333333, 0.142857], [2.0, 1.0]]


def test_a_band_holds_the_least_mean_and_greatest_share() -> None:
    early = Curve("a", ((0.0, 0.0), (10.0, 1.0)))
    late = Curve("b", ((0.0, 0.0), (20.0, 1.0)))
    result = band([early, late], points=5)
    assert result.times == (0.0, 5.0, 10.0, 15.0, 20.0)
    # Each curve all at once at its end (it steps at its points).
    assert result.low == (0.0, 0.0, 0.0, 0.0, 1.0)
    assert result.high == (0.0, 0.0, 1.0, 1.0, 1.0)
    assert result.mean == (0.0, 0.0, 0.5, 0.5, 1.0)
    assert result.runs == 2
    with pytest.raises(ValueError):
        band([])


@pytest.mark.parametrize("style", [PLAIN, COLOURED])
def test_no_line_is_wider_than_the_width_from_the_least_to_200(
        style: Style) -> None:
    curves = [blast(), blast("group 1", 900.0, 0.6),
              blast("group 2", 1112.0, 0.4)]
    marks = [Mark("deadline", 1200.0), Mark("target 95%", 900.0)]
    for width in range(MIN_WIDTH, 201):
        for shown in ([curves[0]], curves):
            lines = chart(shown, width, style, marks)
            assert len(lines) >= ROWS + 2 + len(shown) + len(marks)
            assert max(map(visible_width, lines)) <= width, width


def test_below_the_least_width_the_chart_is_left_out() -> None:
    assert chart([blast()], MIN_WIDTH - 1, PLAIN) == []
    assert chart([blast()], MIN_WIDTH, PLAIN) != []
    assert chart([], 80, PLAIN) == []
    assert chart([Curve("instant", ((0.0, 1.0),))], 80, PLAIN) == []
    # A legend word that would not fit: nothing rather than a cut number.
    assert chart([blast("x" * 50)], 44, PLAIN) == []
    assert chart([blast("x" * 50)], 80, PLAIN) != []


def test_a_step_is_drawn_in_the_column_whose_time_holds_it() -> None:
    lines = chart([STEP], 46, PLAIN)  # a plot of 40 columns, 2.5 s each
    rows = plot_rows(lines)
    column = 19  # (47.5, 50] holds the step at 50
    assert rows[-1][:column] == "." * column  # nothing delivered before it
    assert rows[0][column:] == "'" * (40 - column)  # all of it after
    for row in rows[1:-1]:
        assert row.rstrip() == " " * column + "|"  # the climb, in one column
    assert "step:  50% by 50.000 s" in lines[ROWS + 2]


def ramp(end_s: float, share: float, columns: int) -> Curve:
    """A curve that climbs evenly to ``share`` at ``end_s``: a point at
    the end of each of ``columns`` (a chart reads each column's share at
    its end)."""
    return Curve("c", tuple((end_s * i / columns, share * i / columns)
                            for i in range(1, columns + 1)))


def test_marks_stand_in_the_column_of_their_moment() -> None:
    curve = ramp(100.0, 0.5, 40)
    marks = [Mark("deadline", 100.0), Mark("target 95%", 25.0)]
    lines = chart([curve], 46, PLAIN, marks)
    rows = plot_rows(lines)
    # 40 columns of 2.5 s: 25 s ends column 9, 100 s ends column 39; the
    # curve ends at 50% there, at the top of the row labelled 50%.
    assert all(row[9] == "!" for row in rows[:4])
    assert [row[39] for row in rows] == [":"] * 4 + ["'"] + [":"] * 3
    assert lines[4].startswith(" 50% |")
    assert ": deadline at 1m40s" in lines[-2]
    assert "! target 95% at 25.000 s" in lines[-1]
    # The time axis: 0 under the first column, the end under the last.
    axis = lines[ROWS + 1]
    assert axis.startswith(" " * GUTTER + "0 ") and axis.endswith("1m40s")
    assert len(axis) == GUTTER + 40


def test_the_legend_gives_each_crossing_or_says_it_was_not_reached(
        ) -> None:
    curve = Curve("all", ((10.0, 0.5), (30.0, 0.9), (70.0, 0.96)))
    text = "\n".join(chart([curve], 120, PLAIN))
    assert ("all:  50% by 10.000 s  90% by 30.000 s  95% by 1m10s  "
            "99% not reached") in text


def test_several_curves_each_have_a_glyph_and_a_legend_line() -> None:
    first = Curve("group 1", ((10.0, 0.6),))
    second = Curve("group 2", ((90.0, 0.4),))
    lines = chart([first, second], 46, PLAIN, shares=(0.5,))
    rows = plot_rows(lines)
    # 40 columns of 2.25 s: 10 s is in column 4.
    # A glyph a row: each share on the highest row not above it.
    top_of_first = ROWS - 1 - math.floor(0.6 * (ROWS - 1))
    assert rows[top_of_first][:4] == " " * 4
    assert rows[top_of_first][4:] == "*" * 36  # from 10 s on, flat
    assert "o" in rows[ROWS - 1 - math.floor(0.4 * (ROWS - 1))][35:]
    assert lines[ROWS + 2:] == [" " * GUTTER + "* group 1:  50% by 10.000 s",
                                " " * GUTTER + "o group 2:  50% not reached"]


def test_plain_is_ascii_without_escapes_and_colour_only_when_asked(
        ) -> None:
    marks = [Mark("deadline", 1200.0)]
    plain = "\n".join(chart([blast(), blast("g", 800.0, 0.5)], 80, PLAIN,
                            marks))
    assert plain.isascii() and "\x1b" not in plain
    unicode = "\n".join(chart([blast()], 80, Style(unicode=True), marks))
    assert not unicode.isascii() and "\x1b" not in unicode
    coloured = chart([blast()], 80, COLOURED, marks)
    assert any("\x1b[32m" in line for line in coloured)
    # Colour changes nothing but the escapes.
    assert [ANSI.sub("", line) for line in coloured] == chart(
        [blast()], 80, Style(unicode=True), marks)


@pytest.mark.parametrize("style", [PLAIN, Style(unicode=True)])
def test_a_share_short_of_all_is_drawn_below_the_row_labelled_100(
        style: Style) -> None:
    """A run that sent 89.3% stays below the top row; one that sent all
    reaches it."""
    short = chart([Curve("", ((1.0, 0.5), (5.0, 0.893)))], 46, style)
    assert short[0].startswith("100% ")
    assert plot_rows(short)[0].strip() == ""
    assert plot_rows(short)[1].strip() != ""
    full = chart([Curve("", ((1.0, 0.5), (5.0, 1.0)))], 46, style)
    assert plot_rows(full)[0].strip() != ""


def test_a_mark_beyond_the_curves_is_drawn_at_the_edge() -> None:
    """A deadline of an hour for a run of 5 s: the axis ends with the run,
    and the deadline stands right of the plot, its legend saying so."""
    plot = 48 - GUTTER - 2  # a blank column, then the mark's
    curve = Curve("", ramp(5.0, 1.0, plot).points)
    lines = chart([curve], 48, PLAIN, [Mark("deadline", 3600.0)])
    rows = plot_rows(lines)
    assert all(len(row) == plot + 2 and row[-1] == ":" for row in rows)
    assert all(row[plot] == " " for row in rows)
    # The curve climbs across the plot, not squeezed into a column.
    assert rows[-1][0] == "." and rows[0][plot - 1] == "'"
    assert rows[ROWS // 2][plot // 4:plot // 4 * 3].strip() != ""
    assert lines[ROWS + 1].rstrip().endswith("5.000 s")
    assert len(lines[ROWS + 1]) == GUTTER + plot
    legend = " ".join(line.strip() for line in lines[ROWS + 2:])
    assert legend.endswith(
        ": deadline at 1h00m (beyond the axis: at its edge)")
    # A mark within the curves' time is drawn in its column, as before.
    within = chart([curve], 48, PLAIN, [Mark("deadline", 2.5)])
    assert "beyond" not in "\n".join(within)
    assert all(len(row.rstrip()) <= 48 - GUTTER
               for row in plot_rows(within))


def test_the_parts_of_a_whole_give_their_last_moment_not_crossings(
        ) -> None:
    whole = Curve("all", ((1.0, 0.5), (4.0, 1.0)))
    group = Curve("group 2, 30.0% of all", ((1.0, 0.1), (3.0, 0.3)))
    lines = chart([whole, group], 80, PLAIN, shares=(0.5,), parts=True)
    assert lines[ROWS + 2:] == [
        " " * GUTTER + "* all:  50% by 1.000 s",
        " " * GUTTER + "o group 2, 30.0% of all:  last at 3.000 s"]
