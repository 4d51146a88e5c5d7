"""The board's audit reports: index.html (matrix), per-school letters (HTML + PDF), CSV, XLSX, JSON.

index.html is self-contained (inline CSS/JS, data as JSON inside the page, no external assets):
it works offline and as an e-mail attachment. Data reaches the page only through JSON and is
shown with textContent, so school files cannot inject markup."""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .. import atomic
from ..outputs import OutputLock, Staging, check_id, inside
from . import cells
from ..check.checklist import Checklist
from ..check.report import explain_command
from ..parallel import Task, run_tasks
from ..render import html_to_pdf, render_html
from ..status import IGNORED, LABEL_JA as LABEL, SYMBOL, UNREADABLE, change
from .compare import UNREADABLE_KEY
from .run import SchoolResult, run_date


@dataclass
class AuditReport:
    checklist: Checklist
    results: list[SchoolResult]
    board: str
    previous: dict[str, dict[str, str]] | None = None
    date: str = ""

    def __post_init__(self) -> None:
        self.date = self.date or run_date()

    @property
    def date_ja(self) -> str:
        """The run date as schools write it: 令和8年（2026年）11月22日."""
        import datetime as _dt

        from ..wareki import date_ja

        return date_ja(_dt.date.fromisoformat(self.date[:10]))

    def status(self, result: SchoolResult, rid: str) -> str:
        return UNREADABLE if result.status == UNREADABLE else result.statuses.get(rid, IGNORED)

    def changes(self, result: SchoolResult) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {"improved": [], "regressed": []}
        if self.previous is None:
            return out
        before = self.previous.get(result.entry.id)
        if before is None:
            return out
        for req in self.checklist.requirements:
            was = UNREADABLE if UNREADABLE_KEY in before else before.get(req.id)
            kind = change(was, self.status(result, req.id))
            if kind in out:
                out[kind].append(req.id)
        return out

    def coverage(self) -> dict[str, float]:
        readable = [r for r in self.results if r.status == "ok"]
        return {req.id: (sum(self.status(r, req.id) == "present" for r in readable) / len(readable) if readable else 0.0)
                for req in self.checklist.requirements}

    def page_data(self) -> dict:
        reqs = [{"id": r.id, "title": r.title, "short": short_title(r.title), "severity": r.severity, "why": r.why, "fix": r.fix,
                 "example": r.example, "source": r.source, "explain": explain_command(r.id, self.checklist)}
                for r in self.checklist.requirements]
        schools = []
        for res in self.results:
            cells = {}
            for req in self.checklist.requirements:
                finding = next((f for f in (res.report or {}).get("requirements", []) if f["id"] == req.id), None)
                cells[req.id] = {
                    "status": self.status(res, req.id),
                    "note": (finding or {}).get("note", "") or (res.reason_ja if res.status == UNREADABLE else ""),
                    "waived": (finding or {}).get("waived"),
                    "parts": ((finding or {}).get("parts") or {}).get("text", ""),
                    "evidence": [{"where": f"{Path(e['path']).name}:{e['page']}:{e['line']}", "text": e["text"]} for e in (finding or {}).get("evidence", [])],
                }
            schools.append({"id": res.entry.id, "name": res.entry.name, "kind": res.entry.kind or "—", "status": res.status,
                            "reason": res.reason_ja, "required_missing": res.required_missing, "passes": res.passes,
                            "changes": self.changes(res), "cells": cells})
        return {"checklist": {"id": self.checklist.id, "title": self.checklist.title, "version": self.checklist.version,
                              "policy": policy_name(self.checklist)},
                "date": f"{self.date_ja} {self.date[11:]}", "requirements": reqs, "schools": schools, "coverage": self.coverage(),
                "has_previous": self.previous is not None}


SHORT_TITLE = 8  # characters of a requirement title shown in a matrix header (the full title on hover)


def policy_name(checklist: Checklist) -> str:
    """The board's policy the checklist is written from, without its edition: 旭川市いじめ防止基本方針."""
    return re.split(r"[（(第]", checklist.source or "", maxsplit=1)[0].strip()


def short_title(title: str, limit: int = SHORT_TITLE) -> str:
    """A requirement title short enough for a vertical matrix header: brackets dropped, then cut."""
    text = re.sub(r"（[^）]*）", "", title)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_reports(report: AuditReport, out: Path, *, letters_pdf: bool = True, jobs: int = 1) -> list[Path]:
    """Every report file, written into a staging folder inside ``out`` and moved into place only
    when all are complete (an error or an interruption leaves the earlier report as it was), under
    a lock that refuses a second run writing the same folder."""
    with OutputLock(out, REPORT, f"the report folder {out}", out) as lock:
        lock.sweep()  # what a killed run left behind
        stage = Staging(out, REPORT)
        with stage as folder:
            written = [write_index(report, folder), write_json(report, folder), write_csv(report, folder), write_xlsx(report, folder)]
            written += write_letters(report, folder, pdf=letters_pdf, jobs=jobs)
            stage.commit_into(out)
            return [out / path.relative_to(folder) for path in written]


REPORT = "report"  # the name of the report's lock and staging folder inside -o


def _safe_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def write_index(report: AuditReport, out: Path) -> Path:
    from markupsafe import Markup

    data = report.page_data()
    html = render_html("reports", "index.html.j2", data=data, data_json=Markup(_safe_json(data)),
                       symbols=SYMBOL, labels=LABEL)
    return atomic.write_text(out / "index.html", html)


def write_json(report: AuditReport, out: Path) -> Path:
    payload = {
        "checklist": report.checklist.id, "checklist_version": report.checklist.version, "date": report.date,
        "schools": [{"id": r.entry.id, "name": r.entry.name, "kind": r.entry.kind, "path": str(r.entry.path),
                     "status": r.status, "reason": r.reason, "reason_ja": r.reason_ja, "passes": r.passes, "changes": report.changes(r),
                     "report": r.report} for r in report.results],
    }
    return atomic.write_text(out / "summary.json", json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def _rows(report: AuditReport) -> tuple[list[str], list[list]]:
    header = ["id", "学校名", "校種", "状態", "必須のなし", *[r.id for r in report.checklist.requirements]]
    if report.previous is not None:
        header += ["改善した項目", "後退した項目"]
    rows = []
    for res in report.results:
        state = "読み取れません: " + res.reason_ja if res.status == UNREADABLE else ("適合" if res.passes else "不足あり")
        row = [res.entry.id, res.entry.name, res.entry.kind, state, "" if res.status == UNREADABLE else res.required_missing]
        row += [LABEL[report.status(res, req.id)] for req in report.checklist.requirements]
        if report.previous is not None:
            ch = report.changes(res)
            row += [" ".join(ch["improved"]), " ".join(ch["regressed"])]
        rows.append(row)
    return header, rows


def write_csv(report: AuditReport, out: Path) -> Path:
    header, rows = _rows(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(cells.csv_rows(rows))  # formula-like text escaped (OWASP)
    return atomic.write_bytes(out / "summary.csv", buffer.getvalue().encode("utf-8-sig"))  # BOM: Excel reads Japanese


def write_xlsx(report: AuditReport, out: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    fills = {"あり": "CCE5F4", "不十分": "FBE5B3", "なし": "F6CDB3", "読み取れません": "DDDDDD", "免除": "E8E8E8"}
    book = Workbook()
    sheet = book.active
    sheet.title = "一覧"
    header, rows = _rows(report)
    sheet.append(header)
    titles = {r.id: r.title for r in report.checklist.requirements}
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.append(["", "", "", "", "", *[titles[r.id] for r in report.checklist.requirements]])
    for row in rows:
        sheet.append(cells.xlsx_row(row))
        for cell in sheet[sheet.max_row][5:5 + len(titles)]:
            color = fills.get(str(cell.value))
            if color:
                cell.fill = PatternFill("solid", fgColor=color)
    sheet.freeze_panes = "F3"
    sheet.column_dimensions["B"].width = 28
    evidence = book.create_sheet("根拠")
    evidence.append(["id", "学校名", "要件id", "要件", "状態", "ファイル", "ページ", "行", "根拠の文", "注"])
    for res in report.results:
        if res.status == UNREADABLE:
            evidence.append(cells.xlsx_row([res.entry.id, res.entry.name, "", "", "読み取れません", "", "", "", "", res.reason_ja]))
            continue
        for f in res.report["requirements"]:
            status = "免除" if f.get("waived") else LABEL[f["status"]]
            if not f["evidence"]:
                evidence.append(cells.xlsx_row([res.entry.id, res.entry.name, f["id"], f["title"], status, "", "", "", "", f.get("note", "")]))
            for e in f["evidence"]:
                evidence.append(cells.xlsx_row([res.entry.id, res.entry.name, f["id"], f["title"], status, Path(e["path"]).name, e["page"], e["line"], e["text"], f.get("note", "")]))
    cells.protect_formulas(book)  # formula-like text stays text (OWASP)
    buffer = io.BytesIO()
    book.save(buffer)
    return atomic.write_bytes(out / "summary.xlsx", buffer.getvalue())


def letter_html(report: AuditReport, res: SchoolResult) -> str:
    reqs = {r.id: r for r in report.checklist.requirements}
    findings = (res.report or {}).get("requirements", [])
    order = {"missing": 0, "partial": 1, "present": 2}
    gaps = sorted([f for f in findings if f["status"] != "present" and not f.get("waived")],
                  key=lambda f: (order[f["status"]], reqs[f["id"]].severity != "required"))
    found = [f for f in findings if f["status"] == "present"]
    return render_html("reports", "letter.html.j2", school=res.entry, result=res, gaps=gaps, found=found,
                       waived=[f for f in findings if f.get("waived")], reqs=reqs, board=report.board,
                       checklist=report.checklist, date=report.date_ja, changes=report.changes(res), labels=LABEL,
                       basename=lambda p: Path(p).name, addressee=addressee(res), explain=explain_command,
                       city_policy=policy_name(report.checklist))


_SCHOOL_NAME = re.compile(r"(学校|学園|学院|校)$")


def addressee(res: SchoolResult) -> str:
    """Whom the letter is addressed to: 「○○小学校長」 from the school's name, or 「学校長」 when the
    name is only a file name (no roster gave the school's name)."""
    name = res.entry.name.strip()
    return f"{name}　校長" if _SCHOOL_NAME.search(name) else "学校長"


def _letter_task(out: str, school_id: str, html: str, pdf: bool) -> str:
    atomic.write_text(letter_path(Path(out), school_id, "html"), html)
    if pdf:
        atomic.write_bytes(letter_path(Path(out), school_id, "pdf"), html_to_pdf(html))
    return school_id


def letter_path(out: Path, school_id: str, suffix: str) -> Path:
    """``out/schools/<id>.<suffix>``, the id checked and the path proved to stay inside ``out``."""
    return inside(out, "schools", f"{check_id(school_id, 'school id')}.{suffix}")


def write_letters(report: AuditReport, out: Path, *, pdf: bool, jobs: int) -> list[Path]:
    for r in report.results:  # before any letter is written
        letter_path(out, r.entry.id, "html")
    tasks = [Task(r.entry.id, _letter_task, (str(out), r.entry.id, letter_html(report, r), pdf)) for r in report.results]
    for outcome in run_tasks(tasks, jobs=jobs if pdf else 1, unit="letter"):
        if not outcome.ok:
            from ..errors import OutputError

            raise OutputError(f"the letter of {outcome.key} could not be written: {outcome.error}", out / "schools")
    return [letter_path(out, t.key, ext) for t in tasks for ext in (("html", "pdf") if pdf else ("html",))]
