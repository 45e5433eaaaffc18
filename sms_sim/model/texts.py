"""A planner's own texts, which the messages carry instead of the brief's
random ones: one text for every message, or many, taken in turn or at
random.

Each text's form (its encoding and segments) is computed once, here: a
message takes its text's.  The messages are generated as always first
(``generate_messages``), so that their phones and the draws that decide
their fates are the same whatever text they carry, and only the text and
its form are replaced.  The random order draws from a generator of its
own, seeded from the run's seed, for the same reason.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from sms_sim.model.encoding import ENCODING_NAMES, MAX_SEGMENTS, Form, encode
from sms_sim.model.measurements import MeasurementsError, open_text
from sms_sim.model.message import Message
from sms_sim.model.validation import ConfigError

MAX_LINES = 100_000
MAX_LINE_CHARS = 65_536
"""Longer, a line is no text a message could carry (255 segments of GSM-7
are 39,015 septets): the file is refused at that line, before reading
more (``/dev/zero`` is one endless line)."""
IN_TURN = "turn"
AT_RANDOM = "random"
TEXT_ORDERS = (IN_TURN, AT_RANDOM)
"""How messages take their texts: message ``i`` the text ``i`` modulo
their number, or each a text drawn uniformly."""


class TextsError(ValueError):
    """A file of texts that cannot be used, in one line."""


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be a message's, or None if it can."""
    if not text:
        return "is empty"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: bytes that were not
        return "is not valid UTF-8"  # UTF-8 on the command line
    encoded = encode(text)
    if encoded.segments > MAX_SEGMENTS:
        return (f"takes {encoded.segments:,} segments of "
                f"{ENCODING_NAMES[encoded.encoding]}; a message may take "
                f"at most {MAX_SEGMENTS}")
    return None


def read_texts(path: str) -> tuple[str, ...]:
    """The texts in the file at ``path``, one a line (its line ending
    left out), blank lines skipped.  Raises :class:`TextsError` saying
    what is wrong, and on which line."""
    texts: list[str] = []
    try:
        with open_text(path) as file:
            lines = iter(lambda: file.readline(MAX_LINE_CHARS + 1), "")
            for number, line in enumerate(lines, 1):
                if number > MAX_LINES:
                    raise TextsError(
                        f"{path!r} has more than {MAX_LINES:,} lines")
                text = line.rstrip("\r\n")
                if len(text) > MAX_LINE_CHARS:
                    raise TextsError(
                        f"{path!r}: line {number} is longer than "
                        f"{MAX_LINE_CHARS:,} characters")
                if "\0" in text:
                    raise TextsError(f"{path!r} is not a text file")
                if not text.strip():
                    continue
                problem = text_problem(text)
                if problem is not None:
                    raise TextsError(f"{path!r} line {number} {problem}")
                texts.append(text)
    except MeasurementsError as error:  # a pipe that nothing writes to
        raise TextsError(str(error)) from None
    except OSError as error:
        raise TextsError(
            f"cannot read {path!r}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise TextsError(f"{path!r} is not a text file (UTF-8)") from None
    if not texts:
        raise TextsError(f"{path!r} has no texts: it is empty, or blank")
    return tuple(texts)


@dataclass(frozen=True, slots=True)
class Texts:
    """The texts a run's messages carry, and their forms."""

    lines: tuple[str, ...]
    order: str = IN_TURN
    forms: tuple[Form, ...] = field(init=False, repr=False, compare=False)
    """Each line's form, in order."""

    def __post_init__(self) -> None:
        if not self.lines:
            raise ConfigError("texts", "at least one text", self.lines,
                              "must hold at least one text, got none")
        if self.order not in TEXT_ORDERS:
            raise ConfigError("text_order", " or ".join(TEXT_ORDERS),
                              self.order)
        for number, line in enumerate(self.lines, 1):
            problem = text_problem(line)
            if problem is not None:
                raise ConfigError("texts", f"at most {MAX_SEGMENTS} "
                                  "segments", line, f"text {number} "
                                  f"{problem}")
        object.__setattr__(self, "forms", tuple(
            encode(line).form for line in self.lines))

    @property
    def least_segments(self) -> int:
        return min(form.segments for form in self.forms)

    @property
    def most_segments(self) -> int:
        return max(form.segments for form in self.forms)

    @staticmethod
    def generator(seed: int | None) -> random.Random:
        """The random order's own generator: apart from the run's, so that
        the messages' other draws stay those of the same seed's run
        without texts."""
        return random.Random(f"texts {seed}")

    def carried(self, messages: Sequence[Message],
                rng: random.Random) -> list[Message]:
        """``messages``, each with its text and form instead of its own."""
        count = len(self.lines)
        if self.order == IN_TURN:
            picks = [message.id % count for message in messages]
        else:
            picks = rng.choices(range(count), k=len(messages))
        return [message._replace(text=self.lines[pick],
                                 form=self.forms[pick])
                for message, pick in zip(messages, picks)]
