"""What the HTML report of a run, or of a plan, shows: the page's content
assembled from snapshots and settings (``html_report.py`` draws it)."""
from __future__ import annotations

from collections.abc import Sequence

from sms_sim.measure.checks import Check
from sms_sim.measure.curve import Curve, Mark, band, marks
from sms_sim.measure.progress import GroupCounts
from sms_sim.measure.summary import Summary
from sms_sim.model.config import SimulationConfig
from sms_sim.output.html_report import (HtmlReport, SweepSection, Table,
                                        render, write_atomically)
from sms_sim.output.plan_report import (PlanReport, cell_text, columns,
                                        value_text)
from sms_sim.output.report import (count, latency_text, moment, percent, rate,
                                   seconds, speed_text)
from sms_sim.plan.target import Target


def settings(config: SimulationConfig) -> tuple[tuple[str, str], ...]:
    """The run's settings as (name, value) rows."""
    gateway = config.gateway
    rows = [("messages", count(config.num_messages))]
    for number, group in enumerate(config.groups, 1):
        rows.append((f"group {number}", (
            f"{count(group.count)} senders, {latency_text(group.send)}, "
            f"{group.failure_rate * 100:.3g}% failing"
            + (f", at most {group.tps:g}/s each" if group.tps else ""))))
    if config.carrier is not None:
        rows.append(("carrier's delay", latency_text(config.carrier)))
    rows += [("account cap", "none" if gateway.max_rate is None
              else rate(gateway.max_rate)),
             ("retries", f"{gateway.retries}"
              + (f", backoff {gateway.backoff.base_s:g} s to "
                 f"{gateway.backoff.cap_s:g} s"
                 + (f", {gateway.permanent * 100:g}% permanent"
                    if gateway.permanent else "")
                 if gateway.retries else "")),
             ("deadline", "none" if gateway.deadline_s is None
              else moment(gateway.deadline_s)),
             ("speed", speed_text(config.speed)),
             ("seed", str(config.seed))]
    return tuple(rows)


def _marks(config: SimulationConfig, target: Target | None
           ) -> tuple[Mark, ...]:
    return marks(config.gateway.deadline_s,
                 None if target is None else target.mark)


def _groups(groups: Sequence[GroupCounts], carrier: bool) -> Table:
    headers = ("group", "senders", "send time", "fail", "attempts", "sent",
               "failed", "avg send", *(["reached"] if carrier else []))
    rows = tuple((str(number), count(g.group.count),
                  latency_text(g.group.send),
                  percent(g.group.failure_rate), count(g.attempts),
                  count(g.sent), count(g.failed), seconds(g.avg_send_s),
                  *([count(g.reached) if g.reached is not None else "-"]
                    if carrier else []))
                 for number, g in enumerate(groups, 1))
    return Table(headers, rows)


def _summary(snap: Summary) -> list[tuple[str, str]]:
    def share(part: int) -> str:
        return f" ({percent(part / snap.total)})" if snap.total else ""

    rows = [("simulated duration", moment(snap.sim_elapsed_s)),
            ("sent", count(snap.sent) + share(snap.sent)),
            ("failed", count(snap.failed) + share(snap.failed)),
            ("expired", count(snap.expired) + share(snap.expired))]
    if snap.carrier:
        rows.append(("reached the phones", count(snap.reached)
                     + share(snap.reached)))
    return rows + [("average send time", seconds(snap.avg_send_s)),
                   ("throughput", rate(snap.throughput_per_s))]


def one_run(snap: Summary, config: SimulationConfig, command: str,
            checks: Sequence[Check], target: Target | None = None) -> str:
    """The page of one run."""
    curves = snap.reached_curves if snap.carrier else snap.curves
    return render(HtmlReport(
        title=f"sms-sim: {count(snap.total)} messages, "
              f"{count(config.num_senders)} senders",
        command=command, seed=snap.seed, summary=tuple(_summary(snap)),
        curves=curves, curves_title=_curves_title(snap.carrier),
        marks=_marks(config, target), histogram=snap.distribution,
        attempts=snap.attempts, groups=_groups(snap.groups, snap.carrier),
        config=settings(config),
        notes=tuple(check.describe() for check in checks)))


def _curves_title(carrier: bool) -> str:
    return ("Share of all messages that reached the phones" if carrier
            else "Share of all messages delivered")


def _curve(snap: Summary, label: str) -> Curve:
    curve = (snap.reached_curves if snap.carrier else snap.curves)[0]
    return Curve(label, curve.points)


def plan(report: PlanReport, config: SimulationConfig, command: str) -> str:
    """The page of replications, a sweep or a target search: the band of
    the replications' curves, or a curve per value, with the table."""
    cells = [cell for cell in report.cells if cell.runs]
    moments = _marks(config, report.target)
    notes = tuple(report.notes())
    summary = (("runs", count(report.runs)),
               ("base seed", str(report.base_seed)),
               ("real time", moment(report.elapsed_s)))
    if report.kind == "replications":
        seeded = [run for cell in cells for run in cell.runs]
        runs = [snap for _, snap in seeded]
        first = runs[0] if runs else None
        return render(HtmlReport(
            title=f"sms-sim: {count(len(runs))} runs of "
                  f"{count(config.num_messages)} messages",
            command=command, seed=report.base_seed, summary=summary,
            curves_title=_curves_title(report.carrier), marks=moments,
            band=band([_curve(snap, "") for snap in runs]) if runs
            else None,
            histogram=first.distribution if first else (),
            attempts=first.attempts if first else (),
            groups=_groups(first.groups, first.carrier) if first else None,
            one_of=(f"run 1 of {count(len(runs))}, seed {seeded[0][0]}"
                    if len(runs) > 1 else ""),
            config=settings(config), notes=notes))
    name = report.name or ""
    cols = columns(report.carrier, report.target)
    table = Table((name, *(c.heading for c in cols),
                   *(["target"] if report.target else [])),
                  tuple((value_text(name, cell.value),
                         *(cell_text(cell, c) for c in cols),
                         *(["met" if cell.met(report.target) else "not met"]
                           if report.target else []))
                        for cell in cells))
    curves = tuple(_curve(cell.runs[0][1],
                          f"{name}={value_text(name, cell.value)}")
                   for cell in cells)
    return render(HtmlReport(
        title=f"sms-sim: {report.kind} of {name}, "
              f"{count(config.num_messages)} messages",
        command=command, seed=report.base_seed, summary=summary,
        curves_title=_curves_title(report.carrier), marks=moments,
        sweep=SweepSection(
            f"{'Values tried' if report.target else 'Sweep'} of {name}",
            curves, table, report.answer() if report.search else ""),
        config=settings(config), notes=notes))


def write(path: str, page: str) -> list[str]:
    """Write the page whole, or nothing: the fault, if any, as the
    command line reports it."""
    try:
        write_atomically(path, page)
    except OSError as error:
        return [f"cannot write the report {path!r}: "
                f"{error.strerror or error}\n"]
    return []
