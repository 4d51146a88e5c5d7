"""Which schools an audit folder holds: one file or one folder per school, named by an optional
roster. Every school gets a safe, unique id (it names the school's letter file)."""
from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

METADATA_SUFFIXES = (".yaml", ".yml", ".csv", ".json", ".toml")
SAFE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


@dataclass
class SchoolEntry:
    id: str
    name: str
    kind: str
    path: Path
    files: list[Path] = field(default_factory=list)


def discover_schools(folder: Path, roster: Path | None = None) -> list[SchoolEntry]:
    if not folder.is_dir():
        raise InputError("not a directory", folder, ja="フォルダではありません")
    names = read_audit_roster(roster) if roster else {}
    entries = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() in METADATA_SUFFIXES:
            continue  # hidden files and metadata (labels, rosters) are not schools
        if not (path.is_file() or path.is_dir()):
            continue
        info = names.get(path.name) or names.get(path.stem) or {}
        stem = path.stem if path.is_file() else path.name
        school_id = info.get("id") or slug(stem)
        try:
            files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        except OSError as exc:
            files = []  # an unreadable folder: the school is reported as unreadable, the run goes on
            info = dict(info, error=f"cannot list the folder: {exc.strerror}")
        entries.append(SchoolEntry(school_id, _printable(info.get("name") or stem), _printable(info.get("kind", "")), path, files))
    if not entries:
        raise InputError("no schools found: the directory should hold one file or folder per school", folder,
                         ja="学校が見つかりません（学校ごとに1つのファイルかフォルダを置いてください）")
    seen: set[str] = set()
    for entry in entries:  # ids must be unique (case-insensitively): they name the letters
        base, n = entry.id, 1
        while entry.id.casefold() in seen:
            n += 1
            entry.id = f"{base}-{n}"
        seen.add(entry.id.casefold())
    return entries


def read_audit_roster(path: Path) -> dict[str, dict[str, str]]:
    if not path.is_file():
        raise InputError("roster file not found", path, ja="名簿ファイルが見つかりません")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp932", errors="replace")
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or "path" not in rows[0]:
        raise InputError("an audit roster needs the columns path, id, name (and optionally kind)", path,
                         ja="名簿には path・id・name（と kind）の列が必要です")
    out: dict[str, dict[str, str]] = {}
    for number, row in enumerate(rows, start=2):
        if not row.get("path"):
            continue
        record = {k: (v or "").strip() for k, v in row.items() if k}
        if record.get("id") and not SAFE_ID.fullmatch(record["id"]):
            raise InputError(f"row {number}: the id {record['id'][:40]!r} is not allowed; use lower-case letters, digits, - and _ "
                             "(it names the school's letter file)", path,
                             ja=f"{number}行目: id「{record['id'][:40]}」は使えません（半角英小文字・数字・-・_ で書いてください）")
        out[record["path"]] = record
    return out


def slug(text: str) -> str:
    """A file-name-safe id from a file or folder name (ASCII letters and digits kept)."""
    text = unicodedata.normalize("NFKC", text)
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in text.lower())
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-_")[:50]
    if cleaned and SAFE_ID.fullmatch(cleaned):
        return cleaned
    return f"school-{hashlib.sha1(text.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def _printable(text: str) -> str:
    """Names shown in reports: no control characters (they break XML and terminals)."""
    return "".join(c for c in text if unicodedata.category(c) != "Cc" or c == " ")
