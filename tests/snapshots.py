"""Figures the text and JSON tests share: a run midway, one done, and
one with every kind of figure the final report has."""
from __future__ import annotations

from sms_sim.measure.histogram import Bin
from sms_sim.measure.progress import GroupCounts, Progress
from sms_sim.measure.stats import Stats
from sms_sim.measure.summary import Summary
from sms_sim.model.config import SenderGroup
from sms_sim.model.encoding import ONE_GSM7
from sms_sim.model.message import Message
from sms_sim.model.result import EXPIRED, FAILED, RETRY, SENT, Result

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


def result(message_id: int, outcome: str, group: int, attempts: int,
           send_s: float | None, done_at_s: float) -> Result:
    return Result(message=Message(message_id, "555-000-0000", "alert", 0,
                                  ONE_GSM7),
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
