"""A cache of analysed schools, keyed by everything that decides the result: the school's file
names and bytes, the Checker's fingerprint (checklist content, configuration and waivers, limits)
and the policy-kit version. Default location ~/.cache/policy-kit/audit (or
$XDG_CACHE_HOME/policy-kit/audit); it is safe to delete.

An entry that is corrupt or not what we wrote is ignored (and rewritten), never trusted: it must
name its own key and this cache format, and hold a report of the shape the reports read (an empty
``{}``, a truncated file or an entry of another version is a miss). Internal errors are never
cached."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .. import __version__, atomic
from ..errors import PolicyKitError
from ..status import MISSING, PARTIAL, PRESENT

FORMAT = 2  # the shape of an entry; entries of another format are misses
MAX_ENTRY_BYTES = 64 * 1024 * 1024


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "policy-kit" / "audit"


def cache_key(files: list[Path], fingerprint: str) -> str:
    h = hashlib.sha256()
    h.update(__version__.encode())
    h.update(fingerprint.encode())
    for f in files:
        h.update(f.name.encode("utf-8", "surrogatepass") + b"\0")
        try:
            with f.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    h.update(block)
        except OSError:
            h.update(b"<unreadable>")
    return h.hexdigest()


class Cache:
    def __init__(self, folder: Path | None):
        self.folder = folder

    def get(self, key: str) -> dict | None:
        if self.folder is None:
            return None
        try:
            with (self.folder / f"{key}.json").open("rb") as handle:
                raw = handle.read(MAX_ENTRY_BYTES + 1)
            payload = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        if not (isinstance(payload, dict) and payload.get("format") == FORMAT and payload.get("key") == key and _valid(payload)):
            return None
        return {k: v for k, v in payload.items() if k not in ("format", "key")}

    def put(self, key: str, payload: dict) -> None:
        if self.folder is None or payload.get("internal"):
            return  # internal errors are bugs: analyse again next time
        try:
            atomic.write_text(self.folder / f"{key}.json", json.dumps(dict(payload, format=FORMAT, key=key), ensure_ascii=False))
        except (PolicyKitError, OSError, TypeError, ValueError):
            pass  # a cache that cannot be written only costs time


def _valid(payload: dict) -> bool:
    """The entry has every field the audit's reports read, with the right types."""
    if payload.get("status") == "unreadable":
        return isinstance(payload.get("reason"), str) and isinstance(payload.get("reason_ja", ""), str)
    if payload.get("status") != "ok":
        return False
    report = payload.get("report")
    if not isinstance(report, dict):
        return False
    summary, requirements = report.get("summary"), report.get("requirements")
    if not (isinstance(summary, dict) and isinstance(summary.get("required_missing"), int) and isinstance(requirements, list)):
        return False
    return isinstance(report.get("documents", []), list) and all(_valid_finding(f) for f in requirements)


def _valid_finding(finding: object) -> bool:
    if not isinstance(finding, dict):
        return False
    if not (isinstance(finding.get("id"), str) and isinstance(finding.get("title"), str)
            and finding.get("status") in (PRESENT, PARTIAL, MISSING) and isinstance(finding.get("note", ""), str)):
        return False
    if finding.get("waived") is not None and not isinstance(finding.get("waived"), str):
        return False
    evidence = finding.get("evidence")
    return isinstance(evidence, list) and all(
        isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("text"), str)
        and isinstance(e.get("page"), int) and isinstance(e.get("line"), int) for e in evidence)
