"""HTML reader: the page's main content as a browser shows it — headings h1–h6 (and a <dl>'s short <dt> as the title of its <dd>), list items with
their numbers, table rows with their cells, paragraphs — without the site around it.

Main content: the first of <main>, role=main, a single <article>, #content/#main/#contents…
that holds real text; otherwise <body> without its <header>/<footer>. Always dropped: nav,
scripts, styles, forms, breadcrumbs, menus, side bars and "ページの先頭へ" links; of an <aside>
only its boxes of text (mostly not links: 「相談窓口」 with its phone numbers) are kept, after the
main content.
The encoding comes from a byte-order mark, then <meta charset> / http-equiv Content-Type,
then detection (Shift_JIS and EUC-JP pages are common on school sites)."""
from __future__ import annotations

import re
from pathlib import Path

from ..document import HEADING, LIST_ITEM, PARAGRAPH, TABLE_ROW, Document, Line
from .common import decode_text, inline_suppressions

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_ENCODINGS = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932",
              "ms932": "cp932", "cp932": "cp932", "ms_kanji": "cp932", "euc-jp": "euc_jp", "x-euc-jp": "euc_jp",
              "euc_jp": "euc_jp", "iso-2022-jp": "iso2022_jp", "utf-8": "utf-8", "utf8": "utf-8"}
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "form", "button",
              "select", "textarea", "input", "nav", "aside", "dialog", "map", "head")
_DROP_ROLES = {"navigation", "search", "complementary", "banner", "contentinfo", "menu", "menubar"}
_NOISE = re.compile(r"(?i)(?:^|[-_])(?:breadcrumbs?|topic-?path|pankuzu|pan|gnav|global-?nav|local-?nav|lnav|snav|side-?bar|side-?nav|"
                    r"side|menu|page-?top|pagetop|to-?top|back-?to-?top|skip|sns|share|social)(?:[-_]|$)")
_MAIN_IDS = ("content", "main", "contents", "main-content", "main_content", "maincontent", "mainContents", "main-contents",
             "tmp_contents", "primary")
_PAGE_TOP = re.compile(r"^\s*(?:▲|↑|\^)?\s*(?:この)?(?:ページの(?:先頭|上|トップ)|ページトップ|先頭|トップ)(?:へ|に)?(?:戻る|もどる)?\s*(?:▲|↑)?\s*$|^\s*(?:page\s*top|back to top|top)\s*$", re.I)
_BLOCKS = {"p", "div", "section", "article", "main", "header", "footer", "blockquote", "address", "figure", "figcaption",
           "caption", "dl", "dt", "dd", "hr", "center", "fieldset", "details", "summary", "body", "html", "pre", "li",
           "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
_OWN_MARKER = re.compile(r"^\s*(?:[・●○■□◆◇◎※★☆▶▷▼-]|[(（]?[0-9０-９]{1,2}[)）.．、]|[(（][0-9０-９a-zア-ン]{1,2}[)）]|[①-⑳]|[ア-ン][.．、)）])")


def read_html(path: Path, data: bytes) -> Document:
    text = decode_text(data, path, declared=declared_encoding(data))
    return Document(str(path), [html_lines(text)], "html", inline_suppressions(text))


def declared_encoding(data: bytes) -> str | None:
    """The encoding a page declares in a <meta> element (Python's codec name), if any."""
    match = _META_CHARSET.search(data[:8192])
    if not match:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    return _ENCODINGS.get(name, name)


def html_lines(text: str) -> list[Line]:
    import lxml.html
    from lxml import etree

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        return []
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, remove_blank_text=False)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return []
    boxes = _side_boxes(root)
    _drop_noise(root)
    content = _main_content(root)
    out = _Lines()
    out.walk(content)
    out.flush()
    for box in boxes:  # after the main content, as the page shows them beside it
        out.walk(box)
        out.flush()
    return out.lines


_MIN_BOX_TEXT = 20
_MAX_LINK_SHARE = 0.3


def _copy_box(node):
    """A copy of a side bar's box without its scripts, forms and menus (its class names, 「side-title」,
    are no noise here)."""
    import copy

    box = copy.deepcopy(node)
    box.tail = None
    for inner in list(box.iter(*_DROP_TAGS)):
        _drop(inner)
    return box


def _mostly_text(node) -> bool:
    text = _text(node)
    links = sum(len(_text(a)) for a in node.iter("a"))
    return len(text) >= _MIN_BOX_TEXT and links <= len(text) * _MAX_LINK_SHARE


def _side_boxes(root) -> list:
    """Copies of a side bar's text boxes (「相談窓口」 with phone numbers beside the policy): the parts of
    an <aside> that are mostly text, not links (a menu of links is dropped with the rest)."""
    boxes = []
    # the outermost side bars only (a box inside another is read with it), never a hidden one or one
    # inside a menu or a template
    for aside in root.xpath("//aside[not(ancestor::aside or ancestor::*[@role='complementary'] or ancestor::nav or ancestor::template"
                            " or ancestor-or-self::*[@hidden])] | //*[@role='complementary'][not(ancestor::aside or "
                            "ancestor::*[@role='complementary'] or ancestor::nav or ancestor::template or ancestor-or-self::*[@hidden])]"):
        # each box that is mostly text, with the heading just before it (「<h3>相談窓口</h3><div>…</div>」)
        parts = [c for c in aside if isinstance(c.tag, str) and c.tag in _BLOCKS] or [aside]
        heading = None
        for part in parts:
            if part.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                heading = part
                continue
            if _mostly_text(part):
                boxes += [_copy_box(node) for node in (heading, part) if node is not None]
            heading = None
    return boxes


def _drop(node) -> None:
    parent = node.getparent()
    if parent is not None:
        node.drop_tree()  # keeps the tail text


def _drop_noise(root) -> None:
    for node in list(root.iter(*_DROP_TAGS)):
        _drop(node)
    for node in list(root.iter()):
        if not isinstance(node.tag, str) or node.getparent() is None:
            continue
        tokens = f"{node.get('id', '')} {node.get('class', '')}".split()
        if node.get("role", "").lower() in _DROP_ROLES or node.get("hidden") is not None or any(_NOISE.search(t) for t in tokens):
            if node.tag not in ("body", "html", "main", "article") and node.get("role", "").lower() != "main":
                _drop(node)
    for link in list(root.iter("a")):
        if link.getparent() is not None and _PAGE_TOP.match(link.text_content() or ""):
            _drop(link)


def _main_content(root):
    body = root.find("body")
    body = body if body is not None else root
    total = len(_text(body))
    candidates = list(root.iter("main")) + root.xpath("//*[@role='main']")
    articles = list(root.iter("article"))
    if len(articles) == 1:
        candidates += articles
    for name in _MAIN_IDS:
        candidates += root.xpath("//*[@id=$name]", name=name)
    for node in candidates:
        size = len(_text(node))
        if size >= 40 or (total and size >= total * 0.3):
            return node
    for node in list(body.iter("header", "footer")):  # the page's own banner and footer
        if node.getparent() is not None:
            _drop(node)
    return body


_MAX_DT_HEADING = 40  # a longer <dt> is text, not a title


def _text(node) -> str:
    return re.sub(r"\s+", "", node.text_content() or "")


def _space(text: str) -> str:
    return re.sub(r"[ \t\r\n\f\u00a0]+", " ", text)


class _Lines:
    """Walks an element tree into lines: blocks end lines, inline text accumulates."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.buffer: list[str] = []
        self.role = PARAGRAPH
        self.level = 0
        self.number = ""
        self.section_level = 1  # the level of the last h1–h6 (a <dt> is one below it)

    def flush(self) -> None:
        text = "".join(self.buffer).strip()
        self.buffer = []
        if text:
            if self.number:
                text = f"{self.number} {text}"
            self.lines.append(Line(text, self.role, self.level, self.number))
            if self.role in (HEADING, LIST_ITEM):  # a line break inside goes on as plain text
                self.role, self.level, self.number = PARAGRAPH, 0, ""

    def walk(self, node) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.section_level = int(tag[1])
            self._unit(node, HEADING, self.section_level)
        elif tag == "dt" and len(_text(node)) <= _MAX_DT_HEADING:
            # a definition list's term is the title of its <dd> (「いじめを行った生徒への指導」 over its text)
            self._unit(node, HEADING, min(6, self.section_level + 1))
        elif tag in ("ul", "ol"):
            self.flush()
            self._list(node)
        elif tag == "table" and _layout_table(node):
            self.flush()
            for row in _own_rows(node):  # a page laid out with a table: its cells are regions of the page
                for cell in _cells(row):
                    self.flush()
                    self._children(cell)
                    self.flush()
        elif tag == "table" and _titled_rows(node):
            self.flush()
            for row in _own_rows(node):  # 「第３　校内の組織」 | its text: a section per row
                cells = _cells(row)
                if not cells:
                    continue  # a spacer row
                self._unit(cells[0], HEADING, min(6, self.section_level + 1))
                for cell in cells[1:]:
                    self._children(cell)
                    self.flush()
        elif tag == "table":
            self.flush()
            self._table(node)
        elif tag == "br":
            self.flush()
        elif tag == "pre":
            self.flush()
            for piece in (node.text_content() or "").split("\n"):
                self.buffer.append(piece)
                self.flush()
        elif tag in _BLOCKS:
            self.flush()
            self._children(node)
            self.flush()
        else:
            self._children(node)
        if node.tail:
            self.buffer.append(_space(node.tail))

    def _children(self, node) -> None:
        if node.text:
            self.buffer.append(_space(node.text))
        for child in node:
            self.walk(child)

    def _unit(self, node, role: str, level: int = 0, number: str = "") -> None:
        self.flush()
        self.role, self.level, self.number = role, level, number
        self._children(node)
        self.flush()
        self.role, self.level, self.number = PARAGRAPH, 0, ""

    def _list(self, node) -> None:
        ordered = node.tag == "ol"
        counter = _int(node.get("start"), 1)
        style = node.get("type", "1")
        for item in node:
            if not isinstance(item.tag, str):
                continue
            if item.tag != "li":
                self.walk(item)
                continue
            counter = _int(item.get("value"), counter)
            own = (item.text or "") + "".join(c.text_content() for c in item if c.tag not in ("ul", "ol", "table") and isinstance(c.tag, str))
            number = _ordinal(counter, style) if ordered else ("" if _OWN_MARKER.match(own) else "・")
            self._unit(item, LIST_ITEM, 0, number)
            counter += 1
        if node.tail:
            self.buffer.append(_space(node.tail))

    def _table(self, node) -> None:
        caption = node.find("caption")
        if caption is not None and _space(caption.text_content()).strip():
            self.lines.append(Line(_space(caption.text_content()).strip(), PARAGRAPH))
        for row in node.iter("tr"):
            if _closest_table(row) is not node:
                continue  # rows of a nested table belong to its cell
            cells = [_cell_text(cell) for cell in _cells(row)]
            if any(cells):
                self.lines.append(Line("　".join(c for c in cells if c), TABLE_ROW, cells=tuple(cells)))


_LAYOUT_INSIDE = ("table", "h1", "h2", "h3", "h4", "h5", "h6", "hr")


def _cells(row) -> list:
    """A table row's own cells (td and th)."""
    return [cell for cell in row if isinstance(cell.tag, str) and cell.tag in ("td", "th")]


def _own_rows(table) -> list:
    return [row for row in table.iter("tr") if _closest_table(row) is table]


def _layout_table(table) -> bool:
    """A table that lays out a page (old school sites: a banner row, a menu column, the content
    column) rather than holding data: a cell of its own holds another table, a heading or a rule,
    or runs to more than 1,000 characters."""
    for row in _own_rows(table):
        for cell in _cells(row):
            if any(isinstance(d.tag, str) and d.tag in _LAYOUT_INSIDE for d in cell.iter() if d is not cell):
                return True
            if len(_text(cell)) > 1000:
                return True
    return False


def _titled_rows(table) -> bool:
    """A table whose rows are a short title cell and a long text cell (「第３　校内の組織」 | the
    section's paragraphs): sections set out in a grid, not data."""
    rows = [r for r in _own_rows(table) if _cells(r)]
    titled = 0
    for row in rows:
        cells = _cells(row)
        if len(cells) == 2 and 0 < len(_text(cells[0])) <= 30 and len(_text(cells[1])) >= 120:
            if _DATA_KEY.match(_text(cells[0])):
                return False  # 「４月」 | a long cell: a programme's row, data after all
            titled += 1
    return len(rows) >= 2 and titled >= len(rows) * 0.6


_DATA_KEY = re.compile(r"^([0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})(月|日|学期|年|回)")


def _cell_text(cell) -> str:
    """A cell's text; its paragraphs and line breaks become spaces."""
    inner = _Lines()
    inner._children(cell)
    inner.flush()
    return " ".join(line.text for line in inner.lines)


def _closest_table(row):
    parent = row.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _ordinal(n: int, style: str) -> str:
    from .numbering import format_number

    fmt = {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}.get(style, "decimal")
    return format_number(n, fmt) + "."
