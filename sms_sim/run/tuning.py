"""Every performance setting of a run, and the index of every performance
trick in the code, each with the reason it exists.

A run's settings are computed once, from its config, as one frozen
:class:`Tuning` that the threads receive.  Each is measured by a case of
``benchmarks/bench.py`` (whole runs) or ``benchmarks/micro.py`` (the trick
against the plain way); ``benchmarks/README.md`` holds the figures.  The
tricks that live in code rather than in a number, and their micro cases:

- the stop signal's per-thread locks: ``stop.StopEvent`` (``stop_event``);
- generation a chunk at a time in C: ``message.generate_messages``
  (``generation``); messages as NamedTuples: ``message.Message``
  (``message_tuple``), built there from zip's tuples by
  ``tuple.__new__`` (``message_columns``);
- draws from the message's own bits, wyrand after the first attempt (and
  inlined in ``attempt_bits`` and ``recipient_bits``), a failure's
  future from its own fail draw: ``message`` (``wyrand``);
- decisions in batches under the schedule's one lock, the first attempt's
  draws and the uniform shape inlined, results built by position there
  only, from a tuple of every field:
  ``schedule.Schedule._decide`` (``decision_batches``,
  ``result_by_position``, ``result_of``); the arithmetic of a start, the
  account's slot, a sender's free moment and a retry's due moment inlined
  there (``schedule_inlined``);
  retries as plain tuples in its heap (``retry_tuple``), sealed a
  thousand at a time into runs of columns in arrays, for memory:
  ``retries.RetryLine`` (``bench.py``, case ``retry_memory``);
- the carriers that hold messages and when each one's first was ready
  kept in hand, and a held message that can start at once taken without
  asking when the line's next could: ``carriers.CarrierLines``
  (``bench.py``, case ``routes_carriers``);
- the clock read only when a result may lie beyond the slack, a batch
  taken whole when all of it is due: ``sender.Sender._release``;
- histograms fed sorted batches, two searches per bucket a batch touches:
  ``histogram.Histogram.add`` (``histogram_batches``);
- senders as daemon threads: ``simulation.run`` (``daemon_threads``);
- results in flight bounded for the whole fleet, a sender reserving room
  before it decides, and a sender thread started only while it would
  find room: ``channels.InFlight``, ``simulation.run`` (``bench.py``,
  cases ``memory``, ``saturation`` and ``10k_senders``);
- no ``secrets`` (it loads OpenSSL): ``simulation.with_seed``,
  ``files``;
- the collector's threshold and the switch interval below, set by the
  command line and the planner's runs only, as they are process-wide
  (``gc_threshold``; ``bench.py``, case ``saturation``).
"""
from __future__ import annotations

import gc
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sms_sim.model.config import SimulationConfig
from sms_sim.model.message import GENERATE_CHUNK

POLL_S = 0.1
"""Longest the producer blocks on the inbox, a sender on the producer,
and the main thread on a thread it joins, before each looks again at the
stop signal (or, for the main thread, at a signal): the bound on how long
an interrupt can go unnoticed."""

MONITOR_POLL_S = 0.05
"""How often the monitor drains the result queues between reports.  It is
not woken by each result (at a hundred thousand results a second that would
be a hundred thousand wake-ups), so this bounds how long results wait
unread and the memory they hold meanwhile."""

WAKE_BUDGET_PER_S = 10_000
"""Timed wake-ups per real second that the senders may cost together.

Each wake-up passes the interpreter lock, so past a few ten thousand a
second they, not the simulation, decide how fast a run goes.  A sender
that would wake more often releases several results per wake-up instead
(see ``Tuning.slack_s``)."""

MAX_SLACK_S = 0.05
"""The most real time by which a result may come out before its simulated
moment."""

INBOX_MESSAGES = 4096
"""Fresh messages the inbox holds at most (about 1 MB): enough that the
producer works in long bursts, few enough that memory stays flat whatever
the run's size (``benchmarks/README.md``, the memory and zero-delay
cases)."""

MAX_BATCH = 128
DECISIONS_PER_S = 2_500
"""Times a second that the senders may take the schedule's lock together.

Each take is a lock round trip that may wake a thread.  When senders
together decide faster than this, each take makes several decisions; at
ordinary rates each makes one, so that no sender sits on decisions another
could be carrying out.  A paced sender holds its decisions until they are
due, so the results in flight keep about ``IN_FLIGHT_RESULTS / batch``
sender threads busy: larger batches start fewer threads, each a stack
and a thread state, and fall less behind (``benchmarks/README.md``)."""

IN_FLIGHT_RESULTS = 2048
"""Results that the whole fleet may have in flight, decided and not yet
taken by the monitor: in a sender's hand or on the queues.  Each holds
its message, so this, not the number of senders, bounds the memory that
decisions hold.  A sender reserves room before it decides and waits,
holding nothing, while there is none (``channels.InFlight``)."""


@dataclass(frozen=True, slots=True)
class Tuning:
    """A run's performance settings, computed once from its config."""

    batch: int
    """Most decisions a sender makes per take of the schedule's lock."""
    inbox_items: int
    """Chunks of fresh messages the inbox holds."""
    in_flight: int
    """Results decided and not yet taken by the monitor, for the whole
    fleet (``IN_FLIGHT_RESULTS``)."""
    slack_s: float
    """How early, in *simulated* seconds, a sender may release a result."""

    @classmethod
    def of(cls, config: SimulationConfig) -> Tuning:
        periods = _release_periods(config)
        return cls(batch=_batch(config, periods),
                   inbox_items=max(1, INBOX_MESSAGES // GENERATE_CHUNK),
                   in_flight=IN_FLIGHT_RESULTS,
                   slack_s=_slack_s(config, periods))


def _release_periods(config: SimulationConfig) -> list[float]:
    """Simulated seconds between one sender's results, per group, when the
    sender keeps pace: its mean, or what its caps allow if that is longer.
    Zero for a group whose senders never wait."""
    periods = []
    for group in config.groups:
        period = group.send.mean_s
        if group.tps is not None:
            period = max(period, 1 / group.tps)
        if config.gateway.max_rate is not None:
            period = max(period, config.num_senders / config.gateway.max_rate)
        periods.append(period)
    return periods


def _slack_s(config: SimulationConfig, periods: list[float]) -> float:
    """A sender that has to wait sleeps until its current result is due,
    then releases every further result due within the slack without
    sleeping.  Sharing ``WAKE_BUDGET_PER_S`` among the senders gives each a
    wake-up every ``senders / budget`` real seconds at most; the slack is
    what is left of that window after one send, so runs that fit the
    budget get none.  Small next to a send wherever the machine allows,
    and never more than ``MAX_SLACK_S`` of real time; none when nothing
    waits (``--speed max``)."""
    if not config.paced:
        return 0.0
    window_s = config.num_senders / WAKE_BUDGET_PER_S
    needed = max((window_s - period / config.speed
                  for period in periods if period > 0), default=0.0)
    return min(max(needed, 0.0), MAX_SLACK_S) * config.speed


def _batch(config: SimulationConfig, periods: list[float]) -> int:
    """Enough decisions per take to hold the takes to
    ``DECISIONS_PER_S`` when every sender keeps pace."""
    demand_per_s = 0.0
    for group, period in zip(config.groups, periods):
        demand_per_s += (group.count * config.speed / period if period > 0
                         else math.inf)
    if demand_per_s >= DECISIONS_PER_S * MAX_BATCH:  # also inf, and max
        return MAX_BATCH
    return max(1, math.ceil(demand_per_s / DECISIONS_PER_S))


GC_YOUNG_THRESHOLD = 10_000
"""Allocations between collections of the youngest generation (CPython's
default is 700).  A run allocates several tuples and lists per message and
frees every one by reference counting, none in a cycle, so the collector
finds nothing to collect, however often it looks; each look costs the
run time (``benchmarks/micro.py``, case ``gc_threshold``: a whole run,
as the gain is in its mix of work).  A process-wide setting: the command
line and the planner's runs apply it, never the library."""


def gc_thresholds(current: tuple[int, int, int]) -> tuple[int, int, int]:
    """The collector's thresholds for a run: the youngest generation's
    raised to ``GC_YOUNG_THRESHOLD``, never lowered; the others kept."""
    return (max(current[0], GC_YOUNG_THRESHOLD), current[1], current[2])


SWITCH_INTERVAL_PER_SENDER_S = 50e-6
"""The interpreter's switch interval a run asks for, per sender thread
(``switch_interval_s``)."""

MAX_SWITCH_INTERVAL_S = 0.05
"""The longest switch interval asked for: how long a thread that holds the
interpreter lock may keep it from one that waits, the monitor among them.
"""


def switch_interval_s(senders: int, current_s: float) -> float:
    """The interpreter's switch interval for a run of ``senders`` sender
    threads: 50 us each, up to 50 ms, and never shorter than it was.

    The switch interval is also how often each thread that waits for the
    interpreter lock asks its holder to let go.  With a thousand paced
    senders, hundreds wake at once, and at CPython's 5 ms their requests
    hand the lock round in futile switches that fill both cores
    (``bench.py``, cases ``saturation`` and ``many_senders``).  No sender
    waits longer for its turn: a sender lets go of the lock to wait long
    before an interval runs out.  A process-wide setting, like the
    collector's: the command line and the planner's runs apply it, never
    the library."""
    return max(current_s, min(senders * SWITCH_INTERVAL_PER_SENDER_S,
                              MAX_SWITCH_INTERVAL_S))


@contextmanager
def interpreter_tuned(senders: int) -> Iterator[None]:
    """The collector's thresholds and the switch interval suited to a run
    of ``senders`` sender threads, process-wide, and restored after.  For
    the command line and the planner's runs, which own their process;
    never the library's ``simulation.run``."""
    thresholds, interval_s = gc.get_threshold(), sys.getswitchinterval()
    gc.set_threshold(*gc_thresholds(thresholds))
    sys.setswitchinterval(switch_interval_s(senders, interval_s))
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        sys.setswitchinterval(interval_s)
