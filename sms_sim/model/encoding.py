"""How a phone network counts a text: its encoding and its segments, by
the rules of 3GPP TS 23.038 (the GSM 7-bit alphabet) and TS 23.040
(concatenated short messages).

- A text whose every character is in the GSM 7-bit default alphabet or its
  extension table goes as GSM-7: a basic character takes one septet, an
  extension character two (an escape, then its code).  One segment holds
  160 septets; a longer text is split into segments of 153, as each part
  carries a 6-byte user data header, and an escape pair is never split.
- Any other character sends the whole text as UCS-2, counted in UTF-16
  code units (a character beyond the Basic Multilingual Plane, an emoji,
  takes two): 70 in one segment, 67 a segment when split, and a surrogate
  pair is never split.
"""
from __future__ import annotations

from typing import NamedTuple

GSM7 = "gsm7"
UCS2 = "ucs2"
ENCODINGS = (GSM7, UCS2)
ENCODING_NAMES = {GSM7: "GSM-7", UCS2: "UCS-2"}
"""Each encoding as the standards write it, for people to read."""

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
"""The default alphabet's 128 characters (ESC, 0x1B, stands for itself)."""
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
"""The extension table's characters: each sent as ESC and a code."""
_GSM7_ALL = GSM7_BASIC | GSM7_EXTENSION

GSM7_SINGLE = 160
GSM7_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67
MAX_SEGMENTS = 255
"""The most segments one text may take: TS 23.040's concatenation header
numbers the parts of a message in one octet."""


class Form(NamedTuple):
    """What a message's sending costs: its encoding and its segments.  A
    run has few distinct forms, so one value serves many messages."""

    encoding: str
    segments: int


ONE_GSM7 = Form(GSM7, 1)
"""The form of most short texts: one GSM-7 segment."""


class Encoded(NamedTuple):
    """A text as the network sends it."""

    encoding: str
    """``GSM7`` or ``UCS2``."""
    units: int
    """Septets (GSM-7) or UTF-16 code units (UCS-2)."""
    segments: int
    """Segments: one SMS each, as providers count and bill them."""

    @property
    def form(self) -> Form:
        return Form(self.encoding, self.segments)


def _parts(widths: list[int], part: int) -> int:
    """Segments of at most ``part`` units each, filled in order, when no
    character (of 1 or 2 units) may be split between two segments."""
    count, room = 1, part
    for width in widths:
        if width > room:
            count, room = count + 1, part
        room -= width
    return count


def encode(text: str) -> Encoded:
    """The encoding, size and segment count of ``text``."""
    chars = set(text)
    if chars <= GSM7_BASIC:  # the common case: one septet a character
        septets = len(text)
        return Encoded(GSM7, septets, 1 if septets <= GSM7_SINGLE
                       else -(-septets // GSM7_PART))
    if chars <= _GSM7_ALL:
        widths = [2 if char in GSM7_EXTENSION else 1 for char in text]
        septets = sum(widths)
        return Encoded(GSM7, septets, 1 if septets <= GSM7_SINGLE
                       else _parts(widths, GSM7_PART))
    widths = [2 if ord(char) > 0xFFFF else 1 for char in text]
    units = sum(widths)
    return Encoded(UCS2, units, 1 if units <= UCS2_SINGLE
                   else _parts(widths, UCS2_PART))
