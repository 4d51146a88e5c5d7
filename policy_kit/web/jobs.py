"""Board audits as background jobs.

Each audit runs in a process of its own (started with ``spawn``, so it shares no threads or
locks with the server), which runs the command line's audit — ``discover_schools``,
``run_audit`` (with its worker processes and cache), ``AuditReport``, ``write_reports`` — and
reports its progress through a queue. A thread in the server follows it, records the finished
audit in the SQLite store and removes the uploaded files. One audit runs at a time; others wait.

Whatever happens in the job — an error, a bug, the process being killed — the job ends with a
message for the page and the server goes on."""
from __future__ import annotations

import logging
import multiprocessing
import queue
import secrets
import shutil
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .store import Store
from .uploads import Staged, remove

log = logging.getLogger("policy_kit.web")

QUEUED, RUNNING, LETTERS, DONE, FAILED = "queued", "running", "letters", "done", "failed"
STATE_JA = {QUEUED: "順番を待っています", RUNNING: "各校の文書を点検しています", LETTERS: "一覧と各校への通知をつくっています",
            DONE: "完了しました", FAILED: "点検できませんでした"}
CRASHED_JA = "点検の処理が途中で止まりました（アップロードしたファイルは削除しました）。もう一度実行してください。繰り返し起きる場合は管理者に連絡してください。"


@dataclass
class AuditSpec:
    """Everything the job process needs (it is pickled to the process)."""

    key: str  # the report folder's name, generated
    input_dir: str
    roster: str
    report_dir: str
    checklist: str
    board: str
    jobs: int
    cache_dir: str
    max_file_bytes: int
    max_pages: int
    display_names: dict[str, dict[str, str]]  # school id → generated file name → original name
    previous: dict[str, dict[str, str]] | None


@dataclass
class Job:
    id: str
    spec: AuditSpec
    staged: Staged | None
    state: str = QUEUED
    total: int = 0
    done: int = 0
    current: str = ""
    message_ja: str = ""
    audit_id: int | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def public(self) -> dict[str, Any]:
        """What the progress page polls (no paths, no internals)."""
        return {"state": self.state, "state_ja": STATE_JA[self.state], "total": self.total, "done": self.done,
                "current": self.current, "message": self.message_ja, "audit": self.audit_id,
                "finished": self.state in (DONE, FAILED)}


class JobManager:
    def __init__(self, store: Store, requirement_ids: Callable[[str], list[str]],
                 target: Callable[..., None] | None = None):
        self.store = store
        self.requirement_ids = requirement_ids  # checklist name → its requirement ids (for the store)
        self.target = target or run_audit_process
        self.jobs: dict[str, Job] = {}
        self.pending: "queue.Queue[Job | None]" = queue.Queue()
        self.lock = threading.Lock()
        self.process: multiprocessing.process.BaseProcess | None = None
        self.thread = threading.Thread(target=self._work, name="policy-kit-audits", daemon=True)
        self.thread.start()

    @staticmethod
    def new_id() -> str:
        return secrets.token_hex(12)

    def submit(self, job: Job) -> Job:
        with self.lock:
            self.jobs[job.id] = job
        self.pending.put(job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id)

    def close(self) -> None:
        """Stop the worker thread; a running job process is terminated (its uploads removed)."""
        process = self.process
        if process is not None and process.is_alive():
            process.terminate()
        self.pending.put(None)
        self.thread.join(timeout=10)

    # ------------------------------------------------------------------ the worker thread

    def _work(self) -> None:
        while (job := self.pending.get()) is not None:
            try:
                self._run(job)
            except Exception:  # a bug here must not stop later jobs or the server
                log.error("audit job %s failed:\n%s", job.id, traceback.format_exc())
                self._fail(job, CRASHED_JA)
            finally:
                remove(job.staged.root if job.staged else None)
                job.finished = time.time()

    def _run(self, job: Job) -> None:
        context = multiprocessing.get_context("spawn")
        messages = context.Queue()
        # not a daemon: the audit starts worker processes of its own (a daemon may not)
        process = context.Process(target=self.target, args=(job.spec, messages), name=f"policy-kit-audit-{job.id[:8]}")
        job.state = RUNNING
        process.start()
        self.process = process
        outcome: tuple[str, Any] | None = None
        while True:
            try:
                message = messages.get(timeout=0.2)
            except queue.Empty:
                if not process.is_alive():
                    break
                continue
            outcome = self._handle(job, message) or outcome
            if outcome is not None:
                break
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
            process.join()
        self.process = None
        if outcome is None:
            log.error("audit job %s: the process ended with code %s and no result", job.id, process.exitcode)
            self._fail(job, CRASHED_JA)
        elif outcome[0] == "error":
            self._fail(job, outcome[1])
        else:
            self._finish(job)

    def _handle(self, job: Job, message: tuple[str, Any]) -> tuple[str, Any] | None:
        kind, value = message
        if kind == "total":
            job.total = int(value)
        elif kind == "school":
            job.done += 1
            job.current = str(value)
        elif kind == "letters":
            job.state = LETTERS
        elif kind in ("finished", "error"):
            return message
        return None

    def _finish(self, job: Job) -> None:
        import json

        report_dir = Path(job.spec.report_dir)
        summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
        job.audit_id = self.store.record(job.spec.key, summary, self.requirement_ids(job.spec.checklist), job.spec.board)
        job.state = DONE

    def _fail(self, job: Job, message_ja: str) -> None:
        job.state = FAILED
        job.message_ja = message_ja
        shutil.rmtree(job.spec.report_dir, ignore_errors=True)  # no half-written report is listed


# ----------------------------------------------------------------------------- the job process


def run_audit_process(spec: AuditSpec, messages: Any) -> None:
    """The job process: the command line's audit, with progress messages. Never raises."""
    _die_with_parent()
    try:
        _audit(spec, messages)
        messages.put(("finished", None))
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message for the page
        from ..errors import PolicyKitError

        if isinstance(exc, PolicyKitError):
            messages.put(("error", f"点検できませんでした：{exc.message_ja}"))
        else:
            traceback.print_exc()  # to the server's log, not to the page
            messages.put(("error", "内部エラーのため点検できませんでした（policy-kit の不具合です。管理者に連絡してください）。"))


def _die_with_parent() -> None:
    """If the server is killed, its job process goes too (Linux PR_SET_PDEATHSIG)."""
    import ctypes
    import os
    import signal

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
        if os.getppid() == 1:
            os._exit(1)
    except (OSError, AttributeError):
        pass


def _audit(spec: AuditSpec, messages: Any) -> None:
    from ..audit.discover import discover_schools
    from ..audit.reports import AuditReport, write_reports
    from ..audit.run import run_audit
    from ..check.checker import Checker
    from ..check.checklist import load_checklist
    from ..check.config import Config
    from ..check.extract import Limits

    checker = Checker(load_checklist(spec.checklist), Config(),
                      Limits(max_file_bytes=spec.max_file_bytes, max_pages=spec.max_pages))
    entries = discover_schools(Path(spec.input_dir), Path(spec.roster))
    messages.put(("total", len(entries)))
    results = run_audit(entries, checker, jobs=spec.jobs, cache_dir=Path(spec.cache_dir), progress=False,
                        on_result=lambda r: messages.put(("school", r.entry.name)))
    for result in results:
        show_original_names(result, spec.display_names.get(result.entry.id, {}))
    messages.put(("letters", None))
    board = spec.board or checker.checklist.board or "教育委員会"
    report = AuditReport(checker.checklist, results, board, spec.previous)
    write_reports(report, Path(spec.report_dir), letters_pdf=True, jobs=spec.jobs)


def show_original_names(result: Any, names: dict[str, str]) -> None:
    """Reports name each document as the school sent it, not by the generated file name."""
    if names.get(""):
        result.entry.path = Path(names[""])  # summary.json shows the uploaded name, not a server path
    report = result.report
    if not report or not names:
        return
    mapping = {}
    for doc in report.get("documents", []):
        shown = names.get(Path(doc["path"]).name)
        if shown:
            mapping[doc["path"]] = shown
            doc["path"] = shown
    for finding in report.get("requirements", []):
        for evidence in finding.get("evidence", []):
            evidence["path"] = mapping.get(evidence["path"], evidence["path"])
