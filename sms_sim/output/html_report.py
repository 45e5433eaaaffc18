"""``--report FILE.html``: one self-contained page that opens offline in
any browser.

:func:`render` turns an :class:`HtmlReport`, which holds everything the
page shows (its texts formatted by the caller), into HTML5 with inline CSS
and inline SVG: no script, and no font, image or style sheet from
anywhere else.  The only address in it is the empty ``data:`` icon that
keeps browsers from asking for one.  The page follows the reader's light
or dark scheme, and prints in the light one.  The markup is also
well-formed XML (every element closed, attributes quoted, only XML's
entities), so a plain XML parser can check it.

:func:`check_writable` tells, before a run, whether a path can take the
report; :func:`write_atomically` writes it so that a failed run never
leaves half a page.
"""
from __future__ import annotations

import contextlib
import html
import math
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass

from sms_sim.measure.curve import SHARES, Band, Curve, Mark, crossing
from sms_sim.measure.histogram import Bin
from sms_sim.output.report import (clock_time, count, moment, percent, seconds,
                                   short_seconds)


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


@dataclass(frozen=True, slots=True)
class SweepSection:
    """Runs that differ in one setting (``--sweep``, or the candidates of
    ``--target``): a curve per value, labelled with it (``senders=20``),
    the table of their figures, and for a target search the answer line.
    """

    title: str
    curves: tuple[Curve, ...]
    table: Table
    answer: str = ""


@dataclass(frozen=True, slots=True)
class HtmlReport:
    """Everything the page shows, in the order it shows it.

    - ``title``: the page's heading and the browser tab's name.
    - ``command``: the exact command line that repeats the run, and
      ``seed``, the run's (or the replications' base) seed.
    - ``summary``: the headline figures as (name, value) rows.
    - ``curves``: the reach curve of the run, or one per sender group,
      with a dot and a figure where each crosses ``shares``, and
      ``marks``, vertical lines at moments such as the deadline or a
      target's time; ``curves_title`` heads them (say "reached the
      phones" when the run models the carrier's delay).
    - ``band``: for replications, the least, mean and greatest share
      delivered over time (marks are drawn there too).
    - ``sweep``: for a sweep or a target search, a curve per value and
      its table.
    - ``histogram``: the send time distribution, as ``histogram.Bin`` rows.
    - ``attempts``: (attempts, messages) pairs.
    - ``groups``: the per-group table.
    - ``one_of``: on a page of several runs, which one the three sections
      above show (``run 1 of 3, seed 42``), named in their headings.
    - ``config``: the settings as (name, value) rows.
    - ``notes``: lines shown last, such as the checks' verdicts.

    A section with nothing to show is left out.
    """

    title: str
    command: str
    seed: int | None = None
    summary: tuple[tuple[str, str], ...] = ()
    curves: tuple[Curve, ...] = ()
    curves_title: str = "Share of all messages delivered"
    marks: tuple[Mark, ...] = ()
    shares: tuple[float, ...] = SHARES
    band: Band | None = None
    sweep: SweepSection | None = None
    histogram: tuple[Bin, ...] = ()
    attempts: tuple[tuple[int, int], ...] = ()
    groups: Table | None = None
    one_of: str = ""
    config: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


COLOURS = 8
"""Curve colours before they repeat (``--c0`` to ``--c7`` in the CSS)."""

_CSS = """
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328;
  --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa; --mark: #9a6700;
  --band: rgba(9, 105, 218, 0.16);
  --c0: #0969da; --c1: #1a7f37; --c2: #cf222e; --c3: #8250df;
  --c4: #bc4c00; --c5: #1b7c83; --c6: #bf3989; --c7: #6e7781; }
@media screen and (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d;
    --panel: #161b22; --mark: #d29922; --band: rgba(88, 166, 255, 0.20);
    --c0: #58a6ff; --c1: #3fb950; --c2: #ff7b72; --c3: #bc8cff;
    --c4: #f0883e; --c5: #39c5cf; --c6: #f778ba; --c7: #b1bac4; } }
body { background: var(--bg); color: var(--fg); margin: 0 auto;
  max-width: 62rem; padding: 1rem 1.5rem 3rem; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.5rem; margin: 0.5rem 0; }
h2 { font-size: 1.15rem; margin: 2rem 0 0.5rem;
  border-bottom: 1px solid var(--line); padding-bottom: 0.2rem; }
pre { background: var(--panel); border: 1px solid var(--line);
  padding: 0.6rem 0.8rem; white-space: pre-wrap; overflow-wrap: anywhere;
  border-radius: 4px; }
table { border-collapse: collapse; margin: 0.5rem 0;
  font-variant-numeric: tabular-nums; }
th, td { padding: 0.2rem 0.7rem; border-bottom: 1px solid var(--line);
  text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
th { color: var(--muted); font-weight: 600; }
.pairs th { text-align: left; font-weight: normal; }
.pairs td { text-align: left; }
svg { width: 100%; height: auto; display: block; }
svg text { fill: var(--muted); font-size: 12px; }
.grid { stroke: var(--line); stroke-width: 1; }
.guide { stroke: var(--line); stroke-width: 1; stroke-dasharray: 2 4; }
.curve { fill: none; stroke-width: 2; stroke-linejoin: round; }
.band { fill: var(--band); stroke: none; }
.mark { stroke: var(--mark); stroke-width: 1.5; stroke-dasharray: 6 4; }
svg text.mark-label { fill: var(--mark); }
.bar { fill: var(--c0); }
.legend { list-style: none; padding: 0; margin: 0.3rem 0;
  display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; }
.swatch { display: inline-block; width: 1.4rem; height: 0.25rem;
  vertical-align: middle; margin-right: 0.4rem; background: var(--c0); }
.swatch.band-swatch { height: 0.8rem; background: var(--band); }
.swatch.mark-swatch { background: var(--mark); }
.share { display: inline-block; height: 0.7rem; background: var(--c0);
  vertical-align: middle; }
.answer { font-weight: 600; }
.muted { color: var(--muted); }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  figure, table, pre { break-inside: avoid; }
  h2 { break-after: avoid; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; } }
"""
_CSS += "".join(f".c{i} {{ stroke: var(--c{i}); }} "
                f".dot.c{i}, .swatch.c{i} {{ fill: var(--c{i}); "
                f"background: var(--c{i}); }}\n" for i in range(COLOURS))

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


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _n(value: float) -> str:
    """An SVG coordinate: a tenth of a unit is finer than a pixel."""
    return f"{value:.1f}"


def _time_label(time_s: float) -> str:
    if time_s == 0:
        return "0"
    return short_seconds(time_s) if time_s < 60 else clock_time(time_s)


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
        return " ".join(f"{'L' if i else 'M'}{_n(self.x(t))},"
                        f"{_n(self.y(s))}" for i, (t, s) in enumerate(points))


def _axes(frame: _Frame, shares: Sequence[float]) -> list[str]:
    """Gridlines and labels at every quarter and round moment; faint
    guides at ``shares``."""
    parts = []
    for quarter in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = _n(frame.y(quarter))
        parts.append(f'<line class="grid" x1="{_LEFT}" '
                     f'x2="{_n(frame.x(frame.end))}" y1="{y}" y2="{y}"/>')
        parts.append(f'<text x="{_LEFT - 6}" y="{y}" text-anchor="end" '
                     f'dominant-baseline="middle">{quarter * 100:g}%</text>')
    for share in shares:
        if share not in (0.0, 0.25, 0.5, 0.75, 1.0):
            y = _n(frame.y(share))
            parts.append(f'<line class="guide" x1="{_LEFT}" '
                         f'x2="{_n(frame.x(frame.end))}" y1="{y}" '
                         f'y2="{y}"/>')
    bottom = _n(frame.y(0.0))
    for tick in _time_ticks(frame.end):
        x = _n(frame.x(tick))
        parts.append(f'<line class="grid" x1="{x}" x2="{x}" y1="{bottom}" '
                     f'y2="{_n(frame.y(0.0) + 5)}"/>')
        parts.append(f'<text x="{x}" y="{_n(frame.y(0.0) + 20)}" '
                     f'text-anchor="middle">{_e(_time_label(tick))}</text>')
    return parts


def _marks(frame: _Frame, marks: Sequence[Mark]) -> list[str]:
    parts = []
    for row, mark in enumerate(marks):
        x = frame.x(mark.time_s)
        label_y = frame.y(1.0) - 10 - _MARK_ROW * (len(marks) - 1 - row)
        text = f"{mark.label} {moment(mark.time_s)}"
        anchor = "end" if x > _WIDTH / 2 else "start"
        shift = -4 if anchor == "end" else 4
        parts.append(f'<line class="mark" x1="{_n(x)}" x2="{_n(x)}" '
                     f'y1="{_n(label_y + 4)}" '
                     f'y2="{_n(frame.y(0.0))}"><title>{_e(text)}</title>'
                     '</line>')
        parts.append(f'<text class="mark-label" x="{_n(x + shift)}" '
                     f'y="{_n(label_y)}" text-anchor="{anchor}">'
                     f'{_e(text)}</text>')
    return parts


def _svg(label: str, parts: Sequence[str], height: int) -> str:
    return (f'<svg viewBox="0 0 {_WIDTH} {height}" role="img" '
            f'aria-label="{_e(label)}">' + "".join(parts) + "</svg>")


def _curves_figure(label: str, curves: Sequence[Curve],
                   marks: Sequence[Mark], shares: Sequence[float],
                   dots: bool) -> str:
    """A chart of ``curves``, each a path of its own colour, with dots
    where each crosses ``shares`` when ``dots``, and a legend."""
    frame = _Frame(_end([c.end_s for c in curves], marks), len(marks))
    parts = _axes(frame, shares)
    for index, curve in enumerate(curves):
        colour = f"c{index % COLOURS}"
        if curve.points:
            parts.append(f'<path class="curve {colour}" '
                         f'd="{frame.path(curve.points)}">'
                         f'<title>{_e(curve.label)}</title></path>')
        for share in shares if dots else ():
            at = crossing(curve, share)
            if at is not None:
                parts.append(
                    f'<circle class="dot {colour}" cx="{_n(frame.x(at))}" '
                    f'cy="{_n(frame.y(share))}" r="3.5"><title>'
                    f'{_e(f"{curve.label}: {share * 100:g}% by {moment(at)}")}'
                    '</title></circle>')
    parts += _marks(frame, marks)
    legend = [f'<li><span class="swatch c{i % COLOURS}"></span>'
              f'{_e(curve.label)}</li>' for i, curve in enumerate(curves)]
    legend += [f'<li><span class="swatch mark-swatch"></span>'
               f'{_e(mark.label)} {_e(moment(mark.time_s))}</li>'
               for mark in marks]
    return (f'<figure>{_svg(label, parts, frame.height)}<ul class="legend">'
            + "".join(legend) + "</ul></figure>")


def _end(ends: Sequence[float], marks: Sequence[Mark]) -> float:
    """The chart's last moment: the latest curve's or mark's, or 1 s when
    no time passed at all, so that a blast over at 0 still has an axis."""
    end = max([*ends, *(mark.time_s for mark in marks)], default=0.0)
    return end if end > 0 else 1.0


def _crossings(curves: Sequence[Curve], shares: Sequence[float]) -> str:
    return _table(Table(
        ("curve", *(f"{share * 100:g}% by" for share in shares)),
        tuple((curve.label, *(moment(crossing(curve, share))
                              for share in shares)) for curve in curves)))


def _band_figure(band: Band, marks: Sequence[Mark],
                 shares: Sequence[float]) -> str:
    """The band from least to greatest share, and the mean's path."""
    frame = _Frame(_end(band.times[-1:], marks), len(marks))
    mean = Curve("mean", tuple(zip(band.times, band.mean)))
    outline = frame.path([*zip(band.times, band.high),
                          *reversed([*zip(band.times, band.low)])])
    parts = [*_axes(frame, shares),
             f'<path class="band" d="{outline} Z"><title>least to greatest '
             f'share of {band.runs} runs</title></path>',
             f'<path class="curve c0" d="{frame.path(mean.points)}">'
             f'<title>mean of {band.runs} runs</title></path>',
             *_marks(frame, marks)]
    legend = (f'<ul class="legend"><li><span class="swatch c0"></span>mean '
              f'of {count(band.runs)} runs</li><li><span class="swatch '
              'band-swatch"></span>least to greatest share</li></ul>')
    figure = _svg("reach over the replications", parts, frame.height)
    return f"<figure>{figure}{legend}</figure>" + _crossings([mean], shares)


def _histogram_figure(bins: Sequence[Bin]) -> str:
    """A horizontal bar per row of the send time distribution."""
    row_height, label_width, count_width = 26, 200, 110
    peak = max(b.count for b in bins) or 1
    room = _WIDTH - label_width - count_width
    parts = []
    for index, row in enumerate(bins):
        y = 8 + index * row_height
        span = (f">= {seconds(row.low_s)}" if row.tail
                else f"{seconds(row.low_s)} - {seconds(row.high_s)}")
        length = room * row.count / peak
        parts.append(f'<text x="{label_width - 10}" y="{y + 13}" '
                     f'text-anchor="end">{_e(span)}</text>')
        parts.append(f'<rect class="bar" x="{label_width}" y="{y + 2}" '
                     f'width="{_n(max(length, 1.0 if row.count else 0.0))}" '
                     f'height="{row_height - 8}"/>')
        parts.append(f'<text x="{_n(label_width + length + 6)}" '
                     f'y="{y + 13}">{_e(count(row.count))}</text>')
    return _svg("send time distribution", parts,
                16 + row_height * len(bins))


def _attempts_table(attempts: Sequence[tuple[int, int]]) -> str:
    total = sum(messages for _, messages in attempts) or 1
    rows = "".join(
        f"<tr><td>{n}</td><td>{_e(count(messages))}</td>"
        f"<td>{_e(percent(messages / total))}</td>"
        f'<td><span class="share" style="width: '
        f'{_n(12 * messages / total)}rem"></span></td></tr>'
        for n, messages in attempts)
    return ("<table><thead><tr><th>attempts</th><th>messages</th>"
            "<th>share</th><th></th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _table(table: Table) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in table.headers)
    rows = "".join("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row)
                   + "</tr>" for row in table.rows)
    return (f"<table><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _pairs(rows: Sequence[tuple[str, str]]) -> str:
    body = "".join(f'<tr><th scope="row">{_e(name)}</th>'
                   f"<td>{_e(value)}</td></tr>" for name, value in rows)
    return f'<table class="pairs"><tbody>{body}</tbody></table>'


def _section(heading: str, body: str) -> str:
    return f"<section><h2>{_e(heading)}</h2>{body}</section>"


def render(report: HtmlReport) -> str:
    """The whole page, as one string of HTML5 (and well-formed XML).  Every
    text from ``report`` is escaped."""
    seed = ("" if report.seed is None
            else f'<p>Seed <code>{_e(str(report.seed))}</code></p>')
    body = [f"<header><h1>{_e(report.title)}</h1>"
            f'<p class="muted">To repeat this run:</p>'
            f"<pre><code>{_e(report.command)}</code></pre>{seed}</header>"]
    if report.summary:
        body.append(_section("Summary", _pairs(report.summary)))
    if report.curves:
        body.append(_section(report.curves_title, (
            _curves_figure("share delivered over simulated time",
                           report.curves, report.marks, report.shares, True)
            + _crossings(report.curves, report.shares))))
    if report.band is not None:
        body.append(_section(
            f"Over {count(report.band.runs)} replications",
            _band_figure(report.band, report.marks, report.shares)))
    if report.sweep is not None:
        sweep = report.sweep
        answer = (f'<p class="answer">{_e(sweep.answer)}</p>'
                  if sweep.answer else "")
        body.append(_section(sweep.title, (
            answer + _curves_figure(sweep.title, sweep.curves, report.marks,
                                    report.shares, False)
            + _table(sweep.table))))
    of = f" ({report.one_of})" if report.one_of else ""
    if report.histogram:
        body.append(_section(f"Send time distribution{of}",
                             _histogram_figure(report.histogram)))
    if report.attempts:
        body.append(_section(f"Attempts per message{of}",
                             _attempts_table(report.attempts)))
    if report.groups is not None:
        body.append(_section(f"Sender groups{of}", _table(report.groups)))
    if report.config:
        body.append(_section("Configuration", _pairs(report.config)))
    if report.notes:
        body.append(_section("Notes", "".join(
            f"<p>{_e(note)}</p>" for note in report.notes)))
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8"/>'
            '<meta name="viewport" content="width=device-width, '
            'initial-scale=1"/>'
            # An empty icon: no browser asks for a /favicon.ico.
            '<link rel="icon" href="data:,"/>'
            f"<title>{_e(report.title)}</title><style>{_CSS}</style>"
            f"</head><body>{''.join(body)}</body></html>\n")


def check_writable(path: str) -> str | None:
    """Why ``path`` cannot take a report, in one line, or None if it can:
    for the command line to exit 2 before a run rather than fail after it.
    The folder is tried for real (a file made there and removed), since
    permissions alone do not tell: root may write anywhere but on a
    read-only file system."""
    if not path:
        return "the path is empty"
    if os.path.isdir(path):
        return f"{path} is a directory"
    if os.path.exists(path):
        # A report replaces a file; a device, a pipe or a terminal it
        # would destroy (/dev/null, as root), and a read-only file is
        # read-only for a reason.
        if not os.path.isfile(path):
            return f"{path} is not a regular file"
        # Its mode too: root may write any file, but no one should write
        # one that nobody may.
        if not (os.access(path, os.W_OK)
                and os.stat(path).st_mode & 0o222):
            return f"{path} is read-only"
    path = os.path.realpath(path)
    folder = os.path.dirname(path) or "."
    if not os.path.exists(folder):
        return f"no such directory: {folder}"
    if not os.path.isdir(folder):
        return f"{folder} is not a directory"
    try:
        name, handle = _create_temporary(path)
    except OSError as error:
        return f"cannot write in {folder}: {error.strerror}"
    os.close(handle)
    os.unlink(name)
    return None


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` all at once: to a temporary file
    beside it, synced, then renamed over it.  A reader sees the old file or
    the whole new one; if anything fails (a full disk, an interrupt), the
    temporary file is removed, ``path`` is as it was, and the error is
    raised.  A symbolic link stays one: the file it points to is
    replaced."""
    path = os.path.realpath(path)
    name, handle = _create_temporary(path)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


def _create_temporary(path: str) -> tuple[str, int]:
    """A new, hidden file in ``path``'s folder, open for writing: its name
    and descriptor.  Made with the umask's permissions, as ``open`` would
    make ``path`` (``tempfile``'s are private to the owner), so that the
    renamed report is as readable as any other file written there."""
    folder, base = os.path.split(path)
    while True:
        # random, not secrets: secrets loads OpenSSL, megabytes of memory.
        token = random.SystemRandom().getrandbits(48)
        name = os.path.join(folder, f".{base}.{token:012x}.tmp")
        try:
            return name, os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                                 0o666)
        except FileExistsError:  # another name, however unlikely
            continue
