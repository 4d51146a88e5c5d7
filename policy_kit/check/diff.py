"""Compare two versions of one school's policy: status per requirement and which sections changed."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..status import CHANGE_JA, LABEL_JA, change
from .normalise import Sentence
from .checker import CheckResult



@dataclass
class RequirementChange:
    id: str
    title: str
    severity: str
    before: str
    after: str
    change: str


@dataclass
class PolicyDiff:
    requirements: list[RequirementChange]
    sections_added: list[str] = field(default_factory=list)
    sections_removed: list[str] = field(default_factory=list)
    sections_changed: list[str] = field(default_factory=list)

    @property
    def required_regressions(self) -> list[RequirementChange]:
        return [r for r in self.requirements if r.change == "regressed" and r.severity == "required"]


def sections(sentences: list[Sentence]) -> dict[str, str]:
    """Section heading → its body text (sentences under that heading, headings excluded)."""
    out: dict[str, list[str]] = {}
    for s in sentences:
        key = s.text if s.is_heading else (s.heading.split(" > ")[-1] if s.heading else "（冒頭）")
        out.setdefault(_strip_number(key), [])
        if not s.is_heading:
            out[_strip_number(key)].append(s.text)
    return {k: "".join(v) for k, v in out.items()}


_NUMBER = re.compile(r"^[#\s]*(第[0-9一二三四五六七八九十]+[章節部]|[0-9]{1,2}(?![0-9年月日か])|[(（][0-9ア-ン]{1,2}[)）]|[①-⑳]|別[紙表][0-9]*)[\s.．、]*")


def _strip_number(heading: str) -> str:
    """Section names without their numbers, so renumbering is not reported as a change."""
    return _NUMBER.sub("", heading).strip() or heading


def compare(old: CheckResult, new: CheckResult, old_sentences: list[Sentence], new_sentences: list[Sentence]) -> PolicyDiff:
    before = {f.requirement.id: f.outcome for f in old.findings}
    changes = []
    for f in new.findings:
        was = before.get(f.requirement.id)
        changes.append(RequirementChange(f.requirement.id, f.requirement.title, f.requirement.severity, was or "—", f.outcome, change(was, f.outcome)))
    a, b = sections(old_sentences), sections(new_sentences)
    changed = [k for k in a if k in b and a[k] != b[k]]
    return PolicyDiff(changes, [k for k in b if k not in a], [k for k in a if k not in b], changed)


def to_text(diff: PolicyDiff) -> str:
    lines = ["要件ごとの変化（前 → 後）:"]
    order = {"regressed": 0, "improved": 1, "new": 2, "unchanged": 3}
    for r in sorted(diff.requirements, key=lambda r: order[r.change]):
        if r.change == "unchanged":
            continue
        sev = "必須" if r.severity == "required" else "推奨"
        before, after = LABEL_JA.get(r.before, r.before), LABEL_JA.get(r.after, r.after)
        lines.append(f"  {CHANGE_JA[r.change]}  [{sev}] {r.id} — {r.title}: {before} → {after}")
    unchanged = sum(r.change == "unchanged" for r in diff.requirements)
    lines.append(f"  （変化なし {unchanged} 項目）")
    lines.append("")
    lines.append("本文が変わった節: " + ("、".join(diff.sections_changed) or "なし"))
    lines.append("追加された節: " + ("、".join(diff.sections_added) or "なし"))
    lines.append("削除された節: " + ("、".join(diff.sections_removed) or "なし"))
    if diff.required_regressions:
        lines.append("")
        lines.append(f"必須項目の後退: {len(diff.required_regressions)} 件")
    return "\n".join(lines) + "\n"


def to_dict(diff: PolicyDiff) -> dict:
    return {
        "requirements": [r.__dict__ for r in diff.requirements],
        "sections": {"changed": diff.sections_changed, "added": diff.sections_added, "removed": diff.sections_removed},
        "required_regressions": [r.id for r in diff.required_regressions],
    }
