"""Files of measured durations: what they may hold, and how a bad one is
refused."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from sms_sim.model.measurements import (MAX_LINE_CHARS, MAX_LINES,
                                        MeasurementsError, read_measurements)
from tests.helpers import TIMEOUT_S

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str, name: str = "times.txt") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_a_file_of_one_number_per_line(tmp_path: Path) -> None:
    assert read_measurements(write(tmp_path, "0.5\n\n1.5\n2\n")) == \
        [0.5, 1.5, 2.0]


def test_a_csv_file_names_its_column_of_seconds(tmp_path: Path) -> None:
    path = write(tmp_path, "carrier,delay_s\nA,0.5\nB,1.25\n", "t.csv")
    assert read_measurements(path, "delay_s") == [0.5, 1.25]
    single = write(tmp_path, "seconds\n0.5\n1\n", "one.csv")
    assert read_measurements(single) == [0.5, 1.0]


def test_a_byte_order_mark_is_no_part_of_the_first_line(
        tmp_path: Path) -> None:
    """As Excel's "CSV UTF-8" writes: the mark would make the first value
    a header, or the first column's name another."""
    plain = write(tmp_path, "\ufeff0.1\n0.2\n0.3\n")
    assert read_measurements(plain) == [0.1, 0.2, 0.3]
    table = write(tmp_path, "\ufeffa,delay_s\n1,0.5\n2,1.5\n", "t.csv")
    assert read_measurements(table, "a") == [1.0, 2.0]


@pytest.mark.parametrize("text, column, message", [
    ("", None, "is empty"),
    ("\n\n", None, "is empty"),
    ("0.5\n", None, "has 1 value; at least 2 are needed"),
    ("0.5\nfast\n", None, "line 2: 'fast' is not a number of seconds"),
    # a first value written wrong is named, not dropped as a header
    ("1m\n2\n3\n", None, "line 1: '1m' is not a number of seconds"),
    ("0x10\n2\n3\n", None, "line 1: '0x10' is not a number of seconds"),
    ("0.5\n-1\n", None, "line 2: '-1' is not from 0 to 1e9"),
    ("0.5\ninf\n", None, "line 2: 'inf' is not a number of seconds"),
    ("a,b\n1,2\n3,4\n", None, "has columns a, b: name the one of seconds "
     "with column=NAME"),
    ("a,b\n1,2\n3,4\n", "c", "has no column 'c' (it has a, b)"),
    # once "has no column 'x' (it has 0.08)"
    ("0.08\n0.09\n", "x", "has no header (its first line is '0.08'), so "
     "no column 'x': leave column= out, or give it a header"),
    ("a,b\n1,2\n3\n", "b", "line 3: '' is not a number of seconds"),
])
def test_a_bad_file_is_one_line_that_says_where(
        tmp_path: Path, text: str, column: str | None, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(MeasurementsError) as caught:
        read_measurements(path, column)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_missing_or_unreadable_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(MeasurementsError, match="cannot read .*No such"):
        read_measurements(str(tmp_path / "missing.txt"))
    with pytest.raises(MeasurementsError, match="cannot read .*directory"):
        read_measurements(str(tmp_path))
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(MeasurementsError, match="not a text file"):
        read_measurements(str(binary))


def test_a_file_longer_than_the_limit_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sms_sim.model.measurements.MAX_LINES", 5)
    path = write(tmp_path, "1\n" * 6)
    with pytest.raises(MeasurementsError, match="more than 5 lines"):
        read_measurements(path)
    assert f"at most {MAX_LINES:,} lines of {MAX_LINE_CHARS:,} characters" \
        in (ROOT / "README.md").read_text()  # the limits the README states


def test_a_line_longer_than_the_limit_is_refused_before_the_rest_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sms_sim.model.measurements.MAX_LINE_CHARS", 8)
    path = write(tmp_path, "1.5\n12345678\n123456789\n")
    with pytest.raises(MeasurementsError, match=r"line 3 is longer than 8 "
                       "characters"):
        read_measurements(path)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_an_endless_line_is_refused_not_read_into_memory() -> None:
    with pytest.raises(MeasurementsError, match="'/dev/zero': line 1 is "
                       "longer than 65,536 characters"):
        read_measurements("/dev/zero")


@pytest.mark.time_limit(10)
def test_a_pipe_that_nothing_writes_to_is_refused_not_waited_on(
        tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(MeasurementsError, match="'.*fifo' is a pipe that "
                       "nothing writes to"):
        read_measurements(str(fifo))


@pytest.mark.parametrize("written_first", [True, False])
def test_a_pipe_with_a_writer_is_read_whole(written_first: bool) -> None:
    """As ``--dist <(...)`` gives one: written before it is opened (then
    the look at it has taken a first part, lines cut in two), or after."""
    values = [round(0.001 * k, 3) for k in range(1, 4001)]
    text = "".join(f"{value}\n" for value in values).encode()
    reader, writer = os.pipe()
    try:
        if written_first:
            os.write(writer, text)
            os.close(writer)
            assert read_measurements(f"/dev/fd/{reader}") == values
        else:
            read: list[list[float]] = []
            opened = threading.Thread(target=lambda: read.append(
                read_measurements(f"/dev/fd/{reader}")))
            opened.start()
            os.write(writer, text)
            os.close(writer)
            opened.join(TIMEOUT_S)
            assert read == [values]
    finally:
        os.close(reader)
