"""The suite's own start: the program's bytecode compiled once into the
session's cache (``conftest.py``), before any test starts a process."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import COMPILED_BY


def test_the_programs_bytecode_is_compiled_before_any_test(
        request: pytest.FixtureRequest) -> None:
    """Every module in the session's cache, compiled before the first
    process needed it: the processes started at once do not each compile
    it (under PYTHONDONTWRITEBYTECODE, a fresh clone's suite took 31 s)."""
    compiled_by = request.config.stash[COMPILED_BY]
    cache = Path(os.environ["PYTHONPYCACHEPREFIX"])
    package = Path(__file__).resolve().parent.parent / "sms_sim"
    for module in package.rglob("*.py"):
        [pyc] = (cache / str(module.parent).lstrip("/")).glob(
            f"{module.stem}.*.pyc")
        assert pyc.stat().st_mtime <= compiled_by, module
