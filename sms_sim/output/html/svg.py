"""The HTML report's charts, as inline SVG: the reach curves, the band of
replications and the send time distribution.

Every figure scales to the page and takes its colours from the page's CSS
(the ``c0`` to ``c7`` classes, ``d1`` and ``d2`` for dashes, ``--mark``,
``--band``), so that it follows the reader's light or dark scheme.  Every
text is escaped.
"""
from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sms_sim.measure.curve import Band, Curve, Mark, Shade, crossing
from sms_sim.measure.histogram import Bin
from sms_sim.output.text.units import (count_text, duration_text,
                                       moment_text, seconds_text,
                                       short_seconds_text)

COLOURS = 8
"""Curve colours before they repeat (``--c0`` to ``--c7`` in the CSS)."""
DASHES = 3
"""Strokes (solid, dashed, dotted: ``d1``, ``d2``) that tell apart the
curves whose colours repeat: 24 curves, each drawn its own way."""

_WIDTH, _PLOT_HEIGHT = 760, 256
"""The reach charts' drawing and its plot, in SVG units (it scales to the
page)."""
_LEFT, _RIGHT, _BOTTOM = 48, 24, 36
"""Room beside and below the plot: share labels, the last time label, the
time labels."""
_MARK_ROW = 16
"""Above the plot, a row for each mark's label, so that none overlaps
another however close their moments are."""
_TIME_STEPS = sorted(
    [m * 10.0 ** e for e in range(-9, 2) for m in (1, 2, 5)
     if m * 10.0 ** e < 60]
    + [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200]
    + [86400 * m * 10.0 ** e for e in range(4) for m in (1, 2, 5)])
"""Steps between time labels: round seconds, minutes, hours and days."""
_MOST_TICKS = 8
_EDGE = 10
"""A mark beyond the chart's last moment stands this far right of the
plot, in the margin, and the next such mark as far again."""


def escape(text: str) -> str:
    """``text`` as markup shows it, also inside a quoted attribute."""
    return html.escape(text, quote=True)


def tenths(value: float) -> str:
    """An SVG coordinate, or a length: a tenth of a unit is finer than a
    pixel."""
    return f"{value:.1f}"


def curve_class(index: int) -> str:
    """The classes that draw curve ``index`` (its colour, and its dashes
    from the ninth curve on), unlike any other of the first
    ``COLOURS * DASHES``."""
    dash = index // COLOURS % DASHES
    return f"c{index % COLOURS}" + (f" d{dash}" if dash else "")


def key(index: int) -> str:
    """A legend's sample of curve ``index``: a short stroke drawn as the
    curve is, dashes and all."""
    return ('<svg class="key" viewBox="0 0 28 8" aria-hidden="true">'
            f'<line class="curve {curve_class(index)}" x1="1" x2="27" '
            'y1="4" y2="4"/></svg>')


def _time_label(time_s: float) -> str:
    if time_s == 0:
        return "0"
    return short_seconds_text(time_s) if time_s < 60 else duration_text(time_s)


def _time_ticks(end: float) -> list[float]:
    """Round moments from 0 to ``end``, at most ``_MOST_TICKS`` + 1."""
    step = next((s for s in _TIME_STEPS if s * _MOST_TICKS >= end),
                end / _MOST_TICKS)
    return [k * step for k in range(math.floor(end / step + 1e-9) + 1)]


@dataclass(frozen=True, slots=True)
class _Frame:
    """The reach chart's scales: simulated seconds and shares to SVG
    units, for a plot below the labels of ``marks`` marks."""

    end: float
    marks: int

    @property
    def top(self) -> int:
        return 12 + _MARK_ROW * max(1, self.marks)

    @property
    def height(self) -> int:
        return self.top + _PLOT_HEIGHT + _BOTTOM

    def x(self, time_s: float) -> float:
        return _LEFT + (_WIDTH - _LEFT - _RIGHT) * time_s / self.end

    def y(self, share: float) -> float:
        return self.top + _PLOT_HEIGHT * (1.0 - share)

    def path(self, points: Sequence[tuple[float, float]]) -> str:
        """A path's ``d``: one point per curve point, joined by lines."""
        return " ".join(f"{'L' if i else 'M'}{tenths(self.x(t))},"
                        f"{tenths(self.y(s))}"
                        for i, (t, s) in enumerate(points))

    def steps(self, points: Sequence[tuple[float, float]]) -> str:
        """A curve's path: at each point's moment, up from the share
        before it (0 at the first) to its own, then flat to the next
        (``curve.share_at``): two corners a point."""
        before = [0.0, *(share for _, share in points[:-1])]
        return self.path([corner for (t, s), low in zip(points, before)
                          for corner in ((t, low), (t, s))])


def _axes(frame: _Frame, shares: Sequence[float]) -> list[str]:
    """Gridlines and labels at every quarter and round moment; faint
    guides at ``shares``."""
    parts = []
    for quarter in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = tenths(frame.y(quarter))
        parts.append(f'<line class="grid" x1="{_LEFT}" '
                     f'x2="{tenths(frame.x(frame.end))}" y1="{y}" y2="{y}"/>')
        parts.append(f'<text x="{_LEFT - 6}" y="{y}" text-anchor="end" '
                     f'dominant-baseline="middle">{quarter * 100:g}%</text>')
    for share in shares:
        if share not in (0.0, 0.25, 0.5, 0.75, 1.0):
            y = tenths(frame.y(share))
            parts.append(f'<line class="guide" x1="{_LEFT}" '
                         f'x2="{tenths(frame.x(frame.end))}" y1="{y}" '
                         f'y2="{y}"/>')
    bottom = tenths(frame.y(0.0))
    for tick in _time_ticks(frame.end):
        x = tenths(frame.x(tick))
        parts.append(f'<line class="grid" x1="{x}" x2="{x}" y1="{bottom}" '
                     f'y2="{tenths(frame.y(0.0) + 5)}"/>')
        parts.append(f'<text x="{x}" y="{tenths(frame.y(0.0) + 20)}" '
                     'text-anchor="middle">'
                     f'{escape(_time_label(tick))}</text>')
    return parts


def _marks(frame: _Frame, marks: Sequence[Mark]) -> list[str]:
    """A dashed line and a label for each mark, at its moment; a mark
    beyond the chart's end, at its right edge, its label saying so."""
    parts = []
    beyond = 0
    for row, mark in enumerate(marks):
        x = frame.x(min(mark.time_s, frame.end))
        label_y = frame.y(1.0) - 10 - _MARK_ROW * (len(marks) - 1 - row)
        text = f"{mark.label} {moment_text(mark.time_s)}"
        if mark.time_s > frame.end:
            beyond += 1
            x += _EDGE * beyond
            text += " (beyond the axis: at its edge)"
        anchor = "end" if x > _WIDTH / 2 else "start"
        shift = -4 if anchor == "end" else 4
        parts.append(f'<line class="mark" x1="{tenths(x)}" x2="{tenths(x)}" '
                     f'y1="{tenths(label_y + 4)}" '
                     f'y2="{tenths(frame.y(0.0))}">'
                     f'<title>{escape(text)}</title></line>')
        parts.append(f'<text class="mark-label" x="{tenths(x + shift)}" '
                     f'y="{tenths(label_y)}" text-anchor="{anchor}">'
                     f'{escape(text)}</text>')
    return parts


def _svg(label: str, parts: Sequence[str], height: int) -> str:
    return (f'<svg viewBox="0 0 {_WIDTH} {height}" role="img" '
            f'aria-label="{escape(label)}">' + "".join(parts) + "</svg>")


def curves_figure(label: str, curves: Sequence[Curve],
                  marks: Sequence[Mark], shares: Sequence[float],
                  dots: int = 0, chosen: int | None = None,
                  shades: Sequence[Shade] = (),
                  bands: Sequence[Band | None] = (),
                  points: Sequence[tuple[float, float]] = ()) -> str:
    """A chart of ``curves``, each a path drawn its own way, with dots
    where each of the first ``dots`` crosses ``shares``, ``shades`` behind
    them (a route's outages), and a legend.  Curve ``chosen`` (a search's
    answer) is drawn bold, over the others, and named so in the legend.
    ``bands``, the replications' band of each curve (its mean) where it
    has one, tinted in its colour behind them all.  ``points``, observed
    ``(time, share)`` points (a fit's), are drawn as rings over them."""
    ends = [c.end_s for c in curves] + [b.times[-1] for b in bands if b] \
        + [time_s for time_s, _ in points]
    frame = _Frame(_end(ends, marks), len(marks))
    parts = _axes(frame, shares) + _shades(frame, shades)
    for index, spread in enumerate(bands):
        if spread is not None:
            outline = frame.path([*zip(spread.times, spread.high),
                                  *reversed([*zip(spread.times,
                                                  spread.low)])])
            parts.append(f'<path class="band tint c{index % COLOURS}" '
                         f'd="{outline} Z"><title>'
                         + escape(f"{curves[index].label}: least to "
                                  f"greatest share of {spread.runs} runs")
                         + "</title></path>")
    order = [i for i in range(len(curves)) if i != chosen]
    for index in order + ([] if chosen is None else [chosen]):
        curve = curves[index]
        colour = curve_class(index)
        bold = " chosen" if index == chosen else ""
        if curve.points:
            parts.append(f'<path class="curve {colour}{bold}" '
                         f'd="{frame.steps(curve.points)}">'
                         f'<title>{escape(curve.label)}</title></path>')
        for share in shares if index < dots else ():
            at = crossing(curve, share)
            if at is not None:
                parts.append(
                    f'<circle class="dot c{index % COLOURS}" '
                    f'cx="{tenths(frame.x(at))}" '
                    f'cy="{tenths(frame.y(share))}" r="3.5"><title>'
                    + escape(f"{curve.label}: {share * 100:g}% by "
                             f"{moment_text(at)}")
                    + '</title></circle>')
    parts += [f'<circle class="observed" cx="{tenths(frame.x(time_s))}" '
              f'cy="{tenths(frame.y(share))}" r="5"><title>'
              + escape(f"observed: {share * 100:g}% by "
                       f"{moment_text(time_s)}") + "</title></circle>"
              for time_s, share in points]
    parts += _marks(frame, marks)
    legend = [(f'<li class="chosen">{key(i)}{escape(curve.label)} '
               '(the answer)</li>') if i == chosen else
              f'<li>{key(i)}{escape(curve.label)}</li>'
              for i, curve in enumerate(curves)]
    legend += ['<li><span class="swatch observed"></span>observed</li>'
               ] if points else []
    legend += [f'<li><span class="swatch mark-swatch"></span>'
               f'{escape(mark.label)} {escape(moment_text(mark.time_s))}</li>'
               for mark in marks]
    legend += [f'<li><span class="swatch shade"></span>'
               f'{escape(shade.label)} {escape(moment_text(shade.from_s))}'
               f' to {escape(moment_text(shade.to_s))}</li>'
               for shade in shades]
    return (f'<figure>{_svg(label, parts, frame.height)}<ul class="legend">'
            + "".join(legend) + "</ul></figure>")


def _shades(frame: _Frame, shades: Sequence[Shade]) -> list[str]:
    """Each shade as a band over the plot's height, cut at its end."""
    parts = []
    for shade in shades:
        if shade.from_s >= frame.end:
            continue  # after the chart's last moment
        left = frame.x(shade.from_s)
        width = frame.x(min(shade.to_s, frame.end)) - left
        parts.append(f'<rect class="shade" x="{tenths(left)}" '
                     f'y="{tenths(frame.y(1.0))}" width="{tenths(width)}" '
                     f'height="{_PLOT_HEIGHT}"><title>'
                     + escape(f"{shade.label} {moment_text(shade.from_s)} "
                              f"to {moment_text(shade.to_s)}")
                     + "</title></rect>")
    return parts


def _end(ends: Sequence[float], marks: Sequence[Mark]) -> float:
    """The chart's last moment: the latest curve's (a mark beyond it is
    drawn at the edge: scaled to an hour's deadline, a run of seconds
    would be squeezed against the axis), or the latest mark's if no curve
    has time, or 1 s when no time passed at all, so that a blast over at 0
    still has an axis."""
    end = max(ends, default=0.0) or max(
        (mark.time_s for mark in marks), default=0.0)
    return end if end > 0 else 1.0


def band_mean(band: Band) -> Curve:
    """The mean share over the replications, as a curve."""
    return Curve("mean", tuple(zip(band.times, band.mean)))


def band_figure(band: Band, marks: Sequence[Mark],
                shares: Sequence[float]) -> str:
    """The band from least to greatest share, and the mean's path."""
    frame = _Frame(_end(band.times[-1:], marks), len(marks))
    mean = band_mean(band)
    outline = frame.path([*zip(band.times, band.high),
                          *reversed([*zip(band.times, band.low)])])
    parts = [*_axes(frame, shares),
             f'<path class="band" d="{outline} Z"><title>least to greatest '
             f'share of {band.runs} runs</title></path>',
             f'<path class="curve c0" d="{frame.path(mean.points)}">'
             f'<title>mean of {band.runs} runs</title></path>',
             *_marks(frame, marks)]
    legend = (f'<ul class="legend"><li><span class="swatch c0"></span>mean '
              f'of {count_text(band.runs)} runs</li><li><span class="swatch '
              'band-swatch"></span>least to greatest share</li></ul>')
    figure = _svg("reach over the replications", parts, frame.height)
    return f"<figure>{figure}{legend}</figure>"


def histogram_figure(bins: Sequence[Bin]) -> str:
    """A horizontal bar per row of the send time distribution."""
    row_height, label_width, count_width = 26, 200, 110
    peak = max(b.count for b in bins) or 1
    room = _WIDTH - label_width - count_width
    parts = []
    for index, row in enumerate(bins):
        y = 8 + index * row_height
        span = (f">= {seconds_text(row.low_s)}" if row.tail
                else f"{seconds_text(row.low_s)} - {seconds_text(row.high_s)}")
        length = room * row.count / peak
        parts.append(f'<text x="{label_width - 10}" y="{y + 13}" '
                     f'text-anchor="end">{escape(span)}</text>')
        parts.append(f'<rect class="bar" x="{label_width}" y="{y + 2}" '
                     f'width="{tenths(max(length, 1.0 if row.count else 0))}"'
                     f' height="{row_height - 8}"/>')
        parts.append(f'<text x="{tenths(label_width + length + 6)}" '
                     f'y="{y + 13}">{escape(count_text(row.count))}</text>')
    return _svg("send time distribution", parts,
                16 + row_height * len(bins))
