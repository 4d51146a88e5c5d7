"""Plain-Japanese check of a generated document: short sentences, few 読点.

Used by the tests on every leaflet (parents: at most 80 characters a sentence) and every pupils'
version (pupils: at most 60), and by anyone who edits the templates. Furigana (<rt>, <rp>) are left
out; a sentence ends at 。！？ or at the end of a block (paragraph, list item, table cell, heading)."""
from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass

MAX_CHARS_PUPILS = 60
MAX_CHARS_PARENTS = 80
MAX_TOUTEN = 2  # three or more 読点 in one sentence is too many

_DROP = re.compile(r"<(head|rt|rp|script|style)\b.*?</\1\s*>", re.S | re.I)
_BLOCK = re.compile(r"</?(p|li|td|th|h[1-6]|div|tr|br|section|header|ul|ol|table|dd|dt)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?」』）)]*")


@dataclass(frozen=True)
class PlainProblem:
    sentence: str
    problem: str

    def __str__(self) -> str:
        return f"{self.problem}: {self.sentence}"


def document_sentences(document: str) -> list[str]:
    """Every sentence of the document's visible body text, without furigana."""
    text = _DROP.sub("", document)
    text = _BLOCK.sub("\n", text)
    text = _html.unescape(_TAG.sub("", text))
    sentences: list[str] = []
    for block in text.split("\n"):
        block = re.sub(r"\s+", " ", block).strip()
        sentences += [s.strip() for s in _SENTENCE.findall(block) if s.strip()]
    return sentences


def plain_problems(document: str, max_chars: int) -> list[PlainProblem]:
    """Sentences longer than ``max_chars`` characters or with more than two 読点."""
    problems = []
    for sentence in document_sentences(document):
        if len(sentence) > max_chars:
            problems.append(PlainProblem(sentence, f"{len(sentence)} characters (at most {max_chars})"))
        touten = sentence.count("、") + sentence.count("，")
        if touten > MAX_TOUTEN:
            problems.append(PlainProblem(sentence, f"{touten} 読点 (at most {MAX_TOUTEN})"))
    return problems
