"""The ``--json`` lines: every event's fields, for a run and for a plan.

One object per event, as plain dicts for ``json.dumps``; the README's
JSON section documents these names, and its tests check them on real
runs.  Nothing here writes.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sms_sim.measure.checks import Check
from sms_sim.measure.curve import DELIVERY_SHARES, curve_json
from sms_sim.measure.progress import GroupCounts, Progress
from sms_sim.measure.summary import Summary, Times
from sms_sim.model.latency import Latency
from sms_sim.model.limits import Limit, Limits

if TYPE_CHECKING:  # plans only: not imported for one run
    from sms_sim.output.plan_figures import Column, PlanReport, PlanStatus
    from sms_sim.plan.cells import Cell


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def latency_json(latency: Latency) -> dict[str, Any]:
    """A distribution's settings: what its shape reads, None elsewhere."""
    return {
        "shape": latency.shape,
        "mean_s": latency.mean_s,
        "max_deviation_s": latency.max_deviation_s
        if latency.shape == "uniform" else None,
        "sd_s": latency.sd_s
        if latency.shape in ("normal", "lognormal") else None,
        "file": latency.source or None,
    }


def _header(event: str, snap: Progress) -> dict[str, Any]:
    """The fields every JSON line of a run starts with."""
    return {"event": event, "elapsed_s": round(snap.elapsed_s, 3),
            "sim_elapsed_s": round(snap.sim_elapsed_s, 6),
            "speed": "max" if snap.speed == math.inf else snap.speed,
            "total": snap.total, "sent": snap.sent,
            "failed": snap.failed}


def progress_json(snap: Progress) -> dict[str, Any]:
    return {
        **_header("progress", snap),
        "expired": snap.expired,
        "unsent": snap.unsent,
        "retrying": snap.retrying,
        "processed": snap.processed,
        "avg_send_s": _round(snap.avg_send_s, 9),
        "rate_per_s": _round(snap.rate_per_s, 1),
        "eta_s": _round(snap.eta_s, 3),
        **({"reached": snap.reached} if snap.carrier else {}),
        **({"confirmed": snap.confirmed} if snap.confirmed is not None
           else {}),
        **_throttled_json(snap),
    }


def _throttled_json(snap: Progress) -> dict[str, int]:
    """Submits the SMSC refused, where a route throttles."""
    return {} if snap.throttled is None else {"throttled": snap.throttled}


def _shares_json(at: Sequence[float | None]) -> dict[str, float | None]:
    """``{"p50": s, ..., "p100": s}``: by when each of ``DELIVERY_SHARES``
    of all messages was delivered (or reached); None where never."""
    return {f"p{share * 100:g}": _round(moment_s, 6) for share, moment_s
            in zip(DELIVERY_SHARES, at or (None,) * len(DELIVERY_SHARES))}


def _times_json(times: Times | None) -> dict[str, float | None] | None:
    """A class's times (``mean``, ``p50``, ``p95``, ``p99``, ``max``),
    or None with no message sent."""
    if times is None:
        return None
    return {"mean": _round(times.mean_s, 6), "p50": _round(times.p50_s, 6),
            "p95": _round(times.p95_s, 6), "p99": _round(times.p99_s, 6),
            "max": _round(times.max_s, 6)}


def summary_json(snap: Summary, checks: Sequence[Check] = ()
                 ) -> dict[str, Any]:
    return {
        **_header("summary", snap),
        "seed": snap.seed,
        "expired": snap.expired,
        "unsent": snap.unsent,
        "retrying": snap.retrying,
        **_throttled_json(snap),
        "processed": snap.processed,
        "avg_send_s": _round(snap.avg_send_s, 9),
        "min_send_s": _round(snap.min_s, 9),
        "p50_send_s": _round(snap.p50_s, 9),
        "p95_send_s": _round(snap.p95_s, 9),
        "p99_send_s": _round(snap.p99_s, 9),
        "max_send_s": _round(snap.max_s, 9),
        "delivery_s": _shares_json(snap.delivery),
        "last_sent_s": _round(snap.last_sent_s, 6),
        "curve": curve_json(snap.curves[0]) if snap.curves else [],
        **({"reached": snap.reached,
            "reached_s": _shares_json(snap.reached_at),
            "last_reached_s": _round(snap.last_reached_s, 6),
            "reached_curve": curve_json(snap.reached_curves[0])
            if snap.reached_curves else []}
           if snap.carrier else {}),
        **({"receipts": dict(snap.receipts),
            "confirmed": snap.confirmed,
            "confirmed_s": _shares_json(snap.confirmed_at),
            "last_confirmed_s": _round(snap.last_confirmed_s, 6),
            "confirmed_curve": curve_json(snap.confirmed_curves[0])
            if snap.confirmed_curves else []}
           if snap.receipts else {}),
        "throughput_per_s": _round(snap.throughput_per_s, 1),
        "segment_throughput_per_s": _round(snap.segment_throughput_per_s,
                                           1),
        "encodings": dict(snap.by_encoding),
        "segments": dict(snap.by_segments),
        "segments_sent": snap.segments_sent,
        "attempts": {str(n): c for n, c in snap.attempts},
        "retries": snap.retries,
        "first_attempt_failed": snap.first_attempt_failed,
        "max_lag_s": round(snap.max_lag_s, 3),
        "interrupted": snap.interrupted,
        "stopped": snap.stopped,
        "checks": [{"name": c.name, "ok": c.ok, "value": c.value,
                    "limit": c.limit,
                    **({} if c.klass is None else {"class": c.klass})}
                   for c in checks],
        "limits": limits_json(snap.limits),
        **({"not_arrived": snap.not_arrived,
            "classes": [{"name": k.name, "messages": k.messages,
                         "arrived": k.arrived, "sent": k.sent,
                         "failed": k.failed, "expired": k.expired,
                         "unsent": k.unsent,
                         "not_arrived": k.not_arrived,
                         "sent_after_s": _times_json(k.after),
                         "waiting_s": _times_json(k.waiting),
                         **({"reached_after_s":
                             _times_json(k.reached_after)}
                            if snap.carrier else {})}
                        for k in snap.classes]}
           if snap.classes else {}),
        **({"carriers": [{"name": c.name, "sent": c.sent,
                          "failed": c.failed, "expired": c.expired,
                          "daily_cap": c.daily_cap}
                         for c in snap.carriers]}
           if snap.carriers else {}),
        **({"errors": {e.name: {"attempts": e.attempts, "failed": e.failed}
                       for e in snap.errors}} if snap.errors else {}),
        "groups": [
            {
                "senders": g.group.count,
                **latency_json(g.group.send),
                "failure_rate": g.group.failure_rate,
                "tps": g.group.tps,
                "attempts": g.attempts,
                "sent": g.sent,
                "failed": g.failed,
                "avg_send_s": _round(g.avg_send_s, 9),
                **({"reached": g.reached} if snap.carrier else {}),
            }
            for g in snap.groups
        ],
        **({"routes": [_route_json(number, g)
                       for number, g in enumerate(snap.groups, 1)]}
           if any(g.group.name or g.group.outages for g in snap.groups)
           else {}),
    }


def limits_json(limits: Limits) -> dict[str, Any]:
    """``sending_s``, then each reason's share of it (``limits.py``),
    with carriers each one's cap's (``carrier_caps``)."""
    return {"sending_s": round(limits.sending_s, 6),
            **{limit.key: round(limits.share(limit), 6) for limit in Limit},
            **({"carrier_caps": {name: round(share, 6) for name, share
                                 in limits.carrier_shares()}}
               if limits.carriers else {})}


def _route_json(number: int, counts: GroupCounts) -> dict[str, Any]:
    """A group as a route: its name, figures and outages."""
    group = counts.group
    return {
        "name": group.name or f"group {number}",
        "senders": group.count,
        "attempts": counts.attempts,
        "sent": counts.sent,
        "failed": counts.failed,
        "outages": [{"start_s": outage.start_s,
                     "length_s": outage.length_s,
                     "failed": ended, "failed_for_good": lost}
                    for outage, (ended, lost)
                    in zip(group.outages, counts.outages)],
    }


def plan_status_json(status: PlanStatus) -> dict[str, Any]:
    """A plan's progress line."""
    return {"event": "progress", "runs_done": status.done,
            "runs": status.total, "elapsed_s": round(status.elapsed_s, 3),
            "eta_s": _round(status.eta_s, 3)}


def run_json(index: int, snap: Summary, checks: Sequence[Check]
             ) -> dict[str, Any]:
    """A replication's line, written as it ends: its index and its
    summary's fields."""
    return {"event": "run", "index": index, **_run_json(snap, checks)}


def plan_json(report: PlanReport) -> list[dict[str, Any]]:
    """A plan's closing lines (the replications' run lines went out as
    each ended: :func:`run_json`): a line per value (a sweep, a search),
    the summary, then the closing ``plan`` line, which says whether the
    plan was interrupted."""
    return [*_plan_lines(report), {
        "event": "plan", "kind": report.kind, "runs": report.runs,
        "runs_planned": report.planned, "interrupted": report.interrupted,
        "elapsed_s": round(report.elapsed_s, 3)}]


def _plan_lines(report: PlanReport) -> list[dict[str, Any]]:
    from sms_sim.output.plan_figures import (  # plans only
        class_names, columns, confirmed_in)
    if report.kind == "compare":
        return [_compare_json(report, columns(
            report.carrier, report.target, report.at))]
    cols = columns(report.carrier, report.target, report.at,
                   class_names(report.cells[0]) if report.cells else (),
                   confirmed_in(report.cells))
    objects: list[dict[str, Any]] = []
    checks = iter(report.checks)
    if report.kind == "fit":
        return [_fit_json(report)]
    if report.kind == "replications":
        if report.cells:
            objects.append({"event": "replications",
                            "runs": len(report.cells[0].runs),
                            "runs_planned": report.per_value,
                            "interrupted": report.interrupted,
                            **_cell_json(report.cells[0], cols)})
        return objects
    for cell in report.cells:
        if not cell.runs:
            continue  # a value the plan was interrupted before
        line: dict[str, Any] = {"event": "sweep", "name": report.name,
                                "value": _json_value(report.name,
                                                     cell.value)}
        own = [next(checks)[1] for _ in cell.runs]  # its runs' checks
        if report.per_value == 1:
            (_, snap), = cell.runs
            line.update(_run_json(snap, own[0]))
        else:  # however many of its runs ended before an interrupt
            line.update({"runs": len(cell.runs),
                         "runs_planned": report.per_value,
                         **_cell_json(cell, cols)})
        if report.target is not None:
            line["met"] = cell.met(report.target)
            if report.per_value == 1:
                line["target_share"] = report.target.share_of(
                    cell.runs[0][1])
        objects.append(line)
    if report.search is not None and report.target is not None:
        objects.append({"event": "target", "name": report.name,
                        "value": _json_value(report.name,
                                             report.search.answer),
                        "share": report.target.share,
                        "by_s": report.target.by_s,
                        **({} if report.target.klass is None
                           else {"class": report.target.klass}),
                        "met": report.search.answer is not None,
                        "interrupted": report.interrupted})
    return objects


def _json_value(name: str | None, value: float | None) -> float | None:
    """A value as JSON gives it: whole for the settings that count."""
    from sms_sim.plan.settings import base_name  # plans only
    if value is not None and name is not None and \
            base_name(name) in ("senders", "retries"):
        return int(value)
    return value


def _run_json(snap: Summary, checks: Sequence[Check]) -> dict[str, Any]:
    """A run's summary, as one run's ``--json`` would end."""
    summary = summary_json(snap, checks)
    del summary["event"]
    return summary


def _cell_json(cell: Cell, cols: Sequence[Column]) -> dict[str, Any]:
    """``{"sim_elapsed_s": STAT, "delivery_s": {"p50": STAT, ...}, ...}``."""
    out: dict[str, Any] = {"seeds": [seed for seed, _ in cell.runs]}
    for column in cols:
        figure = column.stat(cell)
        _place(out, column, None if figure is None else figure.as_json(6))
    return out


def _place(out: dict[str, Any], column: Column, value: Any) -> None:
    """Put a column's ``value`` in ``out`` under its key: a delivery,
    reach or confirmed percentile's in ``delivery_s``, ``reached_s`` or
    ``confirmed_s``."""
    if column.key.startswith("class:"):  # a --traffic class's
        out.setdefault("classes", {})[column.key[6:]] = {
            "p95_after_s": value}
    elif column.heading.endswith("% by"):
        out.setdefault("delivery_s", {})[column.key] = value
    elif column.heading.endswith("reached"):
        out.setdefault("reached_s", {})[column.key] = value
    elif column.heading.endswith("confirmed"):
        out.setdefault("confirmed_s", {})[column.key] = value
    else:
        out[column.key] = value


def _compare_json(report: PlanReport, cols: Sequence[Column]
                  ) -> dict[str, Any]:
    """The ``compare`` line: each scenario's figures, as a plain
    ``--runs`` run of it gives them, and each one's differences from the
    first's, with their paired intervals."""
    from sms_sim.output.compare_figures import differences  # plans only
    by_label: dict[str, dict[str, Any]] = {}
    for diff in differences(report):
        out = by_label.setdefault(diff.label, {})
        _place(out, diff.column, None if diff.stat is None else {
            **diff.stat.as_json(6),
            # One pair has no interval, and excludes nothing.
            "excludes_zero": diff.stat.excludes_zero
            if diff.stat.reached_in > 1 else None})
    return {"event": "compare", "runs_planned": report.per_value,
            "interrupted": report.interrupted,
            "scenarios": [{"name": label, "runs": len(cell.runs),
                           **_cell_json(cell, cols)}
                          for label, cell in zip(report.labels,
                                                 report.cells)],
            "differences": [{"name": label, "from": report.labels[0],
                             **figures}
                            for label, figures in by_label.items()]}


def _fit_json(report: PlanReport) -> dict[str, Any]:
    """The ``fit`` line: the value of least error, each point against the
    fitted value's runs, and each value tried with its error."""
    from sms_sim.output.fit_figures import fitted_cell  # plans only
    from sms_sim.plan.fit import error_of, shares_at
    fit = report.fit
    assert fit is not None
    cell = fitted_cell(report)
    fitted = (shares_at(cell, report.points) if cell is not None
              else [None] * len(report.points))
    return {"event": "fit", "name": report.name,
            "value": _json_value(report.name, fit.value),
            "error": fit.error, "interrupted": report.interrupted,
            "points": [{"time_s": point.time_s, "observed": point.share,
                        "fitted": _round(share, 6)}
                       for point, share in zip(report.points, fitted)],
            "tried": [{"value": _json_value(report.name, tried.value),
                       "error": error_of(tried, report.points)}
                      for tried in report.cells
                      if len(tried.runs) == report.per_value]}
