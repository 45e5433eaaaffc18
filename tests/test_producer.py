"""The producer: every message once, in order, as the inbox has room."""
from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from sms_sim.model.message import GENERATE_CHUNK, Message, generate_messages
from sms_sim.run.channels import Channels, Stopped
from sms_sim.run.producer import produce
from tests.helpers import TIMEOUT_S, until


@contextmanager
def producing(total: int, inbox: int = 1000, seed: int = 1
              ) -> Iterator[tuple[Channels, threading.Thread]]:
    """A producer thread over a fresh inbox.  On the way out, however the
    test went, the run is stopped and the thread joined: a failing
    assertion never leaves it waiting on a full inbox."""
    channels = Channels.create(inbox, threading.Event())
    thread = threading.Thread(
        target=produce, args=(channels, random.Random(seed), total),
        daemon=True)
    thread.start()
    try:
        yield channels, thread
    finally:
        channels.stop.set()
        thread.join(TIMEOUT_S)
        assert not thread.is_alive(), "the producer did not stop"


def take_all(channels: Channels) -> list[Message]:
    """Take chunks, as the schedule does, until the end of the inbox."""
    taken: list[Message] = []
    while (chunk := channels.take_fresh()) is not None:
        taken += chunk
    return taken


def test_every_message_once_in_id_order_then_the_end() -> None:
    with producing(1000, inbox=2) as (channels, thread):
        messages = take_all(channels)
        thread.join(TIMEOUT_S)
        assert not thread.is_alive()  # it ends by itself after the last
    assert [m.id for m in messages] == list(range(1000))


def test_the_seed_fixes_the_messages_chunk_by_chunk() -> None:
    rng = random.Random(7)
    expected = [m for first in range(0, 600, GENERATE_CHUNK)
                for m in generate_messages(
                    rng, first, min(GENERATE_CHUNK, 600 - first))]
    with producing(600, inbox=1, seed=7) as (channels, _):
        assert take_all(channels) == expected


def test_memory_stays_flat_with_a_bounded_inbox() -> None:
    with producing(10 ** 9, inbox=3) as (channels, thread):
        until(channels.inbox.full)
        # Full, it blocks instead of running away with memory.
        assert thread.is_alive() and channels.inbox.qsize() == 3


def test_zero_messages_is_the_end_at_once() -> None:
    with producing(0) as (channels, _):
        assert channels.take_fresh() is None


def test_a_stopped_run_takes_no_more_fresh_messages_and_never_waits() -> None:
    """Once stopped, taking raises at once, even with messages in the
    inbox: senders pass through it one at a time under the schedule's
    lock, and a wait each made a stop with 1000 senders take minutes."""
    channels = Channels.create(2, threading.Event())
    channels.inbox.put(generate_messages(random.Random(1), 0, 3))
    channels.stop.set()
    with pytest.raises(Stopped):
        channels.take_fresh()
    assert channels.inbox.qsize() == 1  # nothing was taken, or waited for
