"""Counts by carrier (``--carriers``): how the messages to each carrier
ended, and how many of them its daily cap refused."""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from sms_sim.model.carriers import DAILY_CAP, Carrier, Recipients
from sms_sim.model.message import recipient_bits
from sms_sim.model.result import EXPIRED, FAILED, SENT, Result


@dataclass(frozen=True, slots=True)
class CarrierCounts:
    """The messages to one carrier, by how they ended."""

    name: str
    sent: int
    failed: int
    """Failed for good, ``daily_cap`` among them."""
    expired: int
    daily_cap: int
    """Refused by the carrier's daily cap."""


class CarrierTally:
    """Counts each message's outcome under its recipient's carrier."""

    def __init__(self, carriers: Sequence[Carrier]) -> None:
        self._names = [carrier.name for carrier in carriers]
        self._bounds = Recipients(carriers).bounds
        self._counts = {outcome: [0] * len(carriers)
                        for outcome in (SENT, FAILED, EXPIRED, DAILY_CAP)}

    def add(self, results: Sequence[Result]) -> None:
        bounds, counts = self._bounds, self._counts
        for result in results:
            counted = counts.get(result.outcome)
            if counted is not None:  # not a retry
                # Recipients.of, inlined: a call fewer a message.
                index = bisect_right(bounds,
                                     recipient_bits(result.message.seed))
                counted[index] += 1
                if result.cause == DAILY_CAP:
                    counts[DAILY_CAP][index] += 1

    def counts(self) -> tuple[CarrierCounts, ...]:
        counts = self._counts
        return tuple(map(CarrierCounts, self._names, counts[SENT],
                         counts[FAILED], counts[EXPIRED], counts[DAILY_CAP]))
