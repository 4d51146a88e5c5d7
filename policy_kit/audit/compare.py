"""Year-over-year: the statuses of an earlier audit report, to show what improved or regressed."""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError
from ..status import UNREADABLE

UNREADABLE_KEY = "__unreadable__"


def load_previous(folder: Path) -> dict[str, dict[str, str]]:
    """school id → requirement id → status, from an earlier report's summary.json."""
    path = folder / "summary.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no summary.json here: is this an earlier audit report?", folder,
                         ja="summary.json がありません（以前の点検結果のフォルダを指定してください）") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the earlier report: {exc}", path, ja="以前の点検結果を読めません") from None
    try:
        out: dict[str, dict[str, str]] = {}
        for school in data["schools"]:
            if school.get("status") == UNREADABLE:
                out[str(school["id"])] = {UNREADABLE_KEY: UNREADABLE}
                continue
            out[str(school["id"])] = {str(r["id"]): ("waived" if r.get("waived") else str(r["status"]))
                                      for r in (school.get("report") or {}).get("requirements", [])}
        return out
    except (KeyError, TypeError, AttributeError):
        raise InputError("the earlier report's summary.json is not an audit summary", path,
                         ja="以前の点検結果の summary.json の形式が正しくありません") from None
