"""The tables built once for the text and the page."""
from __future__ import annotations

import pytest

from sms_sim.measure.progress import GroupCounts
from sms_sim.model.config import SenderGroup
from sms_sim.output.tables import Table, group_table
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
    assert brief.rows[0][:4] == ("1", "10000", "10.5ms +- 500us @1250/s",
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
