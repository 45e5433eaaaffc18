"""Delivery receipts: what the SMSC finally says of each message it
accepted, and when.

A sent message's receipt is decided from its own bits (output
``RECEIPT_OUTPUT`` of its generator, which no other draw reads): the high
half picks its final state by the shares given, the low half its delay.
The receipt comes back that delay after the phone was reached, or after
the send's end where the run models no carrier.  A message whose state is
``none`` never gets a final receipt.  Only a ``delivered`` receipt (an
SMPP ``DELIVRD``) confirms delivery.
"""
from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass

from sms_sim.model.latency import Latency
from sms_sim.model.message import DRAW_UNIT, LOW_BITS, receipt_bits
from sms_sim.model.validation import ConfigError

DELIVERED = "delivered"
UNDELIVERABLE = "undeliverable"
NONE = "none"
REJECTED = "rejected"
STATES = (DELIVERED, UNDELIVERABLE, NONE, REJECTED)
"""The final states a receipt may give (SMPP's DELIVRD, UNDELIV, no final
receipt, REJECTD), in the order their shares are given and counted."""
SHARE_TOLERANCE = 1e-9
"""How far from 1 the shares may add up: decimal percents are not exact
in binary."""

Receipt = tuple[str, "float | None"]
"""A message's receipt: its state, and the simulated moment it comes back
(None for ``none``)."""


@dataclass(frozen=True, slots=True)
class Receipts:
    """The mix of final states, a share of each of ``STATES``, and the
    delay of a receipt after the phone had the message (None: none)."""

    shares: tuple[float, float, float, float]
    delay: Latency | None = None

    def __post_init__(self) -> None:
        if len(self.shares) != len(STATES):
            raise ConfigError("receipts", f"{len(STATES)} shares",
                              len(self.shares))
        for state, share in zip(STATES, self.shares):
            if not 0 <= share <= 1:  # false for nan
                raise ConfigError(state, "a share from 0% to 100%", share)
        total = math.fsum(self.shares)
        if abs(total - 1) > SHARE_TOLERANCE:
            raise ConfigError(
                "receipts", "shares that add up to 100%", total,
                f"the shares of the states add up to {total * 100:g}%, "
                "not 100%")

    def share(self, state: str) -> float:
        return self.shares[STATES.index(state)]

    def drawer(self) -> Callable[[int, float], Receipt]:
        """``(message seed, the phone's moment) -> receipt``: the pure
        function the schedule applies to each sent message."""
        bounds: list[float] = []
        total = 0.0
        for share in self.shares[:-1]:
            total += share
            bounds.append(total)
        delay = None if self.delay is None else self.delay.draw()
        last, shares = len(STATES) - 1, self.shares

        def receipt(seed: int, reached_s: float) -> Receipt:
            bits = receipt_bits(seed)
            u = (bits >> 32) * DRAW_UNIT
            index = 0
            while index < last and u >= bounds[index]:
                index += 1
            # A state of share 0 is passed over (its bound equals the one
            # before); the float sums may leave the last one a sliver,
            # which goes to the nearest state before it with a share.
            while not shares[index]:
                index -= 1
            state = STATES[index]
            if state == NONE:
                return state, None
            if delay is None:
                return state, reached_s
            return state, reached_s + delay((bits & LOW_BITS) * DRAW_UNIT)

        return receipt


def stamper(receipts: Receipts, confirmed: list[float]
            ) -> Callable[[int, float], Receipt]:
    """``(message seed, the phone's moment) -> receipt`` of a sent message,
    the schedule's hook.  A delivered receipt's moment goes on the heap
    ``confirmed`` (``Ranked.waiting``): it may come long after the
    low-water mark."""
    receipt = receipts.drawer()

    def stamp(seed: int, reached_s: float) -> Receipt:
        state, at_s = receipt(seed, reached_s)
        if state == DELIVERED and at_s is not None:
            heapq.heappush(confirmed, at_s)
        return state, at_s

    return stamp
