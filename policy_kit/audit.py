"""Audit every school at once: the checker over a directory of schools, in worker processes,
with a content-hash cache, then the board's reports (reports.py).

DIR holds one file or one folder per school. The cache (default ~/.cache/policy-kit/audit,
or $XDG_CACHE_HOME/policy-kit/audit; `--cache-dir`) maps a hash of the school's files, the
checklist and the policy-kit version to the school's JSON result; it is safe to delete."""
from __future__ import annotations

import concurrent.futures as cf
import csv
import datetime as _dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, atomic
from .check.extract import SUPPORTED_SUFFIXES, Limits
from .errors import InputError, PolicyKitError

UNREADABLE = "unreadable"
METADATA_SUFFIXES = (".yaml", ".yml", ".csv", ".json", ".toml")


@dataclass
class SchoolEntry:
    id: str
    name: str
    kind: str
    path: Path
    files: list[Path] = field(default_factory=list)


@dataclass
class SchoolResult:
    entry: SchoolEntry
    status: str  # "ok" or "unreadable"
    reason: str = ""
    report: dict | None = None  # the check JSON
    cached: bool = False

    @property
    def statuses(self) -> dict[str, str]:
        if self.report is None:
            return {}
        return {r["id"]: ("waived" if r.get("waived") else r["status"]) for r in self.report["requirements"]}

    @property
    def required_missing(self) -> int:
        return self.report["summary"]["required_missing"] if self.report else 0

    @property
    def passes(self) -> bool:
        return self.status == "ok" and self.required_missing == 0


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "policy-kit" / "audit"


def discover_schools(folder: Path, roster: Path | None = None) -> list[SchoolEntry]:
    if not folder.is_dir():
        raise InputError("not a directory", folder)
    names = _read_audit_roster(roster) if roster else {}
    entries = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() in METADATA_SUFFIXES:
            continue  # hidden files and metadata (labels, rosters) are not schools
        if path.is_file() or path.is_dir():
            info = names.get(path.name) or names.get(path.stem) or {}
            school_id = info.get("id") or _slug(path.stem if path.is_file() else path.name)
            files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            entries.append(SchoolEntry(school_id, info.get("name") or (path.stem if path.is_file() else path.name), info.get("kind", ""), path, files))
    if not entries:
        raise InputError("no schools found: the directory should hold one file or folder per school", folder)
    seen: dict[str, int] = {}
    for entry in entries:  # ids must be unique: they name the letters
        n = seen.get(entry.id, 0)
        seen[entry.id] = n + 1
        if n:
            entry.id = f"{entry.id}-{n + 1}"
    return entries


def _read_audit_roster(path: Path) -> dict[str, dict[str, str]]:
    if not path.is_file():
        raise InputError("roster file not found", path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp932", errors="replace")
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or "path" not in rows[0]:
        raise InputError("an audit roster needs the columns path, id, name (and optionally kind)", path)
    return {r["path"].strip(): {k: (v or "").strip() for k, v in r.items() if k} for r in rows if r.get("path")}


def _slug(text: str) -> str:
    slug = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in text.lower()).strip("-")
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]
    return slug if slug and slug.strip("-") and slug.replace("-", "") else f"school-{digest}"


def cache_key(entry: SchoolEntry, checklist_path: str) -> str:
    h = hashlib.sha256()
    h.update(__version__.encode())
    h.update(Path(checklist_path).read_bytes())
    for f in entry.files:
        h.update(f.name.encode("utf-8"))
        try:
            with f.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    h.update(block)
        except OSError:
            h.update(b"<unreadable>")
    return h.hexdigest()


def check_school(files: list[str], checklist_name: str, limits: Limits) -> dict:
    """Worker task: check one school; return {"status": "ok", "report": ...} or the reason it failed."""
    from .check.report import to_dict
    from .check.runner import check_paths
    from .errors import UnreadableDocument

    try:
        if not files:
            raise UnreadableDocument("the folder is empty")
        supported = [Path(f) for f in files if Path(f).suffix.lower() in SUPPORTED_SUFFIXES]
        if not supported:
            raise UnreadableDocument("no supported file (PDF, DOCX, TXT, MD, HTML)", Path(files[0]))
        result = check_paths(supported, _cached_checklist(checklist_name), limits=limits)
        return {"status": "ok", "report": to_dict(result)}
    except PolicyKitError as exc:
        return {"status": UNREADABLE, "reason": f"{Path(exc.path).name + ': ' if exc.path else ''}{exc.message}"}


_CHECKLISTS: dict = {}


def _cached_checklist(name: str):
    from .check.checklist import load_checklist

    if name not in _CHECKLISTS:
        _CHECKLISTS[name] = load_checklist(name)
    return _CHECKLISTS[name]


def run_audit(entries: list[SchoolEntry], checklist_name: str, checklist_path: str, *, jobs: int, cache_dir: Path | None,
              progress: bool, limits: Limits = Limits()) -> list[SchoolResult]:
    """Check every school (cached ones are not re-read); Ctrl-C keeps what is finished in the cache."""
    from tqdm import tqdm

    results: dict[int, SchoolResult] = {}
    todo: list[tuple[int, str]] = []
    for i, entry in enumerate(entries):
        key = cache_key(entry, checklist_path)
        hit = _cache_get(cache_dir, key)
        if hit is not None:
            results[i] = _result(entry, hit, cached=True)
        else:
            todo.append((i, key))
    bar = tqdm(total=len(entries), initial=len(results), unit="school", disable=not progress, dynamic_ncols=True)

    def finish(i: int, key: str, payload: dict) -> None:
        results[i] = _result(entries[i], payload)
        _cache_put(cache_dir, key, payload)
        bar.update(1)

    try:
        if jobs <= 1 or len(todo) <= 1:
            for i, key in todo:
                finish(i, key, check_school([str(f) for f in entries[i].files], checklist_name, limits))
        elif todo:
            with cf.ProcessPoolExecutor(max_workers=min(jobs, len(todo))) as pool:
                futures = {pool.submit(check_school, [str(f) for f in entries[i].files], checklist_name, limits): (i, key) for i, key in todo}
                try:
                    for fut in cf.as_completed(futures):
                        i, key = futures[fut]
                        try:
                            payload = fut.result()
                        except Exception as exc:  # a crashed worker fails one school, not the run
                            payload = {"status": UNREADABLE, "reason": f"internal error: {exc.__class__.__name__}: {exc}"}
                        finish(i, key, payload)
                except KeyboardInterrupt:
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
    finally:
        bar.close()
    return [results[i] for i in sorted(results)]


def _result(entry: SchoolEntry, payload: dict, cached: bool = False) -> SchoolResult:
    return SchoolResult(entry, payload["status"], payload.get("reason", ""), payload.get("report"), cached)


def _cache_get(cache_dir: Path | None, key: str) -> dict | None:
    if cache_dir is None:
        return None
    path = cache_dir / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _cache_put(cache_dir: Path | None, key: str, payload: dict) -> None:
    if cache_dir is None:
        return
    try:
        atomic.write_text(cache_dir / f"{key}.json", json.dumps(payload, ensure_ascii=False))
    except PolicyKitError:
        pass  # a cache that cannot be written only costs time


def load_previous(folder: Path) -> dict[str, dict[str, str]]:
    """school id → requirement id → status, from an earlier report's summary.json."""
    path = folder / "summary.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no summary.json here: is this an earlier audit report?", folder) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the earlier report: {exc}", path) from None
    out = {}
    for school in data.get("schools", []):
        out[school["id"]] = {r["id"]: r["status"] for r in (school.get("report") or {}).get("requirements", [])}
        if school.get("status") == UNREADABLE:
            out[school["id"]] = {"__unreadable__": UNREADABLE}
    return out


RANK = {"missing": 0, UNREADABLE: 0, "partial": 1, "waived": 1, "present": 2}


def change(before: str | None, after: str | None) -> str:
    if before is None or after is None:
        return "new" if before is None else "unchanged"
    if RANK.get(after, 0) > RANK.get(before, 0):
        return "improved"
    if RANK.get(after, 0) < RANK.get(before, 0):
        return "regressed"
    return "unchanged"


def run_date() -> str:
    return _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
