"""Where outputs go, and how they get there whole.

- ``check_id`` is the one rule for identifiers that become file or folder names (a school id from
  YAML, a roster, or a file name turned into an id); ``inside`` builds every output path from its
  output folder and proves that it stays inside (no ``..``, no separators, no symlink leading out).
- ``Staging`` collects a unit of output (one school's folder, one audit report) in a hidden folder
  beside its target and moves it into place only when the unit is complete; a failure, Ctrl-C or
  SIGTERM removes the staging folder, so the target holds the old output or the new one, never half.
- ``OutputLock`` stops two runs from writing the same output at once: the second is refused with
  a message naming the process that holds the lock. The lock is an flock, which the operating
  system releases when its process ends, so a killed run never leaves a stale lock.

Transient names all start with ``.<target>.pk-`` so a later run (holding the lock) can sweep up
what a run killed with SIGKILL left behind."""
from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import tempfile
from pathlib import Path
from typing import Iterable

from .errors import InputError, OutputError

SAFE_ID_PATTERN = r"[a-z0-9][a-z0-9_-]{0,62}"
SAFE_ID = re.compile(SAFE_ID_PATTERN)
MAX_NAME_BYTES = 255
TRANSIENT = ".pk-"


def is_safe_id(value: object) -> bool:
    """Lower-case ASCII letters, digits, ``-`` and ``_``, at most 63 characters, starting with a
    letter or digit: safe as a file name on every system and in every report format."""
    return isinstance(value, str) and SAFE_ID.fullmatch(value) is not None


def check_id(value: object, what: str, source: str | Path | None = None) -> str:
    """``value`` if it is a safe id, else an InputError naming ``source`` and what is wrong."""
    if is_safe_id(value):
        return str(value)
    shown = _printable(str(value))[:40]
    raise InputError(f"{what} {shown!r} is not allowed: use lower-case letters, digits, - and _ (at most 63; it names a file)",
                     source, ja=f"{what}「{shown}」は使えません（半角英小文字・数字・-・_ で63字以内。ファイル名になります）")


def inside(root: str | Path, *parts: str, replace_link: bool = False) -> Path:
    """``root/parts…``, refusing a part that is not one plain name and a result that resolves
    (symlinks followed) outside ``root``. Every writer builds its output paths with this.
    ``replace_link``: the last part may be a symlink, because the caller replaces it (a rename
    onto a link replaces the link, never what it points to)."""
    root = Path(root)
    for part in parts:
        if (not isinstance(part, str) or part in ("", ".", "..") or "/" in part or "\\" in part or "\x00" in part
                or len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES):
            raise OutputError(f"refusing to write {_printable(str(part))[:60]!r}: not a plain file name", root)
    path = root.joinpath(*parts)
    base = root.resolve()
    resolved = path.parent.resolve() / path.name if replace_link and parts else path.resolve()
    if not resolved.is_relative_to(base):
        raise OutputError(f"refusing to write {path}: it leads outside the output folder", root)
    return path


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in shown_path(text))


def shown_path(path: str) -> str:
    """A file name as reports show it: bytes that were not UTF-8 (kept by Python as lone
    surrogates, which no UTF-8 output can hold) become U+FFFD."""
    if not _SURROGATE.search(path):
        return path
    try:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


_SURROGATE = re.compile("[\ud800-\udfff]")


# ----------------------------------------------------------------------------- the lock


class OutputLock:
    """An exclusive lock on ``folder/name`` (a school folder, a report), held in the file
    ``folder/.<name>.pk-lock``. Re-entrant within one process; refused at once, with a clear
    message, when another process holds it."""

    _held: dict[str, tuple[int, int]] = {}  # lock path → (process id, depth): re-entrant in one process

    def __init__(self, folder: str | Path, name: str, what: str = "", shown: str | Path | None = None):
        self.folder = Path(folder)
        self.name = name
        self.what = what or f"the folder {self.folder / name}"  # in the English message
        self.shown = str(shown if shown is not None else self.folder / name)  # the path, in the Japanese one
        self.path = self.folder / f".{name}{TRANSIENT}lock"
        self.fd: int | None = None

    def __enter__(self) -> "OutputLock":
        key = str(self.path.absolute())
        pid, depth = self._held.get(key, (0, 0))
        if pid == os.getpid() and depth:
            self._held[key] = (pid, depth + 1)
            return self
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(_reason(exc), self.folder, ja=_reason_ja(exc)) from None
        self.fd = self._acquire()
        self._held[key] = (os.getpid(), 1)
        _LOCK_FDS.add(self.fd)
        return self

    def _acquire(self) -> int:
        try:
            import fcntl
        except ImportError:  # not POSIX (Windows): staging still keeps outputs whole; no lock
            fcntl = None
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0), 0o644)
            except OSError as exc:
                raise OutputError(_reason(exc), self.path, ja=_reason_ja(exc)) from None
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                holder = _read_pid(fd)
                os.close(fd)
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise OutputError(_reason(exc), self.path, ja=_reason_ja(exc)) from None
                who, who_ja = (f" (process {holder})", f"（プロセス番号 {holder}）") if holder else ("", "")
                raise OutputError(
                    f"another policy-kit run{who} is writing {self.what}; wait until it has finished, or write elsewhere",
                    self.folder, ja=f"別の policy-kit の処理{who_ja}が {self.shown} に書き込み中です。終わるのを待つか、別の出力先を指定してください")
            try:  # the file we locked may have been removed by the previous holder: lock the new one
                if os.stat(self.path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino:
                    os.ftruncate(fd, 0)
                    os.write(fd, f"{os.getpid()}\n".encode())
                    return fd
            except FileNotFoundError:
                pass
            os.close(fd)

    def __exit__(self, *exc: object) -> None:
        key = str(self.path.absolute())
        pid, depth = self._held[key]
        if depth > 1:
            self._held[key] = (pid, depth - 1)
            return
        del self._held[key]
        if self.fd is None:
            return
        try:
            os.unlink(self.path)  # still holding the lock: whoever waits opens the file anew
        except OSError:
            pass
        _LOCK_FDS.discard(self.fd)
        os.close(self.fd)
        self.fd = None

    def sweep(self) -> None:
        """Remove what a killed run left (staging and old folders of this target). Only the lock
        holder creates such folders, so while we hold the lock every one of them is stale."""
        prefix = f".{self.name}{TRANSIENT}"
        try:
            leftovers = [p for p in self.folder.iterdir() if p.name.startswith(prefix) and p != self.path]
        except OSError:
            return
        for path in leftovers:
            _remove(path)


_LOCK_FDS: set[int] = set()  # the lock files this process holds open


def _forget_locks_in_child() -> None:
    """A forked worker must not keep its parent's lock alive: it closes its copies of the lock
    files (the parent's lock stays; it goes when the parent ends, even by SIGKILL)."""
    for fd in list(_LOCK_FDS):
        try:
            os.close(fd)
        except OSError:
            pass
    _LOCK_FDS.clear()
    OutputLock._held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks_in_child)


def _read_pid(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


# ----------------------------------------------------------------------------- staging


class Staging:
    """Build output in a hidden staging folder ``folder/.<name>.pk-staging-…``, then move it into
    place: ``commit_folder`` makes it the folder ``folder/name`` (one school), ``commit_into``
    moves its entries into a folder (the files of a report).

    Leaving the ``with`` block without committing (an error, Ctrl-C, SIGTERM turned into an
    exception) removes the staging folder. Use inside an ``OutputLock`` on the same name."""

    def __init__(self, folder: str | Path, name: str):
        self.folder = Path(folder)
        self.name = name
        self.dir: Path | None = None

    def __enter__(self) -> Path:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.dir = Path(tempfile.mkdtemp(prefix=f".{self.name}{TRANSIENT}staging-", dir=self.folder))
            os.chmod(self.dir, 0o777 & ~_umask())  # it becomes the school's folder: usual permissions
        except OSError as exc:
            raise OutputError(_reason(exc), self.folder, ja=_reason_ja(exc)) from None
        return self.dir

    def __exit__(self, *exc: object) -> None:
        if self.dir is not None:
            _remove(self.dir)
            self.dir = None

    def _aside(self) -> Path:
        return Path(tempfile.mkdtemp(prefix=f".{self.name}{TRANSIENT}old-", dir=self.folder))

    def commit_folder(self, carry_over: Iterable[str] = ()) -> Path:
        """``folder/name`` becomes the staging folder: in one step where the system allows
        (renameat2 RENAME_EXCHANGE), else in two renames. Files of an existing folder named in
        ``carry_over`` are first linked (or copied) into the new one."""
        assert self.dir is not None, "commit inside the with block"
        staged, target = self.dir, inside(self.folder, self.name)
        with _signals_held():
            try:
                if target.is_dir() and not target.is_symlink():
                    for name in carry_over:
                        old = inside(target, name)
                        if old.is_file() and not old.is_symlink() and not (staged / name).exists():
                            _link_or_copy(old, staged / name)
                    if not _exchange(staged, target):  # else staged now holds the old folder
                        aside = self._aside()
                        target.rename(aside / "old")
                        staged.rename(target)
                        _remove(aside)
                        self.dir = None
                elif target.exists() or target.is_symlink():
                    raise OutputError("exists and is not a folder; move it away first", target,
                                      ja="同じ名前のフォルダではないものがあります。移動してから実行してください")
                else:
                    staged.rename(target)
                    self.dir = None
            except OSError as exc:
                raise OutputError(_reason(exc), target, ja=_reason_ja(exc)) from None
        if self.dir is not None:
            _remove(self.dir)
            self.dir = None
        return target

    def commit_into(self, target: str | Path) -> list[Path]:
        """Move every entry of the staging folder into ``target``: files replace files of the
        same name, folders replace folders as a whole."""
        assert self.dir is not None, "commit inside the with block"
        target = Path(target)
        moved = []
        with _signals_held():
            try:
                target.mkdir(parents=True, exist_ok=True)
                for entry in sorted(self.dir.iterdir()):
                    dest = inside(target, entry.name, replace_link=True)
                    if entry.is_dir():
                        if dest.is_dir() and not dest.is_symlink():
                            if not _exchange(entry, dest):  # else entry now holds the old folder
                                aside = self._aside()
                                dest.rename(aside / "old")
                                entry.rename(dest)
                                _remove(aside)
                        else:
                            if dest.is_symlink() or dest.exists():
                                dest.unlink()
                            entry.rename(dest)
                    else:
                        os.replace(entry, dest)
                    moved.append(dest)
            except OSError as exc:
                raise OutputError(_reason(exc), target, ja=_reason_ja(exc)) from None
        _remove(self.dir)  # what remains: the old folders swapped out
        self.dir = None
        return moved


class _signals_held:
    """SIGINT and SIGTERM wait while a commit's few renames run, so that an interruption never
    leaves it half done (SIGKILL cannot be held)."""

    def __enter__(self) -> None:
        try:
            self.old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        except (AttributeError, ValueError, OSError):
            self.old = None

    def __exit__(self, *exc: object) -> None:
        if self.old is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self.old)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where not supported."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _link_or_copy(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()
    except OSError:
        pass


def _umask() -> int:
    from .atomic import _umask as umask

    return umask()


def _reason(exc: OSError) -> str:
    from .atomic import _reason as reason

    return reason(exc)


def _reason_ja(exc: OSError) -> str:
    from .atomic import _reason_ja as reason

    return reason(exc)
