"""How text is decorated and fitted to a width: ANSI colour and emphasis,
the glyphs, and wrapping between fields.

Numbers are never cut: a line that would not fit its width is wrapped
between fields, and a field wider than the width has a line of its own,
the only kind of line wider than the width (a terminal view breaks it into
rows between its words).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
"""An escape code: a colour, an emphasis, a cursor movement."""
_COLOURS = {"green": "32", "red": "31", "yellow": "33", "cyan": "36"}
GAP = "   "
"""Between the fields of a line, unless it says otherwise."""


@dataclass(frozen=True, slots=True)
class Style:
    """How to decorate text: ANSI colour and emphasis, and which glyphs."""

    colour: bool = False
    emphasis: bool = False
    unicode: bool = False

    def paint(self, text: str, colour: str) -> str:
        if not self.colour or not text:
            return text
        return f"\x1b[{_COLOURS[colour]}m{text}\x1b[0m"

    def bold(self, text: str) -> str:
        return f"\x1b[1m{text}\x1b[0m" if self.emphasis and text else text

    def dim(self, text: str) -> str:
        return f"\x1b[2m{text}\x1b[0m" if self.emphasis and text else text


PLAIN = Style()
"""No escape codes, ASCII only: for pipes, files and logs."""


def visible_width(line: str) -> int:
    return len(ANSI.sub("", line))


def fit(line: str, width: int) -> str:
    """Cut ``line`` to ``width`` visible characters, keeping escape codes
    whole and resetting the style if anything was cut.  Only for decoration
    (the bar); text with numbers is wrapped instead, by :func:`wrap`."""
    if visible_width(line) <= width:
        return line
    out, seen, pos = [], 0, 0
    for match in ANSI.finditer(line):
        text = line[pos:match.start()]
        out.append(text[:max(0, width - seen)])
        seen += len(text)
        out.append(match.group())
        pos = match.end()
    out.append(line[pos:][:max(0, width - seen)])
    return "".join(out) + ("\x1b[0m" if "\x1b[" in line else "")


def wrap(head: str, fields: Sequence[str], width: int | None,
         indent: int | None = None, sep: str = GAP) -> list[str]:
    """``head`` then ``fields`` joined by ``sep``, on as many lines as
    ``width`` needs (no limit when it is None); continuation lines are
    indented to ``indent`` (the width of ``head``).

    A field is never broken, so that no number is cut: one that does not
    fit at the indent starts further left, and one wider than ``width``
    has a line of its own, from column 0, wider than ``width``.  That is
    the only line that can be."""
    pad = visible_width(head) if indent is None else indent
    blank_head = not ANSI.sub("", head).strip()
    if width is not None and visible_width(head) > width:
        head = head.lstrip(" ")  # a head is moved left like a field
    lines, line, bare = [], head, True  # bare: nothing but the head yet
    for field in fields:
        joined = line + field if bare else line + sep + field
        if width is None or visible_width(joined) <= width:
            line, bare = joined, False
            continue
        if not (bare and blank_head):  # a blank head is only indentation
            lines.append(line.rstrip(" "))
        line = " " * max(0, min(pad, width - visible_width(field))) + field
        bare = False
    lines.append(line)
    return lines
