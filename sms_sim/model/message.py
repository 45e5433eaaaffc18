"""Messages and their random generation.

Generation works on a whole chunk of messages at once, in C wherever it
can, because it is a large share of a zero-delay run
(``benchmarks/micro.py``, case ``generation``):

- text, lengths and phone digits are drawn in bulk with ``randbytes`` and
  mapped through ``bytes.translate``, several times cheaper per message
  than ``random.choices``.  Bytes that would bias the mapping are deleted
  (rejection sampling), so every character and digit stays exactly
  uniform;
- the dashes go in by extended-slice assignment, one per digit position,
  and each message's phone and text are slices of the chunk's;
- each text's form (its encoding and segments, ``encoding.py``) is read
  from a table by its length and whether it holds a backtick, the one
  printable character outside GSM-7 (``random_forms``).
"""
from __future__ import annotations

import operator
import random
import struct
from functools import partial
from collections.abc import Iterable, Sequence
from itertools import accumulate, repeat
from typing import NamedTuple

from sms_sim.model.encoding import (GSM7, GSM7_EXTENSION, GSM7_SINGLE,
                                    ONE_GSM7, Form, encode)

MIN_TEXT_LENGTH = 1
MAX_TEXT_LENGTH = 100
PRINTABLE = "".join(chr(code) for code in range(32, 127))  # space through '~'
PHONE_DIGITS = 10
_PHONE_WIDTH = 12  # ddd-ddd-dddd
_DIGIT_PLACES = (0, 1, 2, 4, 5, 6, 8, 9, 10, 11)
GENERATE_CHUNK = 256
"""Messages the producer generates at a time: large enough that the bulk
generator's per-call cost vanishes, small enough that the first chunk is
ready at once.  Part of the model, not of its tuning: generation draws
from the run's generator a chunk at a time, so the same seed gives the
same messages only with the same chunks."""


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
    """One SMS to send, with the seed that decides its fate.

    ``seed`` is 64 random bits drawn by the producer from the run's
    generator.  Every attempt's chance values derive from it (see
    :func:`attempt_bits`), so a seeded run's outcomes do not depend on
    which sender happens to take which message, or which attempt.
    (A NamedTuple: cheaper to build than a frozen, slotted dataclass,
    and immutable all the same; ``benchmarks/micro.py``, case
    ``message_tuple``.)
    """

    id: int
    phone: str
    text: str
    seed: int
    form: Form
    """Its text's encoding and segments."""
    class_index: int = 0
    """Its traffic class's place among the run's (``traffic.py``)."""
    arrived_s: float = 0.0
    """The simulated moment it arrived: 0 but with ``--traffic``."""


message_of = partial(tuple.__new__, Message)
"""A ``Message`` from the tuple of all its fields, defaults too, in C:
faster than ``Message``'s own ``__new__``, a Python function, where
messages are built by the million (``benchmarks/micro.py``, case
``message_columns``)."""

_MASK64 = (1 << 64) - 1
DRAW_UNIT = 2.0 ** -32
LOW_BITS = 0xFFFFFFFF
_WY_INCREMENT = 0xA0761D6478BD642F
_WY_MIX = 0xE7037ED1A0B428DB


def _wyrand(seed: int, output: int) -> int:
    """Output number ``output`` (from 1) of the wyrand generator seeded
    with ``seed``: 64 bits.

    wyrand (from wyhash) adds a constant to its state and folds one 64 x
    64-bit product of it to 64 bits; its author reports that it passes
    BigCrush and PractRand.  Each output is computed from the seed
    directly, so a message carries no state.  Chosen over SplitMix64 as
    one multiplication is cheaper than two in Python, and one runs for
    every retry; the interpreter's own tuple hash, cheaper still, did not
    mix: draws for attempts 2 and 3 of one message came out correlated.
    """
    state = (seed + output * _WY_INCREMENT) & _MASK64
    product = state * (state ^ _WY_MIX)
    return (product ^ (product >> 64)) & _MASK64


def split_draws(bits: int) -> tuple[float, float]:
    """64 random bits as two draws in [0, 1): the high half, the low."""
    return (bits >> 32) * DRAW_UNIT, (bits & LOW_BITS) * DRAW_UNIT


def attempt_bits(seed: int, attempt: int) -> int:
    """The 64 bits that decide attempt number ``attempt`` (from 1).  The
    first attempt reads the seed itself, the cheapest case and by far the
    most common; attempt ``k`` after it reads output ``2k - 2`` of the
    message's generator."""
    if attempt == 1:
        return seed
    # _wyrand(seed, 2 * attempt - 2), inlined: a call a retry fewer.
    state = (seed + (2 * attempt - 2) * _WY_INCREMENT) & _MASK64
    product = state * (state ^ _WY_MIX)
    return (product ^ (product >> 64)) & _MASK64


def failure_draws(seed: int, attempt: int) -> tuple[float, float]:
    """The ``(permanent, jitter)`` draws of failed attempt ``attempt``,
    uniform in [0, 1), where its fail draw cannot give them (see
    :func:`retry_jitter`): whether it failed for good, and where in its
    backoff window the retry falls.  Output ``2 * attempt - 1`` of the
    message's generator, so that a message that keeps failing reads it in
    order: failure 1, attempt 2, failure 2, attempt 3, ..."""
    return split_draws(_wyrand(seed, 2 * attempt - 1))


def carrier_draw(seed: int, attempt: int) -> float:
    """The draw, uniform in [0, 1), of the carrier's delay after attempt
    ``attempt`` succeeded.  The same generator output as
    :func:`failure_draws`, which only a failed attempt reads: an attempt
    either failed or was sent, so the two never meet."""
    return (_wyrand(seed, 2 * attempt - 1) >> 32) * DRAW_UNIT


def recipient_bits(seed: int) -> int:
    """The draw of the carrier a message's recipient is on
    (``carriers.py``), as 32 bits: uniform in [0, 1) once multiplied by
    ``DRAW_UNIT``.  Output 0 of the message's generator, which nothing
    else reads: runs without carriers keep every figure."""
    # _wyrand(seed, 0), inlined: its state is the seed itself.
    state = seed & _MASK64
    product = state * (state ^ _WY_MIX)
    return ((product ^ (product >> 64)) & _MASK64) >> 32


RECEIPT_OUTPUT = 1 << 40
"""The output of a message's generator that decides its delivery receipt
(``receipts.py``): far beyond any attempt's, ``2 * (MAX_RETRIES + 1)``,
so that no other draw reads it and runs without receipts keep theirs."""


def receipt_bits(seed: int) -> int:
    """The 64 bits of a sent message's receipt: the high half its state,
    the low half its delay."""
    return _wyrand(seed, RECEIPT_OUTPUT)


RESCALED_FLOOR = 2.0 ** -12
"""The least ``failure rate * (1 - permanent share)`` at which a failure's
own fail draw decides its future (see :func:`retry_jitter`): it leaves at
least 2**20 distinct jitters."""


def retry_jitter(seed: int, attempt: int, fail: float, rate: float,
                 permanent: float) -> float | None:
    """Where in its backoff window the retry after failed attempt
    ``attempt`` falls, a draw in [0, 1]; None if the failure is for good,
    as a ``permanent`` share of failures are.  ``fail`` is the attempt's
    fail draw, which fell below its failure ``rate``.

    Given the failure, ``fail / rate`` is uniform on [0, 1), and no other
    draw depends on it, so both come from it: below ``permanent`` the
    failure is for good, and above, its place in ``[permanent, 1)`` is the
    jitter.  That saves a draw from the message's generator, the largest
    cost of a retry (``benchmarks/README.md``).  Where
    ``rate * (1 - permanent)`` is below ``RESCALED_FLOOR``, too few
    distinct values would remain, and :func:`failure_draws` decides
    instead; so it does for an attempt that an outage ended, which has no
    fail draw below the rate (``fail`` is negative).
    """
    temporary = 1.0 - permanent
    if fail < 0.0 or rate * temporary < RESCALED_FLOOR:
        draw, jitter = failure_draws(seed, attempt)
        return None if draw < permanent else jitter
    share = fail / rate
    return None if share < permanent else (share - permanent) / temporary


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


_UNCOUNTED = Form(GSM7, 0)
"""In a table of forms: a GSM-7 text that may need two segments, by the
count of its extension characters."""


def _forms_by_length(backtick: bool) -> tuple[Form, ...]:
    """The form of a random text of each length (index 0 unused), with a
    backtick or without."""
    forms = [_UNCOUNTED]
    for length in range(1, MAX_TEXT_LENGTH + 1):
        if backtick:  # UCS-2: one unit a character, whatever else it has
            forms.append(encode("`" * length).form)
        elif encode("~" * length).segments == 1:  # even at two septets each
            forms.append(ONE_GSM7)
        else:
            forms.append(_UNCOUNTED)
    return tuple(forms)


_RANDOM_FORMS = (_forms_by_length(False), _forms_by_length(True))
"""Without a backtick, then with one: a random text's form by its length.
"""
_EXTENSION_BYTES = "".join(sorted(GSM7_EXTENSION & set(PRINTABLE))).encode()
RANDOM_MOST_SEGMENTS = max(encode("`" * MAX_TEXT_LENGTH).segments,
                           encode("~" * MAX_TEXT_LENGTH).segments)
"""The most segments a random text can take."""


def random_forms(texts: Sequence[str]) -> list[Form]:
    """The forms of random texts (printable ASCII of 1 to
    ``MAX_TEXT_LENGTH`` characters), as ``encode`` gives them, in bulk:
    each text's work is done by C functions over ``map``, but for a GSM-7
    text that could be too long for one segment, whose extension
    characters are counted."""
    tables = map(_RANDOM_FORMS.__getitem__,
                 map(operator.contains, texts, repeat("`")))
    forms = list(map(operator.getitem, tables, map(len, texts)))
    index = 0
    while True:
        try:
            index = forms.index(_UNCOUNTED, index)
        except ValueError:
            return forms
        text = texts[index]
        septets = 2 * len(text) - len(
            text.encode("ascii").translate(None, _EXTENSION_BYTES))
        forms[index] = (ONE_GSM7 if septets <= GSM7_SINGLE
                        else encode(text).form)
        index += 1


def generate_messages(rng: random.Random, first_id: int, count: int,
                      arrivals: Sequence[tuple[float, int]] | None = None
                      ) -> list[Message]:
    """``count`` messages with ids ``first_id`` onwards; with
    ``arrivals``, each one's ``(arrived_s, class_index)`` (``--traffic``:
    built in, as a copy of each would cost a run of a stream a third of
    its time).

    Phones are ``ddd-ddd-dddd`` with any digit anywhere; texts have a length
    uniform over 1..100 and characters uniform over printable ASCII.
    """
    lengths = _uniform_bytes(rng, count, _LENGTH_TABLE, _LENGTH_DELETE)
    text = _uniform_bytes(rng, sum(lengths), _TEXT_TABLE,
                          _TEXT_DELETE).decode("ascii")
    digits = _uniform_bytes(rng, count * PHONE_DIGITS,
                            _DIGIT_TABLE, _DIGIT_DELETE)
    laid_out = bytearray(b"-" * (count * _PHONE_WIDTH))
    for digit, place in enumerate(_DIGIT_PLACES):
        laid_out[place::_PHONE_WIDTH] = digits[digit::PHONE_DIGITS]
    phones = laid_out.decode("ascii")
    ends = list(accumulate(lengths))
    seeds = struct.unpack(f"<{count}Q", rng.randbytes(8 * count))
    starts = range(0, count * _PHONE_WIDTH, _PHONE_WIDTH)
    texts = [text[start:end] for start, end in zip([0, *ends[:-1]], ends)]
    columns: list[Iterable[object]] = [
        range(first_id, first_id + count),
        [phones[start:start + _PHONE_WIDTH] for start in starts],
        texts, seeds, random_forms(texts)]
    if arrivals is not None:
        columns += [[index for _, index in arrivals],
                    [at_s for at_s, _ in arrivals]]
    else:  # the defaults: message_of fills none in
        columns += [repeat(0), repeat(0.0)]
    # Each from the tuple zip makes (message_of): both in C.
    return list(map(message_of, zip(*columns)))
