"""The web app: three pages for the three jobs people come with.

    /school   a school writes this year's policy (form → preview → PDFs, ZIP, YAML)
    /check    anyone checks a policy document against a checklist
    /board    a board audits all its schools (upload → progress → matrix, letters, history)

Starlette with Jinja2 templates rendered on the server (templates/web/), plain HTML forms that
work without JavaScript; a small script (static/web.js) adds the live preview, live field
errors, extra rows and the progress bar. The heavy work never runs on the event loop: checks
and PDFs in a thread (one at a time per server process: the model and WeasyPrint are loaded
once and shared), audits in a process of their own (jobs.py)."""
from __future__ import annotations

import base64
import hashlib
import io
import logging
import re
import threading
import time
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import __version__
from ..errors import PolicyKitError
from ..render import render_html
from ..resources import data_dir
from ..status import LABEL_JA, SEVERITY_JA, SYMBOL
from . import forms
from .checkview import CheckView, build_view
from .jobs import AuditSpec, Job, JobManager
from .security import (CSRF_FIELD, PREVIEW_CSP, BodyLimit, CsrfCookie, SecurityHeaders, TokenGate, auth_cookie,
                       csrf_problem, token_matches)
from .settings import Settings
from .store import Store
from .uploads import UploadedFile, UploadRefused, clean_stale, read_limited, stage_audit

log = logging.getLogger("policy_kit.web")

DOCUMENTS = {"policy": "学校いじめ防止基本方針", "leaflet": "保護者向けリーフレット", "program": "学校いじめ防止プログラム",
             "pupils": "児童生徒版"}
STATIC = {"web.css": "text/css; charset=utf-8", "web.js": "text/javascript; charset=utf-8"}
REPORT_FILES = {"summary.csv": "text/csv; charset=utf-8", "summary.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "summary.json": "application/json"}
CHECK_SUFFIXES = ".pdf,.docx,.txt,.md,.html,.htm"
WARM_TEXT = "学校いじめ防止基本方針。いじめの早期発見のため、年3回アンケートを行います。".encode()
# The model's tokenizer (loaded once per process) must not be used by two threads at once.
MODEL_LOCK = threading.Lock()


class WebError(Exception):
    """A refusal shown to the person as a page (status, Japanese title and message)."""

    def __init__(self, status: int, message_ja: str, title_ja: str = "ご確認ください"):
        super().__init__(message_ja)
        self.status = status
        self.message_ja = message_ja
        self.title_ja = title_ja


# ----------------------------------------------------------------------------- services


@dataclass
class Rendered:
    htmls: dict[str, str]  # document name → HTML
    missing: list[str]  # kanji words of the pupils' version that got no reading


def missing_readings(warnings: list[str]) -> list[str]:
    """The words named by generation's warning ``pupils.html: no reading found for 㐂、…; add them …``."""
    words: list[str] = []
    for warning in warnings:
        m = re.search(r"no reading found for (.+?); ", warning)
        if m:
            words += [w for w in m.group(1).split("、") if w]
    return words


class Services:
    """What one server process keeps: the checkers (loaded once), the check results for their
    downloads, the audit store and the job runner."""

    def __init__(self, settings: Settings, job_target: Callable[..., None] | None = None):
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = Store(settings.database)
        self.jobs = JobManager(self.store, self.requirement_ids, job_target)
        self._checkers: dict[str, Any] = {}
        self._checklists: list[tuple[str, str, str]] | None = None
        self._results: OrderedDict[str, CheckView] = OrderedDict()
        self._lock = threading.Lock()
        self.pdf_lock = threading.Lock()

    def checklists(self) -> list[tuple[str, str, str]]:
        """(name, title, version) of every bundled checklist."""
        if self._checklists is None:
            from ..check.checklist import load_checklist

            self._checklists = [(p.stem, (cl := load_checklist(p.stem)).title, cl.version)
                                for p in sorted(data_dir("checklists").glob("*.yaml"))]
        return self._checklists

    def checklist_name(self, value: Any) -> str:
        names = [c[0] for c in self.checklists()]
        if value not in names:
            raise WebError(400, "チェックリストを一覧から選んでください。")
        return str(value)

    def checker(self, name: str) -> Any:
        with self._lock:
            if name not in self._checkers:
                from ..check.checker import Checker
                from ..check.checklist import load_checklist
                from ..check.config import Config
                from ..check.extract import Limits

                self._checkers[name] = Checker(load_checklist(name), Config(),
                                               Limits(max_file_bytes=self.settings.max_file_bytes, max_pages=self.settings.max_pages))
            return self._checkers[name]

    def requirement_ids(self, name: str) -> list[str]:
        return [r.id for r in self.checker(name).checklist.requirements]

    def check(self, checklist: str, data: bytes, filename: str) -> CheckView:
        checker = self.checker(checklist)
        with MODEL_LOCK:
            result = checker.check_bytes(data, filename)
            view = build_view(result, filename, JobManager.new_id())
        with self._lock:
            self._results[view.id] = view
            while len(self._results) > self.settings.keep_results:
                self._results.popitem(last=False)
        return view

    def result(self, view_id: str) -> CheckView | None:
        with self._lock:
            return self._results.get(view_id)

    def pdf(self, html: str) -> bytes:
        from ..render import html_to_pdf

        with self.pdf_lock:
            return html_to_pdf(html)

    def document_pdf(self, name: str, html: str) -> tuple[str, bytes]:
        """A school document's HTML and PDF, laid out as the command line does (the pupils' version
        in its compact layout when the normal one runs over its page limit)."""
        from ..generate.documents import fit_pages

        with self.pdf_lock:
            return fit_pages(name, html)

    def render(self, model: Any, names: list[str]) -> Rendered:
        """The HTML of a school's documents. The pupils' version gets its furigana from the model's
        tokenizer, which one thread at a time may use."""
        from ..generate.documents import render_documents
        from ..generate.package import build_package

        pkg = build_package(model, forms.profile(model.profile))
        warnings: list[str] = []
        if "pupils" in names:
            with MODEL_LOCK:
                htmls = render_documents(pkg, names, warnings)
        else:
            htmls = render_documents(pkg, names, warnings)
        return Rendered(htmls, missing_readings(warnings))

    def warm(self) -> None:
        """Load the model and compile the default checklist, so the first check is fast."""
        try:
            checker = self.checker(self.checklists()[0][0])
            with MODEL_LOCK:
                checker.check_bytes(WARM_TEXT, "warm.txt")
        except Exception:  # noqa: BLE001 - warming is an optimisation; a real check reports problems
            log.warning("could not load the checker in advance", exc_info=True)


# ----------------------------------------------------------------------------- helpers


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    services: Services = request.app.state.services
    html = render_html("web", template, root=request.scope.get("root_path", ""), csrf=request.state.csrf, csrf_field=CSRF_FIELD,
                       active=context.pop("active", ""), version=__version__, token_required=services.settings.token is not None,
                       **context)
    return HTMLResponse(html, status_code=status)


async def read_form(request: Request, *, max_files: int = 0) -> FormData:
    """The posted form, after the CSRF check; refusals are Japanese pages."""
    settings: Settings = request.app.state.services.settings
    try:
        form = await request.form(max_files=max_files, max_fields=2000, max_part_size=settings.max_yaml_bytes)
    except HTTPException as exc:
        detail = str(exc.detail)
        if "Too many files" in detail:
            raise WebError(413, f"ファイルが多すぎます（一度に送れるのは{max_files:,}件までです）。") from None
        if "Too many fields" in detail:
            raise WebError(413, "送信された項目が多すぎます。") from None
        raise WebError(400, "送信された内容を読み取れませんでした。もう一度送信してください。") from None
    if csrf_problem(request.scope, _str(form.get(CSRF_FIELD))):
        raise WebError(403, "このフォームは、この画面から送信されたものと確認できませんでした。ページを読み込み直して、もう一度送信してください。",
                       "送信を受け付けられません")
    return form


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def download(data: bytes | str, filename: str, media_type: str) -> Response:
    body = data.encode("utf-8") if isinstance(data, str) else data
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(body, media_type=media_type, headers={"content-disposition": disposition})


def clean_filename(name: str | None) -> str:
    """The browser's file name, for display and its suffix only (never a path on the server)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in base if c.isprintable()).strip()
    return base[:120] or "文書"


def sandboxed(html: str, csp: str = PREVIEW_CSP) -> HTMLResponse:
    """A generated document (preview, letter): its own inline CSS, no script, framed only by us."""
    return HTMLResponse(html, headers={"content-security-policy": csp})


# ----------------------------------------------------------------------------- home, login, static


async def home(request: Request) -> HTMLResponse:
    return page(request, "home.html.j2", active="home")


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        raise HTTPException(404)
    path = data_dir("templates") / "web" / "static" / name
    return Response(path.read_bytes(), media_type=STATIC[name], headers={"cache-control": "no-cache"})


async def login(request: Request) -> Response:
    services: Services = request.app.state.services
    if request.method == "GET":
        return page(request, "login.html.j2", next=_next(request.query_params.get("next")), error="")
    form = await read_form(request)
    target = _next(_str(form.get("next")))
    if services.settings.token is None:
        return RedirectResponse(target, 303)
    if not token_matches(_str(form.get("token")), services.settings.token):
        time.sleep(0.5)  # slows down guessing
        return page(request, "login.html.j2", 401, next=target, error="トークンが違います。管理者から伝えられたトークンを入力してください。")
    response = RedirectResponse(target, 303)
    response.headers.append("set-cookie", auth_cookie(services.settings.token, request.url.scheme == "https"))
    return response


def _next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


# ----------------------------------------------------------------------------- school


def school_page(request: Request, values: dict[str, Any], checked: forms.Checked | None = None, status: int = 200,
                notice: str = "", missing: list[str] | None = None) -> HTMLResponse:
    return page(request, "school.html.j2", status, active="school", sections=forms.sections(), values=values,
                errors=checked.errors if checked else {}, general=checked.general if checked else [],
                valid=bool(checked and checked.model), notice=notice, missing=missing or [], documents=DOCUMENTS,
                row_numbers=forms.row_numbers, months=forms.MONTHS_IN_SCHOOL_YEAR, activity_labels=forms.ACTIVITY_LABELS)


async def school_new(request: Request) -> HTMLResponse:
    return school_page(request, forms.new_form_values())


async def school_submit(request: Request) -> HTMLResponse:
    form = await read_form(request)
    checked = forms.validate(forms.parse_form(form))
    notice = "入力に誤りはありません。プレビューを確かめて、PDFをダウンロードしてください。" if checked.model else ""
    return school_page(request, forms.posted_values(form), checked, 200 if checked.model else 422, notice,
                       await _missing_readings(request, checked))


async def _missing_readings(request: Request, checked: forms.Checked) -> list[str]:
    """The kanji words of a valid input's pupils' version that no reading was found for."""
    if checked.model is None:
        return []
    services: Services = request.app.state.services
    return (await run_in_threadpool(services.render, checked.model, ["pupils"])).missing


async def school_validate(request: Request) -> JSONResponse:
    form = await read_form(request)
    checked = forms.validate(forms.parse_form(form))
    return JSONResponse({"valid": checked.model is not None, "errors": checked.errors, "general": checked.general, "count": checked.count})


async def school_preview(request: Request) -> HTMLResponse:
    form = await read_form(request)
    doc = _str(form.get("_doc")) or "policy"
    if doc not in DOCUMENTS:
        raise WebError(400, "プレビューする文書を選んでください。")
    checked = forms.validate(forms.parse_form(form))
    if checked.model is None:
        return sandboxed(render_html("web", "preview_invalid.html.j2", count=checked.count))
    services: Services = request.app.state.services
    return sandboxed((await run_in_threadpool(services.render, checked.model, [doc])).htmls[doc])


async def school_download(request: Request) -> Response:
    services: Services = request.app.state.services
    form = await read_form(request)
    what = _str(form.get("_download")) or ""
    checked = forms.validate(forms.parse_form(form))
    if checked.model is None:
        return school_page(request, forms.posted_values(form), checked, 422)
    model = checked.model
    sid = model.school.id
    if what == "yaml":
        return download(forms.to_yaml(model), f"{sid}.yaml", "application/x-yaml; charset=utf-8")
    if what in DOCUMENTS:
        html = (await run_in_threadpool(services.render, model, [what])).htmls[what]
        _, pdf = await run_in_threadpool(services.document_pdf, what, html)
        return download(pdf, f"{sid}-{what}.pdf", "application/pdf")
    if what == "zip":
        htmls = (await run_in_threadpool(services.render, model, list(DOCUMENTS))).htmls
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, html in htmls.items():
                html, pdf = await run_in_threadpool(services.document_pdf, name, html)
                archive.writestr(f"{sid}/{name}.pdf", pdf)
                archive.writestr(f"{sid}/{name}.html", html)
            archive.writestr(f"{sid}/{sid}.yaml", forms.to_yaml(model))
        return download(buffer.getvalue(), f"{sid}.zip", "application/zip")
    raise WebError(400, "ダウンロードするものを選んでください。")


async def school_load(request: Request) -> HTMLResponse:
    from .. import safeyaml, yamlscalars  # noqa: F401 - impossible dates and numbers: a message with the line
    from ..errors import InputError

    form = await read_form(request, max_files=1)
    upload = form.get("yaml")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise WebError(400, "読み込むYAMLファイルを選んでください。")
    settings: Settings = request.app.state.services.settings
    data = read_limited(upload.file, settings.max_yaml_bytes)
    name = clean_filename(upload.filename)
    if len(data) > settings.max_yaml_bytes:
        raise WebError(413, f"「{name}」は大きすぎます（YAMLファイルの上限は {settings.max_yaml_bytes // 1024 // 1024} MB です）。")
    try:
        raw = safeyaml.load_text(data.decode("utf-8-sig"), name)
    except UnicodeDecodeError:
        raise WebError(400, f"「{name}」は UTF-8 のテキストではありません。") from None
    except InputError as exc:
        raise WebError(400, f"「{name}」を読めません（{exc.message}）。") from None
    if not isinstance(raw, dict):
        raise WebError(400, f"「{name}」は学校の入力ファイルの形ではありません（policy-kit init でつくるファイルを読み込んでください）。")
    values, unknown = forms.form_values(raw)
    checked = forms.validate(forms.parse_form(values))
    checked.general += [f"読み込んだファイルの項目「{k}」は、この画面では扱えないため読み込みませんでした。" for k in unknown]
    notice = f"「{name}」を読み込みました。" + ("" if checked.count else "入力に誤りはありません。")
    return school_page(request, values, checked, 200, notice, await _missing_readings(request, checked))


# ----------------------------------------------------------------------------- check


async def check_form(request: Request) -> HTMLResponse:
    services: Services = request.app.state.services
    return page(request, "check.html.j2", active="check", checklists=services.checklists(), error="", accept=CHECK_SUFFIXES)


async def check_submit(request: Request) -> Response:
    services: Services = request.app.state.services
    form = await read_form(request, max_files=1)
    checklist = services.checklist_name(form.get("checklist"))
    upload = form.get("document")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return page(request, "check.html.j2", 400, active="check", checklists=services.checklists(), accept=CHECK_SUFFIXES,
                    error="点検する文書を選んでください（PDF・Word（DOCX）・テキスト・HTML）。")
    name = clean_filename(upload.filename)
    data = read_limited(upload.file, services.settings.max_file_bytes)
    try:
        view = await run_in_threadpool(services.check, checklist, data, name)
    except PolicyKitError as exc:
        return page(request, "check.html.j2", 400, active="check", checklists=services.checklists(), accept=CHECK_SUFFIXES,
                    error=f"「{name}」を点検できませんでした：{exc.message_ja}")
    return RedirectResponse(f"{request.scope.get('root_path', '')}/check/{view.id}", 303)


def _view(request: Request) -> CheckView:
    view_id = request.path_params["view_id"]
    view = request.app.state.services.result(view_id) if re.fullmatch(r"[0-9a-f]{24}", view_id) else None
    if view is None:
        raise WebError(404, "この点検結果は見つかりません（サーバーの再起動などで消えた可能性があります）。もう一度点検してください。",
                       "点検結果が見つかりません")
    return view


async def check_result(request: Request) -> HTMLResponse:
    return page(request, "check_result.html.j2", active="check", view=_view(request))


async def check_report(request: Request) -> Response:
    services: Services = request.app.state.services
    view = _view(request)
    fmt = request.path_params["fmt"]
    stem = f"policy-check-{view.id[:8]}"
    if fmt == "json":
        return download(view.json_text(), f"{stem}.json", "application/json")
    html = render_html("web", "check_report.html.j2", view=view)
    if fmt == "html":
        return download(html, f"{stem}.html", "text/html; charset=utf-8")
    if fmt == "pdf":
        return download(await run_in_threadpool(services.pdf, html), f"{stem}.pdf", "application/pdf")
    raise HTTPException(404)


# ----------------------------------------------------------------------------- board


async def board(request: Request) -> HTMLResponse:
    services: Services = request.app.state.services
    return page(request, "board.html.j2", active="board", checklists=services.checklists(), audits=services.store.audits(),
                error="", limits=services.settings)


async def board_audit(request: Request) -> Response:
    services: Services = request.app.state.services
    settings = services.settings
    form = await read_form(request, max_files=settings.max_files)
    checklist = services.checklist_name(form.get("checklist"))
    board_name = "".join(c for c in (_str(form.get("board")) or "") if c.isprintable()).strip()[:100]
    uploads = [UploadedFile(u.filename or "", u.file, u.size or 0) for u in form.getlist("files") if isinstance(u, UploadFile) and u.filename]
    try:
        staged = await run_in_threadpool(stage_audit, uploads, settings)
    except UploadRefused as exc:
        return page(request, "board.html.j2", exc.status, active="board", checklists=services.checklists(), audits=services.store.audits(),
                    error=exc.message_ja, limits=settings)
    job_id = JobManager.new_id()
    checker = services.checker(checklist)
    spec = AuditSpec(key=job_id, input_dir=str(staged.input_dir), roster=str(staged.roster), report_dir=str(settings.audits_dir / job_id),
                     checklist=checklist, board=board_name or checker.checklist.board or "教育委員会", jobs=settings.jobs,
                     cache_dir=str(settings.cache_dir), max_file_bytes=settings.max_file_bytes, max_pages=settings.max_pages,
                     display_names=staged.display_names(), previous=services.store.latest_statuses(checklist) or None)
    services.jobs.submit(Job(job_id, spec, staged, total=len(staged.schools)))
    return RedirectResponse(f"{request.scope.get('root_path', '')}/board/jobs/{job_id}", 303)


def _job(request: Request) -> Job:
    job_id = request.path_params["job_id"]
    job = request.app.state.services.jobs.get(job_id) if re.fullmatch(r"[0-9a-f]{24}", job_id) else None
    if job is None:
        raise WebError(404, "この点検の記録は見つかりません（サーバーを再起動すると、実行中の点検は消えます）。", "点検が見つかりません")
    return job


async def board_job(request: Request) -> HTMLResponse:
    job = _job(request)
    return page(request, "job.html.j2", active="board", job=job, progress=job.public())


async def board_job_status(request: Request) -> JSONResponse:
    return JSONResponse(_job(request).public())


def _audit(request: Request) -> tuple[Services, Any]:
    services: Services = request.app.state.services
    audit = services.store.audit(int(request.path_params["audit_id"]))
    if audit is None or not re.fullmatch(r"[0-9a-f]{24}", audit.key):
        raise WebError(404, "この点検結果は見つかりません。", "点検結果が見つかりません")
    return services, audit


async def board_audit_page(request: Request) -> HTMLResponse:
    services, audit = _audit(request)
    schools = services.store.schools(audit.id)
    try:
        requirements = [(r.id, r.title, r.severity) for r in services.checker(audit.checklist).checklist.requirements]
    except PolicyKitError:
        requirements = []
    seen = {rid for s in schools for rid in s.statuses}
    requirements = [r for r in requirements if r[0] in seen] + [(rid, rid, "") for rid in sorted(seen - {r[0] for r in requirements})]
    changes = services.store.changes(audit.id)
    return page(request, "audit.html.j2", active="board", audit=audit, requirements=requirements, schools=schools, changes=changes,
                labels=LABEL_JA, symbols=SYMBOL, severity=SEVERITY_JA, titles={r[0]: r[1] for r in requirements})


async def board_letter(request: Request) -> Response:
    services, audit = _audit(request)
    school_id, ext = request.path_params["school_id"], request.path_params["ext"]
    if school_id not in services.store.school_ids(audit.id) or ext not in ("html", "pdf"):
        raise WebError(404, "この学校の通知は見つかりません。", "通知が見つかりません")
    path = services.settings.audits_dir / audit.key / "schools" / f"{school_id}.{ext}"
    if not path.is_file():
        raise WebError(404, "この学校の通知は見つかりません。", "通知が見つかりません")
    if ext == "pdf":
        return FileResponse(path, media_type="application/pdf", filename=f"{school_id}.pdf")
    return sandboxed(path.read_text(encoding="utf-8"))


async def board_index(request: Request) -> Response:
    """The command line's self-contained index.html, allowed to run exactly its own inline scripts."""
    services, audit = _audit(request)
    path = services.settings.audits_dir / audit.key / "index.html"
    if not path.is_file():
        raise WebError(404, "この点検の一覧ページは見つかりません。", "一覧が見つかりません")
    html = path.read_text(encoding="utf-8")
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                      for s in re.findall(r"<script>(.*?)</script>", html, flags=re.S))
    csp = (f"default-src 'none'; script-src {hashes or chr(39) + 'none' + chr(39)}; style-src 'unsafe-inline'; img-src data:; "
           "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
    return HTMLResponse(html, headers={"content-security-policy": csp})


async def board_file(request: Request) -> Response:
    services, audit = _audit(request)
    name = request.path_params["name"]
    if name not in REPORT_FILES:
        raise HTTPException(404)
    path = services.settings.audits_dir / audit.key / name
    if not path.is_file():
        raise HTTPException(404)
    return download(path.read_bytes(), f"audit-{audit.id}-{name}", REPORT_FILES[name])


# ----------------------------------------------------------------------------- errors


async def web_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebError)
    return page(request, "error.html.j2", exc.status, title=exc.title_ja, message=exc.message_ja)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: ("ページが見つかりません", "アドレスを確かめるか、上のメニューから選んでください。"),
                405: ("この操作はできません", "上のメニューから、もう一度操作してください。")}
    title, message = messages.get(exc.status_code, ("ご確認ください", "リクエストを処理できませんでした。"))
    return page(request, "error.html.j2", exc.status_code, title=title, message=message)


async def server_error(request: Request, exc: Exception) -> Response:
    """A bug: a plain message, never a traceback (the traceback goes to the server's log)."""
    log.error("error on %s %s", request.method, request.url.path, exc_info=exc)
    try:
        return page(request, "error.html.j2", 500, title="問題が起きました",
                    message="処理の途中で問題が起きました。入力した内容は保存されていません。もう一度お試しください。繰り返し起きる場合は管理者に連絡してください。")
    except Exception:  # noqa: BLE001 - even the error page failed
        return HTMLResponse("<!DOCTYPE html><meta charset=utf-8><title>問題が起きました</title><p>問題が起きました。もう一度お試しください。</p>", 500)


async def refuse_large(scope: Any, limit: int) -> Response:
    mb = limit / (1024 * 1024)
    return HTMLResponse(render_html("web", "refused.html.j2", title="送信が大きすぎます",
                                    message=f"一度に送れるのは合計 {mb:,.0f} MB までです。ファイルを分けて送ってください。"), 413)


async def refuse_unauthorised(scope: Any) -> Response:
    request = Request(scope)
    target = _next(scope.get("root_path", "") + scope["path"])
    csrf = scope.get("state", {}).get("csrf", "")
    html = render_html("web", "login.html.j2", root=scope.get("root_path", ""), csrf=csrf, csrf_field=CSRF_FIELD, active="",
                       version=__version__, token_required=True, next=target,
                       error="" if request.method == "GET" else "このサーバーを使うにはトークンが必要です。")
    return HTMLResponse(html, 401)


# ----------------------------------------------------------------------------- the app


class WebApp:
    """The ASGI app: the Starlette routes inside the security middleware."""

    def __init__(self, settings: Settings, job_target: Callable[..., None] | None = None):
        self.settings = settings
        self.services = Services(settings, job_target)
        routes = [
            Route("/", home),
            Route("/static/{name}", static),
            Route("/login", login, methods=["GET", "POST"]),
            Route("/school", school_new),
            Route("/school", school_submit, methods=["POST"]),
            Route("/school/validate", school_validate, methods=["POST"]),
            Route("/school/preview", school_preview, methods=["POST"]),
            Route("/school/download", school_download, methods=["POST"]),
            Route("/school/load", school_load, methods=["POST"]),
            Route("/check", check_form),
            Route("/check", check_submit, methods=["POST"]),
            Route("/check/{view_id}", check_result),
            Route("/check/{view_id}/report.{fmt}", check_report),
            Route("/board", board),
            Route("/board/audit", board_audit, methods=["POST"]),
            Route("/board/jobs/{job_id}", board_job),
            Route("/board/jobs/{job_id}/status", board_job_status),
            Route("/board/audits/{audit_id:int}", board_audit_page),
            Route("/board/audits/{audit_id:int}/index.html", board_index),
            Route("/board/audits/{audit_id:int}/schools/{school_id}.{ext}", board_letter),
            Route("/board/audits/{audit_id:int}/files/{name}", board_file),
        ]
        self.starlette = Starlette(routes=routes, lifespan=self._lifespan,
                                   exception_handlers={WebError: web_error, HTTPException: http_error, Exception: server_error})
        self.starlette.state.services = self.services
        inner = CsrfCookie(self.starlette)
        inner = TokenGate(inner, settings.token, refuse_unauthorised)
        inner = BodyLimit(inner, settings.max_request_bytes, refuse_large)
        self.asgi = SecurityHeaders(inner)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.asgi(scope, receive, send)

    def _lifespan(self, app: Starlette):
        from contextlib import asynccontextmanager

        @asynccontextmanager
        async def lifespan(_: Starlette):
            clean_stale(self.settings)
            threading.Thread(target=self.services.warm, name="policy-kit-warm", daemon=True).start()
            yield
            self.services.jobs.close()

        return lifespan(app)


def create_app(settings: Settings, *, job_target: Callable[..., None] | None = None) -> WebApp:
    return WebApp(settings, job_target)
