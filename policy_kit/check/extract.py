"""Read a policy document into pages of lines (the readers live in check/readers/: pdf, docx,
html, text). Kept so that `from policy_kit.check.extract import read_document, read_bytes,
decode_text, SUPPORTED_SUFFIXES` goes on working."""
from __future__ import annotations

from .document import Document, Limits, Line
from .readers import SUPPORTED_SUFFIXES, decode_text, inline_suppressions, read_bytes, read_document

__all__ = ["SUPPORTED_SUFFIXES", "Document", "Limits", "Line", "read_document", "read_bytes", "decode_text", "inline_suppressions"]
