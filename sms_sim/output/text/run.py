"""A run as text: the progress line, the live frame a terminal redraws,
and the final report, for a width (None: never wrapped) and a style."""
from __future__ import annotations

from collections.abc import Sequence

from sms_sim.measure.checks import Check
from sms_sim.measure.histogram import Bin
from sms_sim.measure.progress import GroupCounts, Progress
from sms_sim.measure.summary import Summary
from sms_sim.model.encoding import ENCODING_NAMES
from sms_sim.output.tables import group_table, limit_fields
from sms_sim.output.text.style import PLAIN, Style, fit, visible_width, wrap
from sms_sim.output.text.units import (count_text, duration_text,
                                       moment_text, moments_fields,
                                       percent_text, rate_text, seconds_text,
                                       speed_text)

LABEL = 14
"""Width of the label column of the final report."""
MAX_BAR = 40
"""Cells of the send time distribution's longest bar."""
MIN_BAR = 5
"""Fewer cells would not show the distribution's shape: no bars then."""
GROUP_WIDTHS = (5, 7, 14, 5, 9, 9, 9, 10, 9)
"""The least widths of the group table's columns; a column grows to its
widest cell, so that a long setting or count keeps the rows aligned."""
_GROUP_COLOURS = {5: "green", 6: "red"}
"""The group table's sent and failed columns, painted as in the counts."""


def elapsed_text(snap: Progress) -> str:
    """Simulated elapsed time, and the real time too when they differ."""
    text = duration_text(snap.sim_elapsed_s)
    if snap.speed != 1:
        text += (f" ({duration_text(snap.elapsed_s)} real, "
                 f"{speed_text(snap.speed)})")
    return text


def group_rows(groups: tuple[GroupCounts, ...], style: Style,
               width: int | None, limit: int | None = None) -> list[str]:
    """One aligned row per sender group under a header, or, narrower than
    the table, a few wrapped lines per group.  With a ``limit``, at most
    that many lines: as many groups as fit, then a line that says how many
    more there are (none at all if even that does not fit).

    Only the groups that could fit are made rows: a group takes a line at
    least, and a live frame of 10,000 groups shows some twenty."""
    head, blocks = _group_blocks(
        groups if limit is None else groups[:limit], style, width)
    lines = head + [line for block in blocks for line in block]
    if limit is None or (len(blocks) == len(groups) and len(lines) <= limit):
        return lines
    shown: list[str] = []
    kept = 0
    for block in blocks:
        after = _more_groups(len(groups) - kept - 1, True, width)
        if len(head) + len(shown) + len(block) + len(after) > limit:
            break
        shown += block
        kept += 1
    lines = (head + shown if kept else []) + _more_groups(
        len(groups) - kept, kept > 0, width)
    return lines if len(lines) <= limit else []


def _more_groups(left: int, after_some: bool, width: int | None
                 ) -> list[str]:
    """The line that stands for ``left`` groups there was no room for."""
    if not left:
        return []
    noun = "group" if left == 1 else "groups"
    text = (f"... and {count_text(left)} more {noun}" if after_some
            else f"... {count_text(left)} {noun}, too many to show")
    return wrap("  ", f"{text} (--json has them all)".split(" "), width,
                sep=" ")


def _group_blocks(groups: tuple[GroupCounts, ...], style: Style,
                  width: int | None) -> tuple[list[str], list[list[str]]]:
    """The group table's header and its rows, each a block of one line;
    or, narrower than the table, no header and a few lines per group, its
    figures each after its heading."""
    table = group_table(groups, any(snap.reached is not None
                                    for snap in groups), brief=True)
    widths = [max(least, len(heading), *(len(row[i]) for row in table.rows))
              for i, (heading, least) in enumerate(zip(table.headers,
                                                       GROUP_WIDTHS))]

    named = table.headers[0] == "route"  # names read from the left

    def aligned(row: Sequence[str]) -> list[str]:
        return [text.ljust(w) if i == 2 or (named and i == 0)
                else text.rjust(w)
                for i, (text, w) in enumerate(zip(row, widths))]

    def joined(row: Sequence[str]) -> str:
        return "  " + " ".join(row[:2]) + "  " + " ".join(row[2:])

    def painted(row: Sequence[str]) -> list[str]:
        return [style.paint(text, _GROUP_COLOURS[i])
                if i in _GROUP_COLOURS else text for i, text in enumerate(row)]

    header = style.dim(joined(aligned(table.headers)))
    if width is None or visible_width(header) <= width:
        return [header], [[joined(painted(aligned(row)))]
                          for row in table.rows]
    blocks = []
    for row in table.rows:
        number, senders, setting, *figures = painted(row)
        title = number if not number.isdigit() else f"group {number}"
        blocks.append(wrap(f"  {title}: ", [
            f"{senders} sender{'s' if senders != '1' else ''}", setting,
            *(f"{heading} {text}"
              for heading, text in zip(table.headers[3:], figures))],
            width, indent=4))
    return [], blocks


def _outage_lines(groups: Sequence[GroupCounts], end_s: float,
                  width: int | None) -> list[str]:
    """Each route's outages, and the attempts each one ended; one that
    came after ``end_s``, the moment the last attempt ended, ended none."""
    lines = []
    for number, snap in enumerate(groups, 1):
        name = snap.group.name or f"group {number}"
        for outage, (ended, lost) in zip(snap.group.outages, snap.outages):
            what = [f"{count_text(ended)} attempt{'s' if ended != 1 else ''}"
                    " failed in it,", f"{count_text(lost)} of them for good"]
            if outage.start_s >= end_s and not ended:
                what = ["after the last attempt ended"]
            lines += wrap("  ", [
                f"outage: {name} down at",
                moment_text(outage.start_s), "for",
                f"{moment_text(outage.length_s)}:", *what], width, sep=" ")
    return lines


def _counts(snap: Progress, style: Style, retrying: bool = True
            ) -> list[str]:
    """The counts by outcome; ``retrying``: those waiting for a retry as
    a field of their own (the final report gives them within unsent)."""
    fields = [f"sent {style.paint(count_text(snap.sent), 'green')}",
              f"failed {style.paint(count_text(snap.failed), 'red')} "
              f"({percent_text(snap.failure_share)})"]
    if snap.expired:
        fields.append(
            f"expired {style.paint(count_text(snap.expired), 'yellow')}")
    if snap.retrying and retrying:
        fields.append(f"retrying {count_text(snap.retrying)}")
    if snap.waiting:  # live, with --traffic
        waiting = f"waiting {count_text(sum(n for _, n in snap.waiting))}"
        if len(snap.waiting) > 1:
            waiting += " (" + ", ".join(
                f"{name} {count_text(n)}" for name, n in snap.waiting) + ")"
        fields.append(waiting)
    if snap.throttled is not None:  # submits the SMSC refused
        fields.append(f"throttled {count_text(snap.throttled)}")
    if snap.confirmed is not None:
        fields.insert(1, f"confirmed {count_text(snap.confirmed)}")
    if snap.carrier:
        fields.insert(
            1, f"reached {style.paint(count_text(snap.reached), 'cyan')}")
    return fields


def progress_line(snap: Progress) -> str:
    """One plain line per interval, for logs and pipes."""
    fields = [f"{count_text(snap.processed)}/{count_text(snap.total)} "
              f"({percent_text(snap.done_share)})", *_counts(snap, PLAIN),
              f"avg {seconds_text(snap.avg_send_s)}",
              f"rate {rate_text(snap.rate_per_s)}",
              f"eta {duration_text(snap.eta_s)}"]
    return f"[{elapsed_text(snap):>7}] " + "  ".join(fields)


def bar(snap: Progress, width: int, style: Style) -> str:
    """Sent, failed and remaining shares of the total, in that order."""
    total = snap.total or 1
    sent_cells = round(width * snap.sent / total)
    failed_cells = min(width - sent_cells,
                       round(width * (snap.failed + snap.expired) / total))
    if (snap.failed or snap.expired) and not failed_cells and sent_cells:
        sent_cells, failed_cells = sent_cells - 1, 1  # keep failures visible
    rest = width - sent_cells - failed_cells
    if style.colour:
        full = "\u2588" if style.unicode else "#"
        marks = (full, full, "\u2591" if style.unicode else "-")
    else:
        marks = ("\u2588", "\u2592", "\u2591") if style.unicode \
            else ("#", "x", "-")
    return (style.paint(marks[0] * sent_cells, "green")
            + style.paint(marks[1] * failed_cells, "red")
            + style.dim(marks[2] * rest))


def _verdict(snap: Summary, style: Style) -> str:
    if snap.stopped == "interrupt":
        return style.paint("interrupted", "yellow")
    if snap.stopped == "fault":
        return style.paint("stopped by a fault", "red")
    return "completed"


def live_frame(snap: Progress, width: int, style: Style,
               height: int | None = None) -> list[str]:
    """The block a terminal redraws in place every interval.  With a
    ``height``, the group rows take no more than what is left of it."""
    head = f" {percent_text(snap.done_share):>6}  " \
        f"{count_text(snap.processed)}/{count_text(snap.total)}"
    bar_width = max(5, min(50, width - len(head) - 9))
    lines = [fit(f"{style.bold('sms-sim')} {bar(snap, bar_width, style)}",
                 max(0, width - len(head))) + style.bold(head)]
    lines += wrap("  ", [*_counts(snap, style),
                         f"avg {style.bold(seconds_text(snap.avg_send_s))}"],
                  width)
    timing = [f"rate {rate_text(snap.rate_per_s)}",
              f"overall {rate_text(snap.throughput_per_s)}",
              f"elapsed {elapsed_text(snap)}"]
    if isinstance(snap, Summary):  # the report below has the groups
        lines += wrap("  ", [*timing[1:], _verdict(snap, style)], width)
        return lines
    lines += wrap("  ", [*timing,
                         f"eta {style.bold(duration_text(snap.eta_s))}"],
                  width)
    if snap.carriers:  # a field each, as the counts: sent, failed
        lines += wrap("  ", [f"{style.bold(c.name)} {count_text(c.sent)} "
                             f"sent {count_text(c.failed)} failed"
                             for c in snap.carriers], width)
    room = None if height is None else height - len(lines)
    if len(snap.groups) > 1 and (room is None or room > 0):
        lines += group_rows(snap.groups, style, width, room)
    return lines


def one_line_frame(snap: Progress, width: int, style: Style) -> str:
    """The least a frame can be: done, counts and eta, as many whole fields
    as fit ``width``; cut only on a terminal narrower than the first."""
    line = wrap("", [
        style.bold(percent_text(snap.done_share)),
        f"{count_text(snap.processed)}/{count_text(snap.total)}",
        f"sent {style.paint(count_text(snap.sent), 'green')}",
        f"failed {style.paint(count_text(snap.failed), 'red')}",
        f"eta {duration_text(snap.eta_s)}"], width, sep="  ")[0]
    return fit(line, width)


def _figures(snap: Summary, style: Style) -> list[tuple[str, list[str]]]:
    """The final report's labelled rows: each label, and its figures."""
    # Those waiting for a retry are unsent: a part, so that the figures
    # in the row add up to the total.
    unsent = f"unsent {count_text(snap.unsent)}" + (
        f" ({count_text(snap.retrying)} retrying)"
        if snap.retrying else "")
    rows = [("messages", [f"{count_text(snap.total)} total",
                          *_counts(snap, style, retrying=False), unsent,
                          *([f"not yet arrived "
                             f"{count_text(snap.not_arrived)}"]
                            if snap.not_arrived else [])])]
    rows += [("" if index else "classes", [
        f"{style.bold(k.name)} {count_text(k.messages)} total",
        f"sent {count_text(k.sent)}",
        f"failed {count_text(k.failed)}", f"expired {count_text(k.expired)}",
        f"unsent {count_text(k.unsent)}",
        *([f"not yet arrived {count_text(k.not_arrived)}"]
          if k.not_arrived else []),
        *([f"sent after arrival: mean {seconds_text(k.after.mean_s)}",
           f"p95 {seconds_text(k.after.p95_s)}",
           f"p99 {seconds_text(k.after.p99_s)}",
           f"waiting p99 {seconds_text(k.waiting.p99_s)}"]
          if k.after is not None and k.waiting is not None else [])])
        for index, k in enumerate(snap.classes)]
    rows += [("" if index else "carriers", [
        f"{style.bold(c.name)} sent {count_text(c.sent)}",
        f"failed {count_text(c.failed)}"
        + (f" (daily cap {count_text(c.daily_cap)})" if c.daily_cap
           else ""), f"expired {count_text(c.expired)}"])
        for index, c in enumerate(snap.carriers)]
    if snap.errors:
        rows.append(("errors", [
            f"{e.name} {count_text(e.attempts)} attempts, "
            f"{count_text(e.failed)} failed for good" for e in snap.errors]))
    if snap.retries or (snap.attempts and snap.attempts[0][0] != 1):
        rows.append(("attempts", [
            *(f"{n}: {count_text(c)}" for n, c in snap.attempts),
            f"retries {count_text(snap.retries)}",
            f"first try failed {count_text(snap.first_attempt_failed)} "
            f"({percent_text(snap.first_attempt_failure_share)})"]))
    rows.append(("texts", [
        *(f"{ENCODING_NAMES[name]} {count_text(count)}"
          for name, count in snap.by_encoding if count),
        *(f"{row} segment{'' if row == '1' else 's'} {count_text(count)}"
          for row, count in snap.by_segments if count),
        f"segments sent {count_text(snap.segments_sent)}"]))
    rows.append(("throughput",
                 [f"{rate_text(snap.throughput_per_s)} simulated",
                  f"{rate_text(snap.segment_throughput_per_s)} "
                  "in segments"]))
    if limit_fields(snap.limits):
        rows.append(("limited by", limit_fields(snap.limits)))
    if snap.delivery:
        rows.append(("sent", moments_fields(snap.delivery,
                                            snap.last_sent_s)))
    if snap.reached_at:
        rows.append(("reached", moments_fields(snap.reached_at,
                                               snap.last_reached_s)))
    if snap.receipts:
        rows.append(("receipts", [f"{state} {count_text(count)}"
                                  for state, count in snap.receipts]))
        rows.append(("confirmed", moments_fields(snap.confirmed_at,
                                                 snap.last_confirmed_s)))
    return rows + [
        ("send time", [f"avg {style.bold(seconds_text(snap.avg_send_s))}",
                       f"min {seconds_text(snap.min_s)}",
                       f"max {seconds_text(snap.max_s)}"]),
        ("", [f"p50 {seconds_text(snap.p50_s)}",
              f"p95 {seconds_text(snap.p95_s)}",
              f"p99 {seconds_text(snap.p99_s)}"])]


def _labelled(rows: Sequence[tuple[str, Sequence[str]]],
              width: int | None) -> list[str]:
    """Labels in a column beside their figures, unless a figure would not
    fit beside it: then each label heads its figures, in every row alike.
    """
    if width is None or all(LABEL + visible_width(field) <= width
                            for _, fields in rows for field in fields):
        return [line for label, fields in rows
                for line in wrap(f"  {label:<{LABEL - 2}}", fields, width)]
    return [line for label, fields in rows
            for line in (wrap("  ", [label], width) if label else [])
            + wrap("    ", fields, width)]


def _distribution(bins: Sequence[Bin], width: int | None,
                  style: Style) -> list[str]:
    """A row per bin: its range, a bar and its count.  The bar shrinks,
    then goes, before a figure would not fit; rows that still do not fit
    are wrapped like any other line."""
    lows = [(">= " if b.tail else "") + seconds_text(b.low_s) for b in bins]
    low_width = max(map(len, lows))
    highs = [None if b.tail else seconds_text(b.high_s) for b in bins]
    ranges = [low.rjust(low_width) + ("" if high is None else f" - {high}")
              for low, high in zip(lows, highs)]
    range_width = max(map(len, ranges))
    numbers = [count_text(b.count) for b in bins]
    number_width = max(map(len, numbers))
    # Two spaces before the range and the bar, one before the count; piped,
    # the bars are as long as on a terminal 80 columns wide.
    room = (width or 80) - 2 - range_width - 2 - 1 - number_width
    bar_width = min(MAX_BAR, room) if room >= MIN_BAR else 0
    peak = max(b.count for b in bins)
    block = "\u2588" if style.unicode else "#"
    lines = []
    for row_bin, low, high, span, number in zip(bins, lows, highs, ranges,
                                                numbers):
        cells = round(bar_width * row_bin.count / peak) if peak else 0
        cells = max(cells, 1 if row_bin.count and bar_width else 0)
        drawn = (f"  {style.paint(block * cells, 'cyan')}"
                 f"{' ' * (bar_width - cells)}" if bar_width else "")
        line = (f"  {span.ljust(range_width)}{drawn} "
                f"{number.rjust(number_width)}")
        if width is None or visible_width(line) <= width:
            lines.append(line)
        else:  # the range, on two lines if need be, over its count
            parts = [low] if high is None else [f"{low} -", high]
            lines += wrap("  ", parts, width, indent=4, sep=" ")
            lines += wrap("    ", [number], width)
    return lines


def final_report(snap: Summary, width: int | None, style: Style,
                 lag_note_after_s: float = 1.0,
                 checks: Sequence[Check] = ()) -> list[str]:
    """The summary printed once at the end, in every human mode.  Lines
    wrap at ``width`` (never, when it is None); nothing is cut."""
    simulated = [f"{duration_text(snap.sim_elapsed_s)} simulated,"]
    if snap.last_reached_s is not None and \
            snap.last_reached_s > snap.sim_elapsed_s:
        # The progress went on through the carrier's phase: say both.
        simulated = [
            f"{duration_text(snap.sim_elapsed_s)} simulated to send,",
            f"{duration_text(snap.last_reached_s)} to reach the phones,"]
    title = [*map(style.bold, ("SMS", "alert", "simulation")),
             style.bold(f"{_verdict(snap, style)}:"), *simulated,
             f"{duration_text(snap.elapsed_s)} real"]
    if snap.speed != 1:
        title.append(f"at {speed_text(snap.speed)}")
    if snap.seed is not None:  # all it takes to repeat the run exactly
        title[-1] += ","
        title.append(f"seed {snap.seed}")
    lines = wrap("", title, width, indent=2, sep=" ")
    lines += _labelled(_figures(snap, style), width)
    if snap.distribution:
        lines += wrap("  ", ["send", "time", "distribution"], width, sep=" ")
        lines += _distribution(snap.distribution, width, style)
    lines += group_rows(snap.groups, style, width)
    lines += _outage_lines(snap.groups, snap.sim_elapsed_s, width)
    if snap.max_lag_s > lag_note_after_s:
        lines += wrap("  ", (
            "note: this machine fell up to "
            f"{duration_text(snap.max_lag_s)} behind the simulated clock. "
            "The simulated figures are exact; only the real time is longer "
            "than the gateway's.").split(" "), width, sep=" ")
    for check in checks:  # passed ones too: a silent check looks skipped
        lines += wrap("  ", check.describe().split(" "), width, sep=" ")
    return lines
