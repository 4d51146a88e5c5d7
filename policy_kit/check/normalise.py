"""Normalise a document's lines into positioned sentences, headings, list items and table rows.

Small stages, each with one job (in the order they run):

1. ``_prepare``        NFKC (full-width ASCII, Kangxi radicals ⼀ → 一); spaces between Japanese
                       characters removed (基 本 的 な); spaced letters rejoined (P D C A); running
                       headers/footers and page numbers dropped.
2. ``_split_run_ons``  a whole document on one line: broken before inline heading numbers.
3. ``_join_numbers``   a heading number or list marker alone on its line joined to the next line.
4. ``_blocks``         lines → blocks: headings (by their numbering), list items, table rows and
                       paragraphs (hard-wrapped lines rejoined; a text with a blank line after every
                       wrapped line is recognised and its blank lines are not paragraph breaks).
5. ``_assign_levels``  heading levels from the order numbering schemes appear in (第1 > 1 > (1) > ①
                       > ア in one document, ■ > ・ in another), or from the format (Word, HTML, #).
6. ``_demote_lists``   numbered short lines with nothing under them, beside siblings alike, are a
                       list (◇校長 ◇教頭 …), not headings — unless they are the document's own
                       sections left empty (１…７ empty, then ８ and its text).
7. ``_sentences``      paragraphs split at 。！？ — not inside 「」（） — and long runs cut.

Every sentence keeps its file, page and line. Sections (structure.py) are built on top."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .document import HEADING, LIST_ITEM, PARAGRAPH, TABLE_ROW, Document

_JA = r"\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\u2460-\u24ff\u25a0-\u25ff"
_SPACE_BETWEEN_JA = re.compile(rf"(?<=[{_JA}0-9])[ \t\u00a0]+(?=[{_JA}])|(?<=[{_JA}])[ \t\u00a0]+(?=[{_JA}0-9])")
_SPACED_LETTERS = re.compile(r"(?<![A-Za-z])((?:[A-Za-z] ){2,}[A-Za-z])(?![A-Za-z])")
_COMMENT = re.compile(r"<!--.*?-->")
_KANJI_NUM = "一二三四五六七八九十"
MAX_SENTENCE = 400
MAX_HEADING = 45

_PARAGRAPH_END = ("。", "！", "？", "!", "?", ":", "：", "」", "）", ")", "】", "』")
BODY, LIST, TABLE, TABLE_HEAD = "body", "list_item", "table_row", "table_header"

# Numbering schemes a heading or list item can start with; the name is what levels are built from.
SCHEMES: list[tuple[str, re.Pattern]] = [
    ("md", re.compile(r"^#{1,6}\s*")),
    ("chapter", re.compile(rf"^第[0-9{_KANJI_NUM}]+[章部編]\s*")),
    ("section", re.compile(rf"^第[0-9{_KANJI_NUM}]+節\s*")),
    ("article", re.compile(rf"^第[0-9{_KANJI_NUM}]+条(?:\s+|$)")),  # a private school's rules: 「第3条 いじめ防止委員会」
    ("dai", re.compile(rf"^第[0-9{_KANJI_NUM}]+(?![0-9{_KANJI_NUM}章節部編条項号回年月日週学次期])[\s.、]*")),
    ("roman", re.compile(r"^[IVX]{1,4}(?:[.、]|\s)\s*")),
    ("kanji", re.compile(rf"^[{_KANJI_NUM}]{{1,3}}[、.]\s*")),
    ("num-num", re.compile(r"^[0-9]{1,2}[-.][0-9]{1,2}(?:[.、]|\s)\s*")),
    ("num", re.compile(r"^[0-9]{1,2}(?:[.、]|\s)(?![0-9])(?!\s*(?:月|日|年(?!間)|時|回|人|学期|学年(?!主任|会|だより)|か月|ヶ月|カ月|週|名|件|%|割|つ|校(?!長)|分))\s*")),
    ("paren-num", re.compile(r"^[(][0-9]{1,2}[)]\s*")),
    ("half-paren-num", re.compile(r"^[0-9]{1,2}[)]\s*")),
    ("circled", re.compile(r"^[①-⑳]\s*")),
    ("paren-kata", re.compile(r"^[(][ア-ン][)]\s*")),
    ("kata", re.compile(r"^[ア-ン](?:[.、)]|\s)\s*")),
    ("paren-alpha", re.compile(r"^[(][a-z][)]\s*")),
    ("alpha", re.compile(r"^[a-z][.)]\s*")),
    ("bracket", re.compile(r"^【[^】]{1,30}】")),
    ("square", re.compile(r"^[■□▪]\s*")),
    ("diamond", re.compile(r"^[◆◇]\s*")),
    ("circle", re.compile(r"^[●○◎◯]\s*")),
    ("arrow", re.compile(r"^[▼▶►]\s*")),
    ("appendix", re.compile(r"^[(【]?(別紙|別表|資料|付録)[0-9]*[)】]?\s*")),
]
_BULLET = re.compile(r"^([・･\-–—*+•]\s*)")
_MONTH = r"(1[0-2]|[1-9])月"
_MONTH_ROW = re.compile(rf"^{_MONTH}(?:[\s|]|$)")
_BARE_NUMBER = re.compile(rf"(第[0-9{_KANJI_NUM}]+[章節部編]?|[0-9]{{1,2}}[.、]?|[(][0-9]{{1,2}}[)]|[0-9]{{1,2}}[)]|[①-⑳]|[(][ア-ン][)]|[ア-ン][.、)]|[(][a-z][)]|[IVX]{{1,4}}[.]?)")
_BARE_BULLET = re.compile(r"[・•●○◆◇■□▪◎◯-]")
_DASHES = "-–—―‐−ー"
# a rule line; a lone ― is a table's empty cell (「８月　―　―　事例研修」 flattened), three or more a rule
_RULE = re.compile(rf"[-–—ー=_\s|・•]+|[{_DASHES}\s]{{3,}}")
_PAGE_NUMBER = re.compile(rf"[{_DASHES}\s]+[0-9]+[{_DASHES}\s]+|(?:p\.?|P\.?)\s*[0-9]+|[0-9]+ページ|[0-9]+\s*/\s*[0-9]+|[0-9]+")
_RUN_ON_BREAK = re.compile(
    rf"(?:(?<=[。」）)])\s*|\s{{2,}}|(?<=[{_JA}])\s)(?=(?:第[0-9{_KANJI_NUM}]+[章節]?\s|[0-9]{{1,2}}\s(?=[{_JA}])|[(][0-9]{{1,2}}[)]|[①-⑳]|【|■|◆))")
# 「(1) 名称 法第22条に基づき…。」: a numbered title of a few words, a space, then a sentence
_TITLE_THEN_BODY = re.compile(r"^(\S{1,6}\s*[^\s、。「」()（）#]{2,20})\s+(\S.{12,}。)$")  # no bracket in the title: 「(月～金　15:30」 is one text
_OPEN, _CLOSE = "「『（(［[〔", "」』）)］]〕"
# how a sentence ends (a verb or adjective form): numbered lines ending so are items, not titles
_STATEMENT_END = re.compile(r"(いる|ている|ない|ず|する|される|させる|れる|った|した|こと|もの|ます|です|である|いく|おく)[)）]?$")
# a table-of-contents line: a title, leader dots, a page number (目次 is navigation, not content)
_TOC_LINE = re.compile(r".{2,60}?(?:[.…・‥·_]{3,}|[ ]{3,})\s*[0-9]{1,3}$")


@dataclass
class Sentence:
    """A sentence (or heading, list item, table row) with its position in its document."""

    doc: int
    path: str
    page: int
    line: int
    text: str
    heading: str = ""  # the headings above it, outermost first, joined by " > "
    is_heading: bool = False
    level: int = 0  # heading level (1 = outermost); 0 for body text
    explicit: bool = False  # a heading the format marked (Markdown #, HTML h1–h6, Word heading style)
    role: str = BODY  # "heading", "body", "list_item", "table_row"
    section: int = -1  # index of the innermost section it belongs to (structure.build_sections)
    lemmas: str = ""  # filled by analyse: dictionary forms, joined
    norms: str = ""  # filled by analyse: Sudachi normalised forms, joined
    lower: str = field(default="", repr=False)


@dataclass
class _Line:
    page: int
    number: int
    text: str  # NFKC, squeezed
    spaced: str  # NFKC only (spacing kept: tells a heading from a wrapped body line)
    role: str = ""
    level: int = 0
    cells: tuple[str, ...] = ()
    blank: bool = False
    raw: str = ""  # the line as read (full-width spaces kept: they separate table cells)


@dataclass
class _Block:
    kind: str  # "heading", "body", "list_item", "table_row"
    pieces: list[tuple[int, int, str]]  # (page, line, text)
    scheme: str = ""
    level: int = 0
    explicit: bool = False

    @property
    def text(self) -> str:
        out = ""
        for _, _, piece in self.pieces:
            out += piece if not out or _joins_without_space(out[-1], piece[0]) else " " + piece
        return out


def normalise_line(line: str) -> str:
    return _squeeze(_nfkc(line))


def _nfkc(line: str) -> str:
    """NFKC — except circled numbers: ① is a list marker, and NFKC would make it the digit 1
    (「①　登校をしぶる」 would read as 「1登校をしぶる」, no longer a list item)."""
    parts = _CIRCLED.split(line)
    return _COMMENT.sub("", "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(parts))).strip()


_CIRCLED = re.compile(r"([①-⑳])")


def _squeeze(line: str) -> str:
    line = _SPACE_BETWEEN_JA.sub("", line)
    line = _SPACED_LETTERS.sub(lambda m: m.group(1).replace(" ", ""), line)
    return re.sub(r"[ \t\u00a0]{2,}", " ", line).strip()


def scheme_of(text: str) -> tuple[str, str]:
    """(scheme name, the number/marker as written) of a line's leading numbering, or ("", "")."""
    for name, pattern in SCHEMES:
        m = pattern.match(text)
        if m:
            return name, m.group(0)
    return "", ""


def is_heading(line: str) -> bool:
    """Whether a line, taken alone, looks like a heading: numbered or marked, short, no 。."""
    if not line or len(line) > MAX_HEADING or line.endswith(("。", "、", "，", ",")):
        return False
    if line.startswith("#"):
        return True
    scheme, marker = scheme_of(line)
    if not scheme or "。" in line:
        return False
    rest = line[len(marker):].strip()
    if len(rest) > 12 and _STATEMENT_END.search(rest):
        return False  # 「(1) 行為が止んでいる状態が続いている」: a numbered statement, not a title
    if scheme == "circled" and len(rest) > 24 and "、" in rest:
        return False  # 「①被害生徒が心身の苦痛を感じていないことを、…」: an item, not a title
    return bool(rest) or scheme in ("bracket", "appendix")


def heading_level(line: str) -> int:
    """A fixed level by numbering (used where no document context is available)."""
    scheme, _ = scheme_of(line)
    if scheme == "md":
        return len(line) - len(line.lstrip("#"))
    return {"chapter": 1, "dai": 1, "section": 2, "roman": 1, "num": 2, "kanji": 2, "num-num": 3, "paren-num": 3}.get(scheme, 4)


def split_sentences(document: Document, doc_index: int) -> list[Sentence]:
    """Turn a document's pages of lines into positioned sentences."""
    lines = _prepare(document)
    lines = _split_run_ons(lines)
    lines = _join_numbers(lines)
    lines = _month_tables(lines)
    blocks = _blocks(lines, document.kind)
    _assign_levels(blocks)
    _demote_lists(blocks)
    sentences = _sentences(blocks, document, doc_index)
    for s in sentences:
        s.lower = s.text.lower()
    return sentences


# --------------------------------------------------------------------------- 1. prepare


def _prepare(document: Document) -> list[_Line]:
    repeated = _running_lines(document)
    out: list[_Line] = []
    contents: set[int] = set()  # indices (in out) of table-of-contents lines
    for page_no, page in enumerate(document.pages, start=1):
        filled = [i for i, item in enumerate(page) if item.text.strip()]
        edges = set(filled[:2] + filled[-2:]) | _page_number_series(page)
        for line_no, item in enumerate(page, start=1):
            spaced = _nfkc(item.text)
            text = _squeeze(spaced)
            cells = tuple(_squeeze(_nfkc(c)) for c in item.cells)
            # a bare number is a page number at the top or bottom of a page, a heading number elsewhere
            page_number = bool(_PAGE_NUMBER.fullmatch(text)) and (line_no - 1 in edges or not text.isdigit())
            toc = not item.role and bool(_TOC_LINE.fullmatch(spaced) or _TOC_LINE.fullmatch(text))
            blank = not text or bool(_RULE.fullmatch(text)) or page_number or toc or text in repeated
            if toc:
                contents.add(len(out))
            out.append(_Line(page_no, line_no, text, spaced, item.role, item.level, cells, blank, item.text.strip()))
    # 「目次」 over a contents list that is dropped: no heading over the whole policy
    for i, line in enumerate(out):
        if line.text in ("目次", "もくじ", "目録") and not line.role:
            following = next((j for j in range(i + 1, len(out)) if out[j].text), None)
            line.blank = line.blank or following in contents
    return out


def _page_number_series(page: list) -> set[int]:
    """In text that lost its page breaks, the bare numbers 1, 2, 3 … standing at even distances (the
    bottom of each printed page) are page numbers, not heading numbers: the lines that hold them."""
    if len(page) < 60 or page[0].role:
        return set()
    bare = [(i, int(_squeeze(_nfkc(item.text)))) for i, item in enumerate(page) if re.fullmatch(r"\s*[0-9０-９]{1,2}\s*", item.text)]
    numbers = [n for _, n in bare]
    if len(bare) < 3 or numbers != list(range(numbers[0], numbers[0] + len(numbers))) or numbers[0] > 2:
        return set()
    gaps = [b[0] - a[0] for a, b in zip(bare, bare[1:])]
    middle = sorted(gaps)[len(gaps) // 2]
    # a page holds at least 30 lines, and the numbers (at the foot of each page) stand about a page apart;
    # the last page may be shorter, but not a line or two (「2」 then the heading number 「3」)
    if middle < 30 or any(abs(g - middle) > middle * 0.15 for g in gaps[:-1]) or not middle * 0.3 <= gaps[-1] <= middle * 1.15:
        return set()
    return {i for i, _ in bare}


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


# --------------------------------------------------------------------------- 2. run-on lines


def _split_run_ons(lines: list[_Line]) -> list[_Line]:
    """A very long line (a document extracted onto one line) is broken before inline heading
    numbers; a numbered short title followed by its text on the same line (「(1) 名称　法第22条に…」)
    becomes a heading line and a body line."""
    out: list[_Line] = []
    for line in lines:
        if line.role or line.blank:
            out.append(line)
            continue
        parts = [line.spaced]
        if len(line.text) >= 200:
            parts = [p for p in _RUN_ON_BREAK.split(line.spaced) if p.strip()]
        for part in parts:
            for piece in _title_and_body(part):
                out.append(_Line(line.page, line.number, _squeeze(piece), piece, raw=line.raw if piece == line.spaced else ""))
    return out


def _title_and_body(spaced: str) -> list[str]:
    if spaced.count(" ") > len(spaced) * 0.25:  # spaced-out text (基 本 的 な): spaces carry no structure
        return [spaced]
    m = _TITLE_THEN_BODY.match(spaced)
    if not m or scheme_of(spaced)[0] in ("", "md"):
        return [spaced]
    return [m.group(1).strip(), m.group(2).strip()]


# --------------------------------------------------------------------------- 3. bare numbers


def _join_numbers(lines: list[_Line]) -> list[_Line]:
    """「２」 or 「①」 alone on a line, then the title: one line 「２ いじめの定義」."""
    out: list[_Line] = []
    pending: _Line | None = None
    for line in lines:
        if line.blank:
            if pending is None:
                out.append(line)
            continue  # a blank between a bare number and its title is layout, not a break
        if pending is not None:
            joined = f"{pending.text} {line.text}"
            out.append(_Line(pending.page, pending.number, joined, f"{pending.spaced} {line.spaced}", line.role, line.level, line.cells,
                             raw=f"{pending.raw} {line.raw}"))
            pending = None
            continue
        if line.role in ("", PARAGRAPH) and (_BARE_NUMBER.fullmatch(line.text) or _BARE_BULLET.fullmatch(line.text)):
            pending = line
            continue
        out.append(line)
    if pending is not None:
        out.append(pending)
    return out


# --------------------------------------------------------------------------- 4. blocks


_MONTH_CELL = re.compile(r"(1[0-2]|[1-9])月")
_HEAD_LINE = "table_header"  # a line's role inside this module: the column names of a rebuilt table


def _month_tables(lines: list[_Line]) -> list[_Line]:
    """A month-by-month programme whose table was flattened to one cell per line (「月」「未然防止の取組」
    …「4月」「学級開き」「家庭訪問」…「5月」…): one table row per month, the lines before the first
    month (from the 「月」 column name on) as the header row. At least three months in order, each
    followed by a few short cells; anything else is left as it is."""
    text_at = [i for i, line in enumerate(lines) if not line.blank]
    months = [k for k, i in enumerate(text_at) if lines[i].role in ("", PARAGRAPH) and _MONTH_CELL.fullmatch(lines[i].text)]
    replace: dict[int, _Line] = {}  # index of a rebuilt row's first line → the row
    dropped: set[int] = set()
    k = 0
    while k < len(months):
        run = [months[k]]
        while k + 1 < len(months) and _next_month(lines[text_at[months[k]]].text, lines[text_at[months[k + 1]]].text) \
                and 1 <= months[k + 1] - months[k] - 1 <= 15 and _cells_between(lines, text_at, months[k], months[k + 1]):
            run.append(months[k + 1])
            k += 1
        k += 1
        if len(run) < 3:
            continue
        per_month = max(months_b - months_a - 1 for months_a, months_b in zip(run, run[1:]))
        end = run[-1] + 1  # the last month's cells: short lines, no more than the widest month above
        while end < len(text_at) and end - run[-1] - 1 < per_month and _is_cell(lines[text_at[end]]):
            end += 1
        head = run[0]
        while head > 0 and run[0] - head < 10 and _is_cell(lines[text_at[head - 1]]) and lines[text_at[head]].text != "月":
            head -= 1
        if lines[text_at[head]].text == "月" and head < run[0]:
            _rebuild(lines, text_at[head:run[0]], replace, dropped, _HEAD_LINE)
        for a, b in zip(run, [*run[1:], end]):
            _rebuild(lines, text_at[a:b], replace, dropped, TABLE_ROW)
    if not replace:
        return lines
    return [replace.get(i, line) for i, line in enumerate(lines) if i not in dropped or i in replace]


def _next_month(a: str, b: str) -> bool:
    """``b`` follows ``a`` in the school year (April to March), a few months on at most."""
    step = (int(b[:-1]) - 4) % 12 - (int(a[:-1]) - 4) % 12
    return 1 <= step <= 3


def _is_cell(line: _Line) -> bool:
    return line.role in ("", PARAGRAPH) and len(line.text) <= 60 and "。" not in line.text and not _MONTH_CELL.fullmatch(line.text) \
        and not dict(SCHEMES)["chapter"].match(line.text)


def _cells_between(lines: list[_Line], text_at: list[int], a: int, b: int) -> bool:
    return all(_is_cell(lines[text_at[j]]) for j in range(a + 1, b))


def _rebuild(lines: list[_Line], indices: list[int], replace: dict[int, _Line], dropped: set[int], role: str) -> None:
    first = lines[indices[0]]
    cells = tuple(lines[i].text for i in indices)
    replace[indices[0]] = _Line(first.page, first.number, " ".join(cells), " ".join(cells), role, 0, cells, False, " ".join(cells))
    dropped.update(range(indices[0], indices[-1] + 1))


def _blocks(lines: list[_Line], kind: str) -> list[_Block]:
    whole_lines = kind in ("html", "docx")  # lines are whole paragraphs there; PDF and text are wrapped
    full = _full_line_length(lines, paragraphs=whole_lines)
    soft_blanks = _double_spaced(lines)
    pairs = _label_value_rows(lines)
    blocks: list[_Block] = []
    para: list[tuple[int, int, str]] = []
    marker = ""  # 「ア　遅刻…」 opened the paragraph (squeezed to 「ア遅刻…」, its mark no longer shows)

    def flush() -> None:
        if para:
            blocks.append(_Block(BODY, list(para), marker))
            para.clear()

    for index, line in enumerate(lines):
        if line.blank:
            # a blank line ends a paragraph — unless the paragraph stops mid-sentence (PDF layout)
            if not soft_blanks and not (para and len(para[-1][2]) >= 20 and not para[-1][2].endswith(_PARAGRAPH_END)):
                flush()
            continue
        pos = (line.page, line.number)
        if line.role == _HEAD_LINE:
            flush()
            blocks.append(_Block(TABLE_HEAD, [(*pos, line.text)]))
            continue
        if line.role == HEADING:
            flush()
            blocks.append(_Block("heading", [(*pos, line.text.lstrip("#").strip())], "explicit", line.level, True))
            continue
        if not para and _before_title(blocks) and _title_line(lines, index):
            blocks.append(_Block("heading", [(*pos, line.text)], "title"))  # the document's title, as a page's <h1>
            continue
        columns = (_columns(line) or pairs.get(index, ())) if not line.role else ()
        if line.role == TABLE_ROW or columns or (not line.role and (line.text.startswith("|") or line.text.count("|") >= 2)):
            flush()
            cells = line.cells or columns or tuple(c.strip() for c in line.text.strip("|").split("|") if c.strip())
            if cells and all(re.fullmatch(r"[-: ]+", c) for c in cells):
                if blocks and blocks[-1].kind == TABLE:  # the row above a |---| rule is the header row
                    blocks[-1].kind = TABLE_HEAD
            elif cells:
                blocks.append(_Block(TABLE, [(*pos, " ".join(c for c in cells if c))]))
            continue
        if line.role == LIST_ITEM:
            flush()
            blocks.append(_Block(LIST, [(*pos, line.text)], scheme_of(line.text)[0]))
            continue
        if not line.role and _programme_row(line):
            flush()  # 「４月　方針の確認・生徒手帳配布」: a programme's row, its cells one space apart
            blocks.append(_Block(TABLE, [(*pos, " ".join(line.spaced.split()))]))
            continue
        wrapped = bool(full) and len(line.text) >= full * 0.9  # a wrapped body line, not a heading
        wrapped = wrapped or _wrapped_item(lines, index, full)
        if line.text.startswith("#") or (not wrapped and (is_heading(line.spaced) or is_heading(line.text))):
            flush()
            if line.text.startswith("#"):
                level = len(line.text) - len(line.text.lstrip("#"))
                text = line.text.lstrip("#").strip()
                if text:
                    blocks.append(_Block("heading", [(*pos, text)], "explicit", level, True))
                continue
            blocks.append(_Block("heading", [(*pos, line.text)], _scheme(line)))
            continue
        if not soft_blanks and not para and _untitled_heading(lines, index):
            blocks.append(_Block("heading", [(*pos, line.text)], "plain"))
            continue
        starts_item = bool(_BULLET.match(line.text) or _MONTH_ROW.match(line.spaced) or _scheme(line))
        if starts_item or (para and para[-1][2].endswith(("。", "！", "？", ":", "："))):
            flush()
        if not para:  # ア・イ marks items (a number before a sentence stays a numbered paragraph)
            marker = "kata" if _scheme(line) == "kata" else ""
        para.append((*pos, line.text))
        if whole_lines:
            # a paragraph per line of a PDF pasted into Word (or a page): one that stops mid-sentence
            # goes on in the next (「…少なくとも３か月」 then 「止んでいること」)
            if (len(line.text) < 20 or line.text.endswith(_PARAGRAPH_END)) and not _goes_on(lines, index):
                flush()
        elif full and len(line.text) < full * 0.7 and not line.text.endswith(("、", ",", "・")):
            flush()  # a visibly short line ends its paragraph (wrapped lines run to the margin)
        elif not full and line.text.endswith(("。", "！", "？")):
            flush()
    flush()
    for block, nxt in zip(blocks, blocks[1:]):  # 「月 未然防止の取組 …」 above 「4月 …」: the programme's header row
        if block.kind == TABLE and nxt.kind == TABLE and re.match(r"月(\s|$)", block.text) and _MONTH_ROW.match(nxt.text):
            block.kind = TABLE_HEAD
    for block in blocks:  # a paragraph that starts with a list marker is a list item
        if block.kind == BODY and (_BULLET.match(block.text) or scheme_of(block.text)[0] or block.scheme):
            block.kind, block.scheme = LIST, scheme_of(block.text)[0] or block.scheme or "bullet"
    return blocks


def _goes_on(lines: list[_Line], index: int) -> bool:
    """The next paragraph opens with a particle (「に目を向け…」「を行う。」): the sentence goes on from
    this one (a PDF pasted into a page, cut after 「（…など）」) — no paragraph starts so."""
    k = index + 1
    while k < len(lines) and lines[k].blank:
        k += 1
    nxt = lines[k] if k < len(lines) else None
    return nxt is not None and nxt.role in ("", PARAGRAPH) and bool(re.match(r"[にをがはでとへのもや][^\s]", nxt.text)) \
        and len(lines[index].text) >= 20 and not lines[index].text.endswith(("。", "！", "？", "!", "?"))


def _programme_row(line: _Line) -> bool:
    """「４月　方針の確認（職員会議）・生徒手帳配布」 or the column names 「月　主な取組」: a row of a
    programme whose cells are one space apart — not a sentence (「４月に学級開きを行う。」)."""
    return bool(_PROGRAMME_ROW.match(line.spaced)) and not line.text.endswith("。") and len(line.text) <= 80


_PROGRAMME_ROW = re.compile(rf"({_MONTH}|月)\s+\S")


def _wrapped_item(lines: list[_Line], i: int, full: int) -> bool:
    """A numbered line that goes on in the next: 「(1)本方針はホームページに掲載するとともに、懇談会で保護者」
    then 「に説明する。」 — a numbered paragraph wrapped (near the margin, or its tail short), not a heading."""
    line = lines[i]
    if not _scheme(line):
        return False
    after = _next_filled(lines, i)
    if after is None or after.role not in ("", PARAGRAPH) or _scheme(after) or _BULLET.match(after.text):
        return False
    body = line.text[len(scheme_of(line.text)[1]):]
    if body.count("(") > body.count(")") or body.count("「") > body.count("」"):
        return True  # 「3. カウンセラー室は平日の放課後(月~金」 then 「15:30~18:00)に開室し…」: cut inside brackets
    if len(line.text) < 24:
        return False
    if len(line.text) >= 30 and not line.text.endswith(_PARAGRAPH_END) and not _TITLE_END.search(line.text) \
            and re.match(r"[ぁ-ゖ]", after.text) and not _SENTENCE_START.match(after.text):
        return True  # 「…疑いがあると認」 then 「めるとき」: a word cut at the line's end
    if "、" not in line.text or not (after.text.endswith(_PARAGRAPH_END[:3]) or "。" in after.text):
        return False
    # near the margin, or followed by no more than the end of its sentence (「に説明する。」, 「直す。」)
    return (bool(full) and len(line.text) >= full * 0.75) or (len(after.text) <= 8 and not re.search(r"[はが]", after.text))


# how a title ends (「…についての方針」「…の充実」) and how a sentence starts (「すべての児童が」): not a cut word
_TITLE_END = re.compile(r"(について|として|のために|ための|の充実|の推進|づくり|の取組|の在り方|の方針|[)）」】])$")
_SENTENCE_START = re.compile(r"(すべて|どの|だれ|誰|いじめ|この|その|これ|それ|また|なお|ただし|あらゆる|ひとり|一人)")


def _columns(line: _Line) -> tuple[str, ...]:
    """A line of a table whose cells were extracted with wide gaps between them (「4月　学級開き　家庭訪問」):
    its cells, or () for ordinary text. Tabs separate cells too. Spaced-out words (い じ め) have one-character pieces."""
    pieces = _gap_pieces(line.raw)
    if len(pieces) < 3 or sum(len(p.strip()) >= 2 for p in pieces) < len(pieces) * 0.7 or "。" in line.raw or _word_spaced(pieces):
        return ()
    return tuple(_squeeze(_nfkc(p)) for p in pieces)


def _gap_pieces(raw: str) -> list[str]:
    """A line cut at its wide gaps (tabs, full-width spaces, two spaces or more): a table's cells."""
    return [p for p in re.split(r"\t+|\u3000+|\s{2,}", raw) if p.strip()]


def _word_spaced(pieces: list[str]) -> bool:
    """Words set apart for young readers (分かち書き: 「おなじ　がっこうの　ともだちなどから」): most pieces
    end in a particle or a verb's kana, or the line carries 、 — a sentence, not a table's cells."""
    kana_end = sum(bool(re.search(r"[ぁ-ゖー]$", p.strip())) for p in pieces)
    return kana_end >= len(pieces) * 0.6 or any(re.search(r"、[ぁ-ゖ]", p) for p in pieces[:-1])


def _label_value_rows(lines: list[_Line]) -> dict[int, tuple[str, str]]:
    """Rows of a two-column table extracted with a wide gap between label and value (「管理職　校長、教頭」
    「学部　小学部主事、中学部主事」): three or more such lines in a row (blank lines between them
    aside). A numbered line (「①　登校をしぶる」「１　基本方針」) is no row."""
    cells: dict[int, tuple[str, str]] = {}
    for i, line in enumerate(lines):
        if line.blank or line.role:
            continue
        pieces = [p.strip() for p in _gap_pieces(line.raw)]
        if len(pieces) != 2:
            continue
        short = len(pieces[0]) < 2 and not re.fullmatch(r"[\u4e00-\u9fff]", pieces[0])  # 「体」「心」 may head a row
        if len(pieces[0]) > 12 or "。" in pieces[0] or short or re.search(r"[ぁ-ゖ]$", pieces[0]):
            continue
        label = _squeeze(_nfkc(pieces[0]))
        if scheme_of(label)[0] or _BULLET.match(label) or _MONTH_ROW.match(label):
            continue
        if pieces[1].endswith("。"):
            continue  # 「目的　この方針は…定める。」: a titled sentence, not a table's cell
        cells[i] = (label, _squeeze(_nfkc(pieces[1])))
    rows: dict[int, tuple[str, str]] = {}
    run: list[int] = []
    for i, line in enumerate([*lines, _Line(0, 0, "end", "end")]):
        if i < len(lines) and line.blank:
            continue
        if i in cells:
            run.append(i)
            continue
        if len(run) >= 3:
            rows.update({k: cells[k] for k in run})
        run = []
    return rows


_DATE_LINE = re.compile(r"(令和|平成|昭和|R|H)?\s*[0-9元]{1,4}\s*年度?\s*([0-9]{1,2}\s*月)?\s*([0-9]{1,2}\s*日)?\s*"
                        r"(一部)?(改訂|改定|策定|作成|施行|見直し|更新)?(版)?")


def _before_title(blocks: list[_Block]) -> bool:
    """Nothing yet, or one short line (the school's or its corporation's name) above the title."""
    return not blocks or (len(blocks) == 1 and blocks[0].kind == BODY and len(blocks[0].text) <= 25)


def _titling(line: _Line, shortest: int, longest: int) -> bool:
    """A line that could title what follows: not a sentence (。、), not numbered, not a bullet or a
    programme's month, not closed by a bracket or a colon."""
    return (shortest <= len(line.text) <= longest and not re.search(r"[。、，,]", line.text) and not _scheme(line)
            and not _BULLET.match(line.text) and not _MONTH_ROW.match(line.spaced) and not line.text.endswith(_PARAGRAPH_END[:5]))


def _title_line(lines: list[_Line], i: int) -> bool:
    """A document's title: its first line (or the one after a short school-name line, see
    ``_before_title``), standing alone and naming the document: 「令和８年度　ときわ小学校
    いじめ防止プログラム（年間計画）」 above the rest — not a sentence, a number or a table row."""
    line = lines[i]
    if line.role not in ("", PARAGRAPH) or not _titling(line, 4, MAX_HEADING):
        return False
    if not re.search(r"方針|計画|プログラム|いじめ|について|のお知らせ|へ$", line.text):
        return False  # a school's name or a date line is no title
    following = [l for l in lines[i + 1:] if not l.blank]
    return len(following) >= 5 and (i + 1 >= len(lines) or lines[i + 1].blank or len(following[0].text) < len(line.text) * 2)


def _next_filled(lines: list[_Line], i: int) -> _Line | None:
    """The first line after ``i`` that is not blank (without copying the rest of the document)."""
    return next((lines[k] for k in range(i + 1, len(lines)) if not lines[k].blank), None)


def _untitled_heading(lines: list[_Line], i: int) -> bool:
    """A short line without numbering that stands alone before its text: 「保護者の皆様へ」 then a
    paragraph, 「教職員用チェックシート」 then a list. Not a table cell (cells follow each other)."""
    line = lines[i]
    if line.role or not _titling(line, 2, 25):
        return False
    if _DATE_LINE.fullmatch(line.text):
        return False  # 「令和７年４月改訂」 dates the document, it titles nothing
    before = next((lines[k] for k in range(i - 1, -1, -1) if not lines[k].blank), None)
    after = _next_filled(lines, i)
    if after is None or (before is not None and not (lines[i - 1].blank or before.text.endswith(_PARAGRAPH_END))):
        return False
    # what follows is text or a list, not another short cell
    return len(after.text) > len(line.text) + 8 or bool(_BULLET.match(after.text) or _scheme(after))


def _scheme(line: _Line) -> str:
    return scheme_of(line.spaced)[0] or scheme_of(line.text)[0]


def _full_line_length(lines: list[_Line], paragraphs: bool = False) -> int:
    """The length of a line that runs to the right margin (for hard-wrapped PDF text), else 0. With
    ``paragraphs`` the paragraphs of a page or a Word file count too: a PDF pasted line by line
    makes one paragraph of each wrapped line, nearly all of the same length."""
    roles = ("", PARAGRAPH) if paragraphs else ("",)
    if paragraphs:
        texts = [l.text for l in lines if not l.blank and l.role == PARAGRAPH]
        if sum(not t.endswith(("。", "！", "？")) for t in texts) < len(texts) * 0.5:
            roles = ("",)  # a page written as a page: its paragraphs end their sentences
    lengths = sorted(len(l.text) for l in lines if not l.blank and l.role in roles)
    if len(lengths) < 8:
        return 0
    typical = lengths[int(len(lengths) * 0.9)]
    near = sum(1 for n in lengths if n >= typical * 0.85)
    # only hard-wrapped text has many lines of nearly the same (maximum) length
    return typical if near >= len(lengths) * 0.15 and 20 <= typical <= 120 else 0  # short cells are no body text


def _double_spaced(lines: list[_Line]) -> bool:
    """A text with a blank line after (nearly) every line: its blank lines do not end paragraphs."""
    text_lines = [i for i, l in enumerate(lines) if not l.blank and not l.role]
    if len(text_lines) < 10:
        return False
    followed = sum(1 for i in text_lines if i + 1 < len(lines) and lines[i + 1].blank)
    return followed >= 0.8 * len(text_lines)


def _joins_without_space(prev: str, nxt: str) -> bool:
    return bool(re.match(rf"[{_JA}]", prev) or re.match(rf"[{_JA}]", nxt))


# --------------------------------------------------------------------------- 5. levels


def _assign_levels(blocks: list[_Block]) -> None:
    """Heading levels from the order numbering schemes appear in, below the last explicit heading."""
    base = 0
    stack: list[str] = []
    for block in blocks:
        if block.kind != "heading":
            continue
        if block.explicit:
            base, stack = block.level, []
            continue
        if block.scheme in stack:
            del stack[stack.index(block.scheme) + 1:]
        else:
            stack.append(block.scheme)
        block.level = base + len(stack)


# --------------------------------------------------------------------------- 6. lists


def _demote_lists(blocks: list[_Block]) -> None:
    """Numbered short lines with nothing under them, next to siblings alike, are a list, not headings.

    e.g. 「構成員」 then 「◇校長」「◇教頭」「◇スクールカウンセラー」. Table-of-contents lines (ending in
    a page number) and headings the format marked keep their heading role."""
    def empty(i: int) -> bool:
        b = blocks[i]
        if b.kind != "heading" or b.explicit or re.search(r"(\s|…|\.\.|・・)[0-9]{1,3}$", b.text):  # a contents line's page number, not a phone number
            return False
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        return nxt is None or (nxt.kind == "heading" and nxt.level <= b.level) or _item_alike(nxt, b)

    def sibling(j: int, b: _Block) -> bool:
        return 0 <= j < len(blocks) and blocks[j].scheme == b.scheme and (flags[j] or _item_alike(blocks[j], b))

    flags = [empty(i) for i in range(len(blocks))]
    outline = _outline_headings(blocks, flags)
    for i, b in enumerate(blocks):
        if flags[i] and i not in outline and (sibling(i - 1, b) or sibling(i + 1, b)):
            b.kind = LIST
    _assign_levels(blocks)  # demoted items no longer open levels


# numbering that titles a document's main sections (「１　いじめの定義」「第３」「二、」), not a list's marks
_SECTION_SCHEMES = ("chapter", "section", "dai", "roman", "kanji", "num")


def _outline_headings(blocks: list[_Block], flags: list[bool]) -> set[int]:
    """Empty numbered headings that are the document's own sections, kept as headings: numbered in
    the scheme of its main sections, at the top (under nothing but the document's title), and
    counting on from the section before them up to a sibling that does have text under it —
    「１　いじめの定義」…「７　PDCAサイクルによる見直し」 with nothing under them, then 「８　重大事態への対処」
    and its text: sections left empty, not a list. A list inside a section starts again at 1
    (「３　いじめ対策委員会」 then 「１　校長」「２　教頭」), and a contents list is followed by 「１」 again."""
    kept: set[int] = set()
    run: list[int] = []
    last: dict[str, int] = {}  # scheme → the number of the last section heading at the top
    top = _at_top(blocks)
    for i, b in enumerate(blocks):
        if b.kind != "heading" or b.scheme not in _SECTION_SCHEMES or i not in top:
            run = []
            continue
        number = _section_number(b)
        if run and blocks[run[0]].scheme != b.scheme:
            run = []
        if flags[i]:
            run.append(i)
            continue
        numbers = [_section_number(blocks[j]) for j in run] + [number]
        start = last.get(b.scheme, 0) + 1
        if run and numbers == list(range(start, start + len(numbers))):
            kept.update(run)  # the run counts on to a sibling with text under it
        run = []
        if number is not None:
            last[b.scheme] = number
    return kept


def _section_number(block: _Block) -> int | None:
    """The number a section heading is counted by: 「３」「第三」「三、」「Ⅲ」 → 3; None if unknown."""
    marker = re.match(rf"第?([0-9]+|[{_KANJI_NUM}]+|[IVX]+)", block.text)
    if not marker:
        return None
    if marker.group(1).isdigit():
        return int(marker.group(1))
    kanji = re.fullmatch(rf"[{_KANJI_NUM}]+", marker.group(1))
    if kanji:
        tens, units = 0, 0
        for ch in kanji.group(0):
            if ch == "十":
                tens, units = max(units, 1) * 10, 0
            else:
                units = _KANJI_NUM.index(ch) + 1
        return tens + units
    roman = re.fullmatch(r"[IVX]+", marker.group(1))
    values = {"I": 1, "V": 5, "X": 10}
    if roman:
        total = 0
        for a, b in zip(roman.group(0), roman.group(0)[1:] + " "):
            total += -values[a] if values.get(b, 0) > values[a] else values[a]
        return total
    return None


def _at_top(blocks: list[_Block]) -> set[int]:
    """The headings with no heading but the document's title above them (one pass: a stack of the
    open headings, each below the one before it in level)."""
    out: set[int] = set()
    open_headings: list[_Block] = []
    for i, b in enumerate(blocks):
        if b.kind != "heading":
            continue
        while open_headings and open_headings[-1].level >= b.level:
            open_headings.pop()
        parent = open_headings[-1] if open_headings else None
        if parent is None or (parent.scheme == "title" and parent.level == 1):
            out.add(i)
        open_headings.append(b)
    return out


def _item_alike(block: _Block, heading: _Block) -> bool:
    """A list item numbered in the heading's scheme: 「②…」 under 「①…」 makes ① an item too."""
    return block.kind == LIST and bool(heading.scheme) and block.scheme == heading.scheme


# --------------------------------------------------------------------------- 7. sentences


def _sentences(blocks: list[_Block], document: Document, doc_index: int) -> list[Sentence]:
    sentences: list[Sentence] = []
    headings: list[tuple[int, str]] = []

    def context() -> str:
        return " > ".join(text for _, text in headings)

    for block in blocks:
        if block.kind == "heading":
            while headings and headings[-1][0] >= block.level:
                headings.pop()
            page, line, _ = block.pieces[0]
            sentences.append(Sentence(doc_index, document.path, page, line, block.text, context(), is_heading=True,
                                      level=block.level, explicit=block.explicit, role="heading"))
            headings.append((block.level, block.text))
            continue
        if block.kind == TABLE_HEAD:  # column names: they name a topic, like a heading, but open no section
            page, line, _ = block.pieces[0]
            sentences.append(Sentence(doc_index, document.path, page, line, block.text, context(), is_heading=True,
                                      level=99, role=TABLE_HEAD))
            continue
        text = block.text
        starts: list[tuple[int, int, int]] = []
        offset = 0
        for page, line, piece in block.pieces:
            found = text.find(piece[:8], offset)
            starts.append((found if found >= 0 else offset, page, line))
            offset = max(offset, found if found >= 0 else offset)
        offset = 0
        for chunk in split_text(text):
            page, line = _position(starts, offset)
            if chunk.strip():
                sentences.append(Sentence(doc_index, document.path, page, line, chunk.strip(), context(), role=block.kind))
            offset += len(chunk)
    return sentences


def split_text(text: str) -> list[str]:
    """Sentences of a paragraph: split after 。！？ outside brackets; long runs cut at 、 or a space."""
    out: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in "。！？!?" and depth == 0:
            out.append(text[start:i + 1])
            start = i + 1
        if depth and i - start > MAX_SENTENCE:
            depth = 0  # an unclosed bracket (garbled text) must not swallow the paragraph
    if start < len(text):
        out.append(text[start:])
    return [piece for chunk in out for piece in _cut(chunk)]


def _cut(piece: str) -> list[str]:
    out = []
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
