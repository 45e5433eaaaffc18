"""docs/traffic.md's worked examples are what their commands print: each
command runs (in this process), and each line shown after it is a line
of its output."""
from __future__ import annotations

import io
import shlex
from pathlib import Path

import pytest

from sms_sim.cli import main as cli
from sms_sim.cli.status import ExitStatus
from sms_sim.output.environment import Environment

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "traffic.md").read_text()
EXAMPLES = PAGE[PAGE.index("## Worked examples"):PAGE.index(
    "## Determinism")]


def examples() -> list[tuple[list[str], list[str]]]:
    """Each example's arguments and the lines it shows."""
    found = []
    for block in EXAMPLES.split("```\n")[1::2]:
        lines = block.splitlines()
        ends = next(number for number, line in enumerate(lines)
                    if not line.endswith("\\"))
        command = " ".join(line.rstrip("\\") for line in lines[:ends + 1])
        found.append((shlex.split(command.removeprefix(
            "$ python3 start.py ")), lines[ends + 1:]))
    return found


def test_the_page_has_the_four_examples() -> None:
    shown = examples()
    assert len(shown) == 4
    assert all(lines for _, lines in shown)


@pytest.mark.parametrize("args, lines", examples())
def test_each_example_prints_what_the_page_shows(
        args: list[str], lines: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["start.py"])
    out = io.StringIO()
    status = cli.main(args, env=Environment(out, io.StringIO()))
    failed = any("FAILED" in line for line in lines)
    assert status == (ExitStatus.CHECK_FAILED if failed else ExitStatus.OK)
    printed = out.getvalue().splitlines()
    for line in lines:
        assert line in printed
