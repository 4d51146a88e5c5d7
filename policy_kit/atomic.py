"""Atomic output: write to a temporary file in the same directory, then rename.

An interrupted run therefore never leaves a half-written PDF or report behind."""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .errors import OutputError


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; raise OutputError with a clear reason on failure."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{_short(path.name)}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(_reason(exc), path, ja=_reason_ja(exc)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as exc:  # includes KeyboardInterrupt: never leave the temp file
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(_reason(exc), path, ja=_reason_ja(exc)) from None
        raise
    return path


def _short(name: str, limit: int = 200) -> str:
    """The start of ``name`` in at most ``limit`` bytes: the temporary name (dot, name, random
    part, .tmp) must fit where the final name fits, within the 255-byte limit of file systems."""
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) <= limit:
        return name
    return encoded[:limit].decode("utf-8", "ignore")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | Path, text: str) -> Path:
    # "replace": a lone surrogate (a file name that was not UTF-8) becomes "?" instead of failing the write
    return write_bytes(path, text.encode("utf-8", "replace"))


def write_report(path: str | Path, text: str) -> Path:
    """A report the user asked for with -o: atomically into a regular file, but written straight
    into anything else that exists (/dev/stdout, a pipe), which a rename would replace."""
    path = Path(path)
    if path.exists() and not path.is_file():
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise OutputError(_reason(exc), path, ja=_reason_ja(exc)) from None
        return path
    return write_text(path, text)


_WRITE_FAILURES = {  # errno → (English, Japanese)
    errno.ENOSPC: ("cannot write: the disk is full", "書き込めません：ディスクがいっぱいです"),
    errno.EACCES: ("cannot write: permission denied (is the directory writable?)",
                   "書き込めません：書き込みの権限がありません（フォルダに書き込めるか確認してください）"),
}
_WRITE_FAILURES[errno.EPERM] = _WRITE_FAILURES[errno.EROFS] = _WRITE_FAILURES[errno.EACCES]


def _reason(exc: OSError) -> str:
    return _WRITE_FAILURES.get(exc.errno, (f"cannot write: {exc.strerror or exc}",))[0]


def _reason_ja(exc: OSError) -> str:
    return _WRITE_FAILURES.get(exc.errno, ("", f"書き込めません（{exc.strerror or exc}）"))[1]
