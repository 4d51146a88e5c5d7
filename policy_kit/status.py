"""The statuses a requirement can have, in one place: names, Japanese labels, symbols, order.

Every output (text, JSON, SARIF, JUnit, audit HTML/CSV/XLSX, letters, diff) takes its words from
here, so a status reads the same wherever a board officer meets it."""
from __future__ import annotations

PRESENT, PARTIAL, MISSING = "present", "partial", "missing"
WAIVED = "waived"  # a finding excused by a waiver or an inline suppression (still reported)
UNREADABLE = "unreadable"  # a school whose files could not be read (audit)
IGNORED = "ignored"  # a requirement left out with --ignore / config `ignore`

LABEL_JA = {PRESENT: "あり", PARTIAL: "不十分", MISSING: "なし", WAIVED: "免除", UNREADABLE: "読み取れません", IGNORED: "対象外"}
SYMBOL = {PRESENT: "✓", PARTIAL: "△", MISSING: "✗", WAIVED: "免", UNREADABLE: "?", IGNORED: "－"}
SEVERITY_JA = {"required": "必須", "recommended": "推奨"}

# How good a status is, for year-over-year comparisons (higher is better).
RANK = {MISSING: 0, UNREADABLE: 0, PARTIAL: 1, WAIVED: 1, PRESENT: 2}
CHANGE_JA = {"improved": "改善", "regressed": "後退", "unchanged": "変化なし", "new": "新規"}


def change(before: str | None, after: str | None) -> str:
    """improved / regressed / unchanged / new, comparing two statuses of one requirement."""
    if before is None or after is None:
        return "new" if before is None else "unchanged"
    if RANK.get(after, 0) > RANK.get(before, 0):
        return "improved"
    if RANK.get(after, 0) < RANK.get(before, 0):
        return "regressed"
    return "unchanged"
