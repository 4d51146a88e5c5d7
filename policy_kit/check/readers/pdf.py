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
from ..document import Document, Limits, Line
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
            return UnreadableDocument("the PDF is protected by an open password; save an unprotected copy", None, ja=PASSWORD_JA)
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
        segments = _segments(textpage)
    finally:
        textpage.close()
        page.close()
    return [Line(s.text) for s in _attach_markers(segments)]


def _segments(textpage) -> list[_Segment]:
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
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
            host.text = marker.text.strip() + " " + host.text.lstrip()
            consumed.add(id(marker))
    return [s for s in segments if id(s) not in consumed]


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
