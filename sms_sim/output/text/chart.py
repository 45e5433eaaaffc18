"""The reach curve as a small text chart, fitting the terminal.

Pure: a chart is a list of lines, like the rest of the text output, and
nothing here reads a clock or writes.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sms_sim.measure.curve import SHARES, Curve, Mark, crossing, share_at
from sms_sim.measure.summary import Summary
from sms_sim.output.tables import stage_count, stage_curves, stages_title
from sms_sim.output.text.style import Style, visible_width, wrap
from sms_sim.output.text.units import moment_text

ROWS = 8
"""Rows of a chart's plot, above its time axis."""
MIN_WIDTH = 30
"""The narrowest chart: a plot 24 columns wide, where one column is about
4% of the time.  Narrower, a step of several percent of the blast would
hide in one column, so :func:`chart` draws nothing rather than a blur."""
MAX_PLOT = 72
"""The widest plot: with its 6-column axis, 78 columns, the width of an
80-column terminal.  Wider would add columns, not information."""
_GUTTER = 6
"""The share labels and the axis: ``100% |``."""


@dataclass(frozen=True, slots=True)
class _Glyphs:
    """How one curve is drawn in a cell: ``levels`` from the bottom of the
    cell to its top (one glyph: the same anywhere), and ``rise`` for the
    cells a column's climb passes through."""

    levels: str
    rise: str


_ASCII_LINE = _Glyphs(".-'", "|")
_BRAILLE_LINE = _Glyphs("\u28c0\u2824\u2812\u2809", "\u2847")
"""Braille dots on the cell's bottom row, third, second, top; the rise
is the left column of dots."""
_SERIES = "*o+x#@%&"
"""One glyph a curve when there are several, to tell them apart."""
_COLOURS = ("green", "cyan", "red")
_MARK_GLYPHS = (":", "!")
_UNICODE_MARK_GLYPHS = ("\u250a", "\u254e")


def _glyphs(index: int, several: bool, style: Style) -> _Glyphs:
    if several:
        glyph = _SERIES[index % len(_SERIES)]
        return _Glyphs(glyph, glyph)
    return _BRAILLE_LINE if style.unicode else _ASCII_LINE


def _level(share: float, levels: int) -> tuple[int, int]:
    """The cell (0 the bottom row) and the level in it that show
    ``share``: 0 on the bottom of the bottom row, 1 on the top of the top.
    The highest level not above the share, so that a curve is never drawn
    above what it reached: a run that sent 89% stays below the row
    labelled 100%.  (The tolerance keeps a share of k/n, a hair short of
    its level in binary, on it.)"""
    step = math.floor(share * (ROWS * levels - 1) + 1e-9)
    return divmod(step, levels)


def _column(time_s: float, end: float, plot: int) -> int:
    """The plot column whose span of time holds ``time_s``: column c spans
    ``(c, c + 1] * end / plot``, and column 0 holds 0 too."""
    return min(plot - 1, max(0, math.ceil(time_s / end * plot) - 1))


def _paint_runs(cells: Sequence[tuple[str, str | None]],
                style: Style) -> str:
    """The cells as text, each run of one colour painted once."""
    out, index = [], 0
    while index < len(cells):
        colour = cells[index][1]
        end = index
        while end < len(cells) and cells[end][1] == colour:
            end += 1
        text = "".join(glyph for glyph, _ in cells[index:end])
        out.append(style.paint(text, colour) if colour else text)
        index = end
    return "".join(out)


def _plot(curves: Sequence[Curve], marks: Sequence[Mark], end: float,
          plot: int, style: Style) -> list[list[tuple[str, str | None]]]:
    """The plot's cells, top row first: each a glyph and its colour; then,
    after a blank column, a column for each mark beyond ``end``."""
    beyond = sum(mark.time_s > end for mark in marks)
    grid: list[list[tuple[str, str | None]]] = [
        [(" ", None)] * (plot + (beyond + 1 if beyond else 0))
        for _ in range(ROWS)]
    mark_glyphs = _UNICODE_MARK_GLYPHS if style.unicode else _MARK_GLYPHS
    edge = plot
    for index, mark in enumerate(marks):
        if mark.time_s > end:
            edge += 1
            column = edge
        else:
            column = _column(mark.time_s, end, plot)
        for row in grid:
            row[column] = (mark_glyphs[index % len(mark_glyphs)], "yellow")
    # The first curve is drawn last, so that it shows where curves meet.
    for index in reversed(range(len(curves))):
        glyphs = _glyphs(index, len(curves) > 1, style)
        colour = _COLOURS[index % len(_COLOURS)]
        levels = len(glyphs.levels)
        below = 0  # the cell of the previous column's share
        for column in range(plot):
            share = share_at(curves[index], (column + 1) * end / plot)
            cell, level = _level(share, levels)
            for rise in range(below + 1, cell):
                grid[ROWS - 1 - rise][column] = (glyphs.rise, colour)
            grid[ROWS - 1 - cell][column] = (glyphs.levels[level], colour)
            below = cell
    return grid


def _legend(curves: Sequence[Curve], marks: Sequence[Mark],
            shares: Sequence[float], style: Style, width: int,
            end: float, parts: bool) -> list[str]:
    """A line or two per curve: its glyph, label and crossings (for the
    parts of a whole, its last moment); then one per mark: its glyph,
    label and moment, and whether it is beyond the time axis."""
    lines = []
    indent = " " * _GUTTER
    for index, curve in enumerate(curves):
        glyphs = _glyphs(index, len(curves) > 1, style)
        glyph = style.paint(glyphs.levels[len(glyphs.levels) // 2],
                            _COLOURS[index % len(_COLOURS)])
        if parts and index:
            fields = [f"last at {moment_text(curve.end_s)}"
                      if curve.points else "none"]
        else:
            fields = [f"{share * 100:g}% " + (
                "not reached" if at is None else f"by {moment_text(at)}")
                for share in shares for at in [crossing(curve, share)]]
        head = [f"{curve.label}:"] if curve.label else []
        lines += wrap(f"{indent}{glyph} ", [*head, *fields], width,
                      indent=_GUTTER + 2, sep="  ")
    mark_glyphs = _UNICODE_MARK_GLYPHS if style.unicode else _MARK_GLYPHS
    for index, mark in enumerate(marks):
        glyph = style.paint(mark_glyphs[index % len(mark_glyphs)], "yellow")
        edge = "(beyond the axis: at its edge)".split(" ") \
            if mark.time_s > end else []
        lines += wrap(f"{indent}{glyph} ",
                      [mark.label, f"at {moment_text(mark.time_s)}", *edge],
                      width, indent=_GUTTER + 2, sep=" ")
    return lines


def chart(curves: Sequence[Curve], width: int, style: Style,
          marks: Sequence[Mark] = (),
          shares: Sequence[float] = SHARES,
          parts: bool = False) -> list[str]:
    """The reach curves as a text chart no wider than ``width``: ``ROWS``
    rows of share (0 at the bottom, 100% at the top) over simulated time
    (0 to the latest curve's end, or to the latest mark if no curve has
    time), an axis with the first, middle and last moments, and a legend:
    each curve's glyph, label and the moments it crossed ``shares``, then
    each mark's glyph, label and moment.  Marks are drawn as a column of
    their glyph; where a curve and a mark meet, the curve shows, and where
    curves meet, the first.  A mark beyond the curves' end (a deadline of
    an hour for a run of seconds) is drawn at the edge, right of the
    plot, and its legend says so: scaled to it, the curves would be
    squeezed into the first columns.  With ``parts``, the curves after the
    first are parts of it (sender groups), whose crossings of shares of
    all messages would mostly be "not reached": their legend gives the
    last moment instead.

    One curve is drawn as a line with three levels a row (braille dots,
    four, with ``style.unicode``); several each with a glyph of their
    own.  ``style.PLAIN`` gives ASCII without escape codes.  Each column
    shows the share by the end of its span of time, so a step shows in
    the column whose span holds it.

    All or nothing: ``[]`` when ``width`` is below ``MIN_WIDTH``, when a
    legend field (a label, a crossing) would not fit the width, when there
    is no curve, or when no time passed (a blast over at 0 has no time
    axis to draw)."""
    end = max((curve.end_s for curve in curves), default=0.0) or max(
        (mark.time_s for mark in marks), default=0.0)
    if width < MIN_WIDTH or not curves or end <= 0:
        return []
    beyond = sum(mark.time_s > end for mark in marks)
    plot = min(MAX_PLOT, width - _GUTTER - (beyond + 1 if beyond else 0))
    half = _level(0.5, 1)[0]
    labels = {ROWS - 1: "100%", half: "50%", 0: "0%"}  # by cell
    axis = style.dim("\u2502" if style.unicode else "|")
    lines = [(f"{labels.get(ROWS - 1 - row, ''):>4} {axis}"
              + _paint_runs(cells, style)).rstrip(" ")
             for row, cells in enumerate(_plot(curves, marks, end, plot,
                                               style))]
    corner, rule = ("\u2514", "\u2500") if style.unicode else ("+", "-")
    lines.append(" " * (_GUTTER - 1) + style.dim(corner + rule * plot))
    lines.append(" " * _GUTTER + _time_axis(end, plot))
    legend = _legend(curves, marks, shares, style, width, end, parts)
    if any(visible_width(line) > width for line in legend):
        return []
    return lines + legend


def _time_axis(end: float, plot: int) -> str:
    """"0" under the first column, the end under the last, and the middle
    moment under its column when two spaces part it from both."""
    last = moment_text(end)
    text = "0".ljust(plot - len(last)) + last
    middle = moment_text(end / 2)
    start = _column(end / 2, end, plot) - len(middle) // 2
    if len("0") + 2 <= start and start + len(middle) + 2 <= plot - len(last):
        text = text[:start] + middle + text[start + len(middle):]
    return text


def reach_chart(snap: Summary, width: int, style: Style,
                marks: Sequence[Mark]) -> list[str]:
    """A completed run's curves, titled, under a blank line: its stages
    with a carrier or receipts, else sent with its groups' when a few
    (``stage_curves``); nothing for a run stopped early, or too narrow a
    width."""
    curves = stage_curves(snap)
    if snap.stopped is not None or not curves:
        return []
    if len(curves) == 1:  # no legend label needed: it is the run's
        curves = (Curve("", curves[0].points),)
    # Stages each cross the shares; sender groups are parts of the run.
    lines = chart(curves, width, style, marks, parts=stage_count(snap) < 2)
    title = stages_title(snap) + ", share of all messages by simulated time"
    return ["", *wrap("  ", title.split(" "), width, sep=" "), *lines] \
        if lines else []
