"""Notes before a run, said in one line each: a cap that can never set the
pace, so that a planner does not raise or lower a setting that changes
nothing; how long the routes' providers hold a message; the retries
that a run whose sends take no time holds at once; and warnings of a
shape that will not give the mean asked for."""
from __future__ import annotations

import math

from sms_sim.model.config import SenderGroup, SimulationConfig
from sms_sim.model.route import provider_validity
from sms_sim.output.text.units import (count_text, moment_text, rate_text,
                                       seconds_text)


def start_rate(group: SenderGroup) -> float:
    """The most sends a second the group starts on average: each sender
    one per mean send (its window's worth at once), or per its cap's gap
    if that is longer."""
    period_s = group.send.drawn_mean_s / group.window
    if group.tps is not None:
        period_s = max(period_s, 1 / group.tps)
    return math.inf if period_s <= 0 else group.count / period_s


def rate_notes(config: SimulationConfig) -> list[str]:
    """A line for each cap that never binds: ``--max-rate`` above what the
    senders start on average, and a group's ``tps`` whose gap is never
    longer than its shortest send; and one for the routes' validity
    (their presets'), which expires messages without a ``--deadline``."""
    notes = []
    max_rate = config.gateway.max_rate
    fleet = sum(start_rate(group) for group in config.groups)
    if max_rate is not None and max_rate > fleet:
        groups = config.groups
        senders = f"{count_text(config.num_senders)} sender" + (
            "" if config.num_senders == 1 else "s")
        if len(groups) == 1:
            senders += f" at {seconds_text(groups[0].send.mean_s)}"
        notes.append(f"{senders} start at most {rate_text(fleet)} on "
                     f"average; --max-rate {max_rate:g} never binds")
    for number, group in enumerate(config.groups, 1):
        shortest_s = group.send.shortest_s / group.window
        if group.tps is not None and 1 / group.tps <= shortest_s:
            name = group.name or f"group {number}"
            notes.append(f"{name}'s tps {group.tps:g} never binds: each "
                         f"of its sends takes at least "
                         f"{seconds_text(shortest_s)}")
    held_s = provider_validity(config.groups)
    if held_s < math.inf:
        notes.append(f"the routes' providers hold a message "
                     f"{moment_text(held_s)} (their validity): one not "
                     f"started within it of its arrival expires")
    elif any(group.validity_s is not None for group in config.groups):
        holder = next(group for group in config.groups
                      if group.validity_s is None)
        who = "the positional senders hold" if holder.name is None \
            else f"route {holder.name} holds"
        notes.append(f"no validity applies: {who} messages without limit, "
                     f"and a message waits while a route would take it")
    return notes + _retry_backlog(config)


RETRY_BYTES = 33
"""Memory a retry in line takes when no send took time, measured (a
million more messages failing half the time, 16 MB more): 22 bytes in
its run's columns (``retries.py``), and the runs' slack."""
BACKLOG_NOTED = 1 << 30
"""Retries' memory from which a run says it before it starts."""


def _retry_backlog(config: SimulationConfig) -> list[str]:
    """A line when every send takes no time and nothing paces the starts:
    simulated time stands still at 0 until every fresh message has had
    its first attempt, so every first failure waits in the retry line at
    once, and a large run holds gigabytes there."""
    groups = config.groups
    if not config.gateway.retries or config.gateway.max_rate is not None \
            or config.traffic or any(
                group.send.drawn_mean_s > 0 or group.tps is not None
                or group.throttle is not None or group.errors is not None
                for group in groups):
        return []
    senders = sum(group.count for group in groups)
    failing = sum(group.count * group.failure_rate
                  for group in groups) / senders
    # A capped carrier's messages wait for their slots, and time moves on
    # for them; the others' all go at 0.
    unpaced = sum(carrier.share for carrier in config.carriers
                  if carrier.cap is None) if config.carriers else 1.0
    waiting = config.num_messages * failing * unpaced
    if waiting * RETRY_BYTES < BACKLOG_NOTED:
        return []
    return [f"every send takes no time: the messages go at 0 before any "
            f"retry falls due, and about "
            f"{count_text(round(waiting))} retries wait at once, some "
            f"{count_text(max(1, round(waiting * RETRY_BYTES / 1e9)))} GB "
            f"of memory"]


MEAN_MOVED = 0.05
"""A shape whose draws average more than this share away from the mean
asked for is warned about: a normal whose deviation is above about 0.57
of its mean, cut at 0.  (Below, the default deviation of half the mean
moves it 2.8%, and a third of it less than 0.2%.)"""


def shape_warnings(config: SimulationConfig) -> list[str]:
    """A line for each shape that will not give the mean asked for, with
    the mean it gives."""
    shapes = [(f"{group.name or f'group {number}'}'s send times",
               group.send)
              for number, group in enumerate(config.groups, 1)]
    if config.carrier is not None:
        shapes.append(("the carrier's delays", config.carrier))
    return [f"{what}, normal with mean {seconds_text(shape.mean_s)} and sd "
            f"{seconds_text(shape.sd_s)}, are cut at 0: they will average "
            f"{seconds_text(shape.drawn_mean_s)}, not "
            f"{seconds_text(shape.mean_s)}"
            for what, shape in shapes
            if abs(shape.drawn_mean_s - shape.mean_s)
            > MEAN_MOVED * shape.mean_s]
