"""The ``--log`` file: one CSV row per message as it ends, written as the
run goes, so memory stays flat however many messages there are."""
from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Sequence

from sms_sim.model.carriers import Carrier, Recipients
from sms_sim.model.errors import CLASSES
from sms_sim.model.result import REFUSED, RETRY, Result

NOT_ENDED = (RETRY, REFUSED)
"""Outcomes that leave a message to be tried again: no row."""


class CsvLog:
    """Appends rows for the results that end a message.

    Each batch is written with raw ``os.write`` calls and the file's size
    after the last whole batch is remembered.  If a write fails (a full
    disk), the file is cut back to that size, so it never holds a partial
    row, and the error is raised for the run to stop.
    """

    COLUMNS = ("id", "phone", "group", "sender", "attempts", "outcome",
               "send_s", "delivered_at_s", "encoding", "segments")
    """A message's columns, named as they always were, so that logs stay
    comparable; the names say less than the figures are:

    - ``send_s``: the simulated send time over all of the message's
      attempts (0 for one that expired before its first);
    - ``delivered_at_s``: the simulated moment the message ended, whatever
      its outcome: when it was delivered (``sent``); when its last attempt
      ended (``failed``, and ``expired`` where the retry it needed could
      not start before the deadline); or the deadline itself (``expired``
      waiting in line, with ``group`` and ``sender`` empty);
    - ``encoding`` and ``segments``: its text's (``gsm7`` or ``ucs2``).
    """
    CARRIER_COLUMN = "reached_at_s"
    """The column a run with a carrier adds: when the phone had it (empty
    for a message not sent)."""
    RECEIPT_COLUMNS = ("receipt", "receipt_at_s")
    """The columns a run with receipts adds: a sent message's final state
    and when its receipt came back (empty for none, or a message not
    sent)."""
    ROUTE_COLUMN = "route"
    """The column a run with routes adds: the route of the attempt that
    ended the message (empty for one that expired waiting)."""
    TRAFFIC_COLUMNS = ("class", "arrived_at_s")
    """The columns a run with ``--traffic`` adds: the message's class, and
    the simulated moment it arrived."""
    CARRIERS_COLUMN = "carrier"
    """The column a run with ``--carriers`` adds: the recipient's."""
    ERROR_COLUMN = "error"
    """The column a run with ``errors=`` adds: the error class of the
    attempt that ended the message (empty for one sent, or failed
    without a class)."""

    def __init__(self, fd: int, path: str, carrier: bool = False,
                 routes: Sequence[str] = (),
                 classes: tuple[str, ...] = (), receipts: bool = False,
                 carriers: Sequence[Carrier] = (), errors: bool = False
                 ) -> None:
        self._fd = fd
        self._errors = errors
        self._receipts = receipts
        self._path = path
        self._size = 0
        self._carrier = carrier
        # Indexed by a result's group; NO_GROUP, -1, reads the last cell.
        self._route_cells = [f",{name}" for name in routes] + [","] \
            if routes else None
        self._classes = classes
        self._carrier_of = Recipients(carriers).of if carriers else None
        self._carrier_cells = [f",{c.name}" for c in carriers]
        columns = self.COLUMNS + ((self.CARRIER_COLUMN,) if carrier else ()) \
            + ((self.ROUTE_COLUMN,) if routes else ()) \
            + (self.TRAFFIC_COLUMNS if classes else ()) \
            + (self.RECEIPT_COLUMNS if receipts else ()) \
            + ((self.CARRIERS_COLUMN,) if carriers else ()) \
            + ((self.ERROR_COLUMN,) if errors else ())
        self._write(",".join(columns) + "\n")

    @classmethod
    def create(cls, path: str, carrier: bool = False,
               routes: Sequence[str] = (),
               classes: tuple[str, ...] = (), receipts: bool = False,
               carriers: Sequence[Carrier] = (), errors: bool = False
               ) -> CsvLog:
        """Create (or empty) the file at ``path``; raises OSError if it
        cannot be written, before anything runs.  A pipe that nothing
        reads is refused (ENXIO) rather than waited for forever."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC
                     | os.O_NONBLOCK, 0o666)
        try:
            os.set_blocking(fd, True)
            return cls(fd, path, carrier, routes, classes, receipts,
                       carriers, errors)
        except OSError:
            os.close(fd)
            raise

    def write(self, results: Iterable[Result]) -> None:
        """One row per message that ended.  Its group and sender are those
        of the attempt that ended it: empty for a message that expired
        waiting for an attempt to start."""
        routes, receipts = self._route_cells, self._receipts
        carrier_of, cells = self._carrier_of, self._carrier_cells
        rows = [f"{r.message.id},{r.message.phone},{_sender_columns(r)},"
                f"{r.attempts},{r.outcome},{r.spent_s:.9g},{r.done_at_s:.9g},"
                f"{r.message.form.encoding},{r.message.form.segments}"
                f"{_reached_column(r) if self._carrier else ''}"
                f"{'' if routes is None else routes[r.group]}"
                f"{self._traffic_columns(r) if self._classes else ''}"
                f"{_receipt_columns(r) if receipts else ''}"
                f"{cells[carrier_of(r.message)] if carrier_of else ''}"
                f"{_error_column(r) if self._errors else ''}\n"
                for r in results if r.outcome not in NOT_ENDED]
        if rows:
            self._write("".join(rows))

    def _traffic_columns(self, result: Result) -> str:
        message = result.message
        return f",{self._classes[message.class_index]}," \
            f"{message.arrived_s:.9g}"

    def _write(self, text: str) -> None:
        data = memoryview(text.encode("ascii"))
        try:
            while data:
                written = os.write(self._fd, data)
                data = data[written:]
        except OSError as error:
            try:
                os.ftruncate(self._fd, self._size)
                # Back to the end of the last whole batch too: a later
                # write at the old offset would leave a hole of NUL bytes.
                os.lseek(self._fd, self._size, os.SEEK_SET)
            except OSError:
                pass  # the error below says what matters
            raise OSError(error.errno, f"cannot write the log {self._path!r}:"
                          f" {self.reason(error)}") from None
        self._size += len(text)

    @staticmethod
    def reason(error: OSError) -> str:
        """Why ``error`` happened, in words: its own message from a failed
        write here, the system's otherwise."""
        if error.strerror and error.strerror.startswith("cannot write the"):
            return error.strerror.split(": ", 1)[-1]
        if error.errno == errno.ENXIO:
            return "it is a pipe that nothing reads"
        return error.strerror or (
            os.strerror(error.errno) if error.errno else str(error))

    def close(self) -> None:
        os.close(self._fd)


def _sender_columns(result: Result) -> str:
    if result.send_s is None:
        return ","
    return f"{result.group + 1},{result.sender}"


def _error_column(result: Result) -> str:
    cause = result.cause
    return "," if cause is None or cause not in CLASSES else f",{cause}"


def _reached_column(result: Result) -> str:
    reached = result.reached_at_s
    return "," if reached is None else f",{reached:.9g}"


def _receipt_columns(result: Result) -> str:
    at_s = result.receipt_at_s
    return (f",{result.receipt or ''},"
            f"{'' if at_s is None else f'{at_s:.9g}'}")
