"""A report file: written whole or not at all, and a path that cannot
take one named before the run."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from sms_sim.output.files import check_writable, write_atomically


def test_writing_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    write_atomically(str(target), "new \u2713")
    assert target.read_text(encoding="utf-8") == "new \u2713"
    assert os.listdir(tmp_path) == ["report.html"]  # no temporary left
    # Made with the umask's permissions, as open() would, not 0600.
    umask = os.umask(0o022)
    os.umask(umask)
    fresh = tmp_path / "fresh.html"
    write_atomically(str(fresh), "x")
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
        tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    with pytest.raises(UnicodeEncodeError):  # fails half way through
        write_atomically(str(target), "a" * 100_000 + "\ud800")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["report.html"]


def test_paths_that_cannot_be_written_are_named_before_the_run(
        tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("")
    assert check_writable(str(tmp_path / "report.html")) is None
    assert check_writable(str(afile)) is None  # replaced whole
    assert os.listdir(tmp_path) == ["afile"]  # the probe is gone
    assert check_writable(str(tmp_path)) == f"{tmp_path} is a directory"
    assert check_writable(str(tmp_path / "no" / "r.html")) \
        == f"no such directory: {tmp_path / 'no'}"
    assert check_writable(str(afile / "r.html")) \
        == f"{afile} is not a directory"
    assert check_writable("") == "the path is empty"


def test_a_report_never_replaces_a_device_a_pipe_or_a_read_only_file(
        tmp_path: Path) -> None:
    """As root, renaming over /dev/null made it a file, system-wide."""
    for special in ("/dev/null", "/dev/full"):
        if os.path.exists(special):
            assert check_writable(special) == \
                f"{special} is not a regular file"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert check_writable(str(fifo)) == f"{fifo} is not a regular file"
    kept = tmp_path / "kept.html"
    kept.write_text("mine")
    kept.chmod(0o444)  # which root may write all the same, but not here
    assert check_writable(str(kept)) == f"{kept} is read-only"


def test_a_report_through_a_link_replaces_the_file_and_keeps_the_link(
        tmp_path: Path) -> None:
    target = tmp_path / "reports" / "r.html"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "latest.html"
    link.symlink_to(target)
    assert check_writable(str(link)) is None
    write_atomically(str(link), "new")
    assert link.is_symlink() and target.read_text() == "new"
    assert sorted(os.listdir(target.parent)) == ["r.html"]


def test_a_folder_without_permission_is_named(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir(mode=0o500)
    elif os.path.isdir("/sys"):
        folder = Path("/sys")  # sysfs refuses new files even to root
    else:
        pytest.skip("root may write in any folder, and there is no /sys")
    reason = check_writable(str(folder / "r.html"))
    assert reason is not None and reason.startswith(f"cannot write in "
                                                    f"{folder}: ")
