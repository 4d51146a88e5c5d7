"""Sections: a heading and everything under it, the unit a reviewer reads a requirement in.

A section starts at a heading and runs to the next heading of the same or a higher level; it
contains its subsections. Text before the first heading is the document's preamble section.
The matcher uses sections so that a heading can supply what its body does not repeat
(「いじめの解消」 above 「3か月を目安に…苦痛を感じていないか面談で確かめる」)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .normalise import Sentence


@dataclass
class Section:
    index: int
    doc: int
    heading: int | None  # sentence index of the heading; None for a preamble
    level: int
    parent: int | None
    start: int  # first sentence index (the heading, or the first body sentence of a preamble)
    end: int  # one past the last sentence, subsections included
    ancestors: list[int] = field(default_factory=list)  # sentence indices of the headings above

    @property
    def size(self) -> int:
        return self.end - self.start


def build_sections(sentences: list[Sentence]) -> list[Section]:
    """Sections of every document, in order; sets each sentence's ``section`` (innermost)."""
    sections: list[Section] = []
    open_: list[Section] = []  # the current path from the outermost section down
    current_doc = None
    for i, s in enumerate(sentences):
        if s.doc != current_doc:
            for sec in open_:
                sec.end = i
            open_ = []
            current_doc = s.doc
            if not (s.is_heading and s.role == "heading"):
                sections.append(Section(len(sections), s.doc, None, 0, None, i, i))
                open_.append(sections[-1])
        if s.is_heading and s.role == "heading":
            while open_ and open_[-1].heading is not None and open_[-1].level >= s.level:
                open_.pop().end = i
            if open_ and open_[-1].heading is None and len(open_) == 1 and s.level <= 1:
                open_.pop().end = i  # a preamble ends at the first top-level heading
            parent = open_[-1] if open_ else None
            ancestors = [sec.heading for sec in open_ if sec.heading is not None]
            sections.append(Section(len(sections), s.doc, i, s.level, parent.index if parent else None, i, i, ancestors))
            open_.append(sections[-1])
        s.section = open_[-1].index if open_ else -1
    for sec in open_:
        sec.end = len(sentences)
    for sec in sections:
        sec.end = max(sec.end, sec.start + 1)
    return sections
