"""DOCX reader: our own walk over Word's XML (defusedxml: no DTD, no entities), because
python-docx drops what the checker needs — automatic numbering, text boxes, and the text of
runs inside hyperlinks/fields in older versions — and parses with lxml without our limits.

What Word shows is what we read:
- paragraphs with their automatic numbering rendered ("１．", "(1)", "①", "ア") — numbering.py;
- headings from heading styles and outline levels (w:outlineLvl in the paragraph or its style);
- tables row by row, cells kept apart (merged cells once);
- text boxes and shapes once (mc:AlternateContent: the Choice, not its Fallback copy);
- headers and footers apart from the body (Document.running);
- w:br as a line break, w:tab as a space; pages from page breaks and Word's rendered page breaks.
Limits: declared unpacked size, number of zip members, pages (counted in a streaming pass before
anything is built) and characters."""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from struct import error as struct_error

from ...errors import UnreadableDocument
from ..document import HEADING, LIST_ITEM, PARAGRAPH, TABLE_ROW, Document, Limits, Line
from .common import clean, too_long, too_many_pages
from .numbering import Instance, Level, Numbering

_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
DAMAGED_JA = "Word文書（DOCX）が壊れていて開けません"
_HEADING_NAME = re.compile(r"(?i)^(?:heading|見出し)\s*([1-9])$")


# ----------------------------------------------------------------------------- the archive


def read_docx(path: Path, data: bytes, limits: Limits) -> Document:
    archive = _open(path, data, limits)
    xml = _member(archive, "word/document.xml", path, limits)
    if xml is None:
        raise UnreadableDocument("not a Word document: word/document.xml is missing", path, ja="Word文書（DOCX）として開けません（本文がありません）")
    _count_pages(xml, path, limits)
    root = _parse(xml, path)
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    styles = _styles(_parse_optional(archive, "word/styles.xml", path, limits), ns)
    numbering = _numbering(_parse_optional(archive, "word/numbering.xml", path, limits), ns, styles)
    walker = _Walker(ns, styles, numbering, limits, path)
    body = root.find(f"{ns}body")
    try:
        if body is not None:
            walker.blocks(body)
        running = _Walker(ns, styles, numbering, limits, path)
        parts = [n for n in archive.namelist() if re.fullmatch(r"word/(header|footer)[0-9]*\.xml", n)]
        for name in sorted(parts, key=lambda n: (n.startswith("word/footer"), n)):  # headers, then footers
            part = _parse_optional(archive, name, path, limits)
            if part is not None:
                running.blocks(part)
    except RecursionError:
        raise UnreadableDocument("the DOCX is nested too deeply to read", path, ja=DAMAGED_JA) from None
    seen: set[str] = set()
    margins = [line for page in running.pages for line in page if not (line.text in seen or seen.add(line.text))]
    return Document(str(path), walker.pages, "docx", running=margins)


ENCRYPTED_JA = "パスワードで保護されているため読めません。保護を外して保存し直したものを提出してください"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a Compound File: an encrypted DOCX, or an old .doc


def _open(path: Path, data: bytes, limits: Limits) -> zipfile.ZipFile:
    if data.startswith(_OLE):
        raise UnreadableDocument("the DOCX is password-protected (encrypted), or an old Word .doc file; save an unprotected .docx copy",
                                 path, ja=ENCRYPTED_JA)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, OverflowError, struct_error):
        raise UnreadableDocument("not a DOCX file (it is not a zip archive)", path, ja="Word文書（DOCX）として開けません") from None
    if any(info.flag_bits & 0x1 for info in infos):
        raise UnreadableDocument("the DOCX archive is encrypted; save an unprotected copy", path, ja=ENCRYPTED_JA)
    if len(infos) > limits.max_zip_members:
        raise UnreadableDocument(f"the DOCX holds {len(infos):,} files (limit {limits.max_zip_members:,}): refusing a possible zip bomb", path,
                                 ja="展開後のファイル数が多すぎるため読みません（不正なファイルの可能性があります）")
    total = sum(info.file_size for info in infos)
    if total > limits.max_docx_uncompressed:
        raise UnreadableDocument(f"the DOCX unpacks to {total:,} bytes (limit {limits.max_docx_uncompressed:,}): refusing a possible zip bomb", path,
                                 ja="展開後のサイズが大きすぎるため読みません（不正なファイルの可能性があります）")
    return archive


def _member(archive: zipfile.ZipFile, name: str, path: Path, limits: Limits) -> bytes | None:
    """A member's bytes (at most its declared size, which the total limit has bounded)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    try:
        with archive.open(info) as handle:
            return handle.read(limits.max_docx_uncompressed + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError,
            OverflowError, struct_error, MemoryError) as exc:  # corrupt deflate data, bad headers, unknown methods
        raise UnreadableDocument(f"the DOCX archive is damaged ({exc.__class__.__name__}: {str(exc)[:80]})", path, ja=DAMAGED_JA) from None


def _parse(xml: bytes, path: Path):
    from defusedxml import ElementTree as SafeET
    from defusedxml.common import DefusedXmlException

    try:
        return SafeET.fromstring(xml, forbid_dtd=True)
    except DefusedXmlException:
        raise UnreadableDocument("the DOCX contains a DTD or entity declarations; refusing to read it", path, ja="安全でない記述（DTD）を含むため読みません") from None
    except SafeET.ParseError as exc:
        raise UnreadableDocument(f"the DOCX XML is damaged ({exc})", path, ja=DAMAGED_JA) from None


def _parse_optional(archive: zipfile.ZipFile, name: str, path: Path, limits: Limits):
    xml = _member(archive, name, path, limits)
    return None if xml is None else _parse(xml, path)


def _count_pages(xml: bytes, path: Path, limits: Limits) -> None:
    """Refuse a document over the page limit before building anything: a streaming pass that
    counts page breaks (hard breaks, page-break-before, Word's rendered breaks) and stops at the limit."""
    from defusedxml import ElementTree as SafeET
    from defusedxml.common import DefusedXmlException

    hard = rendered = 0
    try:
        for _, node in SafeET.iterparse(io.BytesIO(xml), events=("end",), forbid_dtd=True):
            local = node.tag.rpartition("}")[2]
            if local == "br" and any(k.endswith("}type") and v == "page" for k, v in node.attrib.items()):
                hard += 1
            elif local == "pageBreakBefore" and not any(v in ("0", "false", "off") for v in node.attrib.values()):
                hard += 1
            elif local == "lastRenderedPageBreak":
                rendered += 1
            elif local in ("p", "tbl"):
                node.clear()
            if max(hard, rendered) + 1 > limits.max_pages:
                raise too_many_pages(path, limits, what="DOCX")
    except DefusedXmlException:
        raise UnreadableDocument("the DOCX contains a DTD or entity declarations; refusing to read it", path, ja="安全でない記述（DTD）を含むため読みません") from None
    except SafeET.ParseError as exc:
        raise UnreadableDocument(f"the DOCX XML is damaged ({exc})", path, ja=DAMAGED_JA) from None


# ----------------------------------------------------------------------------- styles and numbering


@dataclass
class _Style:
    name: str = ""
    based_on: str = ""
    outline: int | None = None  # w:outlineLvl (0 = level 1; 9 = body text)
    num_id: str = ""
    ilvl: int | None = None
    page_break_before: bool = False


def _val(node, ns: str) -> str | None:
    return None if node is None else node.get(f"{ns}val")


def _on(node, ns: str) -> bool:
    return node is not None and _val(node, ns) not in ("0", "false", "off")


def _styles(root, ns: str) -> dict[str, _Style]:
    styles: dict[str, _Style] = {}
    if root is None:
        return styles
    for node in root.iter(f"{ns}style"):
        ppr = node.find(f"{ns}pPr")
        style = _Style(name=_val(node.find(f"{ns}name"), ns) or "", based_on=_val(node.find(f"{ns}basedOn"), ns) or "")
        if ppr is not None:
            outline = _val(ppr.find(f"{ns}outlineLvl"), ns)
            style.outline = int(outline) if outline and outline.isdigit() else None
            style.num_id = _val(ppr.find(f"{ns}numPr/{ns}numId"), ns) or ""
            ilvl = _val(ppr.find(f"{ns}numPr/{ns}ilvl"), ns)
            style.ilvl = int(ilvl) if ilvl and ilvl.isdigit() else None
            style.page_break_before = _on(ppr.find(f"{ns}pageBreakBefore"), ns)
        styles[node.get(f"{ns}styleId", "")] = style
    return styles


def _chain(styles: dict[str, _Style], style_id: str):
    seen: set[str] = set()
    while style_id and style_id in styles and style_id not in seen:
        seen.add(style_id)
        yield styles[style_id]
        style_id = styles[style_id].based_on


def _numbering(root, ns: str, styles: dict[str, _Style]) -> Numbering:
    numbering = Numbering()
    if root is None:
        return numbering
    links: dict[str, str] = {}  # abstract id → style whose numbering it uses (w:numStyleLink)
    for node in root.iter(f"{ns}abstractNum"):
        aid = node.get(f"{ns}abstractNumId", "")
        numbering.abstracts[aid] = {int(lvl.get(f"{ns}ilvl", "0")): _level(lvl, ns) for lvl in node.findall(f"{ns}lvl")
                                    if lvl.get(f"{ns}ilvl", "0").isdigit()}
        link = _val(node.find(f"{ns}numStyleLink"), ns)
        if link:
            links[aid] = link
    for node in root.iter(f"{ns}num"):
        instance = Instance(_val(node.find(f"{ns}abstractNumId"), ns) or "")
        for override in node.findall(f"{ns}lvlOverride"):
            ilvl = override.get(f"{ns}ilvl", "0")
            if not ilvl.isdigit():
                continue
            start = _val(override.find(f"{ns}startOverride"), ns)
            if start and start.lstrip("-").isdigit():
                instance.starts[int(ilvl)] = int(start)
            lvl = override.find(f"{ns}lvl")
            if lvl is not None:
                instance.levels[int(ilvl)] = _level(lvl, ns)
        numbering.instances[node.get(f"{ns}numId", "")] = instance
    for aid, style_id in links.items():  # a list defined by a numbering style: use that style's list
        target = next((s.num_id for s in _chain(styles, style_id) if s.num_id), "")
        if not numbering.abstracts.get(aid) and target in numbering.instances:
            numbering.abstracts[aid] = numbering.abstracts.get(numbering.instances[target].abstract, {})
    return numbering


def _level(node, ns: str) -> Level:
    start = _val(node.find(f"{ns}start"), ns)
    restart = _val(node.find(f"{ns}lvlRestart"), ns)
    text = node.find(f"{ns}lvlText")
    return Level(start=int(start) if start and start.lstrip("-").isdigit() else 1,
                 fmt=_val(node.find(f"{ns}numFmt"), ns) or "decimal",
                 text=_val(text, ns) or "" if text is not None else "",
                 restart=int(restart) if restart and restart.isdigit() else None,
                 legal=_on(node.find(f"{ns}isLgl"), ns),
                 suffix=_val(node.find(f"{ns}suff"), ns) or "tab")


# ----------------------------------------------------------------------------- the walk

_LINE, _PAGE, _RENDERED = object(), object(), object()  # tokens of a paragraph's content
_SKIP = {"pPr", "rPr", "del", "moveFrom", "delText", "instrText", "fldChar", "footnoteReference", "endnoteReference",
         "commentReference", "annotationRef", "proofErr", "bookmarkStart", "bookmarkEnd", "sectPr", "tblPr", "trPr",
         "tcPr", "tblGrid", "rubyPr", "rt"}


@dataclass
class _Walker:
    """Walks block content (body, cells, text boxes, headers) into pages of lines."""

    ns: str
    styles: dict[str, _Style]
    numbering: Numbering
    limits: Limits
    path: Path
    pages: list[list[Line]] = field(default_factory=lambda: [[]])
    chars: int = 0
    _text_since_break: bool = True  # a rendered break right after a hard one is the same break

    def blocks(self, parent) -> None:
        for node in parent:
            local = node.tag.rpartition("}")[2]
            if local == "p":
                self.paragraph(node)
            elif local == "tbl":
                self.table(node)
            elif local in ("sdt", "sdtContent", "customXml", "hdr", "ftr", "txbxContent", "ins", "moveTo", "smartTag"):
                self.blocks(node)
            elif node.tag == f"{_MC}AlternateContent":
                self.blocks(_choice(node))

    # pages and lines

    def _emit(self, line: Line) -> None:
        self.chars += len(line.text)
        if self.chars > self.limits.max_text_chars:
            raise too_long(self.path, self.limits)
        self.pages[-1].append(line)
        self._text_since_break = True

    def _break(self, token) -> None:
        if token is _RENDERED and not self._text_since_break:
            return
        self.pages.append([])
        self._text_since_break = False
        if len(self.pages) > self.limits.max_pages:
            raise too_many_pages(self.path, self.limits, what="DOCX")

    # paragraphs

    def paragraph(self, node) -> None:
        ns = self.ns
        ppr = node.find(f"{ns}pPr")
        style_id = _val(ppr.find(f"{ns}pStyle"), ns) if ppr is not None else None
        chain = list(_chain(self.styles, style_id or ""))
        if (ppr is not None and _on(ppr.find(f"{ns}pageBreakBefore"), ns)) or any(s.page_break_before for s in chain):
            self._break(_PAGE)
        level = self._heading_level(ppr, chain)
        number, separator = self._number(ppr, chain)
        tokens: list = []
        boxes: list = []
        self._inline(node, tokens, boxes)
        pieces = _pieces(tokens, join_lines=level > 0)
        first = True
        for piece in pieces:
            if piece is _PAGE or piece is _RENDERED:
                self._break(piece)
                continue
            text = clean(piece).strip()
            if first and number:
                text = f"{number}{separator}{text}" if text else number
            if not text:
                continue
            if first and level:
                self._emit(Line(text, HEADING, level, number))
            elif first and number:
                self._emit(Line(text, LIST_ITEM, 0, number))
            else:
                self._emit(Line(text, PARAGRAPH))
            first = False
        for box in boxes:  # text boxes anchored in this paragraph: after it, once
            self.blocks(box)

    def _heading_level(self, ppr, chain: list[_Style]) -> int:
        ns = self.ns
        own = _val(ppr.find(f"{ns}outlineLvl"), ns) if ppr is not None else None
        if own is not None and own.isdigit():
            return int(own) + 1 if int(own) < 9 else 0
        for style in chain:
            match = _HEADING_NAME.match(style.name)
            if match:
                return int(match.group(1))
            if style.name.lower() in ("title", "表題"):
                return 1
            if style.outline is not None:
                return style.outline + 1 if style.outline < 9 else 0
        return 0

    def _number(self, ppr, chain: list[_Style]) -> tuple[str, str]:
        ns = self.ns
        num_id = _val(ppr.find(f"{ns}numPr/{ns}numId"), ns) if ppr is not None else None
        ilvl = _val(ppr.find(f"{ns}numPr/{ns}ilvl"), ns) if ppr is not None else None
        if num_id is None:
            styled = next((s for s in chain if s.num_id), None)
            if styled is None:
                return "", ""
            num_id = styled.num_id
            if ilvl is None and styled.ilvl is not None:
                ilvl = str(styled.ilvl)
        if num_id in ("", "0"):  # numbering switched off
            return "", ""
        return self.numbering.next(num_id, int(ilvl) if ilvl and ilvl.isdigit() else 0)

    def _inline(self, parent, tokens: list, boxes: list) -> None:
        """A paragraph's visible content as tokens: text, line breaks, page breaks; text boxes aside."""
        ns = self.ns
        for node in parent:
            local = node.tag.rpartition("}")[2]
            if local in _SKIP:
                continue
            if local == "t":
                tokens.append(node.text or "")
            elif local == "tab" or local == "ptab":
                tokens.append(" ")
            elif local == "br":
                kind = node.get(f"{ns}type")
                tokens.append(_PAGE if kind == "page" else _LINE if kind != "column" else " ")
            elif local == "cr":
                tokens.append(_LINE)
            elif local == "lastRenderedPageBreak":
                tokens.append(_RENDERED)
            elif local == "noBreakHyphen":
                tokens.append("-")
            elif local == "sym":
                char = node.get(f"{ns}char", "")
                code = int(char, 16) if re.fullmatch(r"[0-9A-Fa-f]{1,6}", char) else 0
                tokens.append("" if not code or 0xE000 <= code <= 0xF8FF or code > 0x10FFFF else chr(code))
            elif local == "txbxContent":
                boxes.append(node)
            elif node.tag == f"{_MC}AlternateContent":
                self._inline(_choice(node), tokens, boxes)
            elif local in ("p", "tbl"):  # block content where runs were expected (damaged or exotic): keep its text
                sub: list = []
                self._inline(node, sub, boxes)
                tokens.extend(t for t in sub if isinstance(t, str))
            else:  # runs, hyperlinks, fields, smart tags, content controls, drawings, math…
                self._inline(node, tokens, boxes)

    # tables

    def table(self, node) -> None:
        for row in _rows(node):
            cells: list[str] = []
            breaks = False
            for cell in _cells(row):
                merge = cell.find(f"{self.ns}tcPr/{self.ns}vMerge")
                if merge is not None and _val(merge, self.ns) in (None, "continue"):
                    cells.append("")  # the lower part of a vertically merged cell: shown once, above
                    continue
                sub = _Walker(self.ns, self.styles, self.numbering, self.limits, self.path)
                sub.blocks(cell)
                breaks = breaks or len(sub.pages) > 1
                cells.append(" ".join(line.text for page in sub.pages for line in page))
            if breaks:
                self._break(_RENDERED)
            if any(cells):
                self._emit(Line("　".join(c for c in cells if c), TABLE_ROW, cells=tuple(cells)))


def _rows(table):
    for node in table:
        local = node.tag.rpartition("}")[2]
        if local == "tr":
            yield node
        elif local in ("sdt", "sdtContent", "customXml"):
            yield from _rows(node)


def _cells(row):
    for node in row:
        local = node.tag.rpartition("}")[2]
        if local == "tc":
            yield node
        elif local in ("sdt", "sdtContent", "customXml"):
            yield from _cells(node)


def _choice(alternate):
    """mc:AlternateContent shows one of its branches: the first Choice, else the Fallback."""
    choice = alternate.find(f"{_MC}Choice")
    if choice is None:
        choice = alternate.find(f"{_MC}Fallback")
    return choice if choice is not None else []


def _pieces(tokens: list, join_lines: bool) -> list:
    """Tokens → texts separated by line breaks, with page breaks kept between them."""
    out: list = []
    current: list[str] = []
    for token in tokens:
        if token is _LINE:
            if join_lines:
                current.append(" ")
            else:
                out.append("".join(current))
                current = []
        elif token is _PAGE or token is _RENDERED:
            out.append("".join(current))
            out.append(token)
            current = []
        else:
            current.append(token)
    out.append("".join(current))
    return out
