"""Match a checklist against analysed sentences: present / partial / missing, with evidence.

A requirement is *present* when one of its ``present`` clauses is satisfied by body text (not
only headings) whose act is affirmed: not denied or merely considered (「警察には相談しない」,
「面談は行わず」, 「今後検討する」). Whether an act is affirmed is decided by GiNZA's dependency parse
of the few candidate sentences that contain a negating or planning word (analyse.phrase_scopes);
without the parse (``Matcher(..., parse=False)``, the ablation) the checklist's sentence-wide
``negation_cues`` decide, as before.

A clause looks in one of two scopes:
- ``sentence`` (default): every group in one sentence, or within ``window`` sentences;
- ``section``: every group somewhere in one section — its heading, the headings above it, its
  body, list items and table rows — with body text carrying at least one group. A section's
  heading can so supply what its body does not repeat.

A clause satisfied only by headings or by denied sentences, or a ``partial`` clause, gives
*partial*. Concepts marked ``fuzzy`` get a second, typo-tolerant pass (Damerau-Levenshtein on
the best rapidfuzz alignment) only for requirements the exact pass did not find."""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein

from ..status import MISSING, PARTIAL, PRESENT, WAIVED
from .checklist import Checklist, Clause, Concept, Requirement
from .normalise import TABLE, Sentence, scheme_of
from .structure import Section, build_sections

MAX_EVIDENCE = 3
_WITHHELD = "実施しない・該当しない・検討中という記述で、取組が定められていません"
MAX_SECTION_CHARS = 3000  # larger sections (a whole chapter) are too wide to be one unit
# words that may deny or only plan an act: only sentences holding one are parsed
_SCOPE_WORDS = re.compile(r"ない|無い|ず|ぬ|ません|なし|無し|未|検討|予定|今後|将来|いずれ|次年度|来年度|対象外|(作成|策定|整備|準備)中|たい|課題")


@dataclass
class Evidence:
    path: str
    page: int
    line: int
    text: str
    heading: str = ""  # the headings above the sentence, outermost first

    def location(self) -> str:
        return f"{self.path}:{self.page}:{self.line}"


@dataclass
class Finding:
    requirement: Requirement
    status: str
    score: float
    evidence: list[Evidence] = field(default_factory=list)
    note: str = ""
    waived: str | None = None  # the reason, when a waiver or inline suppression applies

    @property
    def outcome(self) -> str:
        """The status as reports show it: ``waived`` when excused, else the status."""
        return WAIVED if self.waived else self.status


@dataclass
class _Match:
    indices: list[int]
    strong: bool
    fuzzy: bool
    section: int | None = None


class Matcher:
    def __init__(self, checklist: Checklist, sentences: list[Sentence], *, parse: bool = True):
        self.checklist = checklist
        self.sentences = sentences
        self.parse = parse
        self.sections: list[Section] = build_sections(sentences)
        self._hits: dict[tuple[str, bool], dict[int, str]] = {}
        self._spans: dict[tuple[str, int], list[tuple[int, int]]] = {}
        self._heading_hits: dict[tuple[str, str], bool] = {}
        self._negated: dict[int, bool] = {}
        self._affirmed: dict[tuple[int, tuple[str, ...]], bool] = {}
        self._scopes: dict[int, object] = {}
        self._joins: dict[str, tuple[str, list[int]]] = {}
        self.parsed_sentences = 0  # how many sentences the dependency parse looked at (benchmarks)
        self._child_index: dict[int, list[Section]] | None = None
        self._titles: set[int] | None = None  # the headings that are documents' titles
        self._doc_titles: dict[int, int | None] = {}
        self._pieces: dict[int, list[tuple[int, str]]] = {}  # sentence → where patterns look (cells of a row)
        self._doc_sizes: dict[int, int] = {}

    # ------------------------------------------------------------------ concepts

    def hits(self, name: str, fuzzy: bool = False) -> dict[int, str]:
        """Sentence index → matched text, for every sentence where the concept occurs."""
        concept = self.checklist.concepts[name]
        fuzzy = fuzzy and concept.fuzzy
        key = (name, fuzzy)
        if key not in self._hits:
            if not fuzzy and concept.surface_re is not None:
                self._hits[key] = self._exact_hits(concept)
                return self._hits[key]
            found = dict(self.hits(name)) if fuzzy else {}
            for i, sentence in enumerate(self.sentences):
                if i in found:
                    continue
                text = _match_concept(concept, sentence.lower, sentence.lemmas, sentence.norms, fuzzy, sentence.role == TABLE)
                if text is not None:
                    found[i] = text
            self._hits[key] = found
        return self._hits[key]

    def _joined(self, attr: str) -> tuple[str, list[int]]:
        """All sentences' ``attr`` joined by newlines, with each sentence's start offset."""
        if attr not in self._joins:
            starts, pos, parts = [], 0, []
            for s in self.sentences:
                value = getattr(s, attr)
                starts.append(pos)
                parts.append(value)
                pos += len(value) + 1
            self._joins[attr] = ("\n".join(parts), starts)
        return self._joins[attr]

    def _exact_hits(self, concept: Concept) -> dict[int, str]:
        """One regex pass per form over the whole text (terms), then patterns per sentence."""
        found: dict[int, str] = {}
        lower, starts = self._joined("lower")
        lower = _mask(concept, lower)
        for match in concept.surface_re.finditer(lower):
            i = bisect.bisect_right(starts, match.start()) - 1
            found.setdefault(i, match.group(0))
            self._spans.setdefault((concept.name, i), []).append((match.start() - starts[i], match.end() - starts[i]))
        for regex, attr in ((concept.lemma_re, "lemmas"), (concept.norm_re, "norms")):
            if regex is None:
                continue
            text, offsets = self._joined(attr)
            for match in regex.finditer(text):
                i = bisect.bisect_right(offsets, match.start()) - 1
                # a look-alike masked in the text (「改定した」) is not found again through its dictionary form
                if i not in found and not _excluded(concept, getattr(self.sentences[i], attr)) \
                        and not _excluded(concept, self.sentences[i].lower):
                    found[i] = match.group(0)
        if concept.patterns:
            for i, sentence in enumerate(self.sentences):
                if concept.exclude:
                    pieces = _pattern_pieces(sentence, _mask(concept, sentence.lower))
                else:  # the same pieces for every concept without look-alikes: cut once
                    if i not in self._pieces:
                        self._pieces[i] = _pattern_pieces(sentence, sentence.lower)
                    pieces = self._pieces[i]
                for offset, piece in pieces:
                    for pattern in concept.patterns:
                        for hit in pattern.finditer(piece):
                            found.setdefault(i, hit.group(0))
                            self._spans.setdefault((concept.name, i), []).append((hit.start() + offset, hit.end() + offset))
        return found

    def in_heading(self, name: str, heading: str) -> bool:
        key = (name, heading)
        if key not in self._heading_hits:
            concept = self.checklist.concepts[name]
            lowered = heading.lower()
            self._heading_hits[key] = bool(heading) and _match_concept(concept, lowered, "", "", False) is not None
        return self._heading_hits[key]

    # ------------------------------------------------------------------ negation and planning

    def negated(self, i: int) -> bool:
        """Sentence-wide negation cues of the checklist (the rule without the parse)."""
        if i not in self._negated:
            text = self.sentences[i].lower
            self._negated[i] = any(cue.search(text) for cue in self.checklist.negation_cues) or self.elsewhere(i)
        return self._negated[i]

    def elsewhere(self, i: int) -> bool:
        """The sentence leaves the item to another document or body (the checklist's ``elsewhere_cues``)."""
        text = self.sentences[i].lower
        return any(cue.search(text) for cue in self.checklist.elsewhere_cues)

    def affirmed(self, i: int, concepts: tuple[str, ...]) -> bool:
        """Whether sentence ``i`` states the acts of these concepts as done (not denied, not planned)."""
        key = (i, concepts)
        if key not in self._affirmed:
            self._affirmed[key] = self._decide_affirmed(i, concepts)
        return self._affirmed[key]

    def _decide_affirmed(self, i: int, concepts: tuple[str, ...]) -> bool:
        sentence = self.sentences[i]
        if not self.parse or self.elsewhere(i):
            return not self.negated(i)
        if not _SCOPE_WORDS.search(sentence.text) and not self.negated(i):
            return True  # nothing in the sentence can deny or defer an act: no parse needed
        spans = sorted({span for name in concepts for span in self._spans.get((name, i), [])})
        if not spans:  # found through dictionary forms only: no position to parse from
            return not self.negated(i)
        # affirmed when one mention of the act is stated as done: not denied or put off by the parse,
        # and no cue right after it in its clause (「ストレスチェック：未実施」) — unless the sentence's
        # main predicate denies or defers a mention: 「スマートフォンを所持している者が少ないため、
        # ネットパトロール等は実施していない」 does not affirm online measures through 所持している
        text = sentence.lower
        scopes = self._scopes_of(i, spans)
        if any(scope.withholds_sentence for scope in scopes):
            return False
        for (start, end), scope in zip(spans, scopes):
            tail = re.split(r"[、,。]", text[start:], maxsplit=1)[0]
            if scope.affirmed and not any(cue.search(tail) for cue in self.checklist.negation_cues):
                return True
        return False

    def _scopes_of(self, i: int, spans: list[tuple[int, int]]) -> list:
        from .analyse import phrase_scopes

        missing = [s for s in spans if (i, s) not in self._scopes]
        if missing:
            self.parsed_sentences += 1
            for span, scope in zip(missing, phrase_scopes([(self.sentences[i].text, missing)])[0]):
                self._scopes[(i, span)] = scope
        return [self._scopes[(i, s)] for s in spans]

    # ------------------------------------------------------------------ clauses

    def group_hits(self, group: list[str], fuzzy: bool, clause: Clause | None = None) -> set[int]:
        """Sentences where every concept of the group occurs (in the places the clause looks at,
        and not in a sentence the clause's ``unless`` concepts put in another context)."""
        result: set[int] | None = None
        for name in group:
            found = set(self.hits(name, fuzzy))
            result = found if result is None else result & found
        result = result or set()
        if clause is not None and clause.roles:
            result = {j for j in result if self.sentences[j].role in clause.roles}
        if clause is not None and clause.unless:
            kept = {j for j in result if not any(self._in_context(j, name) for name in clause.unless)}
            # a heading whose body uses the words only in that other context (「教職員の研修」 over first
            # aid only; 「警察との連携」 over a traffic-safety class only) does not name the topic either
            mentions = set().union(*(self.hits(name, fuzzy) for name in group))
            plain = {j for j in mentions if not any(self._in_context(j, name) for name in clause.unless)}
            result = {j for j in kept if not self._body_only_other(j, mentions, plain)}
        return result

    def _in_context(self, j: int, name: str) -> bool:
        """Whether concept ``name`` is said of sentence ``j``: in it, in its headings, or — for a list
        item or table row — in the sentence that introduces its list (「保護者の皆様には、次のような様子が
        見られたときは…」 over the signs)."""
        if j in self.hits(name) or self.in_heading(name, self.sentences[j].heading):
            return True
        lead = self._lead_in(j)
        return lead is not None and lead in self.hits(name)

    def _lead_in(self, j: int) -> int | None:
        """The body sentence right above the list or table that sentence ``j`` belongs to."""
        if self.sentences[j].role not in ("list_item", "table_row"):
            return None
        k = j - 1
        while k >= 0 and self.sentences[k].role in ("list_item", "table_row", "table_header") \
                and self.sentences[k].section == self.sentences[j].section:
            k -= 1
        if k < 0 or self.sentences[k].section != self.sentences[j].section or self.sentences[k].role != "body":
            return None
        return k

    def _body_only_other(self, heading: int, found: set[int], kept: set[int]) -> bool:
        """Whether the section under ``heading`` uses the group's words (any of them) in its body only
        where an ``unless`` concept puts them in another context."""
        section = self._opened_by(heading)
        if section is None:
            return False
        body = [k for k in range(section.start, section.end) if k in found and not self.sentences[k].is_heading]
        return bool(body) and not any(k in kept for k in body)

    def _solid(self, j: int, group: list[str], requirement: Requirement, clause: Clause | None = None) -> bool:
        """A body sentence that states the group's acts as done — or, for a clause that looks only at
        headings, a heading whose section has body text."""
        s = self.sentences[j]
        if s.is_heading:
            if clause is not None and clause.roles and all(r in ("heading", "table_header") for r in clause.roles) and s.role == "heading":
                section = self.sections[s.section]
                return any(not self.sentences[k].is_heading for k in range(section.start, section.end))
            return False
        return not requirement.negation or self.affirmed(j, tuple(group))

    def match_clause(self, clause: Clause, requirement: Requirement, fuzzy: bool) -> _Match | None:
        if clause.scope in ("section", "document"):
            return self._match_section(clause, requirement, fuzzy)
        groups = [sorted(self.group_hits(g, fuzzy, clause)) for g in clause.groups]
        if any(not g for g in groups):
            return None
        best: _Match | None = None
        for anchor in groups[0]:
            doc = self.sentences[anchor].doc
            if clause.items:  # a list: the first group in that many sentences from the anchor on
                run = [j for j in groups[0] if anchor <= j <= anchor + clause.window and self._same_passage(anchor, j)]
                if len(run) < clause.items:
                    continue
            chosen = [anchor]
            for other in groups[1:]:
                near = [j for j in other if abs(j - anchor) <= clause.window and self._same_passage(anchor, j)
                        and (j >= anchor or not clause.ordered)]
                if not near:
                    break
                chosen.append(min(near, key=lambda j: (abs(j - anchor), self.sentences[j].is_heading)))
            else:
                # in sentence scope `distinct` counts the whole document, or the matched sentences with
                # `distinct_in: matched` (a section clause counts its section)
                counted = set(chosen) if clause.distinct_in == "matched" else None
                if not self._context_ok(clause, chosen, fuzzy) or not self._distinct_ok(clause, doc, fuzzy, counted):
                    continue
                strong = all(self._solid(j, g, requirement, clause) for j, g in zip(chosen, clause.groups))
                used_fuzzy = fuzzy and any(j not in self.hits(n) for g in clause.groups for n in g for j in chosen if j in self.hits(n, True))
                match = _Match(sorted(set(chosen)), strong, used_fuzzy)
                if best is None or (match.strong and not best.strong) or (match.strong == best.strong and len(match.indices) < len(best.indices)):
                    best = match
                if best.strong and len(best.indices) == 1:
                    break
        return best

    def _same_passage(self, a: int, b: int) -> bool:
        """Two sentences of one section (a window never reaches into the next section)."""
        sa, sb = self.sentences[a], self.sentences[b]
        if sa.doc != sb.doc:
            return False
        if sa.section == sb.section or not self.sections:
            return True
        heading_a = self.sections[sa.section].heading if sa.section >= 0 else None
        heading_b = self.sections[sb.section].heading if sb.section >= 0 else None
        return b == heading_a or a == heading_b

    def _match_section(self, clause: Clause, requirement: Requirement, fuzzy: bool) -> _Match | None:
        groups = [self.group_hits(g, fuzzy, clause) for g in clause.groups]
        if any(not g for g in groups):
            return None
        if clause.scope == "document":
            return self._match_units(clause, requirement, fuzzy, groups, self._documents())
        candidates = {self.sentences[j].section for g in groups for j in g if self.sentences[j].section >= 0}
        # a hit counts for its own section and every section above it (not for counted clauses: a
        # programme's months must stand in the programme's own section, not across a chapter)
        for sec in list(candidates) if not clause.distinct else []:
            parent = self.sections[sec].parent
            while parent is not None:
                candidates.add(parent)
                parent = self.sections[parent].parent
        units = []
        for sec in sorted(candidates, key=lambda k: (self.sections[k].size, k)):
            section = self.sections[sec]
            if self._chars(section) > MAX_SECTION_CHARS or self._is_title(section):
                continue  # too wide to be one unit, or the whole document under its title
            # a section is one unit only when it is about the topic: its heading (or its parent's)
            # states a group or a context concept
            topical = self._topic_headings(section)
            named = {j for hits in groups for j in hits & topical}
            named |= {j for name in clause.context for j in topical if j in self.hits(name, fuzzy)}
            units += [(members, section.doc, section.heading, sec) for members in self._unit_members(section, named)]
        return self._match_units(clause, requirement, fuzzy, groups, units)

    def _own_headings(self, section: Section) -> set[int]:
        """The section's heading and its parent's."""
        out = {section.heading} if section.heading is not None else set()
        if section.parent is not None and self.sections[section.parent].heading is not None:
            out.add(self.sections[section.parent].heading)
        return out

    def _opened_by(self, j: int) -> Section | None:
        """The section that sentence ``j`` opens as its heading, if it is one."""
        s = self.sentences[j]
        if s.is_heading and s.section >= 0 and self.sections[s.section].heading == j:
            return self.sections[s.section]
        return None

    def _topic_headings(self, section: Section) -> set[int]:
        """The section's heading, its parent's and its subsections' headings — not the document's title."""
        out = self._own_headings(section)
        out |= {child.heading for child in self._children(section) if child.heading is not None}
        return out - self._title_headings()

    def _unit_members(self, section: Section, named: set[int]) -> list[set[int]]:
        """The units a section gives: sets of sentences read together. When the section's own
        heading (or its parent's) names the topic: all of it, one unit. When only subsections'
        headings do (a chapter 「いじめへの対処」 with 「8 警察との連携」 among its parts): one unit per
        such subsection, with the chapter's own opening text — never the chapter's other
        subsections (「1 情報共有の手順」 says nothing about the police), nor two named subsections
        together (「9 警察との連携」 and 「11 保護者への説明」 of a serious case are two topics)."""
        members = (set(range(section.start, section.end)) | set(section.ancestors)) - self._title_headings()
        if named & self._own_headings(section):
            return [members]
        children = self._children(section)
        opening = members.difference(*(range(c.start, c.end) for c in children))
        return [opening | set(range(c.start, c.end)) for c in children if c.heading in named]

    def _children(self, section: Section) -> list[Section]:
        if self._child_index is None:
            self._child_index = {}
            for sec in self.sections:
                if sec.parent is not None:
                    self._child_index.setdefault(sec.parent, []).append(sec)
        return self._child_index.get(section.index, [])

    def _is_title(self, section: Section) -> bool:
        """The section opened by the document's title (its first heading, with at most a line or two
        such as the school's name above it): it holds everything."""
        return (section.heading is not None and section.heading == self._title_of_doc(section.doc)
                and section.parent is None
                and (len(self._children(section)) >= 3 or self._holds_the_document(section)))

    def _holds_the_document(self, section: Section) -> bool:
        """An unnumbered first heading over nearly all of a document of some length (its parts hang
        under a 「目次」 heading, so it has one child): 「いじめ防止基本方針」, not 「８　方針の見直し」."""
        size = self._doc_size(section.doc)
        heading = self.sentences[section.heading].text if section.heading is not None else ""
        return size >= 15 and section.size >= 0.8 * size and not scheme_of(heading)[0]

    def _doc_size(self, doc: int) -> int:
        if not self._doc_sizes:
            for s in self.sentences:
                self._doc_sizes[s.doc] = self._doc_sizes.get(s.doc, 0) + 1
        return self._doc_sizes[doc]

    def _title_of_doc(self, doc: int) -> int | None:
        """The document's first heading when no more than two lines of text come before it."""
        if not self._doc_titles:
            start: dict[int, int] = {}
            for j, s in enumerate(self.sentences):
                start.setdefault(s.doc, j)
                if s.is_heading and s.doc not in self._doc_titles:
                    self._doc_titles[s.doc] = j if j - start[s.doc] <= 2 else None
        return self._doc_titles.get(doc)

    def _chars(self, section: Section) -> int:
        return sum(len(self.sentences[j].text) for j in range(section.start, section.end))

    def _documents(self) -> list[tuple[set[int], int, int | None, int | None]]:
        docs: dict[int, set[int]] = {}
        for j, s in enumerate(self.sentences):
            docs.setdefault(s.doc, set()).add(j)
        return [(members, doc, None, None) for doc, members in docs.items()]

    def _match_units(self, clause: Clause, requirement: Requirement, fuzzy: bool, groups: list[set[int]],
                     units: list[tuple[set[int], int, int | None, int | None]]) -> _Match | None:
        """The first unit (section or document) where every group is found; strong when body text
        affirms at least one group and every group is affirmed or stated by a heading."""
        best: _Match | None = None
        for members, doc, heading, sec in units:
            chosen: list[int] = []
            solid_groups = 0
            for group, hits in zip(clause.groups, groups):
                inside = sorted(hits & members)
                if not inside:
                    break
                solid = [j for j in inside if self._solid(j, group, requirement, clause)]
                if solid:
                    solid_groups += 1
                    chosen.append(solid[0])
                else:
                    chosen.append(inside[0])
            else:
                if not self._distinct_ok(clause, doc, fuzzy, members):
                    continue
                # counted concepts in body text (a programme's month rows) support the unit too
                solid_groups += any(not self.sentences[j].is_heading for name in clause.distinct
                                    for j in self.hits(name) if j in members)
                if not self._context_ok(clause, chosen, fuzzy):
                    continue
                # every group stated: by body text that affirms it, or by a heading of the section
                strong = solid_groups >= 1 and all(
                    self._solid(j, g, requirement, clause) or self.sentences[j].is_heading for j, g in zip(chosen, clause.groups))
                strong = strong and self._headings_cover(chosen, heading, clause, requirement, fuzzy)
                used_fuzzy = fuzzy and any(j not in self.hits(n) for g in clause.groups for n in g for j in chosen if j in self.hits(n, True))
                # evidence: the sentences that carry the requirement first, then the section's heading
                indices = sorted(set(chosen), key=lambda j: (self.sentences[j].is_heading, j))
                if heading is not None and heading not in indices:
                    indices.append(heading)
                match = _Match(indices, strong, used_fuzzy, sec)
                if best is None or (match.strong and not best.strong):
                    best = match
                if best.strong:
                    break
        return best

    def _headings_cover(self, chosen: list[int], unit_heading: int | None, clause: Clause, requirement: Requirement,
                        fuzzy: bool) -> bool:
        """A subsection's heading inside a unit speaks for that subsection only: when it supplies a
        group, the other groups must stand under it too — unless it has a body of its own that
        withholds nothing of that group (「１　いじめを生まない」 over 「学級づくり」, 「２　いじめを見逃さない」
        over the surveys: one pillar under each heading). 「(5) 児童生徒が主体となる取組」 whose body only plans it does not
        join with an activity described under 「(1) 分かる授業」."""
        for j, group in zip(chosen, clause.groups):
            sub = self._opened_by(j)
            if sub is None or j == unit_heading:
                continue
            if not any(not (sub.start <= k < sub.end) and k not in sub.ancestors and not self.sentences[k].is_heading for k in chosen):
                continue  # headings may name the pillars together
            hits = self.group_hits(group, fuzzy, clause)
            body = [k for k in range(sub.start, sub.end) if not self.sentences[k].is_heading]
            if not any(not self.negated(k) for k in body) or any(
                    k in hits and not self._solid(k, group, requirement, clause) for k in body):
                return False  # body text of another subsection, and this heading's own body withholds it
        return True

    def _context_ok(self, clause: Clause, chosen: list[int], fuzzy: bool) -> bool:
        doc = self.sentences[chosen[0]].doc
        for name in clause.context:
            hits = self.hits(name, fuzzy)
            lo, hi = min(chosen) - clause.window, max(chosen) + clause.window
            if any(lo <= j <= hi and self.sentences[j].doc == doc for j in hits):
                continue
            if any(self.in_heading(name, self.sentences[h].text) for j in chosen for h in self._near_headings(j)):
                continue
            return False
        return True

    def _near_headings(self, j: int) -> set[int]:
        """The headings a context may come from: sentence ``j``'s section heading and its parent's — not
        every heading far above (a chapter's 「方針」 does not speak for its fourth-level parts)."""
        s = self.sentences[j]
        if s.section < 0:
            return set()
        return self._own_headings(self.sections[s.section]) - self._title_headings()

    def _title_headings(self) -> set[int]:
        if self._titles is None:
            self._titles = {sec.heading for sec in self.sections if self._is_title(sec)}
        return self._titles

    def _distinct_ok(self, clause: Clause, doc: int, fuzzy: bool, members: set[int] | None = None) -> bool:
        for name, needed in clause.distinct.items():
            if self._distinct_count(name, doc, members, clause.roles) < needed:
                return False
        return True

    def _distinct_count(self, name: str, doc: int, members: set[int] | None = None, roles: list[str] | None = None) -> int:
        """How many different strings of the concept occur in the document (or in ``members``)."""
        concept = self.checklist.concepts[name]
        values: set[str] = set()
        for j in self.hits(name):
            if self.sentences[j].doc != doc or (members is not None and j not in members):
                continue
            if roles and self.sentences[j].role not in roles:
                continue
            text = self.sentences[j].lower
            for regex in [concept.surface_re, *concept.patterns]:
                if regex is not None:
                    values.update(m.group(0) for m in regex.finditer(text))
            if concept.surface_re is None:
                values.update(t for t in concept.terms if t in text)
        return len(values)

    # ------------------------------------------------------------------ requirements

    def evaluate(self, requirement: Requirement) -> Finding:
        for name in requirement.denied_by:  # the policy says outright that it is not done
            # a programme's row is no sentence to parse: only an explicit cue in it denies (「ストレスチェック 未実施」)
            denials = [j for j in self.hits(name) if not self.sentences[j].is_heading
                       and (self.negated(j) or (self.sentences[j].role != TABLE and not self.affirmed(j, (name,))))]
            if denials:
                return Finding(requirement, MISSING, 0.0, self._evidence(_Match(denials[:MAX_EVIDENCE], False, False)), _WITHHELD)
        weak: _Match | None = None
        for fuzzy in (False, True):
            for clause in requirement.present:
                match = self.match_clause(clause, requirement, fuzzy)
                if match is None:
                    continue
                if match.strong:
                    note = "表記ゆれ・誤記を許容して一致" if match.fuzzy else ""
                    return Finding(requirement, PRESENT, 0.9 if match.fuzzy else 1.0, self._evidence(match), note)
                weak = weak or match
        denied = None
        if weak is not None:
            body = [j for j in weak.indices if not self.sentences[j].is_heading]
            if not body and not self._heading_over_withheld(weak, requirement):
                return Finding(requirement, PARTIAL, 0.5, self._evidence(weak), "見出しだけで、本文に具体的な記述がありません")
            denied = Finding(requirement, MISSING, 0.0, self._evidence(weak), _WITHHELD)
        for clause in requirement.partial:
            match = self.match_clause(clause, requirement, True)
            if match is None:
                continue
            if any(not self._solid(j, g, requirement, clause) and not self.sentences[j].is_heading
                   for j in match.indices for g in clause.groups if j in self.group_hits(g, True, clause)) \
                    or self._heading_over_withheld(match, requirement, clause):
                denied = denied or Finding(requirement, MISSING, 0.0, self._evidence(match), _WITHHELD)
                continue
            return Finding(requirement, PARTIAL, 0.5, self._evidence(match), "関連する記述はありますが、求められる内容がそろっていません")
        return denied or Finding(requirement, MISSING, 0.0, [], "")

    def _heading_over_withheld(self, match: _Match, requirement: Requirement, clause: Clause | None = None) -> bool:
        """A match on headings only, whose sections mention the topic in their bodies only as not done
        or planned: 「(2)教職員用チェックリスト」 over 「作成は、次年度の課題とする」 is no heading alone.
        The groups are the clause's, or (for a weak match of the ``present`` clauses) all of theirs."""
        if any(not self.sentences[j].is_heading for j in match.indices):
            return False
        groups = clause.groups if clause is not None else [g for c in requirement.present for g in c.groups]
        hits = [(group, self.group_hits(group, True, clause)) for group in groups]
        withheld = False
        for j in match.indices:
            section = self._opened_by(j)
            if section is None:
                continue
            for k in range(section.start, section.end):
                if self.sentences[k].is_heading:
                    continue
                for group, found in hits:
                    if k in found:
                        if self._solid(k, group, requirement, clause):
                            return False
                        withheld = True
        return withheld

    def _evidence(self, match: _Match) -> list[Evidence]:
        out = []
        for j in match.indices[:MAX_EVIDENCE]:
            s = self.sentences[j]
            out.append(Evidence(s.path, s.page, s.line, s.text, s.heading))
        return out


def _mask(concept: Concept, text: str) -> str:
    """The text with the concept's look-alikes (``exclude``) blotted out, same length."""
    for word in concept.exclude:
        if word in text:
            text = text.replace(word, "■" * len(word))
    return text


def _pattern_pieces(sentence: Sentence, text: str) -> list[tuple[int, str]]:
    """Where a concept's patterns look: the whole sentence, or each cell of a table row on its own
    (a pattern's gap must not run from one cell into the next: 「役割分担」 in the committee's column
    and 「基本方針を説明」 in the next are not one statement)."""
    if sentence.role != TABLE:
        return [(0, text)]
    return _cells(text)


def _cells(text: str) -> list[tuple[int, str]]:
    """A table row's cells (joined by single spaces); a space beside an arrow is inside a cell
    (「報告 → 学年主任 → 教頭」)."""
    return [(m.start(), m.group(0)) for m in re.finditer(r"(?:[^ ]| (?=[→⇒➡])|(?<=[→⇒➡]) )+", text)]


def _match_concept(concept: Concept, lower: str, lemmas: str, norms: str, fuzzy: bool, table_row: bool = False) -> str | None:
    masked = _mask(concept, lower)
    if concept.surface_re is None:  # not compiled (unit use without the model): plain terms
        for term in concept.terms:
            if term in masked:
                return term
    else:
        found = concept.surface_re.search(masked)
        if found:
            return found.group(0)
        for regex, text in ((concept.lemma_re, lemmas), (concept.norm_re, norms)):
            if regex is not None and text:
                found = regex.search(text)
                if found and not _excluded(concept, text) and not _excluded(concept, lower):
                    return found.group(0)
    for _, piece in _cells(masked) if table_row else [(0, masked)]:
        for pattern in concept.patterns:
            found = pattern.search(piece)
            if found:
                return found.group(0)
    if fuzzy:
        folded = fold_kana(masked)
        for term in concept.terms:
            if fold_kana(term) in folded:
                return term
            # edit distance only for katakana/Latin words (where typos happen: PCDA, チエック);
            # in kanji terms one character carries the meaning (心のアンケート ≠ へのアンケート)
            if not _KATAKANA_OR_LATIN.fullmatch(term):
                continue
            min_len = 4 if term.isascii() else 6
            if len(term) >= min_len and len(masked) >= len(term) and _fuzzy_contains(term, masked):
                return term
    return None


_KATAKANA_OR_LATIN = re.compile(r"[\u30a0-\u30ffa-z0-9\-・ ]+")
_SMALL_KANA = str.maketrans("ァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ", "アイウエオツヤユヨワカケあいうえおつやゆよわ")


def fold_kana(text: str) -> str:
    """Fold the kana that typos and OCR confuse: small/large (チエック/チェック), voiced marks (ブ/プ/フ)."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SMALL_KANA))
    return unicodedata.normalize("NFC", decomposed.replace("\u3099", "").replace("\u309a", ""))


def _excluded(concept: Concept, text: str) -> bool:
    return any(word in text for word in concept.exclude)


def _fuzzy_contains(term: str, text: str) -> bool:
    """True when ``text`` holds ``term`` with at most one edit (two for long terms), transpositions included."""
    alignment = fuzz.partial_ratio_alignment(term, text, score_cutoff=60)
    if alignment is None:
        return False
    allowed = 1 if len(term) < 8 else 2
    start = alignment.dest_start
    for s in range(max(0, start - 1), start + 2):
        for length in (len(term) - 1, len(term), len(term) + 1):
            window = text[s:s + length]
            if len(window) >= len(term) - 1 and DamerauLevenshtein.distance(term, window) <= allowed:
                return True
    return False
