from __future__ import annotations

import csv
import errno
import os
from pathlib import Path

import pytest

from sms_sim.model.encoding import ONE_GSM7, UCS2, Form
from sms_sim.model.message import Message
from sms_sim.model.result import EXPIRED, FAILED, RETRY, SENT, Result
from sms_sim.output.csvlog import CsvLog

HEADER = ("id,phone,group,sender,attempts,outcome,send_s,delivered_at_s,"
          "encoding,segments\n")


def result(message_id: int, outcome: str, *, group: int = 0,
           sender: int = 0, attempts: int = 1, send_s: float | None = 0.01,
           done_at_s: float = 1.0, spent_s: float = 0.01) -> Result:
    message = Message(message_id, f"555-000-{message_id:04d}", "alert",
                      0, ONE_GSM7)
    return Result(message=message, group=group, sender=sender,
                  attempts=attempts, send_s=send_s, done_at_s=done_at_s,
                  spent_s=spent_s, outcome=outcome, reached_at_s=None)


BATCH = [
    result(7, SENT, group=1, sender=3, done_at_s=12.25, spent_s=0.0125),
    result(8, RETRY, attempts=1),
    result(8, FAILED, attempts=2, done_at_s=30.5, spent_s=0.02),
    result(9, EXPIRED, attempts=0, send_s=None, done_at_s=600.0,
           spent_s=0.0),
    result(10, EXPIRED, attempts=2, send_s=None, done_at_s=600.0,
           spent_s=0.02),  # its third attempt could not start in time
]


def written(path: Path) -> str:
    return path.read_text(encoding="ascii")


def test_a_header_then_one_row_per_message_that_ended(
        tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    log = CsvLog.create(str(path))
    log.write(BATCH)
    log.close()
    rows = list(csv.DictReader(written(path).splitlines()))
    assert list(rows[0]) == list(CsvLog.COLUMNS)
    assert rows == [
        {"id": "7", "phone": "555-000-0007", "group": "2", "sender": "3",
         "attempts": "1", "outcome": "sent", "send_s": "0.0125",
         "delivered_at_s": "12.25",
         "encoding": "gsm7", "segments": "1"},
        {"id": "8", "phone": "555-000-0008", "group": "1", "sender": "0",
         "attempts": "2", "outcome": "failed", "send_s": "0.02",
         "delivered_at_s": "30.5",
         "encoding": "gsm7", "segments": "1"},
        {"id": "9", "phone": "555-000-0009", "group": "", "sender": "",
         "attempts": "0", "outcome": "expired", "send_s": "0",
         "delivered_at_s": "600",
         "encoding": "gsm7", "segments": "1"},
        {"id": "10", "phone": "555-000-0010", "group": "", "sender": "",
         "attempts": "2", "outcome": "expired", "send_s": "0.02",
         "delivered_at_s": "600",
         "encoding": "gsm7", "segments": "1"},
    ]


def test_rows_come_batch_after_batch_and_retries_write_nothing(
        tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    log = CsvLog.create(str(path))
    log.write([result(1, SENT)])
    log.write([result(2, RETRY), result(3, RETRY)])
    log.write([])
    log.write([result(2, SENT, attempts=2)])
    log.close()
    lines = written(path).splitlines()
    assert lines[0] + "\n" == HEADER
    assert [line.split(",")[:5] for line in lines[1:]] == [
        ["1", "555-000-0001", "1", "0", "1"],
        ["2", "555-000-0002", "1", "0", "2"]]


def test_a_row_names_its_texts_encoding_and_segments(
        tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    log = CsvLog.create(str(path))
    message = result(1, SENT).message._replace(
        text="`" * 135, form=Form(UCS2, 3))
    log.write([result(1, SENT)._replace(message=message)])
    log.close()
    row, = csv.DictReader(written(path).splitlines())
    assert (row["encoding"], row["segments"]) == ("ucs2", "3")


def test_create_empties_a_file_that_was_there(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("old,contents\n" * 100)
    CsvLog.create(str(path)).close()
    assert written(path) == HEADER


@pytest.mark.parametrize("where", ["missing-dir/log.csv", "."])
def test_create_raises_for_a_path_it_cannot_write(tmp_path: Path,
                                                  where: str) -> None:
    with pytest.raises(OSError):
        CsvLog.create(str(tmp_path / where))


class FullDisk:
    """``os.write`` that writes ``room`` more bytes, then fails with
    ENOSPC, as a disk that fills up mid-batch."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.real_write = os.write

    def __call__(self, fd: int, data: bytes) -> int:
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written = self.real_write(fd, bytes(data[:self.room]))
        self.room -= written
        return written


def test_a_full_disk_leaves_no_partial_row_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "log.csv"
    log = CsvLog.create(str(path))
    log.write([result(1, SENT)])
    before = written(path)
    monkeypatch.setattr("sms_sim.output.csvlog.os.write", FullDisk(room=30))
    with pytest.raises(OSError) as caught:
        log.write([result(n, SENT) for n in range(2, 6)])
    assert caught.value.errno == errno.ENOSPC
    message = str(caught.value)
    assert f"cannot write the log {str(path)!r}" in message
    assert "No space left on device" in message
    log.close()
    assert written(path) == before  # nothing of the failed batch


def test_an_error_without_a_description_still_says_what_went_wrong(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = CsvLog.create(str(tmp_path / "log.csv"))

    def failing(fd: int, data: bytes) -> int:
        raise OSError(errno.EIO, "")

    monkeypatch.setattr("sms_sim.output.csvlog.os.write", failing)
    with pytest.raises(OSError) as caught:
        log.write([result(1, SENT)])
    log.close()
    assert str(caught.value).endswith(": " + os.strerror(errno.EIO))


def test_a_write_after_a_failed_one_continues_the_file_cleanly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "log.csv"
    log = CsvLog.create(str(path))
    with monkeypatch.context() as patch:
        patch.setattr("sms_sim.output.csvlog.os.write", FullDisk(room=20))
        with pytest.raises(OSError):
            log.write([result(n, SENT) for n in range(5)])
    log.write([result(9, SENT)])  # room again
    log.close()
    text = written(path)
    assert "\0" not in text
    assert text.splitlines()[1:] == [
        "9,555-000-0009,1,0,1,sent,0.01,1,gsm7,1"]


def test_a_log_that_cannot_take_its_header_is_closed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[int] = []
    real_close = os.close

    def close(fd: int) -> None:
        closed.append(fd)
        real_close(fd)

    monkeypatch.setattr("sms_sim.output.csvlog.os.write", FullDisk(room=10))
    monkeypatch.setattr("sms_sim.output.csvlog.os.close", close)
    with pytest.raises(OSError, match="No space left on device"):
        CsvLog.create(str(tmp_path / "log.csv"))
    assert len(closed) == 1
    assert (tmp_path / "log.csv").read_bytes() == b""
