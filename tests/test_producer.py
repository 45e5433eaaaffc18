"""The producer: fresh messages as room appears, retries when due."""
from __future__ import annotations

import random
import threading

from sms_sim.channels import Channels, Retry, Work
from sms_sim.clock import SimClock
from sms_sim.message import generate_messages
from sms_sim.producer import Producer
from tests.helpers import TIMEOUT_S, drained, until


class Clock:
    """Simulated time that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def producer(total: int, batch: int = 3, inbox: int = 1000,
             clock: Clock | None = None,
             retries: bool = True) -> tuple[Producer, Channels]:
    channels = Channels.create(inbox, threading.Event())
    producer = Producer(channels, SimClock(0.0, 1.0, clock or Clock()),
                        random.Random(1), total, batch, retries=retries)
    return producer, channels


def run_until(producer: Producer, channels: Channels,
              done: threading.Event | None = None) -> None:
    """Run ``producer`` in a thread; end it once ``done`` is set (at once
    when None), as the run does."""
    thread = threading.Thread(target=producer.run)
    thread.start()
    if done is not None:
        assert done.wait(TIMEOUT_S)
    channels.release()
    thread.join(TIMEOUT_S)
    assert not thread.is_alive()


def fill(channels: Channels, count: int) -> threading.Event:
    """An Event set once the inbox holds ``count`` items."""
    full = threading.Event()

    def watch() -> None:
        until(lambda: channels.inbox.qsize() >= count)
        full.set()

    threading.Thread(target=watch, daemon=True).start()
    return full


def works(channels: Channels) -> list[Work]:
    return [w for w in drained(channels.inbox) if w is not None]


def test_every_message_in_order_in_batches_to_the_end() -> None:
    # Which thread holds a batch never changes the simulated schedule (any
    # thread sends for the sender free first), so batches never shrink.
    one, channels = producer(100, batch=8)
    run_until(one, channels, fill(channels, 13))
    batches = works(channels)
    assert [m.id for w in batches for m in w.fresh] == list(range(100))
    assert all(w.retries == [] for w in batches)
    assert [len(w.fresh) for w in batches] == [8] * 12 + [4]


def test_without_retries_the_inbox_ends_after_the_last_message() -> None:
    one, channels = producer(10, batch=4, retries=False)
    thread = threading.Thread(target=one.run)
    thread.start()
    thread.join(TIMEOUT_S)  # it ends by itself: no retry can come back
    assert not thread.is_alive()
    items = drained(channels.inbox)
    assert items[-1] is None
    assert [len(w.fresh) for w in items[:-1] if w is not None] == [4, 4, 2]


def consume(channels: Channels,
            count: int) -> tuple[list[Work], threading.Event]:
    """Take work off the inbox, as senders do, until ``count`` messages
    came; the Event is set then."""
    taken: list[Work] = []
    done = threading.Event()

    def take() -> None:
        while sum(len(w.fresh) + len(w.retries) for w in taken) < count:
            work = channels.inbox.get(timeout=TIMEOUT_S)
            assert work is not None
            taken.append(work)
        done.set()

    threading.Thread(target=take, daemon=True).start()
    return taken, done


def test_messages_do_not_depend_on_batch_size() -> None:
    def messages(batch: int) -> list[tuple[int, str, int]]:
        one, channels = producer(600, batch=batch, inbox=2)
        taken, done = consume(channels, 600)
        run_until(one, channels, done)
        return [(m.id, m.text, m.seed) for w in taken for m in w.fresh]

    first = messages(1)
    assert len(first) == 600 and len(set(first)) == 600
    assert messages(7) == first


def test_memory_stays_flat_with_a_bounded_inbox() -> None:
    one, channels = producer(10 ** 9, batch=4, inbox=5)
    run_until(one, channels, fill(channels, 5))
    assert len(works(channels)) == 5  # and the producer did not run away


def test_a_retry_goes_back_in_line_when_its_backoff_ends() -> None:
    clock = Clock()
    one, channels = producer(0, clock=clock)
    message = generate_messages(random.Random(2), 0, 1)[0]
    retry = (5.0, message, 2, 0.01)
    thread = threading.Thread(target=one.run)
    thread.start()
    channels.retries.put([retry])
    # Before its time the producer holds it, however often it looks: each
    # None wakes it once, and it has looked once the queue is empty.
    for _ in range(3):
        channels.retries.put(None)
        until(channels.retries.empty)
    assert channels.inbox.empty()
    clock.now = 5.0
    channels.retries.put(None)
    assert channels.inbox.get(timeout=TIMEOUT_S) == Work([], [retry])
    channels.release()
    thread.join(TIMEOUT_S)
    assert not thread.is_alive()


def test_due_retries_go_in_line_earliest_first_a_batch_at_a_time() -> None:
    clock = Clock()
    clock.now = 5.0
    one, channels = producer(0, batch=3, clock=clock)
    messages = generate_messages(random.Random(2), 0, 5)

    def retry(ready_at_s: float, index: int) -> Retry:
        return (ready_at_s, messages[index], 2, 0.0)

    # Two senders' lists, each in its own order, interleaved in time.
    channels.retries.put([retry(3.0, 0), retry(1.0, 1), retry(9.0, 2)])
    channels.retries.put([retry(4.0, 3), retry(2.0, 4)])
    thread = threading.Thread(target=one.run)
    thread.start()
    batches = [channels.inbox.get(timeout=TIMEOUT_S) for _ in range(2)]
    assert [[r[0] for r in w.retries] for w in batches if w] == \
        [[1.0, 2.0, 3.0], [4.0]]
    assert channels.inbox.empty()  # 9.0 is not due yet
    clock.now = 9.0
    channels.retries.put(None)
    last = channels.inbox.get(timeout=TIMEOUT_S)
    assert last is not None and last.retries == [retry(9.0, 2)]
    channels.release()
    thread.join(TIMEOUT_S)
    assert not thread.is_alive()


def test_it_ends_when_released_even_with_nothing_to_do() -> None:
    one, channels = producer(0)
    run_until(one, channels)
    assert works(channels) == []
