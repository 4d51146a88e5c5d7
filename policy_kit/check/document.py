"""What a reader returns: a document as pages of lines, each line knowing what the file format
could tell about it (a heading and its level, a list item and its number, a table row and its
cells). Formats that carry structure (DOCX, HTML, Markdown) fill in ``role``; for PDF and plain
text ``role`` stays empty and the normaliser decides from the layout."""
from __future__ import annotations

from dataclasses import dataclass, field

HEADING, PARAGRAPH, LIST_ITEM, TABLE_ROW = "heading", "paragraph", "list_item", "table_row"
ROLES = ("", HEADING, PARAGRAPH, LIST_ITEM, TABLE_ROW)


@dataclass(frozen=True)
class Limits:
    """Size limits for untrusted documents (configurable from the CLI)."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_pages: int = 500
    max_text_chars: int = 2_000_000
    max_docx_uncompressed: int = 100 * 1024 * 1024
    max_zip_members: int = 10_000  # members of a DOCX archive
    max_reader_memory: int = 1024 * 1024 * 1024  # how much more memory the PDF reader's child may take


@dataclass(frozen=True)
class Line:
    """One line of a page, as the reader found it.

    ``text`` is the visible text, including any numbering Word or the browser would show
    ("１．", "(1)", "①"); ``role`` is "" when the format does not say (PDF, plain text)."""

    text: str
    role: str = ""  # "", "heading", "paragraph", "list_item", "table_row"
    level: int = 0  # heading level, 1 = outermost (role "heading")
    numbering: str = ""  # the number or bullet shown before the text, when the format knows it
    cells: tuple[str, ...] = ()  # the cells of a table row (role "table_row")


@dataclass
class Document:
    path: str
    pages: list[list[Line]] = field(default_factory=list)  # pages → lines
    kind: str = "text"  # pdf, docx, html, text
    suppressions: dict[str, str] = field(default_factory=dict)  # requirement id → reason (inline)
    running: list[Line] = field(default_factory=list)  # running headers/footers (DOCX), kept apart from the body

    @property
    def chars(self) -> int:
        return sum(len(line.text) for page in self.pages for line in page)

    def text(self) -> str:
        return "\n".join(line.text for page in self.pages for line in page)


def plain_lines(texts: list[str]) -> list[Line]:
    """Lines of unknown role (PDF, plain text)."""
    return [Line(t) for t in texts]
