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
from ..inputfiles import read_limited
from ..outputs import SAFE_ID, check_id, shown_path

METADATA_SUFFIXES = (".yaml", ".yml", ".csv", ".json", ".toml")
MAX_ROSTER_BYTES = 20 * 1024 * 1024


@dataclass
class SchoolEntry:
    id: str
    name: str
    kind: str
    path: Path
    files: list[Path] = field(default_factory=list)
    error: str = ""  # why the school's folder could not be listed (the school is then unreadable)


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
        error = ""
        try:
            files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        except OSError as exc:
            files = []  # an unreadable folder: the school is reported as unreadable, the run goes on
            error = f"cannot list the folder: {exc.strerror or exc}"
        entries.append(SchoolEntry(school_id, _printable(info.get("name") or stem), _printable(info.get("kind", "")), path, files, error))
    if not entries:
        raise InputError("no schools found: the directory should hold one file or folder per school", folder,
                         ja="学校が見つかりません（学校ごとに1つのファイルかフォルダを置いてください）")
    seen: set[str] = set()
    for entry in entries:  # ids must be unique (case-insensitively): they name the letters
        base, n = entry.id, 1
        while entry.id.casefold() in seen:
            n += 1
            suffix = f"-{n}"
            entry.id = base[: 63 - len(suffix)].rstrip("-_") + suffix
        seen.add(entry.id.casefold())
    return entries


def read_audit_roster(path: Path) -> dict[str, dict[str, str]]:
    raw = read_limited(path, MAX_ROSTER_BYTES, "roster file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp932", errors="replace")
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or "path" not in rows[0]:
        raise InputError("an audit roster needs the columns path, id, name (and optionally kind)", path,
                         ja="名簿には path・id・name（と kind）の列が必要です")
    out: dict[str, dict[str, str]] = {}
    rows_of_id: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if not row.get("path"):
            continue
        record = {k: (v or "").strip() if isinstance(v, str) else "" for k, v in row.items() if isinstance(k, str) and k}
        if record.get("id"):
            check_id(record["id"], f"row {number}: the id", path)
            first = rows_of_id.setdefault(record["id"].casefold(), number)
            if first != number:
                raise InputError(f"rows {first} and {number} both use the id {record['id']!r}; each school needs its own id "
                                 "(it names the school's letter file)", path,
                                 ja=f"{first}行目と{number}行目の id「{record['id']}」が同じです（学校ごとに別の id にしてください）")
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
    """Names shown in reports: no control characters (they break XML and terminals), and bytes
    of a file name that were not UTF-8 shown as U+FFFD."""
    text = shown_path(text)
    return "".join(c for c in text if unicodedata.category(c) != "Cc" or c == " ")
