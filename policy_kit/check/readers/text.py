"""Plain text and Markdown. One line of the file is one Line, so evidence line numbers are the
file's own; form feeds are page breaks. Markdown marks what it knows: `#` headings, `|` table
rows (cells apart), `-`/`*`/`+` and `1.` list items; other lines keep role "" (a hard-wrapped
paragraph is joined by the normaliser)."""
from __future__ import annotations

import re
from pathlib import Path

from ..document import HEADING, LIST_ITEM, TABLE_ROW, Document, Limits, Line, plain_lines
from .common import decode_text, inline_suppressions, too_many_pages

MARKDOWN_SUFFIXES = (".md", ".markdown")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_ORDERED = re.compile(r"^\s{0,3}([0-9]{1,9})[.)]\s+(.*)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def read_text(path: Path, data: bytes, limits: Limits) -> Document:
    text = decode_text(data, path)
    if text.count("\f") >= limits.max_pages:  # form feeds are page breaks: the page limit applies
        raise too_many_pages(path, limits, what="text")
    markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
    pages = [markdown_lines(page.split("\n")) if markdown else plain_lines(page.split("\n")) for page in text.split("\f")]
    return Document(str(path), pages, "text", inline_suppressions(text))


def markdown_lines(texts: list[str]) -> list[Line]:
    lines: list[Line] = []
    fenced = False
    for raw in texts:
        if _FENCE.match(raw):
            fenced = not fenced
            lines.append(Line(""))
            continue
        lines.append(Line(raw) if fenced else markdown_line(raw))
    return lines


def markdown_line(raw: str) -> Line:
    """One Markdown line with the role its syntax gives it."""
    if match := _HEADING.match(raw):
        return Line(match.group(2), HEADING, len(match.group(1))) if match.group(2) else Line("")
    stripped = raw.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2:
        if _TABLE_RULE.match(stripped):
            return Line("")
        cells = tuple(c.strip() for c in stripped.strip("|").split("|"))
        return Line("　".join(c for c in cells if c), TABLE_ROW, cells=cells)
    if match := _BULLET.match(raw):
        return Line(f"・ {match.group(1).strip()}", LIST_ITEM, numbering="・")
    if match := _ORDERED.match(raw):
        number = f"{match.group(1)}."
        return Line(f"{number} {match.group(2).strip()}", LIST_ITEM, numbering=number)
    return Line(raw)
