"""Render a CheckResult: text for people, JSON for programs, SARIF/JUnit/GitHub for CI."""
from __future__ import annotations

import json
import re
from pathlib import Path
from xml.sax.saxutils import escape as _escape, quoteattr as _quoteattr

from .. import __version__
from ..outputs import shown_path
from ..status import LABEL_JA, MISSING, PARTIAL, PRESENT, SEVERITY_JA, SYMBOL
from .checker import CheckResult
from .matcher import Finding
from .parts import partial_parts

FORMATS = ("text", "json", "sarif", "junit", "github")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """Text XML 1.0 can hold: control characters (from a file name, say) and lone surrogates dropped."""
    return _NOT_XML.sub("", text)


def escape(text: str) -> str:
    return _escape(xml_safe(text))


def quoteattr(text: str) -> str:
    return _quoteattr(xml_safe(text))




FAIL_ON = ("required", "recommended", "partial")
_ORDER = {(MISSING, "required"): 0, (MISSING, "recommended"): 1, (PARTIAL, "required"): 2, (PARTIAL, "recommended"): 3}


def is_failure(finding: Finding, fail_on: str) -> bool:
    """Whether a finding fails the run under ``--fail-on`` (waived findings never fail)."""
    if finding.waived:
        return False
    severity = finding.requirement.severity
    if fail_on == "required":
        return finding.status == MISSING and severity == "required"
    if fail_on == "recommended":
        return finding.status == MISSING
    return finding.status in (MISSING, PARTIAL)


def ordered(result: CheckResult) -> list[Finding]:
    return sorted(result.findings, key=lambda f: (_ORDER.get((f.status, f.requirement.severity), 9), result.findings.index(f)))


def to_text(result: CheckResult, *, verbose: bool = False) -> str:
    cl = result.checklist
    lines = [f"{cl.title}（{cl.id} {cl.version}）", ""]
    for doc in result.documents:
        lines.append(f"  文書: {doc.path}（{len(doc.pages)}ページ、{doc.chars:,}字）")
    lines.append("")
    for f in ordered(result):
        req = f.requirement
        sev = SEVERITY_JA[req.severity]
        waived = f.waived
        head = f"{SYMBOL[f.status]} {LABEL_JA[f.status]:<3} [{sev}] {req.id} — {req.title}"
        if waived:
            head += f"（免除: {waived}）"
        lines.append(head)
        if f.status != PRESENT:
            parts = partial_parts(f, cl)
            if parts is not None:
                lines.append(f"      不足: {parts.sentence_ja()}")
            elif f.note:
                lines.append(f"      注: {f.note}")
            lines.append(f"      理由: {req.why}（{req.source}）")
            lines.append(f"      直し方: {req.fix}")
            if req.example:
                lines.append(f"      記載例: {req.example}")
            lines.append(f"      詳しい説明: {explain_command(req.id, cl)}")
        for ev in f.evidence[: (3 if verbose or f.status != PRESENT else 1)]:
            section = f"〔{_clip(ev.heading.split(' > ')[-1], 30)}〕" if ev.heading else ""
            lines.append(f"      根拠: {ev.location()} {section}「{_clip(ev.text)}」")
    c = result.counts()
    lines += ["", f"結果: あり {c['present']}、不十分 {c['partial']}、なし {c['missing']}（うち必須 {c['required_missing']}）"
              + (f"、免除 {c['waived']}" if c["waived"] else "")]
    if result.ignored:
        lines.append(f"対象外にした項目: {', '.join(result.ignored)}")
    return "\n".join(lines) + "\n"


def to_dict(result: CheckResult) -> dict:
    return {
        "checklist": result.checklist.id,
        "checklist_version": result.checklist.version,
        "documents": [{"path": shown_path(d.path), "pages": len(d.pages), "chars": d.chars} for d in result.documents],
        "requirements": [
            {
                "id": f.requirement.id,
                "title": f.requirement.title,
                "severity": f.requirement.severity,
                "status": f.status,
                "score": f.score,
                "note": f.note,
                "parts": (parts.to_dict() if (parts := partial_parts(f, result.checklist)) else None),
                "waived": f.waived,
                "evidence": [{"path": shown_path(e.path), "page": e.page, "line": e.line, "text": e.text, "heading": e.heading} for e in f.evidence],
            }
            for f in result.findings
        ],
        "ignored": result.ignored,
        "summary": result.counts(),
    }


def to_json(result: CheckResult) -> str:
    return json.dumps(to_dict(result), ensure_ascii=False, indent=2) + "\n"


def _level(f: Finding) -> str:
    if f.status == MISSING and f.requirement.severity == "required":
        return "error"
    return "warning" if f.status != PRESENT else "none"


def explain_command(requirement_id: str, checklist=None) -> str:
    """The command that explains a requirement in full (why, fix, example, rules)."""
    if checklist is None or checklist.id == "asahikawa":
        return f"policy-kit checklist show {requirement_id}"
    from ..resources import data_dir

    bundled = Path(checklist.path).resolve().parent == data_dir("checklists").resolve()
    return f"policy-kit checklist show {requirement_id} --checklist {checklist.id if bundled else checklist.path}"


def _message(f: Finding, checklist=None) -> str:
    parts = partial_parts(f, checklist) if checklist is not None else None
    detail = parts.sentence_ja() if parts is not None else (f.note + "。" if f.note else "")
    return f"{f.requirement.title}（{f.requirement.id}）: {LABEL_JA[f.status]}。{detail}{f.requirement.fix}"


def _location(result: CheckResult, f: Finding) -> dict:
    if f.evidence:
        ev = f.evidence[0]
        kind = next((d.kind for d in result.documents if d.path == ev.path), "text")
        loc: dict = {"physicalLocation": {"artifactLocation": {"uri": shown_path(Path(ev.path).as_posix())}}}
        if kind != "pdf" and ev.page == 1:
            loc["physicalLocation"]["region"] = {"startLine": ev.line}
        return loc
    first = result.documents[0].path if result.documents else "."
    return {"physicalLocation": {"artifactLocation": {"uri": Path(first).as_posix()}}}


def to_sarif(result: CheckResult) -> str:
    rules = [
        {
            "id": r.id,
            "name": r.id.replace("-", "_"),
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": r.why},
            "help": {"text": f"{r.fix}\n例: {r.example}" if r.example else r.fix},
            "defaultConfiguration": {"level": "error" if r.severity == "required" else "warning"},
            "properties": {"severity": r.severity, "source": r.source},
        }
        for r in result.checklist.requirements
    ]
    index = {r.id: i for i, r in enumerate(result.checklist.requirements)}
    results = []
    for f in ordered(result):
        if f.status == PRESENT:
            continue
        item = {
            "ruleId": f.requirement.id,
            "ruleIndex": index[f.requirement.id],
            "level": _level(f),
            "message": {"text": _message(f, result.checklist)},
            "locations": [_location(result, f)],
            "properties": {"status": f.status, "score": f.score, "page": f.evidence[0].page if f.evidence else None},
        }
        if f.waived:
            item["suppressions"] = [{"kind": "external", "justification": f.waived}]
        results.append(item)
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "policy-kit", "version": __version__, "informationUri": "https://example.invalid/policy-kit", "rules": rules}},
            "results": results,
        }],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=2) + "\n"


def to_junit(result: CheckResult, fail_on: str = "required") -> str:
    cases = []
    failures = skipped = 0
    for f in result.findings:
        r = f.requirement
        name = quoteattr(f"{r.id} {r.title}")
        body = ""
        if f.waived:
            skipped += 1
            body = f"<skipped message={quoteattr('waived: ' + str(f.waived))}/>"
        elif is_failure(f, fail_on):
            failures += 1
            body = f"<failure message={quoteattr(_message(f, result.checklist))} type={quoteattr(f.status)}>{escape(r.why)}</failure>"
        elif f.evidence:
            body = f"<system-out>{escape(f.evidence[0].location() + ' ' + f.evidence[0].text)}</system-out>"
        cases.append(f"    <testcase classname={quoteattr(result.checklist.id + '.' + r.severity)} name={name}>{body}</testcase>")
    suite = quoteattr(f"policy-kit {result.checklist.id}" + (f" {result.name}" if result.name else ""))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="policy-kit" tests="{len(cases)}" failures="{failures}" skipped="{skipped}">\n'
        f'  <testsuite name={suite} tests="{len(cases)}" failures="{failures}" skipped="{skipped}" errors="0">\n'
        + "\n".join(cases)
        + "\n  </testsuite>\n</testsuites>\n"
    )


def to_github(result: CheckResult, fail_on: str = "required") -> str:
    out = []
    for f in ordered(result):
        if f.status == PRESENT or f.waived:
            continue
        command = "error" if is_failure(f, fail_on) else "warning"
        loc = _location(result, f)["physicalLocation"]
        params = [f"file={_gh_escape(loc['artifactLocation']['uri'], True)}",
                  f"line={loc.get('region', {}).get('startLine', 1)}",
                  f"title={_gh_escape(f.requirement.id, True)}"]
        out.append(f"::{command} {','.join(params)}::{_gh_escape(_message(f, result.checklist))}")
    c = result.counts()
    out.append(f"policy-kit: {c['present']} present, {c['partial']} partial, {c['missing']} missing ({c['required_missing']} required)")
    return "\n".join(out) + "\n"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render_many(results: list[CheckResult], fmt: str, fail_on: str = "required", verbose: bool = False) -> str:
    """One report for several packages (school folders, or --per-file): one section, JSON entry,
    SARIF run or JUnit suite per package. A single package renders exactly as ``render``."""
    if len(results) == 1:
        return render(results[0], fmt, fail_on, verbose)
    if fmt == "json":
        return json.dumps({"packages": [dict(to_dict(r), name=r.name) for r in results]}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "sarif":
        runs = [json.loads(to_sarif(r))["runs"][0] for r in results]
        return json.dumps(dict(json.loads(to_sarif(results[0])), runs=runs), ensure_ascii=False, indent=2) + "\n"
    if fmt == "junit":
        suites = [to_junit(r, fail_on).split("\n", 2)[2].rsplit("</testsuites>", 1)[0] for r in results]
        tests = sum(len(r.findings) for r in results)
        failures = sum(is_failure(f, fail_on) for r in results for f in r.findings)
        skipped = sum(bool(f.waived) for r in results for f in r.findings)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<testsuites name="policy-kit" tests="{tests}" failures="{failures}" skipped="{skipped}">\n'
                + "".join(suites) + "</testsuites>\n")
    if fmt == "text":
        return "\n".join(f"== {r.name} ==\n" + to_text(r, verbose=verbose) for r in results)
    return "".join(render(r, fmt, fail_on, verbose) for r in results)


def render(result: CheckResult, fmt: str, fail_on: str = "required", verbose: bool = False) -> str:
    if fmt == "text":
        return to_text(result, verbose=verbose)
    if fmt == "json":
        return to_json(result)
    if fmt == "sarif":
        return to_sarif(result)
    if fmt == "junit":
        return to_junit(result, fail_on)
    if fmt == "github":
        return to_github(result, fail_on)
    raise ValueError(fmt)


def _clip(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
