"""What counts of the results the senders post once a run is stopped:
every result up to the latest posted before the stop, and none after."""
from __future__ import annotations

import random
import threading

from sms_sim.model.message import generate_messages
from sms_sim.model.result import FAILED, RETRY, SENT, Result
from sms_sim.run.channels import Cut

MESSAGE = generate_messages(random.Random(5), 0, 1)[0]


def attempt(number: int, done_at_s: float, outcome: str) -> Result:
    return Result(message=MESSAGE, group=0, sender=1, attempts=number,
                  send_s=0.01, done_at_s=done_at_s, spent_s=0.01 * number,
                  outcome=outcome, reached_at_s=None)


def cut() -> tuple[Cut, threading.Event, threading.Event]:
    stop, complete = threading.Event(), threading.Event()
    return Cut(stop, complete), stop, complete


def test_before_a_stop_everything_is_posted() -> None:
    posting, _, _ = cut()
    results = [attempt(1, 5.0, SENT), attempt(1, 9.0, SENT)]
    assert posting.admit(results, 9.0) is results


def test_a_retry_posted_before_the_stop_brings_its_failure_after_it(
        ) -> None:
    """One sender posts a message's second attempt; the stop comes while
    the sender that decided its failed first attempt, due earlier, was
    not yet woken.  That failure is posted all the same, and what ends
    after the second attempt is not."""
    posting, stop, _ = cut()
    assert posting.admit([attempt(2, 0.30, SENT)], 0.30)
    stop.set()
    held = [attempt(1, 0.10, RETRY), attempt(1, 0.31, FAILED)]
    assert posting.admit(held, 0.31) == held[:1]
    # The cut stays where the stop found it.
    assert posting.admit([attempt(1, 0.30, SENT)], 0.30)
    assert posting.admit([attempt(1, 0.32, SENT)], 0.32) == []


def test_nothing_posted_before_the_stop_lets_nothing_after_it() -> None:
    posting, stop, _ = cut()
    stop.set()
    assert posting.admit([attempt(1, 0.0, SENT)], 0.0) == []


def test_once_every_outcome_is_known_every_attempt_counts() -> None:
    """A stop after the run is complete interrupts nothing: an attempt
    left in a late sender's hand is posted, whatever its moment."""
    posting, stop, complete = cut()
    assert posting.admit([attempt(2, 0.30, FAILED)], 0.30)
    complete.set()
    stop.set()
    late = [attempt(1, 0.10, RETRY), attempt(1, 0.50, SENT)]
    assert posting.admit(late, 0.50) is late
