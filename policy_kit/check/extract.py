"""Read a policy document into pages of lines, keeping page and line numbers for evidence.

Supported: PDF (pypdf), DOCX (our own reader on defusedxml: Word's rendered page breaks give
page numbers), plain text (UTF-8 with/without BOM, Shift_JIS/CP932, EUC-JP, detected), HTML and
Markdown. Every failure raises UnreadableDocument with a reason users can act on."""
from __future__ import annotations

import html.parser
import io
import re
import zipfile
from pathlib import Path

from ..errors import UnreadableDocument
from .document import HEADING, TABLE_ROW, Document, Limits, Line, plain_lines

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt", ".text", ".md", ".markdown", ".html", ".htm")


def read_document(path: str | Path, limits: Limits = Limits()) -> Document:
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UnreadableDocument("file not found", path, ja="ファイルが見つかりません") from None
    except OSError as exc:
        raise UnreadableDocument(f"cannot read: {exc.strerror}", path, ja="ファイルを開けません（読み取り権限を確認してください）") from None
    if not path.is_file():
        raise UnreadableDocument("not a regular file", path, ja="通常のファイルではありません")
    if size == 0:
        raise UnreadableDocument("the file is empty", path, ja="ファイルが空です")
    if size > limits.max_file_bytes:
        raise UnreadableDocument(f"the file is too large ({size:,} bytes; limit {limits.max_file_bytes:,})", path, ja=f"ファイルが大きすぎます（上限 {limits.max_file_bytes // 1048576} MB）")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableDocument(f"unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED_SUFFIXES)}", path, ja="対応していない形式です（PDF・Word（DOCX）・テキスト・HTMLで提出してください）")
    try:
        with path.open("rb") as handle:  # read at most the limit: st_size lies for special files
            data = handle.read(limits.max_file_bytes + 1)
    except OSError as exc:
        raise UnreadableDocument(f"cannot read: {exc.strerror}", path, ja="ファイルを開けません（読み取り権限を確認してください）") from None
    return read_bytes(data, path, limits)


def read_bytes(data: bytes, path: str | Path, limits: Limits = Limits()) -> Document:
    """Read a document from its bytes; ``path`` names it in messages and gives its type by suffix
    (a name without a known suffix is taken as PDF, DOCX or text by its first bytes)."""
    path = Path(path)
    if len(data) > limits.max_file_bytes:
        raise UnreadableDocument(f"the file is too large (more than {limits.max_file_bytes:,} bytes)", path, ja=f"ファイルが大きすぎます（上限 {limits.max_file_bytes // 1048576} MB）")
    if not data:
        raise UnreadableDocument("the file is empty", path, ja="ファイルが空です")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        suffix = ".pdf" if data.startswith(b"%PDF") else ".docx" if data.startswith(b"PK\x03\x04") else ".txt"
    if suffix == ".pdf":
        doc = _read_pdf(path, data, limits)
    elif suffix == ".docx":
        doc = _read_docx(path, data, limits)
    elif suffix in (".html", ".htm"):
        text = decode_text(data, path)
        doc = Document(str(path), [_html_lines(text)], "html", inline_suppressions(text))
    else:
        text = decode_text(data, path)
        if text.count("\f") >= limits.max_pages:  # form feeds are page breaks: the page limit applies
            raise UnreadableDocument(f"the text has more than {limits.max_pages} pages (form feeds; --max-pages)", path,
                                     ja=f"ページ数が上限（{limits.max_pages}ページ）を超えています")
        doc = Document(str(path), [plain_lines(page.split("\n")) for page in text.split("\f")], "text", inline_suppressions(text))
    if doc.chars > limits.max_text_chars:
        raise UnreadableDocument(f"the text is too long ({doc.chars:,} characters; limit {limits.max_text_chars:,})", path, ja=f"文章が長すぎます（上限 {limits.max_text_chars:,} 字）")
    if doc.chars < 20 or not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", doc.text()):
        if doc.kind == "pdf":
            raise UnreadableDocument("the PDF has no text layer (a scanned image?); run OCR on it first, e.g. ocrmypdf -l jpn", path, ja="文字情報がありません（スキャン画像）。OCR（文字認識）をしてから提出してください")
        raise UnreadableDocument("no Japanese text found in the file", path, ja="日本語の文章が見つかりません")
    return doc


# ----------------------------------------------------------------------------- text

_SUPPRESS = re.compile(r"<!--\s*policy-kit:\s*ignore\s+([a-z0-9-]+)(?:\s+--\s*([^\n]*?))?\s*-->")


def inline_suppressions(text: str) -> dict[str, str]:
    """`<!-- policy-kit: ignore ID -- reason -->` comments in Markdown/HTML drafts."""
    return {m.group(1): (m.group(2) or "").strip() for m in _SUPPRESS.finditer(text)}



def decode_text(data: bytes, path: Path) -> str:
    """Decode UTF-8 (with or without BOM), Shift_JIS/CP932 or EUC-JP; refuse binary data."""
    if b"\x00" in data[:65536]:
        raise UnreadableDocument("the file contains NUL bytes: it looks like binary data, not text", path, ja="テキストではないデータです")
    if data.startswith(b"\xef\xbb\xbf"):
        return _clean(data[3:].decode("utf-8", errors="replace"))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _clean(data.decode("utf-16", errors="replace"))
    for encoding in ("utf-8", "cp932", "euc_jp"):
        try:
            return _clean(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        raise UnreadableDocument("unknown text encoding (expected UTF-8, Shift_JIS or EUC-JP)", path, ja="文字コードを判別できません（UTF-8で保存してください）")
    text = data.decode(best.encoding, errors="replace")
    if text.count("\ufffd") > max(10, len(text) // 100):
        raise UnreadableDocument("the text mixes encodings or is not text; save it as UTF-8", path, ja="文字コードが混在しているか、テキストではありません（UTF-8で保存してください）")
    return _clean(text)


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", "", text)


# ----------------------------------------------------------------------------- PDF


def _read_pdf(path: Path, data: bytes, limits: Limits) -> Document:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files are reported by us, once
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise UnreadableDocument("the PDF is encrypted with a password; save an unprotected copy", path, ja="パスワードで保護されているため読めません。保護を外したものを提出してください")
        count = len(reader.pages)
    except UnreadableDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError) as exc:
        raise UnreadableDocument(f"the PDF is damaged and cannot be read ({exc.__class__.__name__})", path, ja="PDFが壊れていて開けません") from None
    except Exception as exc:  # pypdf raises a wide range on hostile files
        raise UnreadableDocument(f"the PDF cannot be read ({exc.__class__.__name__})", path, ja="PDFが壊れていて開けません") from None
    if count == 0:
        raise UnreadableDocument("the PDF has no pages", path, ja="PDFにページがありません")
    if count > limits.max_pages:
        raise UnreadableDocument(f"the PDF has {count} pages; the limit is {limits.max_pages} (--max-pages)", path, ja=f"ページ数（{count}ページ）が上限（{limits.max_pages}ページ）を超えています")
    pages = []
    for page in reader.pages:
        try:
            text = page.extract_text() or ""
        except Exception as exc:
            raise UnreadableDocument(f"text extraction failed on page {len(pages) + 1} ({exc.__class__.__name__})", path, ja=f"{len(pages) + 1}ページ目の文字を取り出せません（PDFが壊れています）") from None
        pages.append(plain_lines(_clean(text).split("\n")))
    return Document(str(path), pages, "pdf")


# ----------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _read_docx(path: Path, data: bytes, limits: Limits) -> Document:
    from defusedxml import ElementTree as SafeET
    from defusedxml.common import DefusedXmlException

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableDocument("not a DOCX file (it is not a zip archive)", path, ja="Word文書（DOCX）として開けません") from None
    total = sum(info.file_size for info in archive.infolist())
    if total > limits.max_docx_uncompressed:
        raise UnreadableDocument(f"the DOCX unpacks to {total:,} bytes (limit {limits.max_docx_uncompressed:,}): refusing a possible zip bomb", path, ja="展開後のサイズが大きすぎるため読みません（不正なファイルの可能性があります）")
    try:
        info = archive.getinfo("word/document.xml")
    except KeyError:
        raise UnreadableDocument("not a Word document: word/document.xml is missing", path, ja="Word文書（DOCX）として開けません（本文がありません）") from None
    try:
        with archive.open(info) as handle:
            xml = handle.read(limits.max_docx_uncompressed + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise UnreadableDocument(f"the DOCX archive is damaged ({exc.__class__.__name__})", path, ja="Word文書（DOCX）が壊れていて開けません") from None
    try:
        root = SafeET.fromstring(xml, forbid_dtd=True)
    except DefusedXmlException:
        raise UnreadableDocument("the DOCX contains a DTD or entity declarations; refusing to read it", path, ja="安全でない記述（DTD）を含むため読みません") from None
    except SafeET.ParseError as exc:
        raise UnreadableDocument(f"the DOCX XML is damaged ({exc})", path, ja="Word文書（DOCX）が壊れていて開けません") from None
    pages: list[list[Line]] = [[]]
    body = root.find(f"{_W}body")
    for para in (body.iter(f"{_W}p") if body is not None else []):
        parts: list[str] = []
        for node in para.iter():
            if node.tag in (f"{_W}lastRenderedPageBreak",) or (node.tag == f"{_W}br" and node.get(f"{_W}type") == "page"):
                if parts:
                    pages[-1].append(Line("".join(parts)))
                    parts = []
                pages.append([])
            elif node.tag == f"{_W}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{_W}tab":
                parts.append(" ")
        style = para.find(f"{_W}pPr/{_W}pStyle")
        text = "".join(parts)
        if style is not None and re.match(r"(?i)(heading|見出し|title)", style.get(f"{_W}val", "")) and text.strip():
            level = re.search(r"[0-9]", style.get(f"{_W}val", ""))
            pages[-1].append(Line(text, HEADING, int(level.group(0)) if level else 1))
        else:
            pages[-1].append(Line(text))
        if len(pages) > limits.max_pages:
            raise UnreadableDocument(f"the DOCX has more than {limits.max_pages} pages (--max-pages)", path, ja=f"ページ数が上限（{limits.max_pages}ページ）を超えています")
    return Document(str(path), pages, "docx")


# ----------------------------------------------------------------------------- HTML

_BLOCK = {"p", "div", "li", "tr", "br", "section", "article", "table", "ul", "ol", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "header", "footer", "blockquote"}


class _HTMLText(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.levels: dict[int, int] = {}  # index of a heading line → its level
        self.skip = 0

    def _newline(self) -> None:
        if self.lines[-1].strip():
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style", "template", "noscript"):
            self.skip += 1
        elif tag in _BLOCK:
            self._newline()
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                self.levels[len(self.lines) - 1] = int(tag[1])
        elif tag in ("td", "th") and self.lines[-1]:
            self.lines[-1] += " "

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template", "noscript"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.lines[-1] += re.sub(r"\s+", " ", data)


def _html_lines(text: str) -> list[Line]:
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    return [Line(line.strip(), HEADING, parser.levels[i]) if i in parser.levels and line.strip() else Line(line.strip())
            for i, line in enumerate(parser.lines)]
