"""What every reader shares: text decoding, control-character cleaning, inline suppressions and
the messages for limits that more than one format enforces."""
from __future__ import annotations

import re
from pathlib import Path

from ...errors import UnreadableDocument
from ..document import Limits

_SUPPRESS = re.compile(r"<!--\s*policy-kit:\s*ignore\s+([a-z0-9-]+)(?:\s+--\s*([^\n]*?))?\s*-->")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def inline_suppressions(text: str) -> dict[str, str]:
    """`<!-- policy-kit: ignore ID -- reason -->` comments in Markdown/HTML drafts."""
    return {m.group(1): (m.group(2) or "").strip() for m in _SUPPRESS.finditer(text)}


def clean(text: str) -> str:
    """Unix line ends; no control characters other than tab, newline and form feed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def decode_text(data: bytes, path: Path, declared: str | None = None) -> str:
    """Decode UTF-8 (with or without BOM), Shift_JIS/CP932 or EUC-JP; refuse binary data.

    ``declared`` is an encoding the file names for itself (an HTML <meta charset>); it is tried
    first, after a byte-order mark."""
    if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableDocument("the file contains NUL bytes: it looks like binary data, not text", path, ja="テキストではないデータです")
    if data.startswith(b"\xef\xbb\xbf"):
        return clean(data[3:].decode("utf-8", errors="replace"))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return clean(data.decode("utf-16", errors="replace"))
    candidates = ["utf-8", "cp932", "euc_jp"]
    if declared:
        candidates.insert(0, declared)
    for encoding in candidates:
        try:
            return clean(data.decode(encoding))
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        raise UnreadableDocument("unknown text encoding (expected UTF-8, Shift_JIS or EUC-JP)", path, ja="文字コードを判別できません（UTF-8で保存してください）")
    text = data.decode(best.encoding, errors="replace")
    if text.count("\ufffd") > max(10, len(text) // 100):
        raise UnreadableDocument("the text mixes encodings or is not text; save it as UTF-8", path, ja="文字コードが混在しているか、テキストではありません（UTF-8で保存してください）")
    return clean(text)


def too_many_pages(path: Path, limits: Limits, count: int | None = None, what: str = "document") -> UnreadableDocument:
    """The error for a document over the page limit (``count`` when it is known)."""
    if count is None:
        return UnreadableDocument(f"the {what} has more than {limits.max_pages} pages (--max-pages)", path,
                                  ja=f"ページ数が上限（{limits.max_pages}ページ）を超えています")
    return UnreadableDocument(f"the {what} has {count} pages; the limit is {limits.max_pages} (--max-pages)", path,
                              ja=f"ページ数（{count}ページ）が上限（{limits.max_pages}ページ）を超えています")


def too_long(path: Path, limits: Limits, chars: int | None = None) -> UnreadableDocument:
    size = f"{chars:,} characters" if chars is not None else "more characters"
    return UnreadableDocument(f"the text is too long ({size}; limit {limits.max_text_chars:,})", path,
                              ja=f"文章が長すぎます（上限 {limits.max_text_chars:,} 字）")
