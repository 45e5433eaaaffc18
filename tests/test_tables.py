"""The tables built once for the text and the page."""
from __future__ import annotations

import pytest

from sms_sim.measure.curve import Curve
from sms_sim.measure.progress import GroupCounts
from sms_sim.model.config import SenderGroup
from sms_sim.output.tables import (GROUP_CURVES, Table, chart_curves,
                                   group_table)
from tests.snapshots import DONE, G1


def test_a_table_row_must_match_its_headers() -> None:
    with pytest.raises(ValueError):
        Table(("a", "b"), (("1",),))


def test_the_group_table_has_a_terminals_form_and_a_pages() -> None:
    fast = SenderGroup.uniform(10_000, 0.0105, 0.0005, 0.00012, 1250.0)
    groups = (GroupCounts(fast, 1_234_567, 1_000_000, 234_567, 12.5,
                          reached=999_999),
              GroupCounts(G1, 3, 2, 1, 0.03))
    brief = group_table(groups, reached=True, brief=True)
    page = group_table(groups, reached=True)
    assert brief.headers == ("group", "senders", "mean +- dev", "fail",
                             "attempts", "sent", "failed", "avg", "reached")
    assert page.headers == ("group", "senders", "send time", "fail",
                            "attempts", "sent", "failed", "avg send",
                            "reached")
    assert brief.rows[0][:4] == ("1", "10,000", "10.5ms +- 500us @1250/s",
                                 "0.012%")
    assert page.rows[0][:4] == ("1", "10,000", "10.5ms +- 500us", "<0.1%")
    # The figures themselves are the same in both.
    assert brief.rows[0][4:] == page.rows[0][4:] == (
        "1,234,567", "1,000,000", "234,567", "10.13 us", "999,999")
    assert brief.rows[1][-1] == "-"  # a group not followed


def test_the_reached_column_is_there_only_when_asked() -> None:
    table = group_table(DONE.groups, reached=False)
    assert "reached" not in table.headers
    assert all(len(row) == 8 for row in table.rows)


def curves(groups: int) -> tuple[Curve, ...]:
    """A run's curve, then ``groups`` groups' sharing it out evenly."""
    return (Curve("all", ((1.0, 0.5), (2.0, 1.0))), *(
        Curve(f"group {n}", ((1.0, 0.5 / groups), (2.0, 1.0 / groups)))
        for n in range(1, groups + 1)))


def test_a_chart_shows_a_few_groups_each_with_its_share_of_all() -> None:
    shown = chart_curves(curves(4))
    assert [curve.label for curve in shown] == [
        "all", *(f"group {n}, 25.0% of all" for n in range(1, 5))]
    assert shown[1].points == curves(4)[1].points
    assert [c.label for c in chart_curves(curves(GROUP_CURVES))][-1] == \
        f"group {GROUP_CURVES}, {100 / GROUP_CURVES:.1f}% of all"
    assert chart_curves(()) == ()


def test_a_chart_leaves_many_groups_to_the_table() -> None:
    assert chart_curves(curves(GROUP_CURVES + 1)) == curves(1)[:1]
    assert chart_curves(curves(30)) == curves(1)[:1]
