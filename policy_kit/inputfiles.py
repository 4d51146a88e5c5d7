"""Reading small input files (a roster, a configuration, an earlier report's summary) within a
limit that holds for every kind of file: st_size says nothing for /dev/zero, a FIFO or a file
under /proc, so only regular files are read, and never more than the limit."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import InputError


def read_limited(path: str | Path, limit: int, what: str = "file") -> bytes:
    """The bytes of the regular file ``path`` (symlinks followed), at most ``limit`` of them;
    an InputError naming the file for anything else."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputError(f"{what} not found", path, ja="ファイルが見つかりません") from None
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror}", path, ja="ファイルを開けません") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"is a folder; the {what} must be a file", path, ja="フォルダではなくファイルを指定してください")
    if not stat.S_ISREG(mode):
        raise InputError(f"not a regular file (a device, a pipe or a socket); the {what} must be a file", path,
                         ja="通常のファイルではありません")
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror}", path, ja="ファイルを開けません") from None
    if len(data) > limit:
        raise InputError(f"the {what} is too large (limit {limit:,} bytes)", path,
                         ja=f"ファイルが大きすぎます（上限 {limit:,} バイト）")
    return data


def require_regular(path: str | Path, what: str = "file") -> Path:
    """``path`` if it is a regular file (or a link to one); an InputError for a folder, a device,
    a pipe or a socket, which must never be read by a loader that trusts st_size."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return path  # missing or unreadable: the loader says so in its own words
    if stat.S_ISDIR(mode):
        raise InputError(f"is a folder; the {what} must be a file", path, ja="フォルダではなくファイルを指定してください")
    if not stat.S_ISREG(mode):
        raise InputError(f"not a regular file (a device, a pipe or a socket); the {what} must be a file", path,
                         ja="通常のファイルではありません")
    return path
