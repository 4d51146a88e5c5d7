"""A check result as the check page shows it.

The verdicts come from the one checking entry point (`Checker`) and its JSON (`report.to_dict`);
this module only arranges them for people: requirements in the order of the text report
(missing required first), each evidence sentence shown in its section (the headings above it and
the sentences around it) with the words that matched the requirement highlighted."""
from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..check.checker import CheckResult
from ..check.checklist import Requirement
from ..check.matcher import Evidence
from ..check.normalise import Sentence
from ..check.report import ordered, to_dict
from ..status import LABEL_JA, SEVERITY_JA, SYMBOL, WAIVED

CONTEXT_SENTENCES = 1  # sentences shown before and after the evidence, within its section
HEADING_SEPARATOR = " > "  # how the checker joins the headings above a sentence (Sentence.heading)


@dataclass
class Passage:
    """One evidence sentence in its section."""

    section: list[str]  # the headings above it, outermost first
    where: str  # 「policy.pdf」3ページ 12行目
    before: list[str]
    segments: list[tuple[str, bool]]  # the sentence, in pieces; True = a matched word
    after: list[str]


@dataclass
class Item:
    id: str
    title: str
    severity: str
    severity_ja: str
    status: str  # present / partial / missing / waived
    label: str
    symbol: str
    note: str
    waived: str | None
    why: str
    fix: str
    example: str
    source: str
    passages: list[Passage] = field(default_factory=list)


@dataclass
class CheckView:
    id: str
    filename: str
    checked_at: str
    checklist_title: str
    checklist_id: str
    checklist_version: str
    documents: list[dict[str, Any]]
    counts: dict[str, int]
    items: list[Item]
    report: dict[str, Any]  # report.to_dict: the JSON download

    def json_text(self) -> str:
        return json.dumps(self.report, ensure_ascii=False, indent=2) + "\n"


def build_view(result: CheckResult, filename: str, view_id: str) -> CheckView:
    report = to_dict(result)
    index = {(s.path, s.page, s.line, s.text): i for i, s in enumerate(result.sentences)}
    items = []
    for finding in ordered(result):
        req = finding.requirement
        status = WAIVED if finding.waived else finding.status
        words = _requirement_words(result, req)
        passages = [_passage(result.sentences, index.get((e.path, e.page, e.line, e.text)), e, words) for e in finding.evidence]
        items.append(Item(req.id, req.title, req.severity, SEVERITY_JA[req.severity], status, LABEL_JA[status], SYMBOL[status],
                          finding.note, finding.waived, req.why, req.fix, req.example, req.source, passages))
    cl = result.checklist
    return CheckView(view_id, filename, _dt.datetime.now().strftime("%Y-%m-%d %H:%M"), cl.title, cl.id, cl.version,
                     report["documents"], report["summary"], items, report)


def _passage(sentences: list[Sentence], i: int | None, evidence: Evidence, words: list[re.Pattern]) -> Passage:
    """The evidence in the section the checker found it in (its ``heading``), with the sentences
    around it from the same section."""
    where = f"「{Path(evidence.path).name}」{evidence.page}ページ {evidence.line}行目"
    section = [h.strip() for h in evidence.heading.split(HEADING_SEPARATOR) if h.strip()]
    if i is None:  # not expected: the evidence always comes from these sentences
        return Passage(section, where, [], [(evidence.text, False)], [])
    s = sentences[i]
    near = range(max(0, i - CONTEXT_SENTENCES), min(len(sentences), i + CONTEXT_SENTENCES + 1))
    same = [j for j in near if j != i and sentences[j].doc == s.doc and sentences[j].heading == s.heading and not sentences[j].is_heading]
    return Passage(section, where, [sentences[j].text for j in same if j < i],
                   highlight(s, words), [sentences[j].text for j in same if j > i])


def _requirement_words(result: CheckResult, req: Requirement) -> list[re.Pattern]:
    """The patterns of every concept the requirement's clauses use (present and partial)."""
    names: list[str] = []
    for clause in [*req.present, *req.partial]:
        for group in clause.groups:
            names.extend(group)
        names.extend(clause.context)
    patterns: list[re.Pattern] = []
    for name in dict.fromkeys(names):
        concept = result.checklist.concepts.get(name)
        if concept is None:
            continue
        if concept.surface_re is not None:
            patterns.append(concept.surface_re)
        elif concept.terms:
            patterns.append(re.compile("|".join(re.escape(t.lower()) for t in sorted(concept.terms, key=len, reverse=True))))
        patterns.extend(concept.patterns)
    return patterns


def highlight(sentence: Sentence, patterns: list[re.Pattern]) -> list[tuple[str, bool]]:
    """The sentence in pieces, matched words marked (found in its lower-cased text, which has the
    same length as the text for Japanese; otherwise nothing is marked)."""
    text, lower = sentence.text, sentence.lower or sentence.text.lower()
    if len(lower) != len(text):
        return [(text, False)]
    marked = [False] * len(text)
    for pattern in patterns:
        for m in pattern.finditer(lower):
            for k in range(m.start(), m.end()):
                marked[k] = True
    pieces: list[tuple[str, bool]] = []
    for ch, mark in zip(text, marked):
        if pieces and pieces[-1][1] == mark:
            pieces[-1] = (pieces[-1][0] + ch, mark)
        else:
            pieces.append((ch, mark))
    return pieces

