"""Measured durations read from a file, for the empirical shape
(``Latency.empirical``): one number per line, or a CSV column.

Reading is kept apart from the distribution itself: a ``Latency`` is a
value, valid by construction, while a file can be anything and must be
refused in one line that says what is wrong, and where.
"""
from __future__ import annotations

import io
import math
import os
import stat
from typing import IO, TYPE_CHECKING

from sms_sim.model.latency import MIN_MEASUREMENTS
from sms_sim.model.validation import HORIZON, HORIZON_S

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

MAX_LINES = 10_000_000
MAX_LINE_CHARS = 65_536
"""Longer, a line is no measurement: the file is refused at that line,
before reading more (``/dev/zero`` is one endless line)."""


class MeasurementsError(ValueError):
    """A file of measurements that cannot be used, in one line."""


def read_measurements(path: str, column: str | None = None) -> list[float]:
    """The durations in the file at ``path``, in seconds: one number per
    line, or a CSV file with a header, whose ``column`` (or only column)
    holds them.  Blank lines are skipped.  Raises
    :class:`MeasurementsError` saying what is wrong, and on which line."""
    values: list[float] = []
    index: int | None = None
    try:
        with open_text(path) as file:
            lines = iter(lambda: file.readline(MAX_LINE_CHARS + 1), "")
            for number, line in enumerate(lines, 1):
                if number > MAX_LINES:
                    raise MeasurementsError(
                        f"{path!r} has more than {MAX_LINES:,} lines")
                if len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
                    raise MeasurementsError(
                        f"{path!r}: line {number} is longer than "
                        f"{MAX_LINE_CHARS:,} characters")
                text = line.strip()
                if not text:
                    continue
                if not values and index is None and (
                        column is not None
                        or _is_name(text.split(",")[0])):
                    index = _column_index(path, text, column)
                    continue
                values.append(_value(path, number, text, index))
    except OSError as error:
        raise MeasurementsError(
            f"cannot read {path!r}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise MeasurementsError(f"{path!r} is not a text file") from None
    if not values and index is None:
        raise MeasurementsError(f"{path!r} is empty")
    if len(values) < MIN_MEASUREMENTS:
        raise MeasurementsError(
            f"{path!r} has {len(values)} value"
            f"{'' if len(values) == 1 else 's'}; at least "
            f"{MIN_MEASUREMENTS} are needed")
    return values


def open_text(path: str) -> IO[str]:
    """The file at ``path``, open for reading text.  A pipe that nothing
    writes to is refused, rather than waited on without a word: it is
    opened without waiting, and a first read that finds its end means
    that no writer has it open (one that has, with nothing written yet,
    is then waited for)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        first = b""
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            try:
                first = os.read(fd, io.DEFAULT_BUFFER_SIZE)
            except BlockingIOError:
                pass  # a writer, that has written nothing yet
            else:
                if not first:
                    raise MeasurementsError(
                        f"{path!r} is a pipe that nothing writes to")
        os.set_blocking(fd, True)
        return io.TextIOWrapper(io.BufferedReader(_Reader(fd, first)),
                                encoding="utf-8-sig", newline="")
    except BaseException:
        os.close(fd)
        raise


class _Reader(io.RawIOBase):
    """The bytes of ``fd``, after ``first``: those a look at a pipe took
    from it."""

    def __init__(self, fd: int, first: bytes) -> None:
        super().__init__()
        self._fd = fd
        self._first = first

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self._first[:len(view)] or os.read(self._fd, len(view))
        self._first = self._first[len(data):]
        view[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


def _is_name(text: str) -> bool:
    """Whether a first field is a column's name, so its line a header:
    no number, nor what starts as one (``1m`` or ``0x10`` is a value
    written wrong, to be named as such, not dropped as a header)."""
    field = text.strip().strip('"')
    try:
        float(field)
    except ValueError:
        return field[:1] not in ("+", "-", ".") and not field[:1].isdigit()
    return False


def _column_index(path: str, header: str, column: str | None) -> int:
    names = [name.strip().strip('"') for name in header.split(",")]
    if column is None:
        if len(names) == 1:
            return 0
        raise MeasurementsError(
            f"{path!r} has columns {', '.join(names)}: name the one of "
            "seconds with column=NAME")
    if not _is_name(names[0]):
        raise MeasurementsError(
            f"{path!r} has no header (its first line is {header!r}), so no "
            f"column {column!r}: leave column= out, or give it a header")
    if column not in names:
        raise MeasurementsError(f"{path!r} has no column {column!r} (it has "
                                f"{', '.join(names)})")
    return names.index(column)


def _value(path: str, number: int, line: str, index: int | None) -> float:
    fields = line.split(",") if index is not None else [line]
    text = fields[index or 0].strip().strip('"') \
        if len(fields) > (index or 0) else ""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 <= value <= HORIZON_S):
        what = "a number of seconds" if math.isnan(value) or \
            not math.isfinite(value) else f"from 0 to {HORIZON}"
        raise MeasurementsError(
            f"{path!r} line {number}: {text!r} is not {what}")
    return value
