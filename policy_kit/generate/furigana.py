"""Furigana for the pupils' version: readings above the kanji words the readers have not learnt.

Which kanji a reader knows comes from data kept in the repository (``data/kanji_grades.txt``: the
学年別漢字配当表 of the 2017 小学校学習指導要領, in force from 2020; ``data/joyo_kanji.txt``: the
常用漢字表 of 2010). Readings come from SudachiPy, the tokenizer inside the GiNZA model
(``check.analyse.load_model``), converted from katakana to hiragana, and can be overridden per
word (names and readings the dictionary gets wrong).

A word gets readings when any of its kanji is unknown to the readers; then every kanji run of the
word gets its reading (取り組み → 取[と]り組[く]み), aligned against the word's kana."""
from __future__ import annotations

import functools
import html as _html
import math
import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Literal

from markupsafe import Markup, escape

from ..resources import data_dir

FuriganaMode = Literal["grade", "rare", "none"]

# Kanji, the iteration mark 々 and the ideographic closing mark 〆 (read with the kanji before them).
_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f々〆"
KANJI_RUN = re.compile(f"[{_KANJI}]+")
_HAS_KANJI = re.compile(f"[{_KANJI}]")
_READING = re.compile(r"[\u3041-\u3096ー]+")


@functools.lru_cache(maxsize=1)
def kanji_grades() -> dict[str, int]:
    """Each of the 1,026 kanji of the 学年別漢字配当表 with the grade (1–6) that learns it."""
    grades: dict[str, int] = {}
    for line in _data_lines("kanji_grades.txt"):
        grade, _, chars = line.partition(":")
        for char in chars.strip():
            grades[char] = int(grade)
    return grades


@functools.lru_cache(maxsize=1)
def joyo_kanji() -> frozenset[str]:
    """The kanji of the 常用漢字表 (with the common forms 叱 and 頬 of 𠮟 and 頰)."""
    return frozenset("".join(_data_lines("joyo_kanji.txt")))


def _data_lines(name: str) -> list[str]:
    text = (data_dir("data") / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class FuriganaRule:
    """Which kanji need a reading. ``grade``: every kanji not learnt by the end of ``known_grade``
    (0 means none learnt yet: every kanji); ``rare``: kanji outside the 常用漢字表; ``none``: none."""

    mode: FuriganaMode = "grade"
    known_grade: int = 0

    def needs_reading(self, kanji: str) -> bool:
        if self.mode == "none":
            return False
        if self.mode == "rare":
            return kanji not in joyo_kanji()
        return kanji_grades().get(kanji, 7) > self.known_grade

    def word_needs_reading(self, word: str) -> bool:
        """True when any kanji of ``word`` needs a reading (々 and 〆 follow the kanji before them)."""
        kanji = "".join(KANJI_RUN.findall(word)).replace("々", "").replace("〆", "")
        return self.mode != "none" and any(self.needs_reading(c) for c in kanji)


@dataclass(frozen=True)
class Segment:
    """A piece of text and, when it shows one, the hiragana reading above it."""

    text: str
    reading: str | None = None


def hiragana(text: str) -> str:
    """Katakana to hiragana (ー and other characters unchanged)."""
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def spelling(surface: str, reading: str) -> str:
    """The dictionary's reading form follows pronunciation in one common case that kana spelling
    does not: 言う is pronounced ゆう but written いう (and 言って いって)."""
    if surface.startswith("言") and reading.startswith("ゆ"):
        return "い" + reading[1:]
    return reading


def align(surface: str, reading: str) -> list[Segment]:
    """Split ``surface`` into kanji runs with their part of ``reading`` and the other characters
    (okurigana) without: 取り組み + とりくみ → 取(と) り 組(く) み. If the kana do not line up with
    the reading, the whole word carries the whole reading."""
    parts = re.split(f"([{_KANJI}]+)", surface)
    pattern = ""
    for i, part in enumerate(parts):
        if not part:
            continue
        pattern += "(.+?)" if i % 2 else re.escape(hiragana(part))
    match = re.fullmatch(pattern, reading) if pattern else None
    if match is None:
        return [Segment(surface, reading)]
    out: list[Segment] = []
    groups = iter(match.groups())
    for i, part in enumerate(parts):
        if part:
            out.append(Segment(part, next(groups)) if i % 2 else Segment(part))
    return out


@dataclass
class Annotator:
    """Adds readings to text for one reader group. ``overrides`` maps a word to its reading and wins
    over the dictionary; ``missing`` collects kanji words that needed a reading and had none."""

    rule: FuriganaRule
    overrides: dict[str, str] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)

    def segments(self, text: str) -> list[Segment]:
        if self.rule.mode == "none" or not _HAS_KANJI.search(text):
            return [Segment(text)] if text else []
        out: list[Segment] = []
        for piece, reading in self._split_overrides(text):
            if reading is not None:
                out.extend(self._word(piece, reading))
            else:
                for surface, token_reading in with_counters(_tokens(piece)):
                    out.extend(self._word(surface, token_reading))
        return _merge_plain(out)

    def html(self, text: str) -> Markup:
        """``text`` (plain) as escaped HTML with <ruby> for each reading."""
        return Markup("").join(_ruby(s) for s in self.segments(text))

    def annotate_html(self, document: str) -> str:
        """Add readings to every text node of an HTML document we rendered ourselves, except inside
        <head>, <rt>, <rp>, <script>, <style> and elements marked ``data-furigana="no"``."""
        out: list[str] = []
        skip: list[str] = []
        for chunk in _MARKUP.split(document):
            if chunk.startswith("<"):
                out.append(chunk)
                skip = _track_skipped(chunk, skip)
            elif chunk and not skip and _HAS_KANJI.search(chunk):
                out.append(str(self.html(_html.unescape(chunk))))
            else:
                out.append(chunk)
        return "".join(out)

    def _word(self, surface: str, reading: str) -> list[Segment]:
        if not _HAS_KANJI.search(surface) or not self.rule.word_needs_reading(surface):
            return [Segment(surface)]
        reading = spelling(surface, hiragana(reading))
        if not _READING.fullmatch(reading):
            self.missing.add(surface)
            return [Segment(surface)]
        return align(surface, reading)

    def _split_overrides(self, text: str) -> Iterator[tuple[str, str | None]]:
        """Pieces of ``text``: override words with their reading, the rest with None."""
        if not self.overrides:
            yield text, None
            return
        words = sorted(self.overrides, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(w) for w in words))
        pos = 0
        for m in pattern.finditer(text):
            if m.start() > pos:
                yield text[pos:m.start()], None
            yield m.group(), self.overrides[m.group()]
            pos = m.end()
        if pos < len(text):
            yield text[pos:], None


# Tags, comments, and whole <style>/<script> elements (their text is not HTML: it may hold "<").
_MARKUP = re.compile(r"(<!--.*?-->|<(?:style|script)\b.*?</(?:style|script)\s*>|<[^>]*>)", re.S | re.I)
_SKIPPED = ("head", "rt", "rp", "script", "style", "title")


def _track_skipped(tag: str, stack: list[str]) -> list[str]:
    """The stack of open elements whose text gets no readings, after ``tag``."""
    m = re.match(r"<(/?)([a-zA-Z0-9]+)", tag)
    if not m or (not m.group(1) and "</" in tag):  # a comment, a doctype or a whole <style> element
        return stack
    closing, name = m.group(1) == "/", m.group(2).lower()
    marked = 'data-furigana="no"' in tag
    if closing:
        if stack and stack[-1] == name:
            return stack[:-1]
        return stack
    if (name in _SKIPPED or marked or stack) and not tag.endswith("/>") and name not in _VOID:
        return [*stack, name]
    return stack


_VOID = {"br", "meta", "link", "img", "hr", "input", "wbr", "col", "area", "base", "source"}


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    """(surface, katakana reading) of each token, from the GiNZA model's SudachiPy tokenizer."""
    from ..check.analyse import load_model

    tokenizer = load_model().tokenizer
    sudachi = getattr(tokenizer, "tokenizer", None)
    if sudachi is not None and hasattr(sudachi, "tokenize"):
        for i, line in enumerate(text.split("\n")):
            if i:
                yield "\n", ""
            if line:
                for m in sudachi.tokenize(line):
                    yield m.surface(), m.reading_form()
    else:  # another spaCy tokenizer: GiNZA puts the reading in token.morph
        for token in tokenizer(text):
            reading = token.morph.get("Reading")
            yield token.text_with_ws, reading[0] if reading else ""


# Readings of counters that change with the number before them (the dictionary reads each
# token alone): 30分 is さんじゅっぷん, 2日 is ふつか.
_PUN_DIGITS = "134680"
_DAYS = {"2": "ふつか", "3": "みっか", "4": "よっか", "5": "いつか", "6": "むいか", "7": "なのか",
         "8": "ようか", "9": "ここのか", "10": "とおか", "14": "じゅうよっか", "20": "はつか", "24": "にじゅうよっか"}


def with_counters(tokens: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """Fix the reading of 分 and 日 after a number written in digits. 分 is ぷん after 1, 3, 4, 6, 8
    and 0 (いっぷん, じゅっぷん); 日 after 2–10, 14, 20 and 24 has its own reading, which covers
    the number too (2日 → ふつか)."""
    previous: tuple[str, str] | None = None
    for surface, reading in tokens:
        number = previous[0] if previous and previous[0].isascii() and previous[0].isdigit() else None
        if number and surface == "分":
            reading = "プン" if number[-1] in _PUN_DIGITS else "フン"
        if number and surface == "日" and number.lstrip("0") in _DAYS:
            previous = (number + surface, _DAYS[number.lstrip("0")])
            continue
        if previous is not None:
            yield previous
        previous = (surface, reading)
    if previous is not None:
        yield previous


def _merge_plain(segments: Iterable[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for s in segments:
        if s.reading is None and out and out[-1].reading is None:
            out[-1] = Segment(out[-1].text + s.text)
        else:
            out.append(s)
    return out


def _ruby(segment: Segment) -> Markup:
    if segment.reading is None:
        return escape(segment.text)
    extra = overhang(segment.text, segment.reading)
    cls = Markup(' class="rx{}"').format(extra) if extra else ""
    return Markup("<ruby{}>{}<rp>（</rp><rt>{}</rt><rp>）</rp></ruby>").format(cls, segment.text, segment.reading)


def overhang(base: str, reading: str) -> int:
    """How much wider the reading (half-size kana) is than its base, in quarter ems (0 when it
    fits). The print layout (pupils.css, classes rx1…) widens the base by that much, so that
    neighbouring readings never overlap, as a browser's ruby layout does by itself."""
    base_width = sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in base)
    extra = len(reading) * 0.5 - base_width
    return max(0, min(MAX_OVERHANG, math.ceil(extra * 4 - 1e-9)))


MAX_OVERHANG = 16
