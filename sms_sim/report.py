"""Pure formatting: from a Snapshot to lines of text or a JSON object.

Nothing here writes, reads the clock or knows about threads; the views in
``display.py`` decide where the lines go.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sms_sim.stats import GroupSnapshot, Snapshot

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_COLOURS = {"green": "32", "red": "31", "yellow": "33", "cyan": "36"}


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
    whole and resetting the style if anything was cut."""
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


def seconds(value: float | None) -> str:
    """A duration with a unit that keeps three or four significant digits."""
    if value is None:
        return "-"
    if value >= 1:
        return f"{value:.3f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    return f"{value * 1e6:.2f} us"


def clock_time(value: float | None) -> str:
    """Elapsed or remaining wall time: ``4.2s``, ``3m07s``, ``1h02m``."""
    if value is None:
        return "-"
    if value < 60:
        return f"{value:.1f}s"
    minutes, secs = divmod(int(value), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    return f"{minutes // 60}h{minutes % 60:02d}m"


def count(value: int) -> str:
    return f"{value:,}"


def rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}/s"


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def short_seconds(value: float) -> str:
    """A setting in the fewest characters: ``5ms``, ``0.5ms``, ``2s``."""
    if value == 0 or value >= 1:
        return f"{value:.3g}s"
    if value >= 1e-3:
        return f"{value * 1e3:.3g}ms"
    return f"{value * 1e6:.3g}us"


GROUP_HEADER = (f"  {'group':>5} {'senders':>7}  {'mean +- dev':<15}"
                f"{'fail':>5} {'sent':>9} {'failed':>9} {'avg':>10}")


def group_rows(groups: tuple[GroupSnapshot, ...], style: Style) -> list[str]:
    """One aligned row per sender group, under :data:`GROUP_HEADER`."""
    rows = [style.dim(GROUP_HEADER)]
    for number, snap in enumerate(groups, 1):
        group = snap.group
        setting = (f"{short_seconds(group.mean_s)} +- "
                   f"{short_seconds(group.max_deviation_s)}")
        rows.append(
            f"  {number:>5} {group.count:>7}  {setting:<15}"
            f"{group.failure_rate * 100:>4.3g}% "
            f"{style.paint(f'{count(snap.sent):>9}', 'green')} "
            f"{style.paint(f'{count(snap.failed):>9}', 'red')} "
            f"{seconds(snap.avg_send_s):>10}")
    return rows


def progress_line(snap: Snapshot) -> str:
    """One plain line per interval, for logs and pipes."""
    return (f"[{clock_time(snap.elapsed_s):>7}] "
            f"{count(snap.processed)}/{count(snap.total)} "
            f"({percent(snap.done_share)})  sent {count(snap.sent)}  "
            f"failed {count(snap.failed)} ({percent(snap.failure_share)})  "
            f"avg {seconds(snap.avg_send_s)}  rate {rate(snap.rate_per_s)}  "
            f"eta {clock_time(snap.eta_s)}")


def bar(snap: Snapshot, width: int, style: Style) -> str:
    """Sent, failed and remaining shares of the total, in that order."""
    total = snap.total or 1
    sent_cells = round(width * snap.sent / total)
    failed_cells = min(width - sent_cells, round(width * snap.failed / total))
    if snap.failed and not failed_cells and sent_cells:
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


def live_frame(snap: Snapshot, width: int, style: Style) -> list[str]:
    """The block a terminal redraws in place every interval."""
    head = f" {percent(snap.done_share):>6}  " \
        f"{count(snap.processed)}/{count(snap.total)}"
    bar_width = max(10, min(50, width - len(head) - 11))
    lines = [
        f"{style.bold('sms-sim')}  {bar(snap, bar_width, style)}"
        f"{style.bold(head)}",
        f"  sent {style.paint(count(snap.sent), 'green')}   "
        f"failed {style.paint(count(snap.failed), 'red')} "
        f"({percent(snap.failure_share)})   "
        f"avg {style.bold(seconds(snap.avg_send_s))} per message",
        f"  rate {rate(snap.rate_per_s)} now, "
        f"{rate(snap.throughput_per_s)} overall   "
        f"elapsed {clock_time(snap.elapsed_s)}   "
        f"eta {style.bold(clock_time(snap.eta_s))}",
    ]
    if snap.final:  # the report below has the groups
        lines[2] = (f"  {rate(snap.throughput_per_s)} overall   "
                    f"elapsed {clock_time(snap.elapsed_s)}   done")
    elif len(snap.groups) > 1:
        lines += group_rows(snap.groups, style)
    return [fit(line, width) for line in lines]


def final_report(snap: Snapshot, width: int, style: Style) -> list[str]:
    """The summary printed once at the end, in every human mode."""
    verdict = (style.paint("interrupted", "yellow") if snap.interrupted
               else "completed" if not snap.unsent
               else style.paint("stopped", "yellow"))
    lines = [
        style.bold(f"SMS alert simulation {verdict} in "
                   f"{clock_time(snap.elapsed_s)}"),
        f"  messages    {count(snap.total)} total   "
        f"{style.paint(count(snap.sent), 'green')} sent   "
        f"{style.paint(count(snap.failed), 'red')} failed "
        f"({percent(snap.failure_share)})   {count(snap.unsent)} unsent",
        f"  throughput  {rate(snap.throughput_per_s)}",
        f"  send time   avg {style.bold(seconds(snap.avg_send_s))}   "
        f"min {seconds(snap.min_s)}   max {seconds(snap.max_s)}",
        f"              p50 {seconds(snap.p50_s)}   "
        f"p95 {seconds(snap.p95_s)}   p99 {seconds(snap.p99_s)}",
    ]
    if snap.distribution:
        lines.append("  send time distribution")
        peak = max(b.count for b in snap.distribution)
        bar_width = max(10, min(40, width - 40))
        block = "\u2588" if style.unicode else "#"
        for row in snap.distribution:
            cells = round(bar_width * row.count / peak) if peak else 0
            if row.count and not cells:
                cells = 1
            lines.append(
                f"  {seconds(row.low_s):>10} - {seconds(row.high_s):<10} "
                f"{style.paint(block * cells, 'cyan')}"
                f"{' ' * (bar_width - cells)} {count(row.count)}")
    lines += group_rows(snap.groups, style)
    return [fit(line, width) for line in lines]


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _header(event: str, snap: Snapshot) -> dict[str, Any]:
    """The fields every JSON line starts with."""
    return {"event": event, "elapsed_s": round(snap.elapsed_s, 3),
            "total": snap.total, "sent": snap.sent, "failed": snap.failed}


def progress_json(snap: Snapshot) -> dict[str, Any]:
    return {
        **_header("progress", snap),
        "processed": snap.processed,
        "avg_send_s": _round(snap.avg_send_s, 9),
        "rate_per_s": _round(snap.rate_per_s, 1),
        "eta_s": _round(snap.eta_s, 3),
    }


def summary_json(snap: Snapshot) -> dict[str, Any]:
    return {
        **_header("summary", snap),
        "unsent": snap.unsent,
        "avg_send_s": _round(snap.avg_send_s, 9),
        "min_send_s": _round(snap.min_s, 9),
        "p50_send_s": _round(snap.p50_s, 9),
        "p95_send_s": _round(snap.p95_s, 9),
        "p99_send_s": _round(snap.p99_s, 9),
        "max_send_s": _round(snap.max_s, 9),
        "throughput_per_s": _round(snap.throughput_per_s, 1),
        "interrupted": snap.interrupted,
        "groups": [
            {
                "senders": g.group.count,
                "mean_s": g.group.mean_s,
                "max_deviation_s": g.group.max_deviation_s,
                "failure_rate": g.group.failure_rate,
                "sent": g.sent,
                "failed": g.failed,
                "avg_send_s": _round(g.avg_send_s, 9),
            }
            for g in snap.groups
        ],
    }
