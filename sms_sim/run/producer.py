"""The producer: streams generated messages into the bounded inbox."""
from __future__ import annotations

import queue
import random
from itertools import islice

from sms_sim.model.message import GENERATE_CHUNK, Message, generate_messages
from sms_sim.model.texts import Texts
from sms_sim.model.traffic import Traffic
from sms_sim.run.channels import Channels
from sms_sim.run.tuning import POLL_S


def produce(channels: Channels, rng: random.Random, num_messages: int,
            texts: Texts | None = None, seed: int | None = None) -> None:
    """Fill the inbox with ``num_messages`` fresh messages in id order, a
    chunk at a time, then ``None``; return early if the run is stopped.
    The inbox is bounded, so this runs only as far ahead of the senders as
    it holds.  With ``texts``, the messages carry those, in the order
    they say (at random: from the run's ``seed``)."""
    texts_rng = Texts.generator(seed)
    next_id = 0
    while next_id < num_messages:
        chunk = generate_messages(
            rng, next_id, min(GENERATE_CHUNK, num_messages - next_id))
        if texts is not None:
            chunk = texts.carried(chunk, texts_rng)
        if not _put(channels, chunk):
            return
        next_id += len(chunk)
    _put(channels, None)


def produce_traffic(channels: Channels, rng: random.Random,
                    traffic: Traffic, texts: Texts | None = None,
                    seed: int | None = None) -> None:
    """``produce``, for messages that arrive over time: in order of
    arrival across the classes (ids in that order), each carrying its
    class and its moment.  The arrivals are made as the chunks are, so
    memory stays flat however long the streams."""
    texts_rng = Texts.generator(seed)
    arrivals = traffic.arrivals()
    next_id = 0
    while chunk_arrivals := list(islice(arrivals, GENERATE_CHUNK)):
        chunk = generate_messages(rng, next_id, len(chunk_arrivals),
                                  chunk_arrivals)
        if texts is not None:
            chunk = texts.carried(chunk, texts_rng)
        if not _put(channels, chunk):
            return
        next_id += len(chunk)
    _put(channels, None)


def _put(channels: Channels, item: list[Message] | None) -> bool:
    """Put ``item``, blocking while the inbox is full, for at most
    ``POLL_S`` at a time between looks at ``stop``; False if the run was
    stopped first (the item stays unsent)."""
    while not channels.stop.is_set():
        try:
            channels.inbox.put(item, timeout=POLL_S)
            return True
        except queue.Full:
            continue
    return False
