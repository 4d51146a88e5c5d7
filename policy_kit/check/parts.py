"""What a partial finding has and lacks, in words a school can act on:
「組織の名称と構成員はありますが、心理・福祉の専門家の記述がありません」.

Worked out from what a Finding already carries — its evidence sentences (and the headings above
them) — and the requirement's ``present`` clauses: the clause whose concepts the evidence comes
closest to satisfying is the one the school is nearest to, and its concepts found in the evidence
are the parts that are there. A concept is named by its ``label`` in the checklist, else by the
wording found in the policy (found parts) or by its first term (missing parts)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..status import PARTIAL
from .checklist import Checklist, Clause, Concept
from .matcher import Finding


@dataclass
class Parts:
    """The parts of a requirement found in a partial finding's evidence, and the parts missing."""

    found: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def sentence_ja(self) -> str:
        """「AとBはありますが、Cの記述がありません。」"""
        if not self.missing:
            return ""
        lacking = _join(self.missing)
        if not self.found:
            return f"{lacking}の記述がありません。"
        return f"{_join(self.found)}はありますが、{lacking}の記述がありません。"

    def to_dict(self) -> dict:
        return {"found": self.found, "missing": self.missing, "text": self.sentence_ja()}


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return "と".join(items)
    return "、".join(items[:-1]) + "と" + items[-1]


def partial_parts(finding: Finding, checklist: Checklist) -> Parts | None:
    """For a partial finding: the parts of the nearest ``present`` clause found in its evidence and
    those missing. None for other statuses, or when nothing can be named."""
    if finding.status != PARTIAL or not finding.evidence:
        return None
    texts = [_norm(e.text) for e in finding.evidence] + [_norm(e.heading) for e in finding.evidence if e.heading]
    best: tuple[float, int, Parts] | None = None
    for clause in finding.requirement.present:
        names = _clause_concepts(clause)
        concepts = [checklist.concepts[n] for n in names if n in checklist.concepts]
        if not concepts:
            continue
        found = [(c, _found_in(c, texts)) for c in concepts]
        hits = [(c, word) for c, word in found if word]
        parts = Parts([_found_label(c, word) for c, word in hits],
                      [label for c, word in found if not word and (label := _missing_label(c))])
        if not parts.missing:
            continue
        score = (len(hits) / len(concepts), -len(parts.missing), parts)
        if best is None or score[:2] > best[:2]:
            best = score
    return best[2] if best is not None else None


def _clause_concepts(clause: Clause) -> list[str]:
    names: list[str] = []
    for group in clause.groups:
        for name in group:
            if name not in names:
                names.append(name)
    return names


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _found_in(concept: Concept, texts: list[str]) -> str:
    """The wording of ``concept`` found in one of ``texts`` ('' when none)."""
    for text in texts:
        masked = text
        for word in concept.exclude:
            masked = masked.replace(word, "■" * len(word))
        regexes: list[re.Pattern] = [concept.surface_re] if concept.surface_re is not None else []
        regexes += concept.patterns
        for regex in regexes:
            if found := regex.search(masked):
                return found.group(0)
        if concept.surface_re is None:
            for term in concept.terms:
                if term in masked:
                    return term
    return ""


def _found_label(concept: Concept, word: str) -> str:
    label = getattr(concept, "label", "")
    return label or f"「{word}」"


def _missing_label(concept: Concept) -> str:
    label = getattr(concept, "label", "")
    if label:
        return label
    return f"「{concept.terms[0]}」など" if concept.terms else ""
