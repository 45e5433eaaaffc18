"""The live view's messages waiting, per ``--traffic`` class (issue 26):
those that have arrived and have no outcome yet."""
from __future__ import annotations

import io

import pytest

from sms_sim.cli import main as cli
from sms_sim.measure.classes import ClassFigures
from sms_sim.measure.progress import Progress
from sms_sim.model.encoding import ONE_GSM7
from sms_sim.model.message import message_of
from sms_sim.model.result import SENT, Result
from sms_sim.model.traffic import EVEN, Traffic, TrafficClass
from sms_sim.output.environment import Environment
from sms_sim.output.text.run import progress_line
from tests.test_traffic import HAND, traffic_run


def test_what_has_arrived_waits_until_it_has_an_outcome() -> None:
    """The issue's hand case: bulk's sends end at 1, 2 and 3 s, the
    alert (in at 2.5) is sent at 4, 5 and 6 s."""
    sink, config = traffic_run(HAND)
    assert config.seed is not None
    figures = ClassFigures(Traffic.of(config.classes, config.seed))
    assert figures.waiting(0.0) == (("bulk", 10), ("alert", 0))
    before = 0.0
    for moment, bulk, alert in ((2.0, 8, 0), (3.0, 7, 3), (6.0, 7, 0),
                                (13.0, 0, 0)):
        figures.add([r for r in sink.results
                     if before < r.done_at_s <= moment])
        assert figures.waiting(moment) == (("bulk", bulk), ("alert", alert))
        before = moment


def test_a_stream_arrives_as_time_moves_on() -> None:
    traffic = Traffic.of((
        TrafficClass("a", count=3),
        TrafficClass("b", count=2, at_s=5.0),
        TrafficClass("c", rate_per_s=1.0, for_s=3.0, arrivals=EVEN)), 1)
    figures = ClassFigures(traffic)
    assert figures.waiting(0.0) == (("a", 3), ("b", 0), ("c", 1))
    assert figures.waiting(1.5) == (("a", 3), ("b", 0), ("c", 2))
    assert figures.waiting(5.0) == (("a", 3), ("b", 2), ("c", 3))


def test_a_message_sent_as_it_arrives_waited_not_a_rounding() -> None:
    """Its time from arrival less its send time is what is left of
    nothing in floats (0.1 + 0.2 - 0.1 - 0.2 is 2.8e-17): no waiting.
    An interrupted run printed "waiting p99 8.8e-17 s"."""
    figures = ClassFigures(Traffic.of((TrafficClass("a", count=1,
                                                    at_s=0.1),), 1))
    message = message_of((0, "", "", 1, ONE_GSM7, 0, 0.1))
    figures.add([Result(message=message, group=0, sender=1, attempts=1,
                        send_s=0.2, done_at_s=0.1 + 0.2, spent_s=0.2,
                        outcome=SENT, reached_at_s=None)])
    [counts] = figures.counts(None)
    assert counts.waiting is not None and counts.after is not None
    assert counts.waiting.max_s == counts.waiting.mean_s == 0.0
    assert counts.after.max_s == pytest.approx(0.2, abs=1e-15)


@pytest.mark.parametrize("waiting, shown", [
    ((), None),
    ((("r", 1200),), "waiting 1,200  "),
    ((("bulk", 538), ("alert", 76)), "waiting 614 (bulk 538, alert 76)  "),
])
def test_the_progress_line_says_what_waits(
        waiting: tuple[tuple[str, int], ...], shown: str | None) -> None:
    line = progress_line(Progress(total=2000, elapsed_s=1.0,
                                  sim_elapsed_s=3.0, groups=(),
                                  waiting=waiting))
    assert ("waiting" in line) == (shown is not None)
    assert shown is None or shown in line


def test_the_run_shows_what_waits_from_the_start(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["start.py"])
    out = io.StringIO()
    status = cli.main([
        "0", "1", "1", "0", "0", "--traffic", "name=bulk,count=10",
        "--traffic", "name=alert,count=3,at=2.5", "--speed", "max",
        "--seed", "1"], env=Environment(out, io.StringIO()))
    assert status == 0
    first = out.getvalue().splitlines()[0]
    assert first.startswith("[0.0s ") and "0/13" in first
    assert "waiting 10 (bulk 10, alert 0)" in first
