"""Pure formatting: from a run's figures to lines of text or a JSON object.

Nothing here writes, reads the clock or knows about threads; the views in
``display.py`` decide where the lines go.  Numbers are never cut: a line
that would not fit its width is wrapped between fields, and a field wider
than the width has a line of its own, the only kind of line wider than the
width (a terminal view breaks it into rows between its words).
"""
from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sms_sim.measure.checks import Check
from sms_sim.measure.curve import DELIVERY_SHARES, curve_json
from sms_sim.measure.histogram import Bin
from sms_sim.measure.progress import GroupCounts, Progress
from sms_sim.measure.summary import Summary
from sms_sim.model.latency import Latency

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_COLOURS = {"green": "32", "red": "31", "yellow": "33", "cyan": "36"}
LABEL = 14
"""Width of the label column of the final report."""
GAP = "   "
MAX_BAR = 40
"""Cells of the send time distribution's longest bar."""
MIN_BAR = 5
"""Fewer cells would not show the distribution's shape: no bars then."""


@dataclass(frozen=True, slots=True)
class Style:
    """How to decorate text: ANSI colour and emphasis, and which glyphs."""

    colour: bool = False
    emphasis: bool = False
    unicode: bool = False

    def paint(self, text: str, colour: str) -> str:
        if not self.colour or not text:
            return text
        return f"\x1b[{_COLOURS[colour]}m{text}\x1b[0m"

    def bold(self, text: str) -> str:
        return f"\x1b[1m{text}\x1b[0m" if self.emphasis and text else text

    def dim(self, text: str) -> str:
        return f"\x1b[2m{text}\x1b[0m" if self.emphasis and text else text


PLAIN = Style()
"""No escape codes, ASCII only: for pipes, files and logs."""


def visible_width(line: str) -> int:
    return len(_ANSI.sub("", line))


def fit(line: str, width: int) -> str:
    """Cut ``line`` to ``width`` visible characters, keeping escape codes
    whole and resetting the style if anything was cut.  Only for decoration
    (the bar); text with numbers is wrapped instead, by :func:`wrap`."""
    if visible_width(line) <= width:
        return line
    out, seen, pos = [], 0, 0
    for match in _ANSI.finditer(line):
        text = line[pos:match.start()]
        out.append(text[:max(0, width - seen)])
        seen += len(text)
        out.append(match.group())
        pos = match.end()
    out.append(line[pos:][:max(0, width - seen)])
    return "".join(out) + ("\x1b[0m" if "\x1b[" in line else "")


def wrap(head: str, fields: Sequence[str], width: int | None,
         indent: int | None = None, sep: str = GAP) -> list[str]:
    """``head`` then ``fields`` joined by ``sep``, on as many lines as
    ``width`` needs (no limit when it is None); continuation lines are
    indented to ``indent`` (the width of ``head``).

    A field is never broken, so that no number is cut: one that does not
    fit at the indent starts further left, and one wider than ``width``
    has a line of its own, from column 0, wider than ``width``.  That is
    the only line that can be."""
    pad = visible_width(head) if indent is None else indent
    blank_head = not _ANSI.sub("", head).strip()
    if width is not None and visible_width(head) > width:
        head = head.lstrip(" ")  # a head is moved left like a field
    lines, line, bare = [], head, True  # bare: nothing but the head yet
    for field in fields:
        joined = line + field if bare else line + sep + field
        if width is None or visible_width(joined) <= width:
            line, bare = joined, False
            continue
        if not (bare and blank_head):  # a blank head is only indentation
            lines.append(line.rstrip(" "))
        line = " " * max(0, min(pad, width - visible_width(field))) + field
        bare = False
    lines.append(line)
    return lines


def seconds(value: float | None) -> str:
    """A duration with a unit that keeps three or four significant digits.
    """
    if value is None:
        return "-"
    # A value that would round up to 1000 of a unit takes the next unit:
    # 0.999999 is "1.000 s", not "1000.00 ms".
    if value >= 1 or f"{value * 1e3:.2f}" == "1000.00":
        return f"{value:.3f} s"
    if value >= 1e-3 or f"{value * 1e6:.2f}" == "1000.00":
        return f"{value * 1e3:.2f} ms"
    if value == 0 or value >= 1e-8:
        return f"{value * 1e6:.2f} us"
    return f"{value:.2g} s"  # too small for any unit: 1e-300 s


def clock_time(value: float | None) -> str:
    """Elapsed or remaining time: ``4.2s``, ``3m07s``, ``1h02m``, ``3d04h``.
    """
    if value is None:
        return "-"
    if value < 59.95:  # from 59.95, "60.0s" would be the next format's
        return f"{value:.1f}s"
    minutes, secs = divmod(max(60, int(value)), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    if hours < 24 * 10_000:
        return f"{hours // 24}d{hours % 24:02d}h"
    return f"{value / 86400:.3g}d"  # beyond 27 years: digits mean nothing


def moment(value: float | None) -> str:
    """A simulated moment: precise when short, a clock time when long."""
    if value is None:
        return "not reached"
    return seconds(value) if value < 60 else clock_time(value)


def count(value: int) -> str:
    return f"{value:,}"


def rate(value: float | None) -> str:
    """Whole numbers from 100 up; below, three significant digits, so
    that a slow simulated rate (``--max-rate 0.5``) is not shown as 0."""
    if value is None:
        return "-"
    if value >= 1e15:  # digits beyond these would mean nothing
        return f"{value:.3g}/s"
    return f"{value:,.0f}/s" if value >= 99.95 else f"{value:.3g}/s"


def percent(share: float | None, digits: int = 1) -> str:
    """A share to ``digits`` decimals of a percent; 0.0% only when it is
    none and 100.0% only when it is all: 8 failed of a million is <0.1%,
    and all but those >99.9%."""
    if share is None:
        return "-"
    text = f"{share * 100:.{digits}f}%"
    step = f"{10.0 ** -digits:.{digits}f}"
    if 0 < share and float(text[:-1]) == 0:
        return f"<{step}%"
    if share < 1 and float(text[:-1]) == 100:
        return f">{100 - float(step):.{digits}f}%"
    return text


def short_seconds(value: float) -> str:
    """A setting in the fewest characters: ``5ms``, ``0.5ms``, ``2s``.
    Three significant digits, and never an exponent from 0.01us up: a
    value that would round to 1000 of a unit takes the next unit."""
    if value == 0:
        return "0s"
    if value >= 999.5:
        return f"{value:.0f}s" if value < 1e6 else f"{value:.3g}s"
    if value < 1e-8:
        return f"{value:.2g}s"
    units = (("s", 1.0), ("ms", 1e3), ("us", 1e6))
    index = next(i for i, (_, scale) in enumerate(units)
                 if value * scale >= 1 or scale == 1e6)
    text = f"{value * units[index][1]:.3g}"
    if "e" in text:  # rounded up to 1e+03 of this unit
        index -= 1
        text = f"{value * units[index][1]:.3g}"
    return text + units[index][0]


def speed_text(speed: float) -> str:
    return "max speed" if speed == math.inf else f"{speed:g}x"


def elapsed_text(snap: Progress) -> str:
    """Simulated elapsed time, and the real time too when they differ."""
    text = clock_time(snap.sim_elapsed_s)
    if snap.speed != 1:
        text += (f" ({clock_time(snap.elapsed_s)} real, "
                 f"{speed_text(snap.speed)})")
    return text


GROUP_COLUMNS = (("group", 5), ("senders", 7), ("mean +- dev", 14),
                 ("fail", 5), ("attempts", 9), ("sent", 9), ("failed", 9),
                 ("avg", 10))
"""The group table's headings and their least widths; a column grows to
its widest cell, so that a long setting or count keeps the rows aligned.
"""
REACHED_COLUMN = ("reached", 9)
"""The column a run with a carrier adds to the group table."""


def latency_text(latency: Latency) -> str:
    """A distribution in a few words: ``10ms +- 5ms`` (uniform),
    ``lognormal 50ms sd 20ms``, ``exponential 8s``, ``empirical f.csv``."""
    if latency.shape == "uniform":
        return (f"{short_seconds(latency.mean_s)} +- "
                f"{short_seconds(latency.max_deviation_s)}")
    if latency.shape == "empirical":
        return f"empirical {os.path.basename(latency.source) or 'values'}"
    sd = f" sd {short_seconds(latency.sd_s)}" if latency.sd_s else ""
    return f"{latency.shape} {short_seconds(latency.mean_s)}{sd}"


def _setting(snap: GroupCounts) -> str:
    group = snap.group
    return latency_text(group.send) + (
        f" @{group.tps:g}/s" if group.tps is not None else "")


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


def group_rows(groups: tuple[GroupCounts, ...], style: Style,
               width: int | None, limit: int | None = None) -> list[str]:
    """One aligned row per sender group under a header, or, narrower than
    the table, a few wrapped lines per group.  With a ``limit``, at most
    that many lines: as many groups as fit, then a line that says how many
    more there are (none at all if even that does not fit)."""
    head, blocks = _group_blocks(groups, style, width)
    lines = head + [line for block in blocks for line in block]
    if limit is None or len(lines) <= limit:
        return lines
    shown: list[str] = []
    kept = 0
    for block in blocks:
        after = _more_groups(len(blocks) - kept - 1, True, width)
        if len(head) + len(shown) + len(block) + len(after) > limit:
            break
        shown += block
        kept += 1
    lines = (head + shown if kept else []) + _more_groups(
        len(blocks) - kept, kept > 0, width)
    return lines if len(lines) <= limit else []


def _more_groups(left: int, after_some: bool, width: int | None
                 ) -> list[str]:
    """The line that stands for ``left`` groups there was no room for."""
    if not left:
        return []
    noun = "group" if left == 1 else "groups"
    text = (f"... and {count(left)} more {noun}" if after_some
            else f"... {count(left)} {noun}, too many to show")
    return wrap("  ", f"{text} (--json has them all)".split(" "), width,
                sep=" ")


def _group_blocks(groups: tuple[GroupCounts, ...], style: Style,
                  width: int | None) -> tuple[list[str], list[list[str]]]:
    """The group table's header and its rows, each a block of one line;
    or, narrower than the table, no header and a few lines per group."""
    rows = [(number, snap, _setting(snap))
            for number, snap in enumerate(groups, 1)]
    reached = any(snap.reached is not None for snap in groups)
    columns = GROUP_COLUMNS + ((REACHED_COLUMN,) if reached else ())
    cells = [[str(number), str(snap.group.count), setting,
              f"{snap.group.failure_rate * 100:.3g}%", count(snap.attempts),
              count(snap.sent), count(snap.failed), seconds(snap.avg_send_s),
              *([_reached(snap)] if reached else [])]
             for number, snap, setting in rows]
    widths = [max(least, len(heading), *(len(row[i]) for row in cells))
              for i, (heading, least) in enumerate(columns)]

    def aligned(row: Sequence[str]) -> list[str]:
        return [text.ljust(w) if i == 2 else text.rjust(w)
                for i, (text, w) in enumerate(zip(row, widths))]

    def joined(row: Sequence[str]) -> str:
        return "  " + " ".join(row[:2]) + "  " + " ".join(row[2:])

    header = style.dim(joined(aligned([h for h, _ in columns])))
    table = []
    for row in cells:
        out = aligned(row)
        out[5] = style.paint(out[5], "green")
        out[6] = style.paint(out[6], "red")
        table.append(joined(out))
    if width is None or visible_width(header) <= width:
        return [header], [[line] for line in table]
    return [], [wrap(f"  group {number}: ", [
        f"{snap.group.count} sender{'s' if snap.group.count != 1 else ''}",
        setting,
        f"fail {snap.group.failure_rate * 100:.3g}%",
        f"attempts {count(snap.attempts)}",
        f"sent {style.paint(count(snap.sent), 'green')}",
        f"failed {style.paint(count(snap.failed), 'red')}",
        f"avg {seconds(snap.avg_send_s)}",
        *([f"reached {_reached(snap)}"] if reached else [])], width, indent=4)
        for number, snap, setting in rows]


def _reached(snap: GroupCounts) -> str:
    return "-" if snap.reached is None else count(snap.reached)


def _counts(snap: Progress, style: Style) -> list[str]:
    fields = [f"sent {style.paint(count(snap.sent), 'green')}",
              f"failed {style.paint(count(snap.failed), 'red')} "
              f"({percent(snap.failure_share)})"]
    if snap.expired:
        fields.append(f"expired {style.paint(count(snap.expired), 'yellow')}")
    if snap.retrying:
        fields.append(f"retrying {count(snap.retrying)}")
    if snap.carrier:
        fields.insert(1, f"reached {style.paint(count(snap.reached), 'cyan')}")
    return fields


def progress_line(snap: Progress) -> str:
    """One plain line per interval, for logs and pipes."""
    fields = [f"{count(snap.processed)}/{count(snap.total)} "
              f"({percent(snap.done_share)})", *_counts(snap, PLAIN),
              f"avg {seconds(snap.avg_send_s)}",
              f"rate {rate(snap.rate_per_s)}", f"eta {clock_time(snap.eta_s)}"]
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
    head = f" {percent(snap.done_share):>6}  " \
        f"{count(snap.processed)}/{count(snap.total)}"
    bar_width = max(5, min(50, width - len(head) - 9))
    lines = [fit(f"{style.bold('sms-sim')} {bar(snap, bar_width, style)}",
                 max(0, width - len(head))) + style.bold(head)]
    lines += wrap("  ", [*_counts(snap, style),
                         f"avg {style.bold(seconds(snap.avg_send_s))}"],
                  width)
    timing = [f"rate {rate(snap.rate_per_s)}",
              f"overall {rate(snap.throughput_per_s)}",
              f"elapsed {elapsed_text(snap)}"]
    if isinstance(snap, Summary):  # the report below has the groups
        lines += wrap("  ", [*timing[1:], _verdict(snap, style)], width)
        return lines
    lines += wrap("  ", [*timing, f"eta {style.bold(clock_time(snap.eta_s))}"],
                  width)
    room = None if height is None else height - len(lines)
    if len(snap.groups) > 1 and (room is None or room > 0):
        lines += group_rows(snap.groups, style, width, room)
    return lines


def _moments(at: Sequence[float | None], last: float | None) -> list[str]:
    """By when each of ``DELIVERY_SHARES`` of all messages was delivered
    (or reached), and the last."""
    fields = [f"{share * 100:g}% " + ("not reached" if when is None
                                      else f"by {moment(when)}")
              for share, when in zip(DELIVERY_SHARES[:-1], at)]
    return fields + [f"last {moment(last)}"]


def _figures(snap: Summary, style: Style) -> list[tuple[str, list[str]]]:
    """The final report's labelled rows: each label, and its figures."""
    rows = [("messages", [f"{count(snap.total)} total", *_counts(snap, style),
                          f"unsent {count(snap.unsent)}"])]
    if snap.retries or (snap.attempts and snap.attempts[0][0] != 1):
        rows.append(("attempts", [
            *(f"{n}: {count(c)}" for n, c in snap.attempts),
            f"retries {count(snap.retries)}",
            f"first try failed {count(snap.first_attempt_failed)} "
            f"({percent(snap.first_attempt_failure_share)})"]))
    rows.append(("throughput", [f"{rate(snap.throughput_per_s)} simulated"]))
    if snap.delivery:
        rows.append(("delivered", _moments(snap.delivery, snap.last_sent_s)))
    if snap.reached_at:
        rows.append(("reached", _moments(snap.reached_at,
                                         snap.last_reached_s)))
    return rows + [
        ("send time", [f"avg {style.bold(seconds(snap.avg_send_s))}",
                       f"min {seconds(snap.min_s)}",
                       f"max {seconds(snap.max_s)}"]),
        ("", [f"p50 {seconds(snap.p50_s)}", f"p95 {seconds(snap.p95_s)}",
              f"p99 {seconds(snap.p99_s)}"])]


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
    lows = [(">= " if b.tail else "") + seconds(b.low_s) for b in bins]
    low_width = max(map(len, lows))
    highs = [None if b.tail else seconds(b.high_s) for b in bins]
    ranges = [low.rjust(low_width) + ("" if high is None else f" - {high}")
              for low, high in zip(lows, highs)]
    range_width = max(map(len, ranges))
    numbers = [count(b.count) for b in bins]
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
    simulated = [f"{clock_time(snap.sim_elapsed_s)} simulated,"]
    if snap.last_reached_s is not None and \
            snap.last_reached_s > snap.sim_elapsed_s:
        # The progress went on through the carrier's phase: say both.
        simulated = [f"{clock_time(snap.sim_elapsed_s)} simulated to send,",
                     f"{clock_time(snap.last_reached_s)} to reach the "
                     "phones,"]
    title = [*map(style.bold, ("SMS", "alert", "simulation")),
             style.bold(f"{_verdict(snap, style)}:"), *simulated,
             f"{clock_time(snap.elapsed_s)} real"]
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
    if snap.max_lag_s > lag_note_after_s:
        lines += wrap("  ", (
            f"note: this machine fell up to {clock_time(snap.max_lag_s)} "
            "behind the simulated clock. The simulated figures are exact; "
            "only the real time is longer than the gateway's.").split(" "),
            width, sep=" ")
    for check in checks:  # passed ones too: a silent check looks skipped
        lines += wrap("  ", check.describe().split(" "), width, sep=" ")
    return lines


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _header(event: str, snap: Progress) -> dict[str, Any]:
    """The fields every JSON line starts with."""
    return {"event": event, "elapsed_s": round(snap.elapsed_s, 3),
            "sim_elapsed_s": round(snap.sim_elapsed_s, 6),
            "speed": "max" if snap.speed == math.inf else snap.speed,
            "total": snap.total, "sent": snap.sent,
            "failed": snap.failed}


def progress_json(snap: Progress) -> dict[str, Any]:
    return {
        **_header("progress", snap),
        "expired": snap.expired,
        "retrying": snap.retrying,
        "processed": snap.processed,
        "avg_send_s": _round(snap.avg_send_s, 9),
        "rate_per_s": _round(snap.rate_per_s, 1),
        "eta_s": _round(snap.eta_s, 3),
        **({"reached": snap.reached} if snap.carrier else {}),
    }


def _shares_json(at: Sequence[float | None]) -> dict[str, float | None]:
    """``{"p50": s, ..., "p100": s}``: by when each of ``DELIVERY_SHARES``
    of all messages was delivered (or reached); None where never."""
    return {f"p{share * 100:g}": _round(moment_s, 6) for share, moment_s
            in zip(DELIVERY_SHARES, at or (None,) * len(DELIVERY_SHARES))}


def summary_json(snap: Summary, checks: Sequence[Check] = ()
                 ) -> dict[str, Any]:
    return {
        **_header("summary", snap),
        "seed": snap.seed,
        "expired": snap.expired,
        "unsent": snap.unsent,
        "retrying": snap.retrying,
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
        "throughput_per_s": _round(snap.throughput_per_s, 1),
        "attempts": {str(n): c for n, c in snap.attempts},
        "retries": snap.retries,
        "first_attempt_failed": snap.first_attempt_failed,
        "max_lag_s": round(snap.max_lag_s, 3),
        "interrupted": snap.interrupted,
        "stopped": snap.stopped,
        "checks": [{"name": c.name, "ok": c.ok, "value": c.value,
                    "limit": c.limit} for c in checks],
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
    }


@dataclass(frozen=True, slots=True)
class PlanStatus:
    """How far a plan has got: runs done, of how many (None while a search
    does not know), in how much real time."""

    done: int
    total: int | None
    elapsed_s: float

    @property
    def eta_s(self) -> float | None:
        if not self.total or not self.done or self.done >= self.total:
            return None
        return self.elapsed_s * (self.total - self.done) / self.done


def status_line(status: PlanStatus) -> str:
    """One plain line per interval, for logs and pipes."""
    of = f"/{count(status.total)}" if status.total else ""
    share = (f" ({status.done * 100 / status.total:.0f}%)"
             if status.total else "")
    return (f"[{clock_time(status.elapsed_s):>7}] runs "
            f"{count(status.done)}{of}{share}  eta "
            f"{clock_time(status.eta_s)}")


def status_frame(status: PlanStatus, width: int, style: Style) -> str:
    """The line a terminal redraws: a bar of the runs done, the count and
    the ETA; as many whole fields as fit ``width``, cut only on a
    terminal narrower than the first."""
    fields = [f"runs {count(status.done)}"
              + (f"/{count(status.total)}" if status.total else ""),
              f"elapsed {clock_time(status.elapsed_s)}",
              f"eta {style.bold(clock_time(status.eta_s))}"]
    room = max(0, min(40, width - visible_width("  ".join(fields)) - 10))
    done = round(room * status.done / status.total) if status.total else 0
    full, empty = ("\u2588", "\u2591") if style.unicode else ("#", "-")
    bar = style.paint(full * done, "green") + style.dim(empty * (room - done))
    head = f"{style.bold('sms-sim')} {bar} {fields[0]}"
    return fit(wrap("", [head, *fields[1:]], width, sep="  ")[0], width)
