"""The process's surroundings that output depends on: the standard streams,
the environment variables and the terminal's size.

The command line makes one from the process (:meth:`Environment.of_process`),
the one place that reads ``sys.stdout`` and friends, and hands it to the
views; tests make their own from string buffers and fixed sizes.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TextIO


def _terminal_size() -> os.terminal_size:
    # Asked by a live terminal's view alone: shutil (and the compression
    # modules it loads) stays out of a run through a pipe.
    import shutil
    return shutil.get_terminal_size()


@dataclass(frozen=True)
class Environment:
    """Where the program's text goes, and what it knows of the terminal."""

    stdout: TextIO | None
    """None when the process was started with standard output closed."""
    stderr: TextIO | None
    environ: Mapping[str, str] = field(default_factory=dict)
    terminal_size: Callable[[], os.terminal_size] = _terminal_size
    """Columns and lines now: a terminal can be resized during a run."""

    @classmethod
    def of_process(cls) -> Environment:
        return cls(sys.stdout, sys.stderr, os.environ)
