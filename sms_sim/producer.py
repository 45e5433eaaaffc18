"""The producer: streams generated messages into the bounded inbox."""
from __future__ import annotations

import queue
import random
import threading

from sms_sim.message import Message, generate_messages

Batch = list[Message]
Inbox = queue.Queue["Batch | None"]
"""Batches of messages; ``None`` tells the sender that takes it to finish."""

GENERATE_CHUNK = 256
"""Messages generated per call: large enough that the bulk generator's
per-call cost vanishes, small enough that the first batch is ready at once.
Fixed, so that a seed gives the same messages whatever the batch size."""

POLL_S = 0.1
"""Longest a producer or sender blocks on the inbox before it looks at the
stop Event again: the bound on how long an interrupt can go unnoticed by a
thread that is waiting for the inbox rather than simulating a send."""


def put_unless_stopped(inbox: Inbox, item: Batch | None,
                       stop: threading.Event, poll_s: float = POLL_S) -> bool:
    """Put ``item``, blocking while the inbox is full; False if stopped first.

    Blocks at most ``poll_s`` at a time between looks at ``stop``.
    """
    while not stop.is_set():
        try:
            inbox.put(item, timeout=poll_s)
            return True
        except queue.Full:
            continue
    return False


def produce(inbox: Inbox, stop: threading.Event, rng: random.Random,
            num_messages: int, batch_size: int, num_senders: int,
            poll_s: float = POLL_S) -> None:
    """Fill ``inbox`` with ``num_messages`` messages, then one ``None`` per
    sender, so that each sender finishes after the last message.

    Memory stays flat however many messages are asked for, because the inbox
    is bounded and messages are generated only as room appears.  Once
    ``stop`` is set it stops producing and releases idle senders at once.
    """
    for first_id in range(0, num_messages, GENERATE_CHUNK):
        chunk = generate_messages(
            rng, first_id, min(GENERATE_CHUNK, num_messages - first_id))
        for start in range(0, len(chunk), batch_size):
            if not put_unless_stopped(
                    inbox, chunk[start:start + batch_size], stop, poll_s):
                _release_idle_senders(inbox, num_senders)
                return
    for _ in range(num_senders):
        if not put_unless_stopped(inbox, None, stop, poll_s):
            _release_idle_senders(inbox, num_senders)
            return


def _release_idle_senders(inbox: Inbox, num_senders: int) -> None:
    """Wake senders blocked on an empty inbox without waiting for their
    next look at ``stop``.  Never blocks: a full inbox means no sender is
    idle, and busy senders see ``stop`` after their current message."""
    for _ in range(num_senders):
        try:
            inbox.put_nowait(None)
        except queue.Full:
            return
