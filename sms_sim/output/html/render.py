"""``--report FILE.html``: one self-contained page that opens offline in
any browser.

:func:`render` turns an :class:`HtmlReport`, which holds everything the
page shows (its texts formatted by the caller), into HTML5 with inline CSS
and inline SVG (``svg.py`` draws the charts): no script, and no font,
image or style sheet from anywhere else.  The only address in it is the
empty ``data:`` icon that keeps browsers from asking for one.  The page
follows the reader's light or dark scheme, and prints in the light one.
The markup is also well-formed XML (every element closed, attributes
quoted, only XML's entities), so a plain XML parser can check it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sms_sim.measure.curve import SHARES, Band, Curve, Mark, Shade, crossing
from sms_sim.measure.histogram import Bin
from sms_sim.output.html.svg import (COLOURS, band_figure, curves_figure,
                                     escape, histogram_figure, tenths)
from sms_sim.output.tables import Table
from sms_sim.output.text.units import count_text, moment_text, percent_text


@dataclass(frozen=True, slots=True)
class SweepSection:
    """Runs that differ in one setting (``--sweep``, or the candidates of
    ``--target``): a curve per value, labelled with it (``senders=20``),
    the table of their figures (a row per curve), and for a target search
    the answer line and ``chosen``, the index of the answer's curve and
    row, which the page highlights.
    """

    title: str
    curves: tuple[Curve, ...]
    table: Table
    answer: str = ""
    chosen: int | None = None
    bands: tuple[Band | None, ...] = ()
    """A comparison's: each curve's band, over its replications."""
    more: Table | None = None
    """A comparison's: the differences from the first scenario; a fit's:
    the values tried."""
    points: tuple[tuple[float, float], ...] = ()
    """A fit's observed points, ``(time, share)``."""


@dataclass(frozen=True, slots=True)
class HtmlReport:
    """Everything the page shows, in the order it shows it.

    - ``title``: the page's heading and the browser tab's name.
    - ``command``: the exact command line that repeats the run, and
      ``seed``, the run's (or the replications' base) seed; ``scenario``,
      every setting as a scenario file (JSON) that repeats it too.
    - ``summary``: the headline figures as (name, value) rows.
    - ``curves``: the reach curve of the run, with a dot and a figure
      where it crosses ``shares``, then those of its sender groups, and
      ``marks``, vertical lines at moments such as the deadline or a
      target's time; ``curves_title`` heads them (say "reached the
      phones" when the run models the carrier's delay).
    - ``band``: for replications, the least, mean and greatest share
      delivered over time (marks are drawn there too), and ``figures``,
      each figure's mean over the runs with its 95% interval, min and max
      (``plan_figures.replications_table``): the terminal's table, so
      that a "mean" means one thing wherever it is shown.
    - ``sweep``: for a sweep or a target search, a curve per value and
      its table.
    - ``histogram``: the send time distribution, as ``histogram.Bin`` rows.
    - ``attempts``: (attempts, messages) pairs.
    - ``groups``: the per-group table; ``carriers``, with ``--carriers``,
      the per-carrier one.
    - ``one_of``: on a page of several runs, which one the three sections
      above show (``run 1 of 3, seed 42``), named in their headings.
    - ``config``: the settings as (name, value) rows.
    - ``notes``: lines shown last, such as the checks' verdicts.

    A section with nothing to show is left out.
    """

    title: str
    command: str
    seed: int | None = None
    scenario: str = ""
    summary: tuple[tuple[str, str], ...] = ()
    curves: tuple[Curve, ...] = ()
    curves_title: str = "Share of all messages sent"
    crossed: int = 1
    """How many of the first ``curves`` have dots and a row of figures
    where they cross ``shares``: a run's stages (sent, reached the phones,
    confirmed), not its groups, which are parts of it."""
    marks: tuple[Mark, ...] = ()
    shades: tuple[Shade, ...] = ()
    """Stretches of time shaded behind the curves: routes' outages."""
    shares: tuple[float, ...] = SHARES
    band: Band | None = None
    figures: Table | None = None
    sweep: SweepSection | None = None
    histogram: tuple[Bin, ...] = ()
    attempts: tuple[tuple[int, int], ...] = ()
    groups: Table | None = None
    carriers: Table | None = None
    one_of: str = ""
    config: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


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
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem;
  font-variant-numeric: tabular-nums; }
th, td { padding: 0.2rem 0.5rem; border-bottom: 1px solid var(--line);
  text-align: right; vertical-align: top; white-space: nowrap; }
.scroll { overflow-x: auto; }
tr.chosen td { font-weight: 600; background: var(--panel); }
code, pre { font-family: ui-monospace, "SF Mono", Menlo, Consolas,
  "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 1em; }
th:first-child, td:first-child { text-align: left; }
th { color: var(--muted); font-weight: 600; }
.pairs th { text-align: left; font-weight: normal; }
.pairs td { text-align: left; white-space: normal; }
svg { width: 100%; height: auto; display: block; }
svg text { fill: var(--muted); font-size: 12px; }
.grid { stroke: var(--line); stroke-width: 1; }
.guide { stroke: var(--line); stroke-width: 1; stroke-dasharray: 2 4; }
.curve { fill: none; stroke-width: 2; stroke-linejoin: round; }
.curve.d1 { stroke-dasharray: 8 4; }
.curve.d2 { stroke-dasharray: 2 3; }
.curve.chosen { stroke-width: 4.5; }
svg.key { display: inline-block; width: 1.75rem; height: 0.5rem;
  vertical-align: middle; margin-right: 0.4rem; }
.legend li.chosen { font-weight: 600; }
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
.shade { fill: var(--mark); opacity: 0.12; }
.swatch.shade { background: var(--mark); opacity: 0.25; }
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
_CSS += (".observed { fill: none; stroke: var(--fg); stroke-width: 2; }\n"
         ".swatch.observed { height: 0.6rem; width: 0.6rem; "
         "border-radius: 50%; background: none; border: 2px solid "
         "var(--fg); }\n")
_CSS += ".band.tint { opacity: 0.15; stroke: none; }\n" + "".join(
    f".tint.c{i} {{ fill: var(--c{i}); }} " for i in range(COLOURS))
_CSS += "".join(f".c{i} {{ stroke: var(--c{i}); }} "
                f".dot.c{i}, .swatch.c{i} {{ fill: var(--c{i}); "
                f"background: var(--c{i}); }}\n" for i in range(COLOURS))


def _crossings(curves: Sequence[Curve], shares: Sequence[float]) -> str:
    return _table(Table(
        ("curve", *(f"{share * 100:g}% by" for share in shares)),
        tuple((curve.label, *(moment_text(crossing(curve, share))
                              for share in shares)) for curve in curves)))


def _attempts_table(attempts: Sequence[tuple[int, int]]) -> str:
    total = sum(messages for _, messages in attempts) or 1
    rows = "".join(
        f"<tr><td>{n}</td><td>{escape(count_text(messages))}</td>"
        f"<td>{escape(percent_text(messages / total))}</td>"
        f'<td><span class="share" style="width: '
        f'{tenths(12 * messages / total)}rem"></span></td></tr>'
        for n, messages in attempts)
    return ("<table><thead><tr><th>attempts</th><th>messages</th>"
            "<th>share</th><th></th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _table(table: Table, chosen: int | None = None) -> str:
    """The table, its row ``chosen`` highlighted; its cells never wrap
    ("not met" on two lines reads as two words), so a wide table scrolls.
    """
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
    rows = "".join(("<tr class=\"chosen\">" if i == chosen else "<tr>")
                   + "".join(f"<td>{escape(cell)}</td>" for cell in row)
                   + "</tr>" for i, row in enumerate(table.rows))
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


def _pairs(rows: Sequence[tuple[str, str]]) -> str:
    body = "".join(f'<tr><th scope="row">{escape(name)}</th>'
                   f"<td>{escape(value)}</td></tr>" for name, value in rows)
    return f'<table class="pairs"><tbody>{body}</tbody></table>'


def _section(heading: str, body: str) -> str:
    return f"<section><h2>{escape(heading)}</h2>{body}</section>"


def render(report: HtmlReport) -> str:
    """The whole page, as one string of HTML5 (and well-formed XML).  Every
    text from ``report`` is escaped."""
    seed = ("" if report.seed is None
            else f'<p>Seed <code>{escape(str(report.seed))}</code></p>')
    body = [f"<header><h1>{escape(report.title)}</h1>"
            f'<p class="muted">To repeat this run:</p>'
            f"<pre><code>{escape(report.command)}</code></pre>{seed}"
            + (f"<details><summary>Or save this scenario and give it to "
               f"<code>--scenario</code></summary><pre><code>"
               f"{escape(report.scenario)}</code></pre></details>"
               if report.scenario else "") + "</header>"]
    if report.summary:
        body.append(_section("Summary", _pairs(report.summary)))
    if report.curves:
        body.append(_section(report.curves_title, (
            curves_figure("share sent over simulated time",
                          report.curves, report.marks, report.shares,
                          report.crossed, shades=report.shades)
            + _crossings(report.curves[:report.crossed], report.shares))))
    if report.band is not None:
        body.append(_section(
            f"{report.curves_title}, over {count_text(report.band.runs)} "
            "replications",
            band_figure(report.band, report.marks, report.shares)
            + (_table(report.figures) if report.figures else "")))
    if report.sweep is not None:
        sweep = report.sweep
        answer = (f'<p class="answer">{escape(sweep.answer)}</p>'
                  if sweep.answer else "") + \
            f'<p class="muted">{escape(report.curves_title)}</p>'
        body.append(_section(sweep.title, (
            answer + curves_figure(sweep.title, sweep.curves, report.marks,
                                   report.shares, chosen=sweep.chosen,
                                   bands=sweep.bands, points=sweep.points)
            + _table(sweep.table, sweep.chosen)
            + (_table(sweep.more) if sweep.more else ""))))
    of = f" ({report.one_of})" if report.one_of else ""
    if report.histogram:
        body.append(_section(f"Send time distribution{of}",
                             histogram_figure(report.histogram)))
    if report.attempts:
        body.append(_section(f"Attempts per message{of}",
                             _attempts_table(report.attempts)))
    if report.groups is not None:
        body.append(_section(f"Sender groups{of}", _table(report.groups)))
    if report.carriers is not None:
        body.append(_section(f"Carriers{of}", _table(report.carriers)))
    if report.config:
        body.append(_section("Configuration", _pairs(report.config)))
    if report.notes:
        body.append(_section("Notes", "".join(
            f"<p>{escape(note)}</p>" for note in report.notes)))
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8"/>'
            '<meta name="viewport" content="width=device-width, '
            'initial-scale=1"/>'
            # An empty icon: no browser asks for a /favicon.ico.
            '<link rel="icon" href="data:,"/>'
            f"<title>{escape(report.title)}</title><style>{_CSS}</style>"
            f"</head><body>{''.join(body)}</body></html>\n")
