"""PDF reader on PDFium (pypdfium2): the engine of Chrome's PDF viewer.

Why PDFium and not pypdf (measured by benchmarks/readers.py): it opens AES- and RC4-encrypted
PDFs that have no open password (the usual "copy/print restricted" Word export) without any
extra package, its text is the same or closer to the source on our samples, and it is many
times faster. It runs in a forked child process with a memory ceiling, so a hostile file (a
content stream that inflates to gigabytes, a crash in the C library) costs one clear error
message, never the whole run."""
from __future__ import annotations

import os
import pickle
import re
from dataclasses import dataclass
from pathlib import Path

from ...errors import UnreadableDocument
from ..document import TABLE_ROW, Document, Limits, Line
from .common import clean, too_many_pages

DAMAGED_JA = "PDFが壊れていて開けません"
PASSWORD_JA = "パスワードで保護されているため読めません。保護を外したものを提出してください"
NO_TEXT_JA = "文字情報がありません（スキャン画像）。OCR（文字認識）をしてから提出してください"

# a list marker or bullet that a PDF producer drew apart from its text (WeasyPrint draws <ol>
# numbers after the page's text; some Word exports draw bullets as separate runs)
_MARKER = re.compile(r"\s*(?:[0-9]{1,2}[.．)）]|[(（][0-9a-zア-ン]{1,2}[)）]|[①-⑳]|[・•●○◆◇■□▪◦]|[a-zア-ン][.．)）])\s*")


@dataclass
class _Segment:
    """One line of a page's text in content order, with where it sits on the page."""

    text: str
    left: float = 0.0
    right: float = 0.0
    bottom: float = 0.0
    top: float = 0.0


def read_pdf(path: Path, data: bytes, limits: Limits) -> Document:
    """Read a PDF's text layer page by page (lines in the producer's order, list markers put back)."""
    pages = _run_isolated(lambda: _extract(data, limits), limits.max_reader_memory, path)
    if not any(line.text.strip() for page in pages for line in page):
        raise no_text_layer(path)
    return Document(str(path), pages, "pdf")


def no_text_layer(path: Path) -> UnreadableDocument:
    return UnreadableDocument("the PDF has no text layer (a scanned image?); run OCR on it first, e.g. ocrmypdf -l jpn", path, ja=NO_TEXT_JA)


def _extract(data: bytes, limits: Limits) -> list[list[Line]] | UnreadableDocument:
    """Runs in the child: the pages' lines, or the reason the PDF cannot be read (returned, not
    raised, so that it crosses the pipe as a value)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == raw.FPDF_ERR_PASSWORD:
            return UnreadableDocument("the PDF is encrypted with a password needed to open it; save an unprotected copy", None, ja=PASSWORD_JA)
        if code == raw.FPDF_ERR_SECURITY:
            return UnreadableDocument("the PDF uses an unsupported security handler; save an unprotected copy", None,
                                      ja="対応していない方式で保護されているため読めません。保護を外したものを提出してください")
        return UnreadableDocument("the PDF is damaged and cannot be read", None, ja=DAMAGED_JA)
    try:
        count = len(document)
        if count == 0:
            return UnreadableDocument("the PDF has no pages", None, ja="PDFにページがありません")
        if count > limits.max_pages:
            return too_many_pages(Path(), limits, count, "PDF")
        pages, chars = [], 0
        for index in range(count):
            try:
                lines = _page_lines(document[index])
            except pdfium.PdfiumError:
                return UnreadableDocument(f"text extraction failed on page {index + 1}", None,
                                          ja=f"{index + 1}ページ目の文字を取り出せません（PDFが壊れています）")
            chars += sum(len(line.text) for line in lines)
            if chars > limits.max_text_chars:
                return UnreadableDocument(f"the text is too long (more than {limits.max_text_chars:,} characters)", None,
                                          ja=f"文章が長すぎます（上限 {limits.max_text_chars:,} 字）")
            pages.append(lines)
        return pages
    finally:
        document.close()


def _page_lines(page) -> list[Line]:
    textpage = page.get_textpage()
    try:
        rulings = _rulings(page)
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        if rulings.usable() and len(text) == count:
            return _lines_with_tables(textpage, text, rulings)
        return [Line(s.text) for s in _attach_markers(_segments(textpage, text))]
    finally:
        textpage.close()
        page.close()


def _segments(textpage, text: str) -> list[_Segment]:
    count = textpage.count_chars()
    segments: list[_Segment] = []
    boxes = len(text) == count  # one character per index (no surrogate pairs): positions are known
    start = 0
    for piece in text.split("\r\n"):
        segment = _Segment(clean(piece).rstrip())
        if boxes and segment.text.strip():
            first = start + len(piece) - len(piece.lstrip())
            last = start + len(piece.rstrip()) - 1
            l1, b1, r1, t1 = textpage.get_charbox(first)
            l2, b2, r2, t2 = textpage.get_charbox(last)
            segment.left, segment.right = min(l1, l2), max(r1, r2)
            segment.bottom, segment.top = min(b1, b2), max(t1, t2)
        segments.append(segment)
        start += len(piece) + 2
    return segments


def _attach_markers(segments: list[_Segment]) -> list[_Segment]:
    """Put list markers drawn apart from their text back in front of it: a segment that is only
    a marker goes before the segment on the same baseline that starts just right of it."""
    markers = [s for s in segments if _MARKER.fullmatch(s.text) and s.top > s.bottom]
    if not markers:
        return segments
    taken: set[int] = set()
    consumed: set[int] = set()
    for marker in markers:
        height = marker.top - marker.bottom
        middle = (marker.top + marker.bottom) / 2
        best, gap = None, 4 * height
        for i, s in enumerate(segments):
            if s is marker or i in taken or _MARKER.fullmatch(s.text) or not s.text.strip():
                continue
            if s.bottom - height * 0.3 <= middle <= s.top + height * 0.3 and -height * 0.2 <= s.left - marker.right < gap:
                best, gap = i, s.left - marker.right
        if best is not None:
            taken.add(best)
            host = segments[best]
            host.text = _bullet(marker.text.strip()) + " " + host.text.lstrip()
            consumed.add(id(marker))
    return [s for s in segments if id(s) not in consumed]


def _bullet(marker: str) -> str:
    """A bullet drawn apart from its item is shown as "・", as the other readers show bullets."""
    return "・" if marker in ("•", "●", "◦", "▪") else marker


# ----------------------------------------------------------------------------- ruled tables

_THIN = 2.5  # points: a path thinner than this is a rule (a cell border)


@dataclass
class _Rulings:
    """The horizontal and vertical rules of a page, indexed by position."""

    rows: dict[float, list[tuple[float, float]]]  # y → [(x0, x1)] horizontal rules
    cols: dict[float, list[tuple[float, float]]]  # x → [(y0, y1)] vertical rules

    def usable(self) -> bool:
        return len(self.rows) >= 2 and len(self.cols) >= 2

    def cell(self, x: float, y: float) -> tuple[float, float, float, float] | None:
        """The ruled cell around a point: (top, bottom, left, right), or None outside tables."""
        top = _nearest(self.rows, y, x, up=True)
        bottom = _nearest(self.rows, y, x, up=False)
        left = _nearest(self.cols, x, y, up=False)
        right = _nearest(self.cols, x, y, up=True)
        if None in (top, bottom, left, right):
            return None
        return top, bottom, left, right


def _nearest(rules: dict[float, list[tuple[float, float]]], at: float, across: float, up: bool) -> float | None:
    """The closest rule above (``up``) or below ``at`` that spans ``across``."""
    for position in sorted((p for p in rules if (p > at if up else p < at)), key=lambda p: abs(p - at)):
        if any(a - 1 <= across <= b + 1 for a, b in rules[position]):
            return position
    return None


def _rulings(page) -> _Rulings:
    import pypdfium2.raw as raw

    rows: dict[float, list[tuple[float, float]]] = {}
    cols: dict[float, list[tuple[float, float]]] = {}

    def add(table: dict, at: float, a: float, b: float) -> None:
        key = next((k for k in table if abs(k - at) <= 1.5), round(at, 1))
        table.setdefault(key, []).append((a, b))

    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=4):
        left, bottom, right, top = obj.get_bounds()
        width, height = right - left, top - bottom
        if height <= _THIN and width > 4:
            add(rows, (top + bottom) / 2, left, right)
        elif width <= _THIN and height > 4:
            add(cols, (left + right) / 2, bottom, top)
        elif width > 4 and height > 4:  # a cell drawn as a rectangle: its four edges
            add(rows, top, left, right)
            add(rows, bottom, left, right)
            add(cols, left, bottom, top)
            add(cols, right, bottom, top)
    return _Rulings(rows, cols)


def _lines_with_tables(textpage, text: str, rulings: _Rulings) -> list[Line]:
    """A page with ruled tables: characters inside a ruled cell go to that cell, one Line per
    table row (cells apart, left to right) at the place the row starts in the text; the rest
    is read as on any page."""
    out: list = []  # flow text pieces (str) and row keys (tuple)
    rows: dict[tuple, dict[tuple, list[str]]] = {}  # row (table top) → cell → characters
    flow: list[str] = []
    target: list[str] | None = None  # where spaces and line breaks go: the last character's cell
    for index, char in enumerate(text):
        if char in "\r\n":
            (target if target is not None else flow).append("\n" if char == "\n" else "")
            continue
        if char == " " or char == "\x00":
            (target if target is not None else flow).append(char.strip() or " ")
            continue
        left, bottom, right, top = textpage.get_charbox(index)
        where = rulings.cell((left + right) / 2, (top + bottom) / 2) if right > left else None
        if where is None:
            target = None
            flow.append(char)
            continue
        row_key = (round(where[0]),)
        if row_key not in rows:
            rows[row_key] = {}
            out.append("".join(flow))
            flow = []
            out.append(row_key)
        target = rows[row_key].setdefault(where, [])
        target.append(char)
    out.append("".join(flow))
    segments: list[_Segment] = []
    lines: list[Line] = []
    for piece in out:
        if isinstance(piece, tuple):
            lines.extend(Line(s.text) for s in _attach_markers(segments))
            segments = []
            cells = _row_cells(rows[piece], rulings)
            if any(cells):
                lines.append(Line("　".join(c for c in cells if c), TABLE_ROW, cells=tuple(cells)))
        else:
            segments.extend(_Segment(clean(t).rstrip()) for t in piece.split("\n"))
    lines.extend(Line(s.text) for s in _attach_markers(segments))
    return [line for line in lines if line.text or line.role == ""]


def _row_cells(found: dict[tuple, list[str]], rulings: _Rulings) -> list[str]:
    """The cells of one row left to right, empty ones included (from the vertical rules that
    cross the row), so that columns line up as in the other formats."""
    top = max(cell[0] for cell in found)
    bottom = min(cell[1] for cell in found)
    left = min(cell[2] for cell in found)
    right = max(cell[3] for cell in found)
    for a, b in sorted(rulings.rows.get(top, [])):  # the rule above the row runs to the table's edge
        if a - 3 <= right <= b + 3 or (a <= left + 1 and b > right):
            right = max(right, b)
    middle = (top + bottom) / 2
    edges = sorted(x for x, spans in rulings.cols.items() if left - 1 <= x <= right + 1 and any(a - 1 <= middle <= b + 1 for a, b in spans))
    texts = {cell[2]: _cell_text(chars) for cell, chars in found.items()}
    cells = []
    for x in edges[:-1]:
        key = next((k for k in texts if abs(k - x) <= 1.5), None)
        cells.append(texts.pop(key) if key is not None else "")
    return cells + list(texts.values())  # anything not on an edge (should not happen) is kept


def _cell_text(chars: list[str]) -> str:
    """A cell's characters; a wrapped line joins without a space between Japanese characters."""
    out = ""
    for piece in "".join(chars).split("\n"):
        piece = piece.strip()
        if out and piece and not (_JA.match(out[-1]) or _JA.match(piece[0])):
            out += " "
        out += piece
    return out


_JA = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")


# ----------------------------------------------------------------------------- isolation


def _run_isolated(job, memory: int, path: Path) -> list[list[Line]]:
    """Run ``job`` in a forked child whose address space may grow by at most ``memory`` bytes;
    return its pages or raise its UnreadableDocument (named after ``path``)."""
    if not hasattr(os, "fork"):  # no fork (Windows): run in this process, without the ceiling
        return _unwrap(job(), path)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            os.close(read_end)
            _quiet()
            _limit_memory(memory)
            try:
                outcome = job()
            except MemoryError:
                outcome = _too_big()
            payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as incoming:
        payload = incoming.read()
    _, status = os.waitpid(pid, 0)
    if not payload or os.waitstatus_to_exitcode(status) != 0:
        _unwrap(_crashed(), path)  # raises
    return _unwrap(pickle.loads(payload), path)


def _unwrap(outcome, path: Path):
    if isinstance(outcome, UnreadableDocument):
        raise UnreadableDocument(outcome.message, path, ja=outcome.ja)
    return outcome


def _quiet() -> None:
    """The child says nothing on stderr (PDFium warnings, a crash report): the parent reports."""
    import faulthandler

    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _limit_memory(extra: int) -> None:
    import resource

    with open("/proc/self/statm") as statm:
        current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    ceiling = current + extra
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _too_big() -> UnreadableDocument:
    return UnreadableDocument("the PDF needs too much memory to read (its contents inflate beyond the limit): refusing a possible decompression bomb",
                              None, ja="展開後のサイズが大きすぎるため読みません（不正なファイルの可能性があります）")


def _crashed() -> UnreadableDocument:
    return UnreadableDocument("the PDF made the PDF reader fail (damaged, or it needs more memory than the limit allows)", None,
                              ja="PDFが壊れているか大きすぎるため読めません")
