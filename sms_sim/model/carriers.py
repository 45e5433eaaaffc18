"""Carriers (``--carriers``): each message's recipient is on one carrier,
which may cap the pace of sends to it, their count per day, add its own
delay to the phone and drop a share of them.

The rules, each applied by :class:`CarrierLines` for the schedule:

- a message's carrier is drawn from its own bits (``recipient_draw``),
  by the carriers' shares in the order given;
- a carrier's cap (``cap``) is a slot taken in order of start, as
  ``--max-rate`` is, but for its messages only: each carrier has its own
  line, and a message held back by its carrier's cap holds back no
  message to another carrier.  A send that could start at ``t`` takes,
  of everything it could send (a held message, or the next one the
  schedule's line gives), the one that can start first, the held ones
  first at a tie; within a carrier, messages keep their order;
- a carrier's daily cap (``daily``) counts its messages sent in each
  simulated day from t=0; once reached, a message to it that would start
  that day fails for good, as ``daily-cap``, then, with no attempt: its
  sender stays free;
- a carrier's drop share (``fail``) fails that share of the attempts the
  senders would have sent: the attempt's failure rate ``r`` becomes
  ``r + (1 - r) * fail``, one draw deciding both;
- a carrier's delay (``delay``) replaces ``--carrier-delay`` for it.

Thread safety: used only inside ``Schedule.decide``, under its lock.
"""
from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sms_sim.model.held import HeldLine
from sms_sim.model.latency import Draw, Latency
from sms_sim.model.lines import Fresh, Lines, Taken
from sms_sim.model.message import DRAW_UNIT, Message, recipient_bits
from sms_sim.model.result import FAILED, NO_GROUP, Result
from sms_sim.model.retries import RetryLine
from sms_sim.model.route import check_name
from sms_sim.model.validation import ConfigError, check_rate, check_share

DAILY_CAP = "daily-cap"
"""The failure kind of an attempt past its carrier's daily cap."""
DAY_S = 86400.0
SHARE_TOLERANCE = 1e-9
"""How far from 1 the shares may sum: decimal percentages are not exact
in binary."""


@dataclass(frozen=True, slots=True)
class Carrier:
    """One carrier, as ``--carriers NAME=SHARE,...`` gives it."""

    name: str
    share: float
    """Its share of the recipients, from 0 to 1."""
    cap: float | None = None
    """The most sends to it that start a second, across the account."""
    daily: int | None = None
    """The most messages to it sent in a simulated day."""
    delay: Latency | None = None
    """Its delay to the phone; None for ``--carrier-delay``'s."""
    fail: float = 0.0
    """The share of attempts to it that it drops."""

    def __post_init__(self) -> None:
        check_name(self.name)
        if not (math.isfinite(self.share) and 0 < self.share <= 1):
            raise ConfigError("share", "a share above 0% and at most 100%",
                              f"{self.share * 100:.6g}%")  # as written
        check_rate("cap", self.cap, "sends a second")
        if self.daily is not None and self.daily < 1:
            raise ConfigError("daily", "an integer of at least 1",
                              self.daily)
        check_share("fail", self.fail)


def check_carriers(carriers: Sequence[Carrier]) -> None:
    """Distinct names, and shares that add up to 100%."""
    names = [carrier.name for carrier in carriers]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise ConfigError("carriers", "carriers of distinct names", name)
    total = math.fsum(carrier.share for carrier in carriers)
    if carriers and abs(total - 1) > SHARE_TOLERANCE:
        raise ConfigError("carriers", "shares that add up to 100%",
                          f"{total * 100:.6g}%")


class Recipients:
    """Which carrier each message's recipient is on."""

    def __init__(self, carriers: Sequence[Carrier]) -> None:
        bounds, total = [], 0.0
        for carrier in carriers[:-1]:
            total += carrier.share
            bounds.append(total)
        # The last carrier takes the rest: float sums stop short of 1.
        # As multiples of DRAW_UNIT, compared with the draw's 32 bits: the
        # same comparisons, as the scale is a power of 2 (a multiply less).
        self.bounds = [bound / DRAW_UNIT for bound in bounds]

    def of(self, message: Message) -> int:
        """The index of ``message``'s carrier."""
        return bisect.bisect_right(self.bounds, recipient_bits(message.seed))


class CarrierLines:
    """The schedule's line (``lines.py``) seen through the carriers: the
    held messages of each capped carrier, their slots and day counts."""

    def __init__(self, lines: Lines, carriers: Sequence[Carrier],
                 default_delay: Latency | None, per_segment: bool,
                 keep_phones: bool = True, keep_arrivals: bool = False
                 ) -> None:
        """``keep_phones``, ``keep_arrivals``: what a held message keeps
        (``held.py``)."""
        self._lines = lines
        self._take_line = lines.taker()
        self._bounds = Recipients(carriers).bounds
        self._gaps = [0.0 if c.cap is None else 1 / c.cap for c in carriers]
        self._slots = [0.0] * len(carriers)
        self._all_capped = all(c.cap is not None for c in carriers)
        self._held = [HeldLine(keep_phones, keep_arrivals) for _ in carriers]
        self._counts = [0] * len(carriers)
        """How many each line holds: read without a call of Python code
        (a line's len() is one)."""
        self._holding: list[int] = []
        """The carriers whose lines hold any, in order."""
        self._firsts = [math.inf] * len(carriers)
        """When each line's first was ready, while it holds any: read
        without a call (a line's ``first_ready_s`` is one)."""
        self._daily = [c.daily for c in carriers]
        self._day = [0] * len(carriers)
        self._sent_today = [0] * len(carriers)
        self._drops = [c.fail for c in carriers]
        # A carrier's own delay needs --carrier-delay, the others'
        # (SimulationConfig checks it): without, no run reaches phones.
        default = None if default_delay is None else default_delay.draw()
        self._delays: list[Draw | None] = [
            default if c.delay is None else c.delay.draw()
            for c in carriers]
        self._per_segment = per_segment
        self.carrier = 0
        """The carrier of what ``take`` gave last."""
        self._undo: tuple[int, float, bool] = (0, 0.0, False)
        self._taken: Taken | None = None
        self.capped = False
        """Whether what ``take`` gave last starts at its carrier's slot,
        after it was ready (its cap held it: ``limits.py``)."""

    def take(self, earliest_s: float, retries: RetryLine) -> Taken | None:
        """What a sender that could start at ``earliest_s`` sends next
        (the module's rule), its start after its carrier's slot; its
        carrier is then ``self.carrier``.  None once nothing is left.  A
        message held past its class's validity expires (``lines.py``)."""
        while True:
            taken, index, start_s, held = self._choose(earliest_s, retries)
            if taken is None:
                return None
            if held and self._lines.lapsed(taken, start_s):
                continue
            # Its carrier's slot taken (inlined: one a take).
            slot_s = self._slots[index]
            self._undo = (index, slot_s, held)
            self.capped = held and start_s == slot_s \
                and start_s > taken.ready_s
            self._slots[index] = start_s + self._gaps[index] * (
                taken.message.form.segments if self._per_segment else 1)
            if start_s != taken.start_s:  # held: a copy costs the others
                # Built whole: half the time of ``_replace``.
                taken = Taken(taken.message, taken.attempt, taken.spent_s,
                              start_s, taken.ready_s, taken.retried)
            self.carrier, self._taken = index, taken
            return taken

    def _choose(self, earliest_s: float, retries: RetryLine
                ) -> tuple[Taken | None, int, float, bool]:
        """``take``'s choice, validity aside: what, its carrier, its
        start, and whether it was held."""
        lines, take = self._lines, self._take_line
        exact = lines.exact_next
        best, best_s = -1, math.inf
        counts, slots, firsts = self._counts, self._slots, self._firsts
        for index in self._holding:  # often none; by index, for ties
            start_s = max(firsts[index], slots[index], earliest_s)
            if start_s < best_s:
                best, best_s = index, start_s
        while True:
            if best >= 0:
                # A held one that starts first: no take of the line's
                # next and no put-back; one that can start at once, as
                # nothing in line starts before earliest_s, without even
                # asking when the line's next could (``benchmarks/
                # README.md``).
                next_s = earliest_s if best_s <= earliest_s and exact \
                    else lines.next_start(earliest_s, retries)
                if next_s is not None and best_s <= next_s:
                    return self._pop(best, best_s), best, best_s, True
            taken = take(earliest_s, retries)
            if taken is None or best_s <= taken.start_s:
                if taken is not None:
                    lines.put_back(taken, retries)
                if best < 0:
                    return None, 0, 0.0, False
                return self._pop(best, best_s), best, best_s, True
            index = bisect.bisect_right(self._bounds,
                                        recipient_bits(taken.message.seed))
            if not counts[index] and slots[index] <= taken.start_s:
                return taken, index, taken.start_s, False
            # Held back by its carrier's cap: in that carrier's line.
            self._hold(index, taken)
            start_s = max(firsts[index], slots[index], earliest_s)
            if start_s < best_s:
                best, best_s = index, start_s
            if self._all_capped and all(
                    count or slot_s >= best_s
                    for count, slot_s in zip(counts, slots)):
                # Whatever the line gives next would go behind a held
                # one or wait for its slot: none starts before the best,
                # and the rest stay in the line, not all held at once.
                # (With a carrier uncapped, its next message ends the
                # search: the test would cost more than it saves.)
                return self._pop(best, best_s), best, best_s, True

    def _hold(self, index: int, taken: Taken) -> None:
        """Hold ``taken`` at the back of carrier ``index``'s line."""
        self._held[index].append(taken)
        if not self._counts[index]:
            self._firsts[index] = taken.ready_s
            bisect.insort(self._holding, index)
        self._counts[index] += 1

    def _pop(self, index: int, start_s: float) -> Taken:
        """The oldest message held for carrier ``index``, out of line, to
        start at ``start_s``."""
        line = self._held[index]
        taken = line.popleft(start_s)
        self._counts[index] -= 1
        if self._counts[index]:
            self._firsts[index] = line.first_ready_s
        else:
            self._holding.remove(index)
        return taken

    @property
    def expired(self) -> list[Result]:
        """The line's expiries (its class's validity, ``lines.py``)."""
        return self._lines.expired

    @expired.setter
    def expired(self, results: list[Result]) -> None:
        self._lines.expired = results

    def put_back(self, taken: Taken, retries: RetryLine) -> None:
        """Put what ``take`` just gave back where it was, its carrier's
        slot given back (its sender's route is closed then)."""
        index, slot_s, was_held = self._undo
        self._slots[index] = slot_s
        if was_held:  # at the front again: the first of its line
            self._held[index].appendleft(taken)
            if not self._counts[index]:
                bisect.insort(self._holding, index)
            self._counts[index] += 1
            self._firsts[index] = taken.ready_s
        else:
            self._lines.put_back(taken, retries)

    def rest(self, taken: Taken | None,
             retries: list[tuple[Message, int, float]]) -> list[Message]:
        """Nothing can start any more: the messages in hand, held ones
        too, as ``Lines.rest`` gives them."""
        rest = self._lines.rest(taken, retries)
        self._counts = [0] * len(self._held)
        self._holding.clear()
        for line in self._held:
            for held in line.drain():
                if not held.retried:
                    rest.append(held.message)
                else:
                    retries.append(held[:3])
        return rest

    def over_daily(self, start_s: float) -> bool:
        """Whether the last message taken, starting at ``start_s``, is past
        its carrier's daily cap."""
        index = self.carrier
        cap = self._daily[index]
        if cap is None:
            return False
        day = int(start_s // DAY_S)
        if day != self._day[index]:
            self._day[index], self._sent_today[index] = day, 0
        return self._sent_today[index] >= cap

    def refused(self) -> Result:
        """The last message taken, past its carrier's daily cap: failed
        for good, at its start, with no attempt, and so in no group's or
        sender's hands (as an expiry)."""
        taken = self._taken
        assert taken is not None
        return Result(taken.message, NO_GROUP, 0, taken.attempt - 1, None,
                      taken.start_s, taken.spent_s, FAILED, None, DAILY_CAP)

    def failure_rate(self, rate: float) -> float:
        """A sender's failure ``rate`` with the last carrier's drops."""
        drop = self._drops[self.carrier]
        return rate + (1 - rate) * drop if drop else rate

    def sent(self) -> Draw | None:
        """Count a send of the last message taken (its day is the one
        ``over_daily`` read); its carrier's delay, None without one."""
        self._sent_today[self.carrier] += 1
        return self._delays[self.carrier]


def lines_of(fresh: Fresh, lines: Lines | None, carriers: Sequence[Carrier],
             delay: Latency | None, per_segment: bool,
             keep_phones: bool = True
             ) -> tuple[Lines | CarrierLines | None, CarrierLines | None]:
    """The schedule's line (None for its own, when every message is
    there at 0 and to no carrier), and the same seen through the
    carriers (None without ``--carriers``).  ``lines``: the traffic
    classes' line, None without ``--traffic``."""
    if not carriers:
        return lines, None
    seen = CarrierLines(lines or Lines(fresh), carriers, delay, per_segment,
                        keep_phones, lines is not None)
    return seen, seen
