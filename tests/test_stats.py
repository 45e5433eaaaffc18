from __future__ import annotations

import dataclasses
import math
import random

import pytest

from sms_sim.measure.curve import DELIVERY_SHARES, moment_ranks
from sms_sim.measure.progress import GroupCounts, Progress, finite_rate
from sms_sim.measure.stats import Stats
from sms_sim.measure.summary import Summary
from sms_sim.model.config import SenderGroup
from sms_sim.model.encoding import ONE_GSM7
from sms_sim.model.message import Message
from sms_sim.model.ranked import Ranked
from sms_sim.model.result import EXPIRED, FAILED, RETRY, SENT, Result
from sms_sim.model.validation import MOMENT_TOLERANCE

GROUPS = (SenderGroup.uniform(2, 0.01, 0.002, 0.2),
          SenderGroup.uniform(1, 0.02, 0.0, 1.0))
HALF_A_PERCENT = 0.005
"""Buckets 1% wide, read at their geometric middle: sqrt(1.01) - 1."""


def result(message_id: int, outcome: str, *, group: int = 0,
           attempts: int = 1, send_s: float | None = 0.01,
           done_at_s: float = 1.0, reached_at_s: float | None = None
           ) -> Result:
    message = Message(message_id, "555-000-0000", "alert", 0,
                      ONE_GSM7)
    return Result(message=message, group=group, sender=0, attempts=attempts,
                  send_s=send_s, done_at_s=done_at_s, spent_s=send_s or 0.0,
                  outcome=outcome, reached_at_s=reached_at_s)


def sends(group: int, outcome: str, *seconds: float,
          first_id: int = 0) -> list[Result]:
    """One first-attempt result per value, each taking that long."""
    return [result(first_id + i, outcome, group=group, send_s=s)
            for i, s in enumerate(seconds)]


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def test_counts_and_averages_per_group_and_overall() -> None:
    stats = Stats(10, GROUPS)
    stats.add(sends(0, SENT, 0.01, 0.03))
    stats.add(sends(0, FAILED, 0.02, first_id=2))
    stats.add(sends(1, FAILED, 0.04, 0.05, first_id=3))
    snap = stats.summary(2.0, 2.0)
    assert (snap.sent, snap.failed, snap.expired) == (2, 3, 0)
    assert (snap.processed, snap.unsent) == (5, 5)
    assert snap.avg_send_s == pytest.approx(0.03)
    assert (snap.min_s, snap.max_s) == (0.01, 0.05)
    first, second = snap.groups
    assert (first.attempts, first.sent, first.failed) == (3, 2, 1)
    assert first.avg_send_s == pytest.approx(0.02)
    assert (second.attempts, second.sent, second.failed) == (2, 0, 2)
    assert second.avg_send_s == pytest.approx(0.045)
    assert snap.failure_share == pytest.approx(0.6)


def test_a_retried_attempt_counts_as_an_attempt_but_not_an_outcome() -> None:
    stats = Stats(1, GROUPS)
    stats.add([result(0, RETRY, send_s=0.03, done_at_s=0.03),
               result(0, SENT, attempts=2, send_s=0.01, done_at_s=2.0)])
    snap = stats.summary(1.0, 2.0)
    assert (snap.sent, snap.failed, snap.processed) == (1, 0, 1)
    assert snap.attempt_count == snap.groups[0].attempts == 2
    assert snap.avg_send_s == pytest.approx(0.02)  # over both attempts
    assert snap.retries == 1
    assert snap.failure_share == 0.0  # the message was sent in the end


def test_progress_eta_and_rate_use_real_time_and_the_processed() -> None:
    stats = Stats(10, GROUPS)
    stats.add(sends(0, SENT, *[0.01] * 4))
    snap = stats.progress(2.0, 50.0, rate_per_s=7.5)
    assert snap.eta_s == pytest.approx(3.0)  # 6 left at 2 a real second
    assert snap.rate_per_s == 7.5 and snap.sim_elapsed_s == 50.0
    # Over the sending so far: to the latest attempt's end, at 1 s.
    assert snap.throughput_per_s == pytest.approx(4 / 1.0)
    assert not isinstance(snap, Summary)  # no pass over the histograms
    assert stats.summary(2.0, 50.0).eta_s is None


def test_the_blast_has_got_as_far_as_its_last_attempt() -> None:
    stats = Stats(4, GROUPS)
    stats.add([result(0, SENT, done_at_s=4.0),
               result(1, FAILED, done_at_s=9.5),
               result(2, SENT, done_at_s=7.0),
               result(3, EXPIRED, attempts=0, send_s=None,
                      done_at_s=5.0)])
    assert stats.latest_s == 9.5
    final = stats.summary(1.0, stats.latest_s)
    assert final.sim_elapsed_s == 9.5
    # The expired message took none of the gateway's time.
    assert final.throughput_per_s == pytest.approx(3 / 9.5)


def test_throughput_is_over_the_sending_not_the_carriers_delay() -> None:
    # Stopped while the carrier still had messages on the way, 60 s on:
    # the gateway sent for 9.5 s, as a completed run says.
    stats = Stats(3, GROUPS, carrier=True)
    stats.add([result(0, SENT, done_at_s=4.0, reached_at_s=30.0),
               result(1, FAILED, done_at_s=9.5),
               result(2, SENT, done_at_s=7.0, reached_at_s=90.0)])
    cut = stats.summary(1.0, 60.0, stopped="interrupt")
    whole = stats.summary(1.0, stats.latest_s)
    assert (cut.sim_elapsed_s, cut.reached) == (60.0, 1)
    assert cut.throughput_per_s == whole.throughput_per_s == 3 / 9.5
    assert stats.progress(1.0, 60.0).throughput_per_s == 3 / 9.5


def test_the_last_phone_reached_by_a_stop_is_never_before_a_share() -> None:
    # Every message sent, the run stopped at 3 s with two phones reached:
    # the last of them is the 50% share's, exact.  (It was the middle of
    # its histogram bucket: "50% by 2.728 s ... last 2.722 s".)
    order = Ranked(moment_ranks(3))
    stats = Stats(3, GROUPS, carrier=True, reached_order=order)
    stats.add([result(0, SENT, done_at_s=0.01, reached_at_s=1.0),
               result(1, SENT, done_at_s=0.02, reached_at_s=2.728),
               result(2, SENT, done_at_s=0.03, reached_at_s=30.0)])
    order.release([1.0, 2.728, 30.0], math.inf)
    cut = stats.summary(1.0, 3.0, stopped="interrupt")
    assert cut.reached == 2 and cut.reached_at[0] == 2.728  # 50%: rank 2
    assert cut.last_reached_s == 2.728
    # A rank the schedule did not follow: the histogram's, not below the
    # exact moment of the highest it followed below it.
    assert order.below(2) == (2, 2.728) and order.below(0) is None
    whole = stats.summary(1.0, 30.03)
    assert whole.last_reached_s == 30.0


def test_the_speed_and_the_lag_pass_through_to_the_summary() -> None:
    stats = Stats(1, GROUPS, speed=250.0)
    stats.max_lag_s = 1.25
    snap = stats.summary(1.0, 1.0)
    assert snap.speed == 250.0 and snap.max_lag_s == 1.25


@pytest.mark.parametrize("final", [False, True])
def test_an_empty_run_is_safe_everywhere(final: bool) -> None:
    stats = Stats(0, GROUPS)
    snap: Progress = stats.summary(0.0, 0.0) if final \
        else stats.progress(0.0, 0.0)
    assert (snap.processed, snap.unsent, snap.done_share) == (0, 0, 1.0)
    for value in (snap.avg_send_s, snap.failure_share,
                  snap.first_attempt_failure_share, snap.throughput_per_s,
                  snap.eta_s, snap.groups[0].avg_send_s):
        assert value is None
    if isinstance(snap, Summary):
        for end in (snap.min_s, snap.p50_s, snap.p95_s, snap.p99_s,
                    snap.max_s, snap.last_sent_s):
            assert end is None
        assert snap.distribution == () and snap.delivery == ()
        assert snap.attempts == ()


def test_rates_over_a_sliver_of_time_are_none_not_infinite() -> None:
    assert finite_rate(10, 5e-324) is None  # 10 / 5e-324 overflows
    assert finite_rate(10, 0.0) is None
    assert finite_rate(10, 2.0) == 5.0
    snap = dataclasses.replace(Stats(10, GROUPS).progress(0.0, 5e-324),
                               groups=(GroupCounts(GROUPS[0], 10, 10, 0,
                                                   0.0),))
    assert snap.throughput_per_s is None


def test_a_run_with_nothing_sent_reaches_no_delivery_share() -> None:
    stats = Stats(4, GROUPS)
    stats.add(sends(0, FAILED, 0.01, 0.01))
    snap = stats.summary(1.0, 1.0)
    assert snap.delivery == (None,) * len(DELIVERY_SHARES)
    assert snap.last_sent_s is None
    assert snap.failure_share == 1.0 and snap.eta_s is None


def test_percentiles_are_within_half_a_percent_of_the_truth() -> None:
    rng = random.Random(4)
    # Log-uniform from a microsecond to 20 minutes, in two groups.
    values = [math.exp(rng.uniform(math.log(1e-6), math.log(1200)))
              for _ in range(5000)]
    stats = Stats(len(values), (SenderGroup.uniform(2, 600.0, 600.0, 0.2),
                                SenderGroup.uniform(1, 600.0, 600.0, 1.0)))
    stats.add(sends(0, SENT, *values[:4000]))
    stats.add(sends(1, FAILED, *values[4000:], first_id=4000))
    snap = stats.summary(1.0, 1.0)
    for value, share in ((snap.p50_s, 0.5), (snap.p95_s, 0.95),
                         (snap.p99_s, 0.99)):
        assert value == pytest.approx(nearest_rank(values, share),
                                      rel=HALF_A_PERCENT)
    assert (snap.min_s, snap.max_s) == (min(values), max(values))


@pytest.mark.parametrize("mean_s", [1e-300, 5e-8, 0.01, 2e4])
def test_send_percentiles_hold_at_any_scale(mean_s: float) -> None:
    """The buckets and the exact sums follow the longest send the groups
    allow: a tenth of a microsecond and five hours are resolved alike, and
    a sliver near the float's smallest stays exact too."""
    rng = random.Random(5)
    values = [rng.uniform(0.2 * mean_s, 1.8 * mean_s) for _ in range(3000)]
    group = SenderGroup.uniform(4, mean_s, 0.8 * mean_s, 0.0)
    stats = Stats(len(values), (group,))
    stats.add(sends(0, SENT, *values))
    snap = stats.summary(1.0, 1.0)
    for value, share in ((snap.p50_s, 0.5), (snap.p95_s, 0.95)):
        assert value == pytest.approx(nearest_rank(values, share),
                                      rel=HALF_A_PERCENT)
    assert snap.avg_send_s == pytest.approx(math.fsum(values) / len(values),
                                            rel=1e-12)


@pytest.mark.parametrize("value", [0.0, 1e-9, 3e-7, 0.5, 12.0, 5e4])
def test_percentiles_of_one_repeated_value_are_exact(value: float) -> None:
    stats = Stats(3, GROUPS)
    stats.add(sends(0, SENT, value, value, value))
    snap = stats.summary(1.0, 1.0)
    assert snap.p50_s == snap.p95_s == snap.p99_s == value


def test_delivery_moments_are_shares_of_all_messages() -> None:
    # 100 messages, 95 sent at 1, 2, ..., 95 s: half of *all* were sent
    # by 50 s, 95% by 95 s, and 99% never.
    stats = Stats(100, GROUPS)
    stats.add([result(i, SENT, done_at_s=float(i)) for i in range(1, 96)])
    stats.add(sends(0, FAILED, *[0.01] * 5, first_id=96))
    snap = stats.summary(1.0, 1.0)
    p50, p90, p95, p99, p100 = snap.delivery
    assert p50 == pytest.approx(50.0, rel=HALF_A_PERCENT)
    assert p90 == pytest.approx(90.0, rel=HALF_A_PERCENT)
    assert p95 == pytest.approx(95.0, rel=HALF_A_PERCENT)
    assert p99 is None and p100 is None
    assert snap.last_sent_s == 95.0


def test_every_delivery_share_is_reached_when_all_are_sent() -> None:
    stats = Stats(10, GROUPS)
    stats.add([result(i, SENT, done_at_s=10.0 * (i + 1)) for i in range(10)])
    snap = stats.summary(1.0, 1.0)
    assert snap.delivery[0] == pytest.approx(50.0, rel=HALF_A_PERCENT)
    for at, truth in zip(snap.delivery[1:], (90.0, 100.0, 100.0, 100.0)):
        assert at == pytest.approx(truth, rel=HALF_A_PERCENT)


def test_retries_open_and_final_outcomes_close_retrying() -> None:
    stats = Stats(6, GROUPS)

    def retrying_after(*batch: Result) -> int:
        stats.add(batch)
        return stats.progress(1.0, 1.0).retrying

    assert retrying_after(result(0, RETRY), result(1, RETRY)) == 2
    # A second retry of the same message opens nothing new.
    assert retrying_after(result(0, RETRY, attempts=2)) == 2
    assert retrying_after(result(0, SENT, attempts=3)) == 1
    # An expiry without an attempt of its own that came as a retry.
    assert retrying_after(
        result(1, EXPIRED, attempts=1, send_s=None, done_at_s=60.0)) == 0
    # Never retried: a fresh message that expired unsent, a first attempt
    # that failed for good, one whose retry would miss the deadline.
    assert retrying_after(
        result(2, EXPIRED, attempts=0, send_s=None, done_at_s=60.0),
        result(3, FAILED), result(4, EXPIRED, attempts=1)) == 0
    snap = stats.summary(1.0, 1.0)
    # Message 0 was retried twice; message 1's retry expired unmade.
    assert (snap.retries, snap.retrying) == (2, 0)
    assert (snap.sent, snap.failed, snap.expired, snap.unsent) == \
        (1, 1, 3, 1)


def test_an_interrupted_run_counts_its_tried_but_unsent_as_retrying() -> None:
    stats = Stats(3, GROUPS)
    stats.add([result(0, RETRY), result(1, RETRY),
               result(1, FAILED, attempts=2)])
    snap = stats.summary(1.0, 1.0, stopped="interrupt")
    assert snap.retrying == 1 and snap.unsent == 2
    assert snap.interrupted and snap.stopped == "interrupt"
    assert not stats.summary(1.0, 1.0, stopped="fault").interrupted


def test_retrying_never_shows_negative_and_settles_when_all_arrive() -> None:
    # A retry's outcome can reach the monitor before the failed first
    # attempt it came from, when two senders post in the other order.
    stats = Stats(2, GROUPS)
    stats.add([result(0, SENT, attempts=2)])
    assert stats.progress(1.0, 1.0).retrying == 0
    stats.add([result(0, RETRY)])
    assert stats.progress(1.0, 1.0).retrying == 0


def test_a_retrying_count_below_0_at_the_end_is_not_hidden() -> None:
    # Once every result is in, a later attempt without its failed first
    # is a result lost or counted twice: no final figure could hold.
    stats = Stats(2, GROUPS)
    stats.add([result(0, SENT, attempts=2), result(1, SENT)])
    with pytest.raises(RuntimeError, match="1 retried messages ended "
                       "without a failed first attempt"):
        stats.summary(1.0, 1.0)


def test_attempts_distribution_and_first_attempt_failures() -> None:
    stats = Stats(6, GROUPS)
    stats.add([result(0, SENT), result(1, SENT),
               result(2, RETRY), result(2, SENT, attempts=2),
               result(3, RETRY), result(3, RETRY, attempts=2),
               result(3, FAILED, attempts=3),
               result(4, EXPIRED, attempts=0, send_s=None),
               result(5, EXPIRED, attempts=1)])
    snap = stats.summary(1.0, 1.0)
    assert snap.attempts == ((0, 1), (1, 3), (2, 1), (3, 1))
    assert sum(n for _, n in snap.attempts) == snap.processed == 6
    # First attempts: 0, 1, 2, 3, 5; those of 2, 3 and 5 failed.
    assert (snap.first_attempts, snap.first_attempt_failed) == (5, 3)
    assert snap.first_attempt_failure_share == pytest.approx(0.6)
    assert snap.expired == 2 and snap.attempt_count == 8


def test_the_most_attempts_a_run_allows_are_counted() -> None:
    stats = Stats(1, GROUPS)
    stats.add([result(0, RETRY), result(0, FAILED, attempts=101)])
    assert stats.summary(1.0, 1.0).attempts == ((101, 1),)


def test_distribution_of_identical_values_is_one_row() -> None:
    stats = Stats(3, GROUPS)
    stats.add(sends(0, SENT, 0.01, 0.01, 0.01))
    snap = stats.summary(1.0, 1.0)
    assert [(b.low_s, b.high_s, b.count) for b in snap.distribution] == \
        [(0.01, 0.01, 3)]


def reaching(total: int, checkpoints: tuple[float, ...] = ()) -> Stats:
    """A run with a carrier: messages 0..99 sent at 1.0 s, each reaching
    its phone at 1 + id / 10 s (1.0 to 10.9), all by group 0 but the last
    ten, by group 1; message 100 failed."""
    stats = Stats(total, GROUPS, carrier=True, checkpoints=checkpoints)
    stats.add([result(i, SENT, group=0 if i < 90 else 1,
                      reached_at_s=1 + i / 10) for i in range(100)]
              + [result(100, FAILED, group=1)])
    return stats


def test_a_message_counts_as_reached_once_its_moment_has_passed() -> None:
    stats = reaching(101)
    assert stats.reached_by(0.5) == 0
    assert stats.reached_by(5.95) == pytest.approx(50, abs=1)  # 1.0..5.9
    assert stats.reached_by(11.0) == 100
    snap = stats.progress(1.0, 5.95)
    assert snap.carrier and snap.reached == pytest.approx(50, abs=1)
    assert [g.reached for g in snap.groups] == [pytest.approx(50, abs=1), 0]
    assert stats.end_s == 10.9  # the last phone, after the last send


def test_reached_moments_are_shares_of_all_messages() -> None:
    snap = reaching(101).summary(1.0, 10.9)
    p50, p90, p95, p99, p100 = snap.reached_at
    assert p50 == pytest.approx(6.0, rel=HALF_A_PERCENT)  # the 51st
    assert p99 == pytest.approx(10.9, rel=HALF_A_PERCENT)  # the 100th
    assert p100 is None  # message 100 never reached its phone
    assert snap.last_reached_s == 10.9
    assert snap.sent == snap.reached == 100


def test_counts_at_named_moments_are_exact() -> None:
    """At 5.9 exactly: a percentile is only within half a percent, and a
    check at the edge must not pass or fail by rounding."""
    snap = reaching(101, checkpoints=(5.9, 0.5)).summary(1.0, 10.9)
    at_59, at_05 = snap.checkpoints
    assert (at_59.at_s, at_59.sent, at_59.reached) == (5.9, 100, 50)
    assert (at_05.sent, at_05.reached) == (0, 0)
    assert snap.counted_at(5.9) == at_59 and snap.counted_at(0.5) == at_05


def test_a_send_that_ends_on_a_checkpoint_counts_at_it() -> None:
    """A target of 20 minutes is met by a message sent at 20 minutes, and
    only then: a moment later counts it, a moment earlier does not, unless
    within the tolerance float sums need (a billionth of it)."""
    at_s = 1200.0
    stats = Stats(1, GROUPS, checkpoints=(
        at_s * (1 - 2 * MOMENT_TOLERANCE), math.nextafter(at_s, 0.0), at_s,
        math.nextafter(at_s, math.inf)))
    stats.add([result(0, SENT, done_at_s=at_s)])
    before, within, on, after = stats.summary(1.0, at_s).checkpoints
    assert (before.sent, within.sent, on.sent, after.sent) == (0, 1, 1, 1)


def test_only_a_checkpoint_has_exact_counts() -> None:
    snap = reaching(101, checkpoints=(5.9,)).summary(1.0, 10.9)
    with pytest.raises(KeyError, match="5.95"):
        snap.counted_at(5.95)


def test_without_a_carrier_nothing_is_reached() -> None:
    stats = Stats(10, GROUPS)
    stats.add(sends(0, SENT, 0.01, 0.02))
    snap = stats.summary(1.0, 1.0)
    assert not snap.carrier and snap.reached == 0
    assert snap.reached_at == () and snap.last_reached_s is None
    assert [g.reached for g in snap.groups] == [None, None]
