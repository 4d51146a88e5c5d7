"""Check every school of an audit through the one Checker, in worker processes, with the cache.

A school whose files cannot be read — whatever the reason, a bug included — becomes that
school's ``unreadable`` result with a reason in English and Japanese; the run always goes on."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import PolicyKitError
from ..parallel import Outcome, Task, run_tasks
from ..status import UNREADABLE
from ..check.checker import Checker
from ..check.extract import SUPPORTED_SUFFIXES
from .cache import Cache, cache_key
from .discover import SchoolEntry


@dataclass
class SchoolResult:
    entry: SchoolEntry
    status: str  # "ok" or "unreadable"
    reason: str = ""
    reason_ja: str = ""
    report: dict | None = None  # the check JSON (report.to_dict)
    cached: bool = False

    @property
    def statuses(self) -> dict[str, str]:
        """Requirement id → status as shown (waived findings are ``waived``)."""
        if self.report is None:
            return {}
        return {r["id"]: ("waived" if r.get("waived") else r["status"]) for r in self.report["requirements"]}

    @property
    def required_missing(self) -> int:
        return self.report["summary"]["required_missing"] if self.report else 0

    @property
    def passes(self) -> bool:
        return self.status == "ok" and self.required_missing == 0


def check_school(files: list[str], checker: Checker, error: str = "") -> dict:
    """Worker task: check one school's files; return {"status": "ok", "report": …} or why it failed.
    ``error`` is why the school's folder could not be listed."""
    from ..check.report import to_dict

    try:
        if error:
            raise PolicyKitError(error, ja="学校のフォルダを開けません（読み取り権限を確認してください）")
        if not files:
            raise PolicyKitError("the folder is empty", ja="フォルダが空です")
        supported = [Path(f) for f in files if Path(f).suffix.lower() in SUPPORTED_SUFFIXES]
        if not supported:
            raise PolicyKitError("no supported file (PDF, DOCX, TXT, MD, HTML)", Path(files[0]),
                                 ja="対応している形式のファイルがありません（PDF・Word・テキスト・HTML）")
        return {"status": "ok", "report": to_dict(checker.check(supported))}
    except PolicyKitError as exc:
        where = Path(exc.path).name + ": " if exc.path else ""
        return {"status": UNREADABLE, "reason": where + exc.message, "reason_ja": where + exc.message_ja}
    except Exception as exc:  # a bug must cost one school, not the run; never cached
        return {"status": UNREADABLE, "reason": f"internal error: {exc.__class__.__name__}: {exc}",
                "reason_ja": "内部エラーのため確認できませんでした（policy-kit の不具合です）", "internal": True}


def run_audit(entries: list[SchoolEntry], checker: Checker, *, jobs: int, cache_dir: Path | None,
              progress: bool, on_result: Callable[[SchoolResult], None] | None = None) -> list[SchoolResult]:
    """Check every school (cached ones are not read again). Each result is cached as it arrives,
    so an interrupted run keeps what was finished and the next run continues. ``on_result`` is
    called with each school's result as it arrives (cached ones first), e.g. for a progress page."""
    cache = Cache(cache_dir)
    fingerprint = checker.fingerprint()
    results: dict[int, SchoolResult] = {}
    tasks: list[Task] = []
    keys: dict[int, str] = {}
    for i, entry in enumerate(entries):
        keys[i] = cache_key(entry.files, fingerprint)
        hit = None if entry.error else cache.get(keys[i])  # a folder that cannot be listed is asked again
        if hit is not None:
            results[i] = _result(entry, hit, cached=True)
            if on_result is not None:
                on_result(results[i])
        else:
            tasks.append(Task(i, check_school, ([str(f) for f in entry.files], checker, entry.error)))

    def arrived(outcome: Outcome) -> None:
        i = outcome.key
        payload = outcome.value if outcome.ok else {"status": UNREADABLE, "reason": outcome.error,
                                                   "reason_ja": "内部エラーのため確認できませんでした", "internal": True}
        results[i] = _result(entries[i], payload)
        if not entries[i].error:
            cache.put(keys[i], payload)
        if on_result is not None:
            on_result(results[i])

    run_tasks(tasks, jobs=jobs, progress=progress, unit="school", on_outcome=arrived)
    return [results[i] for i in sorted(results)]


def _result(entry: SchoolEntry, payload: dict, cached: bool = False) -> SchoolResult:
    return SchoolResult(entry, payload["status"], payload.get("reason", ""), payload.get("reason_ja") or payload.get("reason", ""),
                        payload.get("report"), cached)


def run_date() -> str:
    return _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
