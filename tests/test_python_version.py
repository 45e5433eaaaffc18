"""An old Python is told what sms-sim needs instead of shown a traceback:
the check under made-up versions, and under real old Pythons where this
machine has any."""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sms_sim import __main__ as program
from sms_sim.cli.python_version import refusal

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 15


@pytest.mark.parametrize("version_info, message", [
    ((3, 9, 18, "final", 0),
     "sms-sim needs Python 3.10 or newer (this is 3.9.18)"),
    ((2, 7, 18, "final", 0),
     "sms-sim needs Python 3.10 or newer (this is 2.7.18)"),
    ((3, 10, 0, "final", 0), None),
    ((3, 13, 1, "final", 0), None),
    ((4, 0, 0, "alpha", 1), None),
])
def test_the_oldest_python_that_runs_it_is_3_10(
        version_info: tuple[int, int, int, str, int],
        message: str | None) -> None:
    assert refusal(version_info) == message


def test_an_old_python_is_refused_before_anything_runs(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def run(**_: object) -> int:
        raise AssertionError("the program ran on an old Python")

    monkeypatch.setattr("sms_sim.cli.main.main", run)
    monkeypatch.setattr(sys, "version_info", (3, 9, 18, "final", 0))
    assert program.main() == 2
    assert capsys.readouterr() == (
        "", "sms-sim needs Python 3.10 or newer (this is 3.9.18)\n")


def old_python(version: str) -> str | None:
    """An interpreter of ``version`` (such as "3.9") that runs here: one
    that pyenv installed, or one on the PATH (where pyenv's stand-in for
    a version not selected fails)."""
    for python in (*glob.glob(os.path.expanduser(
            f"~/.pyenv/versions/{version}.*/bin/python")),
            shutil.which(f"python{version}")):
        if python and subprocess.run([python, "-c", ""],
                                     capture_output=True,
                                     timeout=TIMEOUT_S).returncode == 0:
            return python
    return None


@pytest.mark.parametrize("version", ["3.9", "2.7"])
@pytest.mark.parametrize("entry", [["start.py"], ["-m", "sms_sim"]])
def test_an_old_python_says_what_it_needs(version: str,
                                          entry: list[str]) -> None:
    python = old_python(version)
    if python is None:
        pytest.skip(f"no Python {version} here")
    # -B: Python 2 would write its bytecode beside the sources, where no
    # shared cache (PYTHONPYCACHEPREFIX, see conftest.py) reaches.
    done = subprocess.run([python, "-B", *entry, "10"], cwd=ROOT,
                          capture_output=True, text=True, timeout=TIMEOUT_S)
    assert (done.returncode, done.stdout) == (2, "")
    assert re.fullmatch(
        rf"sms-sim needs Python 3\.10 or newer \(this is "
        rf"{re.escape(version)}\.\d+\)\n", done.stderr)
