"""Normalise extracted text into sentences that remember where they came from.

Steps: NFKC (full-width ASCII, CJK compatibility and Kangxi radicals such as ⼀ → 一); remove
spaces between Japanese characters (PDF extraction often spaces them: 基 本 的 な); rejoin
letters spaced apart (P D C A); join lines broken mid-sentence; recognise headings by their
numbering (第1章, 1, (1), ①, ア, 【…】, ■, Markdown #); split sentences at 。！？."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .document import HEADING, LIST_ITEM, TABLE_ROW, Document

_JA = r"\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\u2460-\u24ff\u25a0-\u25ff"
_SPACE_BETWEEN_JA = re.compile(rf"(?<=[{_JA}0-9])[ \t\u00a0]+(?=[{_JA}])|(?<=[{_JA}])[ \t\u00a0]+(?=[{_JA}0-9])")
_SPACED_LETTERS = re.compile(r"(?<![A-Za-z])((?:[A-Za-z] ){2,}[A-Za-z])(?![A-Za-z])")
_COMMENT = re.compile(r"<!--.*?-->")
_KANJI_NUM = "一二三四五六七八九十"
HEADING_MARK = re.compile(
    rf"^(#{{1,6}}\s*|第[0-9{_KANJI_NUM}]+[章節部編]|[0-9]{{1,2}}(?:[.．、]|\s)|[0-9]{{1,2}}-[0-9]{{1,2}}\s"
    rf"|[(（][0-9{_KANJI_NUM}]{{1,2}}[)）]|[①-⑳]|[ア-ン](?:[.．、)）]|\s)|[(（][ア-ン][)）]|【|[■□◆◇●○◎▼▶◯]|[IVX]{{1,4}}[.．\s]|別紙|別表|資料)"
)
_BULLET = re.compile(r"^((?:1[0-2]|[1-9])月[\s　]|[・･\-–—*+]|[0-9]{1,2}[.．)）]|[(（][0-9a-zア-ン]{1,2}[)）]|[①-⑳]|[a-z][.)）]|[ア-ン][.．、)）])")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
MAX_SENTENCE = 400


@dataclass
class Sentence:
    """A sentence (or heading, or table row) with its position in its document."""

    doc: int
    path: str
    page: int
    line: int
    text: str
    heading: str = ""  # the headings above it, outermost first, joined by " > "
    is_heading: bool = False
    level: int = 0  # heading level (1 = 第n章 …); 0 for body text
    explicit: bool = False  # a heading marked as such (Markdown #, HTML h1–h6, Word heading style)
    lemmas: str = ""  # filled by analyse: GiNZA dictionary forms, joined
    norms: str = ""  # filled by analyse: Sudachi normalised forms, joined
    lower: str = field(default="", repr=False)


def normalise_line(line: str) -> str:
    return _squeeze(_nfkc(line))


def _nfkc(line: str) -> str:
    return _COMMENT.sub("", unicodedata.normalize("NFKC", line)).strip()


def _squeeze(line: str) -> str:
    line = _SPACE_BETWEEN_JA.sub("", line)
    line = _SPACED_LETTERS.sub(lambda m: m.group(1).replace(" ", ""), line)
    return re.sub(r"[ \t\u00a0]{2,}", " ", line).strip()


def is_heading(line: str) -> bool:
    if not line or len(line) > 45 or line.endswith(("。", "、", "，", ",")):
        return False
    if line.startswith("#"):
        return True
    return bool(HEADING_MARK.match(line)) and "。" not in line


def heading_level(line: str) -> int:
    if line.startswith("#"):
        return len(line) - len(line.lstrip("#"))
    if re.match(r"^第", line):
        return 1
    if re.match(r"^[0-9]{1,2}(?:[.．、]|\s)|^[IVX]", line):
        return 2
    if re.match(r"^[(（][0-9]", line):
        return 3
    return 4


def split_sentences(document: Document, doc_index: int) -> list[Sentence]:
    """Turn a document's pages of lines into positioned sentences."""
    sentences: list[Sentence] = []
    headings: list[tuple[int, str]] = []
    para: list[tuple[int, int, str]] = []  # (page, line, text) pieces of the current paragraph

    def context() -> str:
        return " > ".join(text for _, text in headings)

    def flush() -> None:
        if not para:
            return
        text = ""
        starts: list[tuple[int, int, int]] = []  # (offset, page, line)
        for page, line, piece in para:
            starts.append((len(text), page, line))
            text += piece if not text or _joins_without_space(text[-1], piece[0]) else " " + piece
        para.clear()
        offset = 0
        for chunk in _chunks(text):
            page, line = _position(starts, offset)
            if chunk.strip():
                sentences.append(Sentence(doc_index, document.path, page, line, chunk.strip(), context()))
            offset += len(chunk)

    repeated = _running_lines(document)
    full = _full_line_length(document)
    for page_no, lines in enumerate(document.pages, start=1):
        for line_no, item in enumerate(lines, start=1):
            spaced = _nfkc(item.text)
            line = _squeeze(spaced)
            if item.role == HEADING and line:  # the format says so (Word style, HTML h1–h6)
                flush()
                while headings and headings[-1][0] >= item.level:
                    headings.pop()
                sentences.append(Sentence(doc_index, document.path, page_no, line_no, line, context(), is_heading=True,
                                          level=item.level, explicit=True))
                headings.append((item.level, line))
                continue
            if item.role in (TABLE_ROW, LIST_ITEM) and line:  # a unit of its own
                flush()
                para.append((page_no, line_no, " ".join(_squeeze(_nfkc(c)) for c in item.cells) if item.cells else line))
                flush()
                continue
            if _BARE_MARKER.fullmatch(line):
                continue  # a list marker extracted on its own line (PDF): not a heading, not text
            if not line or _PAGE_NUMBER.fullmatch(line) or line in repeated:
                flush()  # blank lines, rules, page numbers and running headers end a paragraph
                continue
            if line.startswith("|") or line.count("|") >= 2:
                flush()  # a table row (Markdown or extracted) is a unit of its own
                para.append((page_no, line_no, re.sub(r"\s*\|\s*", " ", line).strip()))
                flush()
                continue
            runs_to_margin = bool(full) and len(line) >= full * 0.9  # a wrapped body line, not a heading
            if not runs_to_margin and (is_heading(spaced) or is_heading(line)):
                flush()
                if not line.lstrip("#").strip():
                    continue  # a bare "#" is no heading
                level = heading_level(spaced)
                while headings and headings[-1][0] >= level:
                    headings.pop()
                clean = line.lstrip("#").strip()
                sentences.append(Sentence(doc_index, document.path, page_no, line_no, clean, context(), is_heading=True,
                                          level=level, explicit=line.startswith("#")))
                headings.append((level, clean))
                continue
            if _BULLET.match(line) or (para and para[-1][2].endswith(("。", "！", "？", ":", "："))):
                flush()
            para.append((page_no, line_no, line))
            if document.kind in ("html", "docx"):
                flush()  # lines are whole paragraphs there; only PDF and plain text are hard-wrapped
            elif full and len(line) < full * 0.7 and not line.endswith(("、", ",", "・")):
                flush()  # a visibly short line ends its paragraph (wrapped lines run to the margin)
        # a paragraph may continue on the next page: keep it open
    flush()
    _demote_list_items(sentences)
    for s in sentences:
        s.lower = s.text.lower()
    return sentences


def _demote_list_items(sentences: list[Sentence]) -> None:
    """Numbered short lines with nothing under them, next to siblings alike, are a list, not headings.

    e.g. 「3 役割」 then 「(1) 相談・通報の窓口」「(2) 情報の収集と記録」… Markdown/Word headings
    and table-of-contents lines (ending in a page number) keep their heading role."""
    def empty(i: int) -> bool:
        s = sentences[i]
        if not s.is_heading or s.explicit or re.search(r"[0-9]$", s.text):
            return False
        nxt = sentences[i + 1] if i + 1 < len(sentences) else None
        return nxt is None or (nxt.is_heading and nxt.level <= s.level)

    flags = [empty(i) for i in range(len(sentences))]
    for i, s in enumerate(sentences):
        if not flags[i]:
            continue
        prev_sibling = i > 0 and flags[i - 1] and sentences[i - 1].level == s.level
        next_sibling = i + 1 < len(sentences) and flags[i + 1] and sentences[i + 1].level == s.level
        if prev_sibling or next_sibling:
            s.is_heading = False


_BARE_MARKER = re.compile(r"[0-9]{1,2}[.．)）]|[(（][0-9a-zア-ン]{1,2}[)）]|[①-⑳]|[・•●○◆◇■□▪]")
_PAGE_NUMBER = re.compile(r"[-–—ー=_\s|・•]+|[-–—\s]*(?:p\.?\s*)?[0-9]+(?:\s*/\s*[0-9]+)?[-–—\s]*|[0-9]+ページ")


def _full_line_length(document: Document) -> int:
    """The length of a line that runs to the right margin (for hard-wrapped PDF text), else 0."""
    lengths = sorted(len(_squeeze(_nfkc(l.text))) for page in document.pages for l in page if l.text.strip())
    if len(lengths) < 8:
        return 0
    typical = lengths[int(len(lengths) * 0.9)]
    near = sum(1 for n in lengths if n >= typical * 0.85)
    # only hard-wrapped text has many lines of nearly the same (maximum) length
    return typical if near >= len(lengths) * 0.15 and typical <= 120 else 0


def _running_lines(document: Document) -> set[str]:
    """Lines repeated at the top or bottom of most pages: running headers and footers."""
    if len(document.pages) < 3:
        return set()
    counts: dict[str, int] = {}
    for lines in document.pages:
        edge = {_squeeze(_nfkc(l.text)) for l in [*lines[:3], *lines[-3:]]}
        for line in edge:
            counts[line] = counts.get(line, 0) + 1
    return {line for line, n in counts.items() if line and n > len(document.pages) / 2}


def _joins_without_space(prev: str, nxt: str) -> bool:
    return bool(re.match(rf"[{_JA}]", prev) or re.match(rf"[{_JA}]", nxt))


def _chunks(text: str) -> list[str]:
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        while len(piece) > MAX_SENTENCE:  # long runs without 。 (tables, lists): cut at a 、 or space
            cut = max(piece.rfind("、", 0, MAX_SENTENCE), piece.rfind(" ", 0, MAX_SENTENCE))
            cut = cut + 1 if cut > MAX_SENTENCE // 2 else MAX_SENTENCE
            out.append(piece[:cut])
            piece = piece[cut:]
        if piece:
            out.append(piece)
    return out


def _position(starts: list[tuple[int, int, int]], offset: int) -> tuple[int, int]:
    page, line = starts[0][1], starts[0][2]
    for start, p, l in starts:
        if start > offset:
            break
        page, line = p, l
    return page, line
