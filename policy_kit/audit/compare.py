"""Year-over-year: the statuses of an earlier audit report, to show what improved or regressed."""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError
from ..inputfiles import read_limited
from ..status import LABEL_JA, UNREADABLE

UNREADABLE_KEY = "__unreadable__"
MAX_SUMMARY_BYTES = 200 * 1024 * 1024
_STATUSES = set(LABEL_JA)


def load_previous(folder: Path) -> dict[str, dict[str, str]]:
    """school id → requirement id → status, from an earlier report's summary.json."""
    path = folder / "summary.json"
    if not path.exists() and not path.is_symlink():
        raise InputError("no summary.json here: is this an earlier audit report?", folder,
                         ja="summary.json がありません（以前の点検結果のフォルダを指定してください）")
    raw = read_limited(path, MAX_SUMMARY_BYTES, "summary.json of the earlier report")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("cannot read the earlier report: summary.json is not UTF-8 text", path,
                         ja="以前の点検結果を読めません（summary.json が UTF-8 のテキストではありません）") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"cannot read the earlier report: JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}", path,
                         ja=f"以前の点検結果を読めません（summary.json の {exc.lineno} 行目 {exc.colno} 文字目に誤りがあります）") from None
    except RecursionError:
        raise InputError("cannot read the earlier report: summary.json is nested too deeply", path,
                         ja="以前の点検結果を読めません（summary.json の入れ子が深すぎます）") from None
    return _statuses(data, path)


def _statuses(data: object, path: Path) -> dict[str, dict[str, str]]:
    schools = data.get("schools") if isinstance(data, dict) else None
    if not isinstance(schools, list):
        raise _not_a_summary(path, "it has no list of schools")
    out: dict[str, dict[str, str]] = {}
    for i, school in enumerate(schools):
        where = f"schools[{i}]"
        if not isinstance(school, dict) or not isinstance(school.get("id"), str):
            raise _not_a_summary(path, f"{where} has no id")
        if school.get("status") == UNREADABLE:
            out[school["id"]] = {UNREADABLE_KEY: UNREADABLE}
            continue
        report = school.get("report") or {}
        requirements = report.get("requirements", []) if isinstance(report, dict) else None
        if not isinstance(requirements, list):
            raise _not_a_summary(path, f"{where}.report has no list of requirements")
        statuses: dict[str, str] = {}
        for j, finding in enumerate(requirements):
            if not (isinstance(finding, dict) and isinstance(finding.get("id"), str) and finding.get("status") in _STATUSES):
                raise _not_a_summary(path, f"{where}.report.requirements[{j}] has no id or no known status")
            statuses[finding["id"]] = "waived" if finding.get("waived") else finding["status"]
        out[school["id"]] = statuses
    return out


def _not_a_summary(path: Path, why: str) -> InputError:
    return InputError(f"the earlier report's summary.json is not an audit summary: {why}", path,
                      ja="以前の点検結果の summary.json の形式が正しくありません")
