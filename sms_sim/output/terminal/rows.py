"""Lines as the rows a terminal shows them: a line wider than the terminal
is broken here, where the terminal would break it anywhere, so that every
row counts when the cursor goes back up over a frame."""
from __future__ import annotations

import re

from sms_sim.output.text.style import ANSI

_TOKEN = re.compile(f"{ANSI.pattern}|.", re.DOTALL)
"""An escape code, or one character."""


def screen_rows(lines: list[str], width: int) -> list[str]:
    """``lines`` as rows of at most ``width`` columns.  The report wraps
    between fields but keeps a field wider than the terminal whole, on a
    line of its own; such a line is broken here between words, or else
    before a number (at ``1,234/`` ``5,678``).  A number is broken only
    where it is wider than the terminal itself, where the terminal would
    break it."""
    return [row for line in lines for row in _broken(line, width)]


def _broken(line: str, width: int) -> list[str]:
    """One line as rows, its escape codes kept, each with the character
    after it (or at the end of the last row)."""
    tokens = _TOKEN.findall(line)
    text = "".join(t for t in tokens if not ANSI.fullmatch(t))
    if len(text) <= width:
        return [line]
    spans = _spans(text, width)
    owner = [-1] * len(text)  # the row of each visible character, if any
    for row, (start, end) in enumerate(spans):
        owner[start:end] = [row] * (end - start)
    rows: list[list[str]] = [[] for _ in spans]
    codes: list[str] = []
    place = 0
    for token in tokens:
        if ANSI.fullmatch(token):
            codes.append(token)
            continue
        if owner[place] >= 0:  # not a space dropped at a break
            rows[owner[place]] += [*codes, token]
            codes = []
        place += 1
    rows[-1] += codes
    return ["".join(row) for row in rows]


def _spans(text: str, width: int) -> list[tuple[int, int]]:
    """Where ``text`` (no escape codes) breaks into rows of at most
    ``width``: at the last space that fits, else before the last number
    that does not; indentation goes before a word is broken."""
    spans: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > width:
        end = start + width  # the first character that does not fit
        words = [at for at in range(start + 1, end + 1)
                 if " " in text[at - 1:at + 1]]
        numbers = [at for at in range(start + 1, end + 1)
                   if text[at].isdigit() and not text[at - 1].isalnum()
                   and text[at - 1] not in ",."]
        cut = next((at for at in [*reversed(words), *reversed(numbers)]
                    if text[start:at].strip()), None)
        if cut is None and text[start] == " ":
            start = len(text) - len(text[start:].lstrip(" "))
            continue
        cut = end if cut is None else cut
        spans.append((start, len(text[:cut].rstrip(" "))))
        start = len(text) - len(text[cut:].lstrip(" "))
    spans.append((start, len(text)))
    return spans
