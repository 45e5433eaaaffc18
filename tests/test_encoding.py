"""A text's encoding and segments, against counts made by hand from
3GPP TS 23.038 and 23.040."""
from __future__ import annotations

import math
import random

import pytest

from sms_sim.model.encoding import (GSM7, GSM7_BASIC, GSM7_EXTENSION, UCS2,
                                    Encoded, encode)
from sms_sim.model.message import (MAX_TEXT_LENGTH, MIN_TEXT_LENGTH,
                                   PRINTABLE, generate_messages)


@pytest.mark.parametrize("text, expected", [
    ("a" * 160, Encoded(GSM7, 160, 1)),
    ("a" * 161, Encoded(GSM7, 161, 2)),
    ("a" * 306, Encoded(GSM7, 306, 2)),  # 2 x 153
    ("a" * 307, Encoded(GSM7, 307, 3)),
    ("a" * 79 + "{", Encoded(GSM7, 81, 1)),  # 80 characters, one of them
    ("a" * 145 + "{" * 8, Encoded(GSM7, 161, 2)),  # 153 characters
    ("a" * 159 + "€", Encoded(GSM7, 161, 2)),
    ("a" * 69 + "`", Encoded(UCS2, 70, 1)),  # the backtick is not GSM-7
    ("a" * 70 + "`", Encoded(UCS2, 71, 2)),
    ("a" * 133 + "`", Encoded(UCS2, 134, 2)),  # 2 x 67
    ("a" * 134 + "`", Encoded(UCS2, 135, 3)),
    ("\N{GRINNING FACE}", Encoded(UCS2, 2, 1)),  # two UTF-16 units
    ("a" * 68 + "\N{GRINNING FACE}", Encoded(UCS2, 70, 1)),
    ("¿Dónde está el refugio?", Encoded(UCS2, 23, 1)),  # ó is not GSM-7
    ("Ünïcode? ñ, ü, à: all GSM-7 but ï", Encoded(UCS2, 33, 1)),
    ("Évacuez: ñandù, Ø, ß, Δ", Encoded(GSM7, 23, 1)),
    ("", Encoded(GSM7, 0, 1)),
])
def test_a_text_counts_as_the_standard_says(text: str,
                                            expected: Encoded) -> None:
    assert encode(text) == expected


def test_an_escape_pair_is_never_split_between_encode() -> None:
    # 152 septets, then a 2-septet character that would straddle the first
    # part's end at 153: it starts the second part.
    text = "a" * 152 + "[" + "a" * 10
    assert encode(text) == Encoded(GSM7, 164, 2)
    assert encode("a" * 152 + "[" * 80).segments == 3  # 152 | 152 | 8


def test_a_surrogate_pair_is_never_split_between_encode() -> None:
    emoji = "\N{GRINNING FACE}"
    # 66 units, then a 2-unit emoji that would straddle 67: 3 parts, not 2.
    text = "`" + "a" * 65 + emoji * 34
    assert encode(text).units == 134
    assert encode(text).segments == 3


def test_the_alphabet_is_the_standards() -> None:
    assert len(GSM7_BASIC) == 128
    assert len(GSM7_EXTENSION) == 10
    # Of printable ASCII only the backtick is in neither table.
    assert set(PRINTABLE) - GSM7_BASIC - GSM7_EXTENSION == {"`"}
    assert set(PRINTABLE) & GSM7_EXTENSION == set("^{}\\[~]|")


def test_the_briefs_random_texts_go_as_ucs2_as_often_as_derived() -> None:
    """A random text of length L avoids the backtick, one of 95 printable
    characters, with probability (94/95)^L; lengths are uniform over
    1..100."""
    lengths = range(MIN_TEXT_LENGTH, MAX_TEXT_LENGTH + 1)
    expected = 1 - sum((94 / 95) ** n for n in lengths) / len(lengths)
    n = 20_000  # 3 standard errors: 1.0 percentage point
    messages = generate_messages(random.Random(3), 0, n)
    share = sum(encode(m.text).encoding == UCS2 for m in messages) / n
    standard_error = math.sqrt(expected * (1 - expected) / n)
    assert abs(share - expected) < 3 * standard_error
    assert 0.38 < expected < 0.40  # the "about 39%"
