"""Uploaded files into a private folder, safely.

An audit upload is many files, ZIPs, or both, laid out as the command line's audit reads a folder:
one file or one folder per school. Every name is checked (no ``..``, no absolute path, no drive
letter, no link, nothing nested deeper than a school folder) and refused as a whole, with a
Japanese message, when one is wrong. ZIPs are opened with limits on the number of entries, the
total uncompressed size and the compression ratio of each entry (zip bombs).

No text from the upload becomes a file name: each school is written as ``s001`` (a file
``s001.pdf`` or a folder ``s001/`` with ``f01.pdf`` …; the suffix only from the supported list),
and a roster (``roster.csv``) gives the audit each school's id and name from the original names.
The folder is created with mode 0700 under the data folder and removed after use."""
from __future__ import annotations

import csv
import os
import shutil
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Iterable

from ..audit.discover import METADATA_SUFFIXES, slug
from ..check.extract import SUPPORTED_SUFFIXES
from ..errors import InputError
from ..generate.school import SCHOOL_KINDS
from .settings import Settings

IGNORED_NAMES = {"__macosx", "thumbs.db", "desktop.ini"}
CHUNK = 1 << 20


class UploadRefused(InputError):
    """An upload that is not processed at all (limits, unsafe names); ``ja`` says why."""

    def __init__(self, ja: str, status: int = 400):
        super().__init__(ja, ja=ja)
        self.status = status


@dataclass
class UploadedFile:
    name: str  # as the browser sent it (may hold folders: "学校A/方針.pdf")
    file: BinaryIO  # positioned at the start
    size: int


@dataclass
class StagedSchool:
    path: str  # generated: "s001.pdf" or "s001"
    id: str
    name: str
    kind: str
    original: str = ""  # the file or folder name as uploaded
    files: dict[str, str] = field(default_factory=dict)  # generated file name → original name


@dataclass
class Staged:
    root: Path  # the private folder (remove with `remove`)
    input_dir: Path
    roster: Path
    schools: list[StagedSchool]

    def display_names(self) -> dict[str, dict[str, str]]:
        """school id → generated file name → original name (to show in reports); "" → the
        school's own file or folder name."""
        return {s.id: {"": s.original, **s.files} for s in self.schools}


def private_dir(settings: Settings, prefix: str) -> Path:
    settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=settings.tmp_dir))  # mode 0700


def remove(path: Path | None) -> None:
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


def clean_stale(settings: Settings) -> None:
    """Remove private upload folders left by a server that was stopped in the middle of a job."""
    if settings.tmp_dir.is_dir():
        for child in settings.tmp_dir.iterdir():
            remove(child) if child.is_dir() else child.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- names


def safe_parts(name: str) -> tuple[str, ...]:
    """The parts of an uploaded or zipped name, or UploadRefused when it could leave the folder."""
    shown = _shown(name)
    text = name.replace("\\", "/")
    if "\x00" in text or any(unicodedata.category(c) == "Cc" for c in text):
        raise UploadRefused(f"ファイル名に使えない文字があります：{shown}")
    if text.startswith("/") or (len(text) >= 2 and text[1] == ":" and text[0].isalpha()):
        raise UploadRefused(f"絶対パスのファイル名は受け付けません：{shown}（フォルダの中の相対的な名前にしてください）")
    parts = tuple(p for p in PurePosixPath(text).parts if p not in ("", "."))
    if any(p == ".." for p in parts):
        raise UploadRefused(f"「..」を含むファイル名は受け付けません：{shown}")
    if not parts:
        raise UploadRefused("名前のないファイルがあります")
    return parts


def _shown(name: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in name)[:120]


def _skipped(parts: tuple[str, ...]) -> bool:
    return any(p.startswith(".") or p.lower() in IGNORED_NAMES for p in parts)


# ----------------------------------------------------------------------------- ZIP


def zip_entries(data: BinaryIO, zip_name: str, settings: Settings) -> Iterable[tuple[tuple[str, ...], zipfile.ZipFile, zipfile.ZipInfo]]:
    """Check a whole ZIP before anything is extracted; yield (name parts, archive, entry) for files."""
    try:
        archive = zipfile.ZipFile(data)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadRefused(f"ZIPファイルとして読めません：{_shown(zip_name)}") from None
    if len(infos) > settings.max_zip_members:
        raise UploadRefused(f"ZIPファイルの中身が多すぎます（{len(infos):,}件。上限は{settings.max_zip_members:,}件）：{_shown(zip_name)}", 413)
    total = 0
    entries = []
    for info in infos:
        name = _zip_name(info)
        parts = safe_parts(name)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UploadRefused(f"ZIPファイルにリンク（シンボリックリンク）が含まれています：{_shown(name)}")
        if info.is_dir() or _skipped(parts):
            continue
        if info.flag_bits & 0x1:
            raise UploadRefused(f"パスワード付きのZIPファイルは開けません：{_shown(zip_name)}")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > settings.max_zip_ratio:
            raise UploadRefused(f"圧縮率が異常に高いファイルがあります（ZIP爆弾のおそれ）：{_shown(name)}", 413)
        if total > settings.max_zip_bytes:
            raise UploadRefused(f"ZIPファイルを展開すると大きすぎます（上限 {settings.max_zip_bytes // (1024 * 1024):,} MB）：{_shown(zip_name)}", 413)
        entries.append((parts, info))
    return [(parts, archive, info) for parts, info in entries]


def _zip_name(info: zipfile.ZipInfo) -> str:
    """Names in ZIPs made on Japanese Windows are Shift_JIS without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("cp932")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


# ----------------------------------------------------------------------------- audit uploads


@dataclass
class _Item:
    parts: tuple[str, ...]
    read: object  # () -> iterator of byte chunks
    size: int


def stage_audit(files: list[UploadedFile], settings: Settings) -> Staged:
    """Check every name and limit, then write the schools into a new private folder."""
    items = _collect(files, settings)
    schools = _group(items)
    root = private_dir(settings, "audit-")
    try:
        return _write(root, schools, settings)
    except BaseException:
        remove(root)
        raise


def _collect(files: list[UploadedFile], settings: Settings) -> list[_Item]:
    if not files:
        raise UploadRefused("ファイルが選ばれていません。学校ごとのファイル、またはZIPファイルを選んでください")
    zipped: list[_Item] = []
    plain: list[_Item] = []
    for upload in files:
        parts = safe_parts(upload.name or "")
        if _skipped(parts):
            continue
        if parts[-1].lower().endswith(".zip"):
            entries = [_Item(p, _zip_reader(a, i), i.file_size) for p, a, i in zip_entries(upload.file, upload.name, settings)]
            zipped.extend(_strip_common_folder(entries))
        else:
            plain.append(_Item(parts, _file_reader(upload.file), upload.size))
        if len(zipped) + len(plain) > settings.max_files:
            raise UploadRefused(f"ファイルが多すぎます（上限は{settings.max_files:,}件）", 413)
    items = zipped + _strip_common_folder(plain)  # a folder chosen in the browser arrives as "folder/…"
    if not items:
        raise UploadRefused("学校の文書が見つかりません（学校ごとに1つのファイルかフォルダを入れてください）")
    return items


def _strip_common_folder(items: list[_Item]) -> list[_Item]:
    """A ZIP of the board's folder (everything inside one folder) reads like a ZIP of its contents."""
    tops = {i.parts[0] for i in items}
    if len(tops) == 1 and all(len(i.parts) >= 2 for i in items):
        return [_Item(i.parts[1:], i.read, i.size) for i in items]
    return items


def _group(items: list[_Item]) -> dict[str, list[_Item]]:
    schools: dict[str, list[_Item]] = {}
    for item in items:
        if len(item.parts) > 2:
            raise UploadRefused("学校のフォルダの中に、さらにフォルダがあります："
                                f"{_shown('/'.join(item.parts))}（学校のフォルダには文書を直接入れてください）")
        top = item.parts[0]
        if len(item.parts) == 1 and Path(top).suffix.lower() in METADATA_SUFFIXES:
            continue  # labels and rosters are not schools (as in the command line's audit)
        key = unicodedata.normalize("NFC", top)
        if len(item.parts) == 1 and key in schools:
            raise UploadRefused(f"同じ名前のファイルが2つあります：{_shown(top)}")
        schools.setdefault(key, []).append(item)
    if not schools:
        raise UploadRefused("学校の文書が見つかりません（学校ごとに1つのファイルかフォルダを入れてください）")
    return schools


def _write(root: Path, schools: dict[str, list[_Item]], settings: Settings) -> Staged:
    input_dir = root / "input"
    input_dir.mkdir()
    staged: list[StagedSchool] = []
    for number, (top, items) in enumerate(sorted(schools.items()), start=1):
        is_folder = len(items[0].parts) == 2
        stem = top if is_folder else Path(top).stem
        school = StagedSchool("", _unique(slug(stem), staged), _printable(stem), _kind(stem), _printable(top))
        if is_folder:
            school.path = f"s{number:03d}"
            (input_dir / school.path).mkdir()
            for i, item in enumerate(sorted(items, key=lambda x: x.parts), start=1):
                name = f"f{i:02d}{_suffix(item.parts[-1])}"
                _copy(item, input_dir / school.path / name, settings)
                school.files[name] = item.parts[-1]
        else:
            school.path = f"s{number:03d}{_suffix(top)}"
            _copy(items[0], input_dir / school.path, settings)
            school.files[school.path] = top
        staged.append(school)
    roster = root / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "id", "name", "kind"])
        for s in staged:
            writer.writerow([s.path, s.id, s.name, s.kind])
    return Staged(root, input_dir, roster, staged)


def _unique(school_id: str, staged: list[StagedSchool]) -> str:
    """Ids name the letters: unique, case-insensitively (as the audit's discovery makes them)."""
    taken = {s.id.casefold() for s in staged}
    candidate, n = school_id, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{school_id}-{n}"
    return candidate


def _copy(item: _Item, dest: Path, settings: Settings) -> None:
    """Write one document; a file over the size limit is cut just past it, so the audit reports
    that school's file as too large (as the command line does) without storing all of it."""
    written = 0
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in item.read():  # type: ignore[operator]
            room = settings.max_file_bytes + 1 - written
            if room <= 0:
                break
            out.write(chunk[:room])
            written += min(len(chunk), room)


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return suffix if suffix in SUPPORTED_SUFFIXES else ".unsupported"


def _kind(name: str) -> str:
    return next((k for k in SCHOOL_KINDS if k in name), "")


def _printable(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFC", text) if c.isprintable())[:200]


def _file_reader(handle: BinaryIO):
    def read():
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk
    return read


def _zip_reader(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    def read():
        try:
            with archive.open(info) as handle:
                while chunk := handle.read(CHUNK):
                    yield chunk
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, zlib.error):
            return  # a damaged entry: what was read so far is written, the audit reports it unreadable
    return read


def read_limited(handle: BinaryIO, limit: int) -> bytes:
    """At most ``limit + 1`` bytes (so the caller can tell that a file is over the limit)."""
    handle.seek(0)
    return handle.read(limit + 1)

