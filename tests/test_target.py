"""A target: met by exact counts at its moment, and marked on a chart."""
from __future__ import annotations

from sms_sim.measure.curve import Mark
from sms_sim.plan.target import Target
from tests.helpers import sent_by


def test_a_target_is_met_by_exact_counts_at_its_moment() -> None:
    target = Target(0.95, 10.0)
    assert target.met(sent_by(95))
    assert not target.met(sent_by(94))
    assert not target.met(sent_by(99, unsent=1))  # an interrupted run
    assert target.share_of(sent_by(95)) == 0.95


def test_a_target_marks_its_moment_with_its_share() -> None:
    assert Target(0.95, 900.0).mark == Mark("target 95%", 900.0)
    assert Target(0.005, 30.0).mark == Mark("target 0.5%", 30.0)
