"""The audit's report folder: what `audit -o DIR` may write into, and no stale files afterwards.

- A missing or empty folder is used as it is.
- An earlier audit report (a readable ``summary.json`` of an audit) is replaced as a whole: after
  the new report is written, the earlier report's files that the new one does not have (letters of
  schools no longer audited, PDF letters after a ``--no-pdf`` rerun) are removed.
- Any other non-empty folder is refused unless ``--force``; with ``--force`` the report is written
  beside the files already there, and none of them is removed.

The check runs before the audit starts, so a long run never ends in a refusal."""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError

REPORT_FILES = ("index.html", "summary.json", "summary.csv", "summary.xlsx")
LETTER_SUFFIXES = (".html", ".pdf")


def is_report(folder: Path) -> bool:
    """Whether ``folder`` holds an audit report written by policy-kit (its summary.json)."""
    try:
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "checklist" in data and isinstance(data.get("schools"), list)


def prepare_output(folder: Path, *, force: bool) -> bool:
    """Refuse a folder that is not ours (see the module text); return True when ``folder`` holds an
    earlier report, which the new one will replace."""
    if folder.exists() and not folder.is_dir():
        raise InputError("the report folder is a file; give a folder name to -o", folder,
                         ja="報告の出力先（-o）がファイルになっています。フォルダの名前を指定してください")
    if not folder.exists() or not [p for p in folder.iterdir() if not _ours(p)]:
        return False
    if is_report(folder):
        return True
    if force:
        return False
    raise InputError("the folder is not empty and does not hold an earlier audit report; "
                     "choose an empty folder, or pass --force to write the report beside its files", folder,
                     ja="フォルダが空ではなく、以前の点検結果でもありません。空のフォルダを指定するか、"
                        "ここに書き込むときは --force を付けてください（今あるファイルは消しません）")


def _ours(path: Path) -> bool:
    """policy-kit's own lock and staging entries in a report folder (outputs.OutputLock, Staging)."""
    from ..outputs import TRANSIENT
    from .reports import REPORT

    return path.name.startswith(f".{REPORT}{TRANSIENT}")


def remove_stale(folder: Path, written: list[Path]) -> list[Path]:
    """Remove the earlier report's files the new report did not write; return what was removed.
    Only the report's own files are touched: index.html, summary.*, schools/*.html|.pdf."""
    keep = {Path(p).resolve() for p in written}
    candidates = [folder / name for name in REPORT_FILES]
    letters = folder / "schools"
    if letters.is_dir():
        candidates += [p for p in letters.iterdir() if p.is_file() and p.suffix in LETTER_SUFFIXES]
    removed = []
    for path in candidates:
        if path.is_file() and path.resolve() not in keep:
            path.unlink()
            removed.append(path)
    return removed
