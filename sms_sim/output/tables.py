"""A table as rows of cells, and the one of the sender groups; and the
groups' curves a chart shows.

A table is built once, medium-free, and drawn by the text (aligned
columns, or "heading value" fields where they do not fit) and by the HTML
page.  A plan's tables are built with its figures, in ``plan_figures``.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sms_sim.measure.carrier_tally import CarrierCounts
from sms_sim.measure.curve import Curve
from sms_sim.measure.progress import GroupCounts
from sms_sim.measure.summary import Summary
from sms_sim.model.carriers import Carrier
from sms_sim.model.limits import LIMIT_WORDS, Limit, Limits
from sms_sim.output.text.units import (count_text, latency_text,
                                       percent_text, seconds_text)

GROUP_CURVES = 6
"""The most sender groups whose curves a chart draws beside the run's:
more would be a tangle of flat lines, each a small share of all messages;
the group table has them all."""


@dataclass(frozen=True, slots=True)
class Table:
    """A table of text: ``headers``, then ``rows`` of as many cells.  The
    first column is read as the row's name and aligned left; the others,
    mostly figures, right."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.headers):
                raise ValueError(f"a row of {len(row)} cells under "
                                 f"{len(self.headers)} headers: {row}")


def group_table(groups: Sequence[GroupCounts], reached: bool,
                brief: bool = False) -> Table:
    """A row per sender group, named by its route or numbered from 1: its
    senders, send time,
    failure rate, attempts, sent, failed and average send time, and the
    phones it reached when ``reached``.

    ``brief`` is a terminal's form, where every column costs: short
    headings, the failure rate in the fewest characters, and the group's
    rate limit after its send time
    (``10ms +- 5ms @50/s``).  The page has room for words, and shows the
    limit with the settings."""
    routes = any(snap.group.name for snap in groups)
    headers = ("route" if routes else "group", "senders",
               "mean +- dev" if brief else "send time",
               "fail", "attempts", "sent", "failed",
               "avg" if brief else "avg send", *(["reached"] if reached
                                                 else []))
    rows = []
    for number, snap in enumerate(groups, 1):
        group = snap.group
        limit = f" @{group.tps:g}/s" if brief and group.tps is not None \
            else ""
        rows.append((
            group.name or str(number),
            count_text(group.count),
            latency_text(group.send) + limit,
            f"{group.failure_rate * 100:.3g}%" if brief
            else percent_text(group.failure_rate),
            count_text(snap.attempts), count_text(snap.sent),
            count_text(snap.failed), seconds_text(snap.avg_send_s),
            *([_reached(snap)] if reached else [])))
    return Table(headers, tuple(rows))


def carrier_table(carriers: Sequence[Carrier],
                  counts: Sequence[CarrierCounts], limits: Limits) -> Table:
    """A row per carrier: its share, cap and daily cap as asked; its
    messages sent, failed (the daily cap's among them) and expired; and
    the share of the sending time its cap held the next send back."""
    held = dict(limits.carrier_shares())
    return Table(
        ("carrier", "share", "cap", "daily", "sent", "failed",
         "daily cap", "expired", "cap held"),
        tuple((carrier.name, percent_text(carrier.share),
               "-" if carrier.cap is None else f"{carrier.cap:g}/s",
               "-" if carrier.daily is None else count_text(carrier.daily),
               count_text(count.sent), count_text(count.failed),
               count_text(count.daily_cap), count_text(count.expired),
               percent_text(held.get(carrier.name, 0.0)))
              for carrier, count in zip(carriers, counts)))


def _reached(snap: GroupCounts) -> str:
    return "-" if snap.reached is None else count_text(snap.reached)


def chart_curves(curves: Sequence[Curve]) -> tuple[Curve, ...]:
    """A run's ``curves`` (``Summary.curves``: the run's, then each
    group's) as a chart draws them: the run's, and its groups' only when
    there are no more than ``GROUP_CURVES``, each labelled with the share
    of all messages it delivered, since that share is where it ends."""
    if not curves:
        return ()
    whole, *groups = curves
    if len(groups) > GROUP_CURVES:
        return (whole,)
    return (whole, *(Curve(
        f"{group.label}, "
        f"{percent_text(group.points[-1][1] if group.points else 0.0)} "
        "of all", group.points) for group in groups))


def stage_curves(snap: Summary) -> tuple[Curve, ...]:
    """What a run's chart draws: with a carrier or receipts, its stages
    side by side, each a share of all messages (sent, reached the phones,
    confirmed delivered); else its curve of sent, with its groups'
    (``chart_curves``)."""
    stages = _stages(snap)
    if not stages or not snap.curves:
        return chart_curves(snap.curves)
    return (Curve("sent", snap.curves[0].points),
            *(Curve(label, points) for label, points in stages))


def stage_count(snap: Summary) -> int:
    """How many of ``stage_curves``' curves are stages, each crossing the
    shares of all messages (the rest, sender groups, are its parts)."""
    return 1 + len(_stages(snap)) if snap.curves else 0


def _stages(snap: Summary) -> list[tuple[str, tuple[tuple[float, float],
                                                    ...]]]:
    """The stages after sent that the run has: each its label and its
    curve's points."""
    return [(label, curves[0].points) for label, curves in (
        ("reached the phones", snap.reached_curves if snap.carrier else ()),
        ("confirmed delivered", snap.confirmed_curves)) if curves]


def stages_title(snap: Summary) -> str:
    """The title of what ``stage_curves`` draws."""
    return ", ".join(["sent", *(["reached the phones"] if snap.carrier
                                else []),
                      *(["confirmed delivered"] if snap.confirmed_curves
                        else [])])


def limit_fields(limits: Limits) -> list[str]:
    """What held the next send back, as ``"words share"`` fields, the
    longest held first; a carrier's cap by carrier (``limits.py``)."""
    shares = [(LIMIT_WORDS[limit], limits.share(limit)) for limit in Limit
              if limit != Limit.CARRIER_CAP]
    shares += [(f"{name}'s cap", share)
               for name, share in limits.carrier_shares()]
    # Stable: at a tie, the order of Limit, then of the carriers.
    shares.sort(key=lambda field: -field[1])
    return [f"{words} {percent_text(share)}" for words, share in shares
            if share > 0]
