"""Readers: a policy document's bytes → Document (pages of Lines with the roles the format knows).

One module per format — pdf (PDFium), docx (Word XML), html (main content), text (plain text and
Markdown) — behind read_document/read_bytes, which apply the limits every format shares (file
size, empty files, text length, no Japanese text). Every failure raises UnreadableDocument with
an English and a Japanese message naming the file."""
from __future__ import annotations

import os
import re
from pathlib import Path

from ...errors import UnreadableDocument
from ..document import Document, Limits
from .common import decode_text, inline_suppressions

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt", ".text", ".md", ".markdown", ".html", ".htm")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

__all__ = ["SUPPORTED_SUFFIXES", "Document", "Limits", "read_document", "read_bytes", "decode_text", "inline_suppressions"]


def _too_large(path: Path, limits: Limits, size: str) -> UnreadableDocument:
    return UnreadableDocument(f"the file is too large ({size}; limit {limits.max_file_bytes:,})", path,
                              ja=f"ファイルが大きすぎます（上限 {limits.max_file_bytes // 1048576} MB）")


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
        raise _too_large(path, limits, f"{size:,} bytes")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableDocument(f"unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED_SUFFIXES)}", path,
                                 ja="対応していない形式です（PDF・Word（DOCX）・テキスト・HTMLで提出してください）")
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
        raise _too_large(path, limits, f"more than {limits.max_file_bytes:,} bytes")
    if not data:
        raise UnreadableDocument("the file is empty", path, ja="ファイルが空です")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        suffix = ".pdf" if data.startswith(b"%PDF") else ".docx" if data.startswith(b"PK\x03\x04") else ".txt"
    try:
        doc = _read_format(suffix, data, path, limits)
    except UnreadableDocument:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a parser raises on data it did not expect
        # a damaged file costs that file, never the run: exit 2 in `check`, unreadable in `audit`
        if os.environ.get("POLICY_KIT_DEBUG"):
            raise
        raise UnreadableDocument(f"the file is damaged or not in a form policy-kit can read ({exc.__class__.__name__}: {str(exc)[:80]})",
                                 path, ja="ファイルが壊れているか、読み取れない形式です") from None
    if doc.chars > limits.max_text_chars:
        from .common import too_long

        raise too_long(path, limits, doc.chars)
    if doc.chars < 20 or not _JAPANESE.search(doc.text()):
        if doc.kind == "pdf":
            from .pdf import no_text_layer

            raise no_text_layer(path)
        raise UnreadableDocument("no Japanese text found in the file", path, ja="日本語の文章が見つかりません")
    return doc


def _read_format(suffix: str, data: bytes, path: Path, limits: Limits) -> Document:
    """The reader of the format (by suffix) applied to the bytes."""
    if suffix == ".pdf":
        from .pdf import read_pdf

        return read_pdf(path, data, limits)
    if suffix == ".docx":
        from .docx import read_docx

        return read_docx(path, data, limits)
    if suffix in (".html", ".htm"):
        from .html import read_html

        return read_html(path, data)
    from .text import read_text

    return read_text(path, data, limits)
