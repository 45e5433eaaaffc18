"""Notes before a run: a cap that can never set the pace, said in one line
each, so that a planner does not raise or lower a setting that changes
nothing."""
from __future__ import annotations

import math

from sms_sim.model.config import SenderGroup, SimulationConfig
from sms_sim.output.text.units import count_text, rate_text, seconds_text


def start_rate(group: SenderGroup) -> float:
    """The most sends a second the group starts on average: each sender
    one per mean send, or per its cap's gap if that is longer."""
    period_s = group.send.mean_s
    if group.tps is not None:
        period_s = max(period_s, 1 / group.tps)
    return math.inf if period_s <= 0 else group.count / period_s


def rate_notes(config: SimulationConfig) -> list[str]:
    """A line for each cap that never binds: ``--max-rate`` above what the
    senders start on average, and a group's ``tps`` whose gap is never
    longer than its shortest send."""
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
        shortest_s = group.send.shortest_s
        if group.tps is not None and 1 / group.tps <= shortest_s:
            name = group.name or f"group {number}"
            notes.append(f"{name}'s tps {group.tps:g} never binds: each "
                         f"of its sends takes at least "
                         f"{seconds_text(shortest_s)}")
    return notes
