"""The HTML report per ``--traffic`` class (issue 26): a curve per class,
the share of its own messages sent by each moment, and each batch that
arrives after 0 marked as a burst."""
from __future__ import annotations

import pytest

from sms_sim.output.html import pages
from tests.test_simulation import run_bounded
from tests.test_traffic import HAND, traffic_run


def test_each_class_has_its_curve_and_each_burst_its_mark() -> None:
    """The hand case: bulk's sends end at 1, 2, 3 and 7 to 13 s, the
    alert's (in at 2.5) at 4, 5 and 6 s."""
    _, config = traffic_run(HAND)
    snap = run_bounded(config).snapshot
    bulk, alert = (klass.curve for klass in snap.classes)
    assert bulk is not None and alert is not None
    # A point per message here (fewer than 100), from 1% buckets.
    assert [share for _, share in bulk.points] == pytest.approx(
        [k / 10 for k in range(1, 11)])
    assert [t for t, _ in bulk.points] == pytest.approx(
        [1, 2, 3, 7, 8, 9, 10, 11, 12, 13], rel=0.01)
    assert [t for t, _ in alert.points] == pytest.approx([4, 5, 6],
                                                         rel=0.01)
    assert [share for _, share in alert.points] == pytest.approx(
        [1 / 3, 2 / 3, 1])
    assert [(m.label, m.time_s) for m in pages.arrival_marks(config)] == [
        ("alert arrives", 2.5)]  # bulk, there at 0, is no burst
    page = pages.one_run(snap, config, "python3 start.py", ())
    assert "class bulk, share of its 10" in page
    assert "class alert, share of its 3" in page
    assert "alert arrives" in page


def test_a_run_without_traffic_has_no_class_curves() -> None:
    _, config = traffic_run(HAND)
    snap = run_bounded(config).snapshot
    plain = type(snap)(total=snap.total, elapsed_s=1.0, sim_elapsed_s=1.0,
                       groups=snap.groups)
    assert pages.class_curves(plain) == ()
    assert len(pages.class_curves(snap)) == 2
