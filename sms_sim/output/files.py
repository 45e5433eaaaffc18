"""Writing a report file: whether a path can take one, before a run, and
writing it so that a failed run never leaves half of it."""
from __future__ import annotations

import contextlib
import os
import random


def check_writable(path: str) -> str | None:
    """Why ``path`` cannot take a report, in one line, or None if it can:
    for the command line to exit 2 before a run rather than fail after it.
    The folder is tried for real (a file made there and removed), since
    permissions alone do not tell: root may write anywhere but on a
    read-only file system."""
    if not path:
        return "the path is empty"
    if os.path.isdir(path):
        return f"{path} is a directory"
    if os.path.exists(path):
        # A report replaces a file; a device, a pipe or a terminal it
        # would destroy (/dev/null, as root), and a read-only file is
        # read-only for a reason.
        if not os.path.isfile(path):
            return f"{path} is not a regular file"
        if read_only(path):
            return f"{path} is read-only"
    path = os.path.realpath(path)
    folder = os.path.dirname(path) or "."
    if not os.path.exists(folder):
        return f"no such directory: {folder}"
    if not os.path.isdir(folder):
        return f"{folder} is not a directory"
    try:
        name, handle = _create_temporary(path)
    except OSError as error:
        return f"cannot write in {folder}: {error.strerror}"
    os.close(handle)
    os.unlink(name)
    return None


def read_only(path: str) -> bool:
    """Whether the file at ``path`` is not to be written: by its mode
    too, since root may write any file, but no one should write one that
    nobody may."""
    return not (os.access(path, os.W_OK) and os.stat(path).st_mode & 0o222)


def write_report(path: str, text: str) -> list[str]:
    """Write the report whole, or nothing: the fault, if any, as the
    command line reports it."""
    try:
        write_atomically(path, text)
    except OSError as error:
        return [f"cannot write the report {path!r}: "
                f"{error.strerror or error}\n"]
    return []


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` all at once: to a temporary file
    beside it, synced, then renamed over it.  A reader sees the old file or
    the whole new one; if anything fails (a full disk, an interrupt), the
    temporary file is removed, ``path`` is as it was, and the error is
    raised.  A symbolic link stays one: the file it points to is
    replaced."""
    path = os.path.realpath(path)
    name, handle = _create_temporary(path)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


def _create_temporary(path: str) -> tuple[str, int]:
    """A new, hidden file in ``path``'s folder, open for writing: its name
    and descriptor.  Made with the umask's permissions, as ``open`` would
    make ``path`` (``tempfile``'s are private to the owner), so that the
    renamed report is as readable as any other file written there."""
    folder, base = os.path.split(path)
    while True:
        # random, not secrets: secrets loads OpenSSL, megabytes of memory.
        token = random.SystemRandom().getrandbits(48)
        name = os.path.join(folder, f".{base}.{token:012x}.tmp")
        try:
            return name, os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                                 0o666)
        except FileExistsError:  # another name, however unlikely
            continue
