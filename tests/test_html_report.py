"""The HTML report: its markup checked by the standard library, and the
page opened in a real browser (headless Chromium) where one is installed.
"""
from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sms_sim.measure.curve import Curve, Mark, band
from sms_sim.measure.histogram import Bin
from sms_sim.output.files import write_atomically
from sms_sim.output.html.render import HtmlReport, SweepSection, render
from sms_sim.output.tables import Table
from tests.background import BACKGROUND, Job

HOSTILE = '<script>alert("x")</script> & \'quotes\''
POINT = re.compile(r"[ML](-?[\d.]+),(-?[\d.]+)")
VOID = {"meta", "link", "br", "img", "input", "hr", "col", "area", "base",
        "wbr", "source", "track", "embed"}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def blast(label: str, end: float, top: float = 1.0,
          points: int = 100) -> Curve:
    """A reach curve: slow at first, as when retries pile up late."""
    return Curve(label, tuple((end * (k / points) ** 0.8, top * k / points)
                              for k in range(1, points + 1)))


def sample_report(**changes: object) -> HtmlReport:
    """A report with every section: groups, replications and a sweep."""
    runs = [blast(f"run {i}", 1080.0 + 15 * i) for i in range(5)]
    fields: dict[str, object] = dict(
        title="sms-sim: 100,000 messages, 20 senders",
        command=("python3 start.py 100000 20 0.05 0.01 0.1 --max-rate 100 "
                 "--retries 3 --deadline 1200 --seed 3 --report out.html"),
        seed=3,
        summary=(("simulated duration", "18m32s"),
                 ("sent", "99,994 (99.99%)"), ("failed", "6 (0.0%)"),
                 ("check min_delivered", "passed: 99.99% sent (limit 95%)")),
        curves=(blast("all", 1112.0), blast("group 1", 1112.0, 0.6),
                blast("group 2", 1050.0, 0.4)),
        marks=(Mark("deadline", 1200.0), Mark("target 95%", 900.0)),
        band=band(runs),
        sweep=SweepSection(
            "Sweep over senders",
            (blast("senders=10", 2100.0), blast("senders=20", 1112.0),
             blast("senders=40", 700.0)),
            Table(("senders", "duration", "p95", "sent"),
                  (("10", "35m00s", "33m10s", "100.0%"),
                   ("20", "18m32s", "17m35s", "100.0%"),
                   ("40", "11m40s", "11m05s", "100.0%"))),
            answer="the least senders for 95% by 20m00s: 20"),
        histogram=(Bin(0.04, 0.044, 18_000), Bin(0.044, 0.048, 21_000),
                   Bin(0.048, 0.052, 20_500), Bin(0.052, 0.056, 19_800),
                   Bin(0.056, 0.06, 20_700)),
        attempts=((1, 90_067), (2, 8_946), (3, 889), (4, 98)),
        groups=Table(("group", "senders", "mean +- dev", "sent"),
                     (("1", "12", "50ms +- 10ms", "60,000"),
                      ("2", "8", "50ms +- 10ms", "39,994"))),
        config=(("messages", "100,000"), ("senders", "20"),
                ("max rate", "100/s"), ("retries", "3")),
        notes=("check min_delivered passed: 99.99% sent (limit 95%)",))
    fields.update(changes)
    return HtmlReport(**fields)  # type: ignore[arg-type]


class TagBalance(HTMLParser):
    """Every start tag met by its end tag, in order (void ones aside)."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        pass  # <path/> closes itself

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:]}")
        else:
            self.open.pop()


def paths(page: str) -> dict[str, list[tuple[float, float]]]:
    """Each SVG path's points, by the path's title (its curve's label)."""
    return {path.findtext("title", ""): [
        (float(x), float(y)) for x, y in POINT.findall(path.get("d", ""))]
        for path in ElementTree.fromstring(page).iter("path")}


def test_the_page_is_well_formed_html_and_xml() -> None:
    page = render(sample_report())
    assert page.startswith("<!DOCTYPE html>\n<html")
    balance = TagBalance()
    balance.feed(page)
    balance.close()
    assert balance.errors == [] and balance.open == []
    root = ElementTree.fromstring(page)  # raises on any unclosed tag
    assert root.tag == "html"
    assert root.find("head/meta").get("charset") == "utf-8"  # type: ignore


def test_the_page_needs_nothing_from_anywhere_else() -> None:
    page = render(sample_report())
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page and "@import" not in page
    assert "url(" not in page and "src=" not in page
    assert re.findall(r'href="([^"]*)"', page) == ["data:,"]


def test_every_text_is_escaped() -> None:
    page = render(sample_report(
        title=HOSTILE, command=HOSTILE, config=(("name", HOSTILE),),
        summary=((HOSTILE, HOSTILE),), marks=(Mark(HOSTILE, 10.0),),
        curves_title=HOSTILE,
        curves=(blast(HOSTILE, 100.0),), notes=(HOSTILE,),
        groups=Table((HOSTILE,), ((HOSTILE,),))))
    assert "<script" not in page and "alert(\"x\")" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    ElementTree.fromstring(page)  # and still well-formed


def test_each_curve_is_a_path_with_a_step_per_curve_point() -> None:
    report = sample_report()
    found = paths(render(report))
    assert report.sweep is not None
    for curve in (*report.curves, *report.sweep.curves):
        # Up at each point's moment, then along: two corners a point.
        corners = found[curve.label]
        assert len(corners) == 2 * len(curve.points)
        assert all(x == after for (x, _), (after, _)
                   in zip(corners[::2], corners[1::2]))
    assert report.band is not None
    assert len(found["mean of 5 runs"]) == len(report.band.times)
    # The band's outline goes along the greatest share and back along the
    # least: twice the points.
    assert len(found["least to greatest share of 5 runs"]) \
        == 2 * len(report.band.times)


def test_a_curve_climbs_from_left_to_right_and_upwards() -> None:
    points = paths(render(sample_report()))["all"]
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    assert xs == sorted(xs) and ys == sorted(ys, reverse=True)  # y is down
    assert xs[0] < xs[-1] and ys[-1] < ys[0]


def test_marks_crossings_and_tables_are_shown() -> None:
    page = render(sample_report())
    assert "deadline 20m00s" in page and "target 95% 15m00s" in page
    assert page.count('class="mark"') == 2 * 3  # reach, band and sweep
    # A dot at each crossing of the run's curve; none for its groups,
    # parts of all messages, which their own table shows.
    assert page.count("<circle") == 4
    assert "<td>all</td><td>10m38s</td><td>17m02s</td>" in page
    assert "<td>group 1</td>" not in page
    assert "the least senders for 95% by 20m00s: 20" in page
    assert "50ms +- 10ms" in page and "90,067" in page


def test_sections_with_nothing_to_show_are_left_out() -> None:
    page = render(HtmlReport(title="t", command="python3 start.py 10"))
    ElementTree.fromstring(page)
    assert "<svg" not in page and "<section" not in page
    assert "python3 start.py 10" in page


def test_a_blast_over_at_zero_still_has_an_axis() -> None:
    page = render(sample_report(curves=(Curve("all", ((0.0, 1.0),)),),
                                marks=()))
    # Up the plot's left edge, from 0 to all at once.
    assert paths(page)["all"] == [(48.0, 284.0), (48.0, 28.0)]


def test_a_mark_beyond_the_curves_stands_at_the_charts_edge() -> None:
    """A deadline of an hour for a run of 5 s: the curve spans the plot,
    and the deadline stands right of it, its label saying so."""
    page = render(sample_report(
        curves=(blast("all", 5.0),), marks=(Mark("deadline", 3600.0),),
        band=None, sweep=None))
    right = 760 - 24  # the plot's right edge
    assert max(x for x, _ in paths(page)["all"]) == right
    lines = [element for element in ElementTree.fromstring(page).iter("line")
             if element.get("class") == "mark"]
    assert len(lines) == 1
    assert right < float(lines[0].get("x1", "0")) < 760
    assert "deadline 1h00m (beyond the axis: at its edge)" in page


def test_curves_beyond_the_eighth_are_dashed_each_its_own_way() -> None:
    curves = tuple(blast(f"senders={n}", 100.0 + n) for n in range(1, 25))
    page = render(sample_report(sweep=SweepSection(
        "Sweep", curves, Table(("senders",), tuple((str(n),)
                                                   for n in range(1, 25)))),
        band=None, curves=()))
    styles = re.findall(r'<path class="curve ([^"]*)"', page)
    assert len(styles) == 24 and len(set(styles)) == 24
    # The legend draws each key as its curve is drawn.
    keys = re.findall(r'<line class="curve ([^"]*)"', page)
    assert sorted(keys) == sorted(styles)
    assert ".curve.d1 { stroke-dasharray" in page


def test_a_searchs_answer_is_highlighted_in_chart_legend_and_table(
        ) -> None:
    page = render(sample_report(sweep=SweepSection(
        "Values tried of senders",
        (blast("senders=10", 2100.0), blast("senders=20", 1112.0),
         blast("senders=15", 1400.0)),
        Table(("senders", "target"), (("10", "not met"), ("20", "met"),
                                      ("15", "met"))),
        answer="answer: senders 15 is the least", chosen=2)))
    chosen = [element.findtext("title") for element in
              ElementTree.fromstring(page).iter("path")
              if "chosen" in element.get("class", "").split()]
    assert chosen == ["senders=15"]
    assert '<li class="chosen">' in page and "senders=15 (the answer)" \
        in page
    assert '<tr class="chosen"><td>15</td><td>met</td></tr>' in page
    assert page.count('class="chosen"') == 2  # the legend's and the row's
    # Table cells do not wrap: "not met" stays on one line.
    assert "white-space: nowrap" in re.search(
        r"th, td \{[^}]*\}", page).group(0)  # type: ignore[union-attr]


def test_the_band_and_a_sweep_say_what_their_curves_count() -> None:
    title = "Share of all messages that reached the phones"
    page = render(sample_report(curves_title=title))
    assert f"<h2>{title}, over 5 replications</h2>" in page
    assert f'<p class="muted">{title}</p>' in page  # the sweep's


def test_the_seed_is_as_large_as_the_text_around_it() -> None:
    """A bare ``monospace`` makes browsers shrink code to 13px."""
    css = re.search(r"code, pre \{[^}]*\}", render(sample_report()))
    assert css is not None and "font-size: 1em" in css.group(0)
    assert "monospace;" in css.group(0) and "Mono" in css.group(0)


def test_the_page_follows_dark_mode_and_prints() -> None:
    page = render(sample_report())
    assert "prefers-color-scheme: dark" in page
    assert "@media print" in page


# The browser: the page as a person opens it.

def browse(write: Callable[[Path], object]) -> Job | None:
    """Headless Chromium loading the page that ``write`` writes, started
    ahead of the tests that read its DOM and log (``tests/background.py``):
    in a folder of its own, with its profile."""
    if CHROMIUM is None:
        return None
    browser = CHROMIUM

    def command(folder: Path) -> list[str]:
        page = folder / "page.html"
        write(page)
        return [browser, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                f"--user-data-dir={folder / 'profile'}",
                "--enable-logging=stderr", "--v=0", "--dump-dom",
                page.as_uri()]

    return BACKGROUND.add(command)


BROWSED = {
    "broken": browse(lambda page: page.write_text(
        "<!DOCTYPE html><title>x</title>"
        "<script>undefinedFunction()</script>")),
    "report": browse(lambda page: write_atomically(
        str(page), render(sample_report())))}
"""The sample report, and a page with a script error."""


@pytest.fixture(scope="module")
def loaded() -> dict[str, tuple[str, str]]:
    """Each page's DOM, and what the browser logged as it loaded it."""
    pages = {}
    for name, job in BROWSED.items():
        assert job is not None
        done = job.result()
        assert done.returncode == 0, done.stderr
        pages[name] = (done.stdout, done.stderr)
    return pages


def console_messages(stderr: str) -> list[str]:
    """What the page wrote to the console, as Chromium logs it: lines such
    as ``[...:INFO:CONSOLE:1] "Uncaught Error: ...", source: ...``."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium installed (apt-get install "
    "chromium; .ci/run installs it)")


@needs_chromium
def test_the_browser_sees_console_errors(
        loaded: dict[str, tuple[str, str]]) -> None:
    """The check below could fail: a page with an error shows in the log.
    """
    _, err = loaded["broken"]
    assert any("undefinedFunction" in line
               for line in console_messages(err))


@needs_chromium
def test_the_report_loads_in_a_browser_with_its_curves(
        loaded: dict[str, tuple[str, str]]) -> None:
    report = sample_report()
    dom, err = loaded["report"]
    assert console_messages(err) == []
    # The browser's own DOM: the curves are SVG paths with every point,
    # a step each (two corners).
    found = {match.group(2): POINT.findall(match.group(1)) for match in
             re.finditer(r'<path class="curve c\d" d="([^"]*)">'
                         r'<title>([^<]*)</title>', dom)}
    assert len(found["all"]) == 2 * len(report.curves[0].points) == 200
    assert report.sweep is not None
    assert len(found["senders=40"]) == 200
    assert "<svg" in dom and "deadline 20m00s" in dom
