"""A cache of analysed schools, keyed by everything that decides the result: the school's file
names and bytes, the Checker's fingerprint (checklist content, configuration and waivers, limits)
and the policy-kit version. Default location ~/.cache/policy-kit/audit (or
$XDG_CACHE_HOME/policy-kit/audit); it is safe to delete.

An entry that is corrupt or not what we wrote is ignored (and rewritten), never trusted; internal
errors are never cached."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .. import __version__, atomic
from ..errors import PolicyKitError


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
            payload = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return payload if _valid(payload) else None

    def put(self, key: str, payload: dict) -> None:
        if self.folder is None or payload.get("internal"):
            return  # internal errors are bugs: analyse again next time
        try:
            atomic.write_text(self.folder / f"{key}.json", json.dumps(payload, ensure_ascii=False))
        except PolicyKitError:
            pass  # a cache that cannot be written only costs time


def _valid(payload: object) -> bool:
    if not isinstance(payload, dict):
        return False
    if payload.get("status") == "ok":
        report = payload.get("report")
        return isinstance(report, dict) and isinstance(report.get("requirements"), list) and isinstance(report.get("summary"), dict)
    return payload.get("status") == "unreadable" and isinstance(payload.get("reason"), str)
