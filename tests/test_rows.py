"""Lines as a terminal's rows: broken between words, else before a
number, never inside one narrower than the terminal."""
from __future__ import annotations

import pytest

from sms_sim.output.terminal.rows import screen_rows


@pytest.mark.parametrize("line, width, rows", [
    # Between words, else before a number, else where it is full.
    ("sent 1,234,567", 10, ["sent", "1,234,567"]),
    ("1,241,221/9,876,543", 12, ["1,241,221/", "9,876,543"]),
    ("(18.6%)", 5, ["(", "18.6%", ")"]),
    ("123,456,789", 5, ["123,4", "56,78", "9"]),  # wider than the terminal
    ("10m00s", 4, ["10m0", "0s"]),  # no number starts after a letter
    # Indentation goes before a word or a number is broken.
    ("    9,876,543", 10, ["9,876,543"]),
    ("  a  bc", 3, ["  a", "bc"]),
    # Escape codes stay, with the character after them.
    ("\x1b[32m1,234\x1b[0m/5,678", 6, ["\x1b[32m1,234\x1b[0m/", "5,678"]),
    ("ab \x1b[1mcd\x1b[0m", 2, ["ab", "\x1b[1mcd\x1b[0m"])])
def test_a_line_wider_than_the_terminal_breaks_between_words_and_numbers(
        line: str, width: int, rows: list[str]) -> None:
    assert screen_rows([line], width) == rows
