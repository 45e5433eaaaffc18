"""Every performance setting of a run, each with the reason it exists.

The measurements behind the numbers are in the README ("What made the
difference"), where they are kept up to date.  The few tricks that live in
code rather than in a number are documented where they are: the stop
Event's per-thread locks (``stop.py``), the senders' clocks shared without
a lock (``clock.py``) and the senders as daemon threads
(``simulation.py``).
"""
from __future__ import annotations

import math

from sms_sim.config import SimulationConfig

POLL_S = 0.1
"""Longest the producer blocks on the inbox or the retry queue before it
looks at the stop Event again, and the main thread on a thread it joins
before it runs the handler of a signal another thread took: the bound on
how long an interrupt can go unnoticed by either."""

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
(see :func:`slack_s`)."""

MAX_SLACK_S = 0.05
"""The most real time by which a result may come out before its simulated
moment."""

INBOX_MESSAGES = 1024
"""Messages the inbox holds at most (about 250 kB): enough that the
producer works in bursts rather than once per message taken, few enough
that memory stays flat whatever the run's size (4096 took a million
messages from 22 to 33 MB).  Runs with retries whose sends take time
hold less (see :func:`inbox_items`)."""

MAX_BATCH = 128
INBOX_ITEMS_PER_S = 10_000
"""Inbox items a second that the senders may ask for together.

Every inbox operation is a lock round trip that may wake a thread.  When
senders together take messages faster than this, inbox items carry several
messages; at ordinary rates each carries one, so that no sender sits on
work another could be doing."""


def _release_periods(config: SimulationConfig) -> list[float]:
    """Simulated seconds between one sender's results, per group, when the
    sender keeps pace: its mean, or what its caps allow if that is longer.
    Zero for a group whose senders never wait."""
    periods = []
    for group in config.groups:
        period = group.mean_s
        if group.tps is not None:
            period = max(period, 1 / group.tps)
        if config.gateway.max_rate is not None:
            period = max(period, config.num_senders / config.gateway.max_rate)
        periods.append(period)
    return periods


def slack_s(config: SimulationConfig) -> float:
    """How early, in *simulated* seconds, a sender may release a result.

    A sender that has to wait sleeps until its current result is due, then
    releases every further result due within the slack without sleeping.
    Sharing ``WAKE_BUDGET_PER_S`` among the senders gives each a wake-up
    every ``senders / budget`` real seconds at most; the slack is what is
    left of that window after one send, so runs that fit the budget get
    none.  Small next to a send wherever the machine allows, and never
    more than ``MAX_SLACK_S`` of real time.
    """
    window_s = config.num_senders / WAKE_BUDGET_PER_S
    needed = max((window_s - period / config.speed
                  for period in _release_periods(config) if period > 0),
                 default=0.0)
    return min(max(needed, 0.0), MAX_SLACK_S) * config.speed


def batch_size(config: SimulationConfig) -> int:
    """Most messages per inbox item: enough to hold the inbox to
    ``INBOX_ITEMS_PER_S`` when every sender keeps pace."""
    demand_per_s = 0.0
    for group, period in zip(config.groups, _release_periods(config)):
        demand_per_s += (group.count * config.speed / period if period > 0
                         else math.inf)
    if demand_per_s >= INBOX_ITEMS_PER_S * MAX_BATCH:  # also inf
        return MAX_BATCH
    return max(1, math.ceil(demand_per_s / INBOX_ITEMS_PER_S))


MIN_INBOX_ITEMS = 8
"""Inbox items at least when items carry several messages: a run that
fast keeps its senders fed only with a few in reserve.  (With one, twenty
senders at 1 ms and ``--speed 10`` fell 0.2 s behind and took twice as
long.)"""


def inbox_items(config: SimulationConfig, batch: int) -> int:
    """Inbox items, of ``batch`` messages: with retries, about one message
    per sender; never more than ``INBOX_MESSAGES``.

    A due retry goes in line behind the messages already in the inbox, so
    this is how long it waits beyond its backoff: about one send's time.
    (Holding ``INBOX_MESSAGES`` made a retry wait ten seconds behind 1024
    sends of 10 ms for one sender.)  Runs without retries, or with a group
    whose sends take no time, have no such wait, and keep the full inbox,
    so that the producer works in bursts.
    """
    most = max(1, INBOX_MESSAGES // batch)
    if not config.gateway.retries or 0 in _release_periods(config):
        return most
    items = math.ceil(config.num_senders / batch)
    if batch > 1:
        items = max(items, MIN_INBOX_ITEMS)
    return min(items, most)


PENDING_RESULTS = 4096
"""About how many results may wait on the queues for the monitor.
Without a bound they piled up whenever the monitor waited its turn for
the interpreter lock behind busy senders, each holding its message, and
peak memory rose by a few megabytes at random moments (see the
README)."""


def pending_batches(batch: int) -> int:
    """Result lists, of up to ``batch`` results, that may wait for the
    monitor: ``PENDING_RESULTS`` worth."""
    return max(2, PENDING_RESULTS // batch)


SWITCH_INTERVAL_PER_THREAD_S = 50e-6
MAX_SWITCH_INTERVAL_S = 0.05


def switch_interval_s(num_threads: int, current_s: float) -> float:
    """The interpreter's switch interval for a run of ``num_threads``
    threads: 50 us each, up to 50 ms, and never shorter than it was.

    The switch interval is also how often each thread that waits for the
    interpreter lock asks for it.  With a thousand senders, hundreds may
    wait at once, and at the default 5 ms their futile requests fill both
    cores and starve the thread that holds the lock.  No sender waits
    longer for its turn: senders let go of the lock long before an
    interval runs out.  A process-wide setting: the command line applies
    it, never the library.
    """
    return max(current_s, min(num_threads * SWITCH_INTERVAL_PER_THREAD_S,
                              MAX_SWITCH_INTERVAL_S))


GC_YOUNG_THRESHOLD = 10_000
"""Allocations between collections of the youngest generation (CPython's
default is 700).  A run allocates several tuples and lists per message and
frees every one by reference counting, none in a cycle, so the collector
finds nothing to collect, however often it looks; each look costs the
run time, and 100,000 cost it memory (see the README).  A process-wide
setting, like the switch interval: the command line applies it, never the
library."""


def gc_thresholds(current: tuple[int, int, int]) -> tuple[int, int, int]:
    """The collector's thresholds for a run: the youngest generation's
    raised to ``GC_YOUNG_THRESHOLD``, never lowered; the others kept."""
    return (max(current[0], GC_YOUNG_THRESHOLD), current[1], current[2])
