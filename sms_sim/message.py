"""Messages and their random generation.

Text and phone digits are drawn in bulk with ``randbytes`` and mapped through
``bytes.translate``: per message this is several times cheaper than
``random.choices``.  Bytes that would bias the mapping are deleted (rejection
sampling), so every character and digit stays exactly uniform.
"""
from __future__ import annotations

import random
from typing import NamedTuple

MIN_TEXT_LENGTH = 1
MAX_TEXT_LENGTH = 100
PRINTABLE = "".join(chr(code) for code in range(32, 127))  # space through '~'
PHONE_DIGITS = 10


def _uniform_table(alphabet: str) -> tuple[bytes, bytes]:
    """A translate table mapping bytes onto ``alphabet`` uniformly.

    Returns ``(table, delete)``: the largest multiple of ``len(alphabet)``
    below 256 maps byte ``b`` to ``alphabet[b % n]``; the remaining bytes are
    deleted, since keeping them would favour the first characters.
    """
    n = len(alphabet)
    kept = 256 - 256 % n
    table = bytes(ord(alphabet[b % n]) if b < kept else 0 for b in range(256))
    return table, bytes(range(kept, 256))


_TEXT_TABLE, _TEXT_DELETE = _uniform_table(PRINTABLE)
_DIGIT_TABLE, _DIGIT_DELETE = _uniform_table("0123456789")
_LENGTH_TABLE, _LENGTH_DELETE = _uniform_table(
    "".join(chr(n) for n in range(MIN_TEXT_LENGTH, MAX_TEXT_LENGTH + 1)))


class Message(NamedTuple):
    """One SMS to send, with the chance values that decide its fate.

    ``delay_draw`` and ``fail_draw`` are uniform in [0, 1), drawn by the
    producer from the run's generator.  A sender turns them into a send
    duration and an outcome using its own group's settings, so a seeded run's
    totals do not depend on which sender happens to take which message.
    (A NamedTuple: measured about 40% cheaper to build than a frozen,
    slotted dataclass, and immutable all the same.)
    """

    id: int
    phone: str
    text: str
    delay_draw: float
    fail_draw: float


def _uniform_bytes(rng: random.Random, count: int,
                   table: bytes, delete: bytes) -> bytes:
    """``count`` bytes mapped through ``table`` after rejecting ``delete``."""
    kept_share = (256 - len(delete)) / 256
    out = b""
    while len(out) < count:
        # Ask for a little more than the expected need so that one round
        # almost always suffices; any surplus is simply cut off.
        missing = count - len(out)
        raw = rng.randbytes(int(missing / kept_share) + 16)
        out += raw.translate(table, delete)
    return out[:count]


def generate_messages(rng: random.Random, first_id: int,
                      count: int) -> list[Message]:
    """``count`` messages with ids ``first_id`` onwards.

    Phones are ``ddd-ddd-dddd`` with any digit anywhere; texts have a length
    uniform over 1..100 and characters uniform over printable ASCII.
    """
    lengths = _uniform_bytes(rng, count, _LENGTH_TABLE, _LENGTH_DELETE)
    chars = _uniform_bytes(rng, sum(lengths), _TEXT_TABLE, _TEXT_DELETE)
    digits = _uniform_bytes(rng, count * PHONE_DIGITS,
                            _DIGIT_TABLE, _DIGIT_DELETE)
    text = chars.decode("ascii")
    phones = digits.decode("ascii")
    draw = rng.random
    messages = []
    pos = 0
    for offset, length in enumerate(lengths):
        d = offset * PHONE_DIGITS
        phone = (f"{phones[d:d + 3]}-{phones[d + 3:d + 6]}-"
                 f"{phones[d + 6:d + 10]}")
        end = pos + length
        messages.append(Message(first_id + offset, phone, text[pos:end],
                                draw(), draw()))
        pos = end
    return messages
