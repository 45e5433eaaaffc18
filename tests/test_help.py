"""``--help`` as a manual, and ``--version``: through the program itself
and through the parser."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from sms_sim import __version__
from sms_sim.cli.help_text import GROUPS, HELP_COLUMNS
from sms_sim.cli.options import parse_options
from sms_sim.cli.parser import build_parser
from tests.helpers import run_main

ROOT = Path(__file__).resolve().parent.parent


def test_version_is_the_packages_one_on_standard_output() -> None:
    """Through a real process."""
    done = subprocess.run([sys.executable, str(ROOT / "start.py"),
                           "--version"], capture_output=True, text=True,
                          timeout=30, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (
        0, f"sms-sim {__version__}\n", "")
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", __version__)


def test_the_version_is_written_in_one_place() -> None:
    """Anything else that said the version would drift from it."""
    sources = [path for path in ROOT.rglob("*.py")
               if ".venv" not in path.parts
               and __version__ in path.read_text()]
    assert sources == [ROOT / "sms_sim" / "__init__.py"]


@pytest.mark.parametrize("columns", [60, 100, 300])
def test_the_help_fits_100_columns_and_has_the_manuals_groups(
        columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # The terminal's width, as this process's size says it.
    monkeypatch.setenv("COLUMNS", str(columns))
    status, out, err = run_main("--help")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= HELP_COLUMNS
    headings = [line[:-1] for line in lines
                if line.endswith(":") and not line.startswith(" ")]
    assert headings == list(GROUPS)


def test_each_group_has_options_units_and_ends_with_examples() -> None:
    text = build_parser("start.py").format_help()
    sections = text.split("\n\n")
    for title in GROUPS:
        section = next(s for s in sections if s.startswith(f"{title}:"))
        options, examples = section.split("\n  examples:\n")
        assert options.count("\n  -") + options.count("\n  n") >= 1
        assert "python3 start.py " in examples


def example_commands() -> list[list[str]]:
    """Every example command of the help, as arguments."""
    commands = []
    for text in GROUPS.values():
        command = ""
        for line in text.splitlines():
            if line.startswith("  %(command)s ") or command.endswith("\\"):
                command = command.rstrip("\\") + " " + line.replace(
                    "%(command)s", "")
                if not command.endswith("\\"):
                    words = shlex.split(command)
                    # Up to a redirection: the shell's, not the program's.
                    commands.append(words[:words.index(">")] if ">" in words
                                    else words)
                    command = ""
    return commands


def test_the_help_has_an_example_or_two_a_group() -> None:
    assert len(example_commands()) >= len(GROUPS)
    # Each line as written, short: a single backslash at a line's end in
    # the source would join two lines into one long one.
    assert all(len(line) <= 79 for text in GROUPS.values()
               for line in text.splitlines())


@pytest.mark.parametrize("argv", example_commands(), ids=" ".join)
def test_every_example_in_the_help_is_a_valid_command(
        argv: list[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # where its --log and --report would go
    # Run from the project folder, as the help says: its examples' files.
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    options = parse_options(build_parser("start.py"), argv)
    assert options.config.num_messages == (
        int(argv[0]) if argv[0].isdigit() else 100_000)
