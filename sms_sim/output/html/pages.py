"""What the HTML report of a run, or of a plan, shows: the page's content
assembled from snapshots and settings (``render.py`` draws it)."""
from __future__ import annotations

from collections.abc import Sequence

from sms_sim.measure.checks import Check
from sms_sim.measure.curve import Curve, Mark, Shade, band, marks
from sms_sim.measure.summary import Summary
from sms_sim.model.config import SimulationConfig
from sms_sim.model.encoding import ENCODING_NAMES
from sms_sim.model.texts import IN_TURN
from sms_sim.model.traffic import TrafficClass
from sms_sim.output.compare_figures import compare_table, differences_table
from sms_sim.output.fit_figures import fitted_cell, points_table, tried_table
from sms_sim.output.html.render import HtmlReport, SweepSection, render
from sms_sim.output.plan_figures import (PlanReport, plan_table,
                                         replications_table, value_text)
from sms_sim.output.tables import (carrier_table, group_table, limit_fields,
                                   stage_count, stage_curves,
                                   stages_title)
from sms_sim.output.text.units import (count_text, duration_text,
                                       latency_text, moment_text,
                                       moments_fields,
                                       percent_text, rate_text, seconds_text,
                                       speed_text)
from sms_sim.plan.target import Target


def _arrivals_text(klass: TrafficClass) -> str:
    """How a ``--traffic`` class arrives, in words."""
    if klass.count is not None:
        return f"{count_text(klass.count)} at {moment_text(klass.at_s)}"
    assert klass.rate_per_s is not None and klass.for_s is not None
    start = f" from {moment_text(klass.from_s)}" if klass.from_s else ""
    return (f"{klass.arrivals} stream of {klass.rate_per_s * 3600:.6g}/h"
            f"{start} for {moment_text(klass.for_s)}")


def settings(config: SimulationConfig) -> tuple[tuple[str, str], ...]:
    """The run's settings as (name, value) rows."""
    gateway = config.gateway
    rows = [("messages", count_text(config.num_messages))]
    rows += [(f"class {klass.name}", _arrivals_text(klass))
             for klass in config.traffic]
    for number, group in enumerate(config.groups, 1):
        rows.append((config.route_name(number - 1), (
            f"{count_text(group.count)} senders, {latency_text(group.send)}, "
            f"{group.failure_rate * 100:.3g}% failing"
            + (f", at most {group.tps:g}/s each" if group.tps else "")
            + "".join(f", down at {duration_text(outage.start_s)} for "
                      f"{duration_text(outage.length_s)}"
                      for outage in group.outages))))
    if config.routing != "spread":
        rows.append(("routing", config.routing))
    if config.carrier is not None:
        rows.append(("carrier's delay", latency_text(config.carrier)))
    texts = config.texts
    order = "in turn" if texts is None or texts.order == IN_TURN \
        else "at random"
    rows += [("texts", "random printable ASCII, 1 to 100 characters"
              if texts is None
              else f"{count_text(len(texts.lines))} given, {order}"),
             ("caps count", config.cap_unit),
             ("account cap", "none" if gateway.max_rate is None
              else rate_text(gateway.max_rate)),
             ("retries", f"{gateway.retries}"
              + (f", backoff {gateway.backoff.base_s:g} s to "
                 f"{gateway.backoff.cap_s:g} s"
                 + (f", {gateway.permanent * 100:g}% permanent"
                    if gateway.permanent else "")
                 if gateway.retries else "")),
             ("deadline", "none" if gateway.deadline_s is None
              else moment_text(gateway.deadline_s)),
             ("speed", speed_text(config.speed)),
             ("seed", str(config.seed))]
    return tuple(rows)


def _marks(config: SimulationConfig, target: Target | None
           ) -> tuple[Mark, ...]:
    return marks(config.gateway.deadline_s,
                 None if target is None else target.mark)


def summary_rows(snap: Summary) -> list[tuple[str, str]]:
    def share(part: int) -> str:
        return f" ({percent_text(part / snap.total)})" if snap.total else ""

    duration = moment_text(snap.sim_elapsed_s)
    if snap.last_reached_s is not None and \
            snap.last_reached_s > snap.sim_elapsed_s:
        # The chart runs on to the last phone: say both.
        duration += (f" to send, {moment_text(snap.last_reached_s)} to "
                     "reach the phones")
    rows = [("simulated duration", duration),
            ("sent", count_text(snap.sent) + share(snap.sent)),
            ("failed", count_text(snap.failed) + share(snap.failed)),
            ("expired", count_text(snap.expired) + share(snap.expired))]
    if snap.throttled is not None:
        rows.append(("throttled submits", count_text(snap.throttled)))
    if snap.carrier:
        rows.append(("reached the phones", count_text(snap.reached)
                     + share(snap.reached)))
    if snap.delivery:
        rows.append(("sent, by share of all", ", ".join(
            moments_fields(snap.delivery, snap.last_sent_s))))
    if snap.reached_at:
        rows.append(("reached, by share of all", ", ".join(
            moments_fields(snap.reached_at, snap.last_reached_s))))
    if snap.receipts:
        rows.append(("receipts", ", ".join(
            f"{state} {count_text(count)}" for state, count in snap.receipts)))
        rows.append(("confirmed delivered, by share of all", ", ".join(
            moments_fields(snap.confirmed_at, snap.last_confirmed_s))))
    return rows + [
        ("texts", ", ".join(
            f"{ENCODING_NAMES[name]} {count_text(count)}"
            for name, count in snap.by_encoding if count) or "-"),
        ("segments", ", ".join(
            f"{row}: {count_text(count)}"
            for row, count in snap.by_segments if count) or "-"),
        ("segments sent", count_text(snap.segments_sent)),
        ("average send time", seconds_text(snap.avg_send_s)),
        ("throughput", f"{rate_text(snap.throughput_per_s)} "
         f"({rate_text(snap.segment_throughput_per_s)} in segments)"),
        ("limited by", ", ".join(limit_fields(snap.limits)) or "-")]


def one_run(snap: Summary, config: SimulationConfig, command: str,
            checks: Sequence[Check], target: Target | None = None,
            scenario: str = "") -> str:
    """The page of one run; ``scenario``, its settings as a file."""
    curves = stage_curves(snap) + class_curves(snap)
    return render(HtmlReport(
        title=f"sms-sim: {count_text(snap.total)} messages, "
              f"{count_text(config.num_senders)} senders",
        command=command, seed=snap.seed, scenario=scenario,
        summary=tuple(summary_rows(snap)),
        curves=curves, curves_title="Share of all messages "
        + stages_title(snap), crossed=max(1, stage_count(snap)),
        marks=_marks(config, target) + arrival_marks(config),
        shades=outage_shades(config), histogram=snap.distribution,
        attempts=snap.attempts, groups=group_table(snap.groups, snap.carrier),
        carriers=carrier_table(config.carriers, snap.carriers, snap.limits)
        if snap.carriers else None,
        config=settings(config),
        notes=tuple(check.describe() for check in checks)))


def class_curves(snap: Summary) -> tuple[Curve, ...]:
    """Each ``--traffic`` class's curve of sent, a share of its own
    messages, as its label says."""
    return tuple(Curve(f"class {k.name}, share of its "
                       f"{count_text(k.messages)}", k.curve.points)
                 for k in snap.classes if k.curve is not None)


def arrival_marks(config: SimulationConfig) -> tuple[Mark, ...]:
    """The moment each batch of ``--traffic`` arrives after 0: a burst
    on the chart."""
    return tuple(Mark(f"{klass.name} arrives", klass.at_s)
                 for klass in config.classes
                 if klass.count is not None and klass.at_s > 0)


def outage_shades(config: SimulationConfig) -> tuple[Shade, ...]:
    """Each route's outages, to shade on the chart."""
    return tuple(Shade(f"{config.route_name(index)} down", outage.start_s,
                       outage.end_s)
                 for index, group in enumerate(config.groups)
                 for outage in group.outages)


def _curves_title(carrier: bool) -> str:
    return ("Share of all messages that reached the phones" if carrier
            else "Share of all messages sent")


def _curve(snap: Summary, label: str) -> Curve:
    curve = (snap.reached_curves if snap.carrier else snap.curves)[0]
    return Curve(label, curve.points)


def plan(report: PlanReport, config: SimulationConfig, command: str,
         scenario: str = "") -> str:
    """The page of replications, a sweep or a target search: the band of
    the replications' curves, or a curve per value, with the table;
    ``scenario``, its settings as a file."""
    cells = [cell for cell in report.cells if cell.runs]
    moments = _marks(config, report.target)
    notes = tuple(report.notes())
    summary = (("runs", count_text(report.runs)),
               ("base seed", str(report.base_seed)),
               ("real time", moment_text(report.elapsed_s)))
    if report.kind == "replications":
        seeded = [run for cell in cells for run in cell.runs]
        runs = [snap for _, snap in seeded]
        first = runs[0] if runs else None
        return render(HtmlReport(
            title=f"sms-sim: {count_text(len(runs))} runs of "
                  f"{count_text(config.num_messages)} messages",
            command=command, seed=report.base_seed, scenario=scenario,
            summary=summary, curves_title=_curves_title(report.carrier),
            marks=moments,
            band=band([_curve(snap, "") for snap in runs]) if runs
            else None,
            figures=replications_table(cells[0], report.carrier,
                                       report.at)
            if runs else None,
            histogram=first.distribution if first else (),
            attempts=first.attempts if first else (),
            groups=group_table(first.groups, first.carrier) if first
            else None,
            one_of=(f"run 1 of {count_text(len(runs))}, seed {seeded[0][0]}"
                    if len(runs) > 1 else ""),
            config=settings(config), notes=notes))
    if report.kind == "compare":
        return _compare(report, config, command, scenario, summary)
    if report.kind == "fit":
        return _fit(report, config, command, scenario, summary)
    name = report.name or ""
    curves = tuple(_curve(cell.runs[0][1],
                          f"{name}={value_text(name, cell.value)}")
                   for cell in cells)
    answer = None if report.search is None else report.search.answer
    chosen = next((index for index, cell in enumerate(cells)
                   if answer is not None and cell.value == answer), None)
    return render(HtmlReport(
        title=f"sms-sim: {report.kind} of {name}, "
              f"{count_text(config.num_messages)} messages",
        command=command, seed=report.base_seed, scenario=scenario,
        summary=summary, curves_title=_curves_title(report.carrier),
        marks=moments,
        sweep=SweepSection(
            f"{'Values tried' if report.target else 'Sweep'} of {name}",
            curves, plan_table(report),
            report.answer() if report.search else "", chosen),
        config=settings(config), notes=notes))


def _compare(report: PlanReport, config: SimulationConfig, command: str,
             scenario: str, summary: tuple[tuple[str, str], ...]) -> str:
    """The page of a comparison: each scenario's curve (the mean of its
    runs, over the band from their least to greatest share), overlaid,
    with the table of their figures and of the differences beside."""
    shown = [(label, cell)
             for label, cell in zip(report.labels, report.cells)
             if cell.runs]
    bands = tuple(band([_curve(snap, "") for _, snap in cell.runs])
                  if len(cell.runs) > 1 else None for _, cell in shown)
    curves = tuple(_curve(cell.runs[0][1], label) if spread is None
                   else Curve(label, tuple(zip(spread.times, spread.mean)))
                   for (label, cell), spread in zip(shown, bands))
    return render(HtmlReport(
        title=f"sms-sim: {count_text(len(report.labels))} scenarios "
              "compared",
        command=command, seed=report.base_seed, scenario=scenario,
        summary=summary, curves_title=_curves_title(report.carrier),
        marks=_marks(config, report.target),
        sweep=SweepSection(
            "Scenarios compared" + (
                f", the mean of {count_text(report.per_value)} runs each"
                if report.per_value > 1 else ""),
            curves, compare_table(report), bands=bands,
            more=differences_table(report) if len(shown) > 1 else None),
        config=settings(config), notes=tuple(report.notes())))


def _fit(report: PlanReport, config: SimulationConfig, command: str,
         scenario: str, summary: tuple[tuple[str, str], ...]) -> str:
    """The page of a fit: the fitted value's curve against the observed
    points, the points' table, and the values tried."""
    name = report.name or ""
    cell = fitted_cell(report)
    curves = () if cell is None or report.fit is None else (_curve(
        cell.runs[0][1], f"{name}={value_text(name, report.fit.value)}"),)
    return render(HtmlReport(
        title=f"sms-sim: a fit of {name} to "
              f"{count_text(len(report.points))} points",
        command=command, seed=report.base_seed, scenario=scenario,
        summary=summary, curves_title=_curves_title(report.carrier),
        marks=_marks(config, None),
        sweep=SweepSection(
            f"The fitted {name} against the observed points", curves,
            points_table(report), report.fit_answer(),
            points=tuple((point.time_s, point.share)
                         for point in report.points),
            more=tried_table(report)),
        config=settings(config), notes=tuple(report.notes())))
