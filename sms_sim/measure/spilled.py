"""Exact order statistics of more values than memory should hold: each
``--traffic`` class's times from arrival, which, unlike the run's moments
(``model/ranked.py``), come in no order that bounds them.

The values go to a temporary file as they come, a block at a time, so a
run of any length keeps them in flat memory.  A histogram of them
(``histogram.py``) says which 1% bucket holds the value of a rank, and how
many lie below it; a pass over the file then collects that bucket's values
and sorts them.  A bucket too full to collect (a million waits of 0) is cut
into ``CUTS`` finer ones by a pass that only counts, and so on down: a
few passes at most, since each narrows the span a thousandfold, and a span
of one value is its answer.
"""
from __future__ import annotations

import bisect
import math
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO

from sms_sim.measure.histogram import Histogram

BLOCK = 1 << 13
"""Values held in memory, of all keys together, before they are written."""
COLLECTED = 1 << 14
"""Most values a pass collects to sort (half a MB as a list of floats)."""
CUTS = 1024
"""The finer buckets a counting pass cuts a bucket into."""
HEADER = 2
"""Doubles before each block in the file: its key and its length."""


class Spilled:
    """Records of ``width`` values under a key each (a class), in a
    temporary file and a buffer; only the monitor thread touches it."""

    def __init__(self, keys: int, width: int) -> None:
        self._width = width
        self._buffers = [array("d") for _ in range(keys)]
        self._buffered = 0
        self._file: IO[bytes] | None = None

    def extend(self, key: int, records: Sequence[float]) -> None:
        """Records under ``key``, one after another, ``width`` values
        each."""
        self._buffers[key].extend(records)
        self._buffered += len(records)
        if self._buffered >= BLOCK:
            self._write()

    def _write(self) -> None:
        if self._file is None:
            # Imported when the first block spills: tempfile (and the
            # shutil and random it loads) stays out of a run's start.
            import tempfile
            self._file = tempfile.TemporaryFile()
            # Closed with its reader, whenever that goes: the run's
            # figures may be read more than once.
            weakref.finalize(self, self._file.close)
        for key, buffer in enumerate(self._buffers):
            if buffer:
                array("d", (key, len(buffer))).tofile(self._file)
                buffer.tofile(self._file)
                del buffer[:]
        self._buffered = 0

    def column(self, key: int, index: int) -> Iterator[array[float]]:
        """Field ``index`` of ``key``'s records, a block at a time, in the
        order they came."""
        width, file = self._width, self._file
        if file is not None:
            file.seek(0)
            while header := file.read(HEADER * 8):
                block_key, length = array("d", header)
                size = int(length) * 8
                if int(block_key) != key:
                    file.seek(size, 1)
                    continue
                block = array("d")
                block.frombytes(file.read(size))
                yield block[index::width]
            file.seek(0, 2)  # where the next block goes
        yield self._buffers[key][index::width]


def at_ranks(histogram: Histogram,
             values: Callable[[], Iterable[Sequence[float]]],
             ranks: Sequence[int]) -> list[float]:
    """The value of each of ``ranks`` (1 for the smallest, at most their
    count) among ``values()``, which ``histogram`` counted: exactly, a
    pass or a few over them for each."""
    found = []
    for rank in ranks:
        start, end, below, inside = histogram.bucket(rank)
        # The ends' buckets are open; the values seen close them.
        start = max(start, histogram.min)
        end = min(end, math.nextafter(histogram.max, math.inf))
        found.append(_kth(values, rank - below, start, end, inside))
    return found


def _kth(values: Callable[[], Iterable[Sequence[float]]], rank: int,
         start: float, end: float, inside: int) -> float:
    """The ``rank``-th smallest of the ``inside`` values in ``[start,
    end)``."""
    while inside > COLLECTED:
        edges = sorted({edge for edge in (
            start + (end - start) * cut / CUTS for cut in range(1, CUTS))
            if start < edge < end})
        counts = [0] * (len(edges) + 1)
        at_start = 0
        for block in values():
            ordered = sorted(v for v in block if start <= v < end)
            at_start += bisect.bisect_right(ordered, start)
            last = 0
            for number, edge in enumerate(edges):
                upto = bisect.bisect_left(ordered, edge, last)
                counts[number] += upto - last
                last = upto
            counts[-1] += len(ordered) - last
        if rank <= at_start:
            return start  # a run of one value: 0 s of waiting, say
        for number, count in enumerate(counts):
            if rank <= count:
                break
            rank -= count
        bounds = [start, *edges, end]
        start, end, inside = bounds[number], bounds[number + 1], count
    collected = sorted(v for block in values() for v in block
                       if start <= v < end)
    return collected[rank - 1]
