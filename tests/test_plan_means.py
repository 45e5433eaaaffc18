"""One figure, one definition: a plan of replications shows each figure's
mean over its runs, the same on the terminal and in its HTML report, with
a carrier or without."""
from __future__ import annotations

import html
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.background import BACKGROUND, Job

ROOT = Path(__file__).resolve().parent.parent

PLANS = {
    "delivered": ["3000", "10", "0.02", "0.01", "0.1", "--runs", "8",
                  "--seed", "4"],
    "reached": ["2000", "4", "0.01", "0.005", "0.1", "--carrier-delay",
                "lognormal:mean=2,sd=3", "--runs", "6", "--seed", "5"],
}


def reported(args: list[str]) -> Callable[[Path], list[str]]:
    return lambda folder: [sys.executable, str(ROOT / "start.py"), *args,
                           "--jobs", "1", "--report",
                           str(folder / "plan.html")]


RUNS: dict[str, Job] = {name: BACKGROUND.add(reported(args))
                        for name, args in PLANS.items()}


def terminal_rows(out: str) -> list[list[str]]:
    """The rows of the closing table, cells split at runs of spaces."""
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines)
                 if line.split() == ["mean", "95%", "interval", "min", "max"])
    rows = []
    for line in lines[first + 1:]:
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) != 5:
            break
        rows.append(cells)
    return rows


def html_rows(page: str) -> list[list[str]]:
    """The rows of the table in the replications' section."""
    section = page[page.index(" replications</h2>"):]
    table = section[section.index("<table>"):section.index("</table>")]
    body = table[table.index("<tbody>"):]
    return [[html.unescape(cell) for cell in
             re.findall(r"<td>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body)]


@pytest.mark.parametrize("name", PLANS)
def test_the_report_shows_the_terminals_means(name: str) -> None:
    done = RUNS[name].result()
    assert done.returncode == 0, done.stderr
    page = (RUNS[name].dir / "plan.html").read_text(encoding="utf-8")
    rows = terminal_rows(done.stdout)
    assert [row[0] for row in rows][:2] == ["duration", "50% by"]
    assert html_rows(page) == rows
