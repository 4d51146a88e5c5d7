"""PDF text extraction on PDFium (pypdfium2), self-contained: it imports nothing of policy-kit,
so that it can run as a small server process (``python pdfium_worker.py``) that forks one child
per PDF with a memory ceiling. A hostile PDF (a content stream that inflates to gigabytes, a crash
in the C library) then costs that child, never the caller; and forking a small process is cheap,
unlike forking a checker that holds the language model.

Protocol on stdin/stdout: a request is an 8-byte big-endian length and a pickle of
(pdf bytes, max_pages, max_text_chars, max_memory); the answer is the same framing around a
pickle of ("pages", pages) or ("error", message, Japanese message). pages are lists of
(text, role, cells) tuples. EOF on stdin ends the server."""
from __future__ import annotations

import os
import pickle
import re
import struct
import sys
from dataclasses import dataclass

DAMAGED_JA = "PDFが壊れていて開けません"
PASSWORD_JA = "パスワードで保護されているため読めません。保護を外したものを提出してください"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _problem(message: str, ja: str) -> tuple:
    return ("error", message, ja)


def clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


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


def extract(data: bytes, max_pages: int, max_text_chars: int) -> tuple:
    """("pages", [[(text, role, cells), …], …]) or ("error", message, Japanese message): values,
    not exceptions, so that they cross the pipe as they are."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == raw.FPDF_ERR_PASSWORD:
            return _problem("the PDF is encrypted with a password needed to open it; save an unprotected copy", PASSWORD_JA)
        if code == raw.FPDF_ERR_SECURITY:
            return _problem("the PDF uses an unsupported security handler; save an unprotected copy", "対応していない方式で保護されているため読めません。保護を外したものを提出してください")
        return _problem("the PDF is damaged and cannot be read", DAMAGED_JA)
    try:
        count = len(document)
        if count == 0:
            return _problem("the PDF has no pages", "PDFにページがありません")
        if count > max_pages:
            return _problem(f"the PDF has {count} pages; the limit is {max_pages} (--max-pages)",
                            f"ページ数（{count}ページ）が上限（{max_pages}ページ）を超えています")
        pages, chars = [], 0
        for index in range(count):
            try:
                lines = _page_lines(document[index])
            except pdfium.PdfiumError:
                return _problem(f"text extraction failed on page {index + 1}", f"{index + 1}ページ目の文字を取り出せません（PDFが壊れています）")
            chars += sum(len(line[0]) for line in lines)
            if chars > max_text_chars:
                return _problem(f"the text is too long (more than {max_text_chars:,} characters)", f"文章が長すぎます（上限 {max_text_chars:,} 字）")
            pages.append(lines)
        return ("pages", pages)
    finally:
        document.close()


def _page_lines(page) -> list[tuple]:
    textpage = page.get_textpage()
    try:
        rulings = _rulings(page)
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        if len(text) == count:  # one character per index: positions and font sizes are known
            text = _join_wrapped_titles(textpage, text, page.get_width())
        if rulings.usable() and len(text) == count:
            return _lines_with_tables(textpage, text, rulings)
        return [(s.text, "", ()) for s in _attach_markers(_segments(textpage, text))]
    finally:
        textpage.close()
        page.close()


# ----------------------------------------------------------------------------- wrapped titles

_TITLE_SIZE = 1.25  # a title's font is at least this much larger than the page's body text
_NO_WRAP_END = ("。", "！", "？", ":", "：")


@dataclass
class _Row:
    """A line of the page's text: where its line break is, its font size and its box."""

    start: int  # index of its first character in the page's text
    end: int  # index of the line break after it (the "\r" of "\r\n"), or len(text)
    text: str
    size: float = 0.0  # the font size, when its first and last characters agree (else 0)
    left: float = 0.0
    right: float = 0.0
    bottom: float = 0.0
    top: float = 0.0


def _join_wrapped_titles(textpage, text: str, page_width: float) -> str:
    """A title (or heading) in a larger font that wraps onto a second line is one line: its line
    break is made NUL characters (dropped later, as ``clean`` drops control characters), so that
    every index stays where it was. 「令和８年度　…学校いじめ防止」 running to the right edge, then 「プログラム（年間計画）」 below it in
    the same large font, reads 「…学校いじめ防止プログラム（年間計画）」. Body text (the most common
    font size on the page) is left as it is: the normaliser rejoins wrapped paragraphs. The text's
    right edge is taken to mirror its left one (a centred title that ends well before it is whole)."""
    rows = _rows(textpage, text)
    body = _body_size(rows)
    if not body:
        return text
    column_right = page_width - min(r.left for r in rows)
    chars = list(text)
    for first, second in zip(rows, rows[1:]):
        if _wraps_into(first, second, body, column_right):
            chars[first.end] = "\x00"
            chars[first.end + 1] = "\x00" if _JA.match(first.text[-1]) or _JA.match(second.text.lstrip()[0]) else " "
    return "".join(chars)


def _rows(textpage, text: str) -> list[_Row]:
    import pypdfium2.raw as raw

    rows: list[_Row] = []
    start = 0
    for piece in text.split("\r\n"):
        stripped = piece.strip()
        if stripped:
            first = start + len(piece) - len(piece.lstrip())
            last = start + len(piece.rstrip()) - 1
            sizes = {round(raw.FPDFText_GetFontSize(textpage.raw, k), 1) for k in (first, last)}
            l1, b1, r1, t1 = textpage.get_charbox(first)
            l2, b2, r2, t2 = textpage.get_charbox(last)
            rows.append(_Row(start, start + len(piece), stripped, sizes.pop() if len(sizes) == 1 else 0.0,
                             min(l1, l2), max(r1, r2), min(b1, b2), max(t1, t2)))
        start += len(piece) + 2
    return rows


def _body_size(rows: list[_Row]) -> float:
    """The font size most of the page's text is set in (by characters)."""
    weight: dict[float, int] = {}
    for row in rows:
        if row.size:
            weight[row.size] = weight.get(row.size, 0) + len(row.text)
    return max(weight, key=weight.get) if weight else 0.0


def _wraps_into(first: _Row, second: _Row, body: float, column_right: float) -> bool:
    """``first``, in a title's font, runs to the right edge of the text and ``second`` goes on
    right below it in the same font: one title wrapped."""
    if not first.size or first.size != second.size or first.size < body * _TITLE_SIZE or second.start != first.end + 2:
        return False
    height = first.top - first.bottom
    if height <= 0 or first.text.endswith(_NO_WRAP_END):
        return False
    below = 0 <= first.bottom - second.top <= height * 1.2
    return below and first.right >= column_right - 2 * height and second.left >= first.left - height


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
    import bisect

    positions = sorted(rules)
    if up:
        candidates = positions[bisect.bisect_right(positions, at):]
    else:
        candidates = reversed(positions[:bisect.bisect_left(positions, at)])
    for position in candidates:
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


def _lines_with_tables(textpage, text: str, rulings: _Rulings) -> list[tuple]:
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
    lines: list[tuple] = []
    for piece in out:
        if isinstance(piece, tuple):
            lines.extend((s.text, "", ()) for s in _attach_markers(segments))
            segments = []
            cells = _row_cells(rows[piece], rulings)
            if sum(1 for c in cells if c) == 1 and len(cells) == 1:
                lines.append((cells[0], "", ()))  # a boxed heading or note is one cell, not a table
            elif any(cells):
                lines.append(("　".join(c for c in cells if c), "table_row", tuple(cells)))
        else:
            segments.extend(_Segment(clean(t).rstrip()) for t in piece.split("\n"))
    lines.extend((s.text, "", ()) for s in _attach_markers(segments))
    return [line for line in lines if line[0] or line[1] == ""]


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
    for piece in clean("".join(chars)).split("\n"):
        piece = piece.strip()
        if out and piece and not (_JA.match(out[-1]) or _JA.match(piece[0])):
            out += " "
        out += piece
    return out


_JA = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")



# ----------------------------------------------------------------------------- isolation


def extract_isolated(data: bytes, max_pages: int, max_text_chars: int, max_memory: int) -> tuple:
    """``extract`` in a forked child whose address space may grow by at most ``max_memory`` bytes."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            os.close(read_end)
            die_with_parent()
            _quiet()
            _limit_memory(max_memory)
            try:
                outcome = extract(data, max_pages, max_text_chars)
            except MemoryError:
                outcome = too_big()
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
        return crashed()
    return pickle.loads(payload)


def too_big() -> tuple:
    return _problem("the PDF needs too much memory to read (its contents inflate beyond the limit): refusing a possible decompression bomb",
                    "展開後のサイズが大きすぎるため読みません（不正なファイルの可能性があります）")


def crashed() -> tuple:
    return _problem("the PDF made the PDF reader fail (damaged, or it needs more memory than the limit allows)",
                    "PDFが壊れているか大きすぎるため読めません")


def _quiet() -> None:
    """The child says nothing on stderr (PDFium warnings, a crash report): the caller reports."""
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


def send(stream, obj) -> None:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">Q", len(payload)) + payload)
    stream.flush()


def receive(stream):
    """One framed pickle from the stream, or None at its end."""
    head = stream.read(8)
    if len(head) < 8:
        return None
    (size,) = struct.unpack(">Q", head)
    payload = stream.read(size)
    return None if len(payload) < size else pickle.loads(payload)


def die_with_parent() -> None:
    """This process gets SIGTERM when its parent dies (Linux PR_SET_PDEATHSIG), so that a killed
    checker never leaves a PDF reader running."""
    import signal

    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the server still ends when its input closes


def serve() -> None:
    """The server loop: one forked child per request, until stdin closes."""
    import signal

    import pypdfium2  # noqa: F401  (imported once here, so that each child starts with it)

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the command that started us: it stops us
    die_with_parent()

    incoming, outgoing = sys.stdin.buffer, sys.stdout.buffer
    while (request := receive(incoming)) is not None:
        send(outgoing, extract_isolated(*request))


if __name__ == "__main__":
    serve()
