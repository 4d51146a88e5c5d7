"""Word's automatic numbering (word/numbering.xml), rendered as Word shows it: "１．", "(1)", "①",
"ア", "ｲ", "a)", "第1章"…

Counters belong to the abstract list definition, as in Word: two numbering instances (w:num)
of one abstract list continue each other's count unless an instance restarts a level with
w:lvlOverride/w:startOverride. Using a level restarts the deeper levels (w:lvlRestart changes
after which level they restart; 0 = never)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
_IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセスン"
_HALF = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF66, 0xFF9E)}
_TEN_STEMS = "甲乙丙丁戊己庚辛壬癸"
_ZODIAC = "子丑寅卯辰巳午未申酉戌亥"
_KANJI_DIGITS = "〇一二三四五六七八九"


@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None  # w:lvlRestart: restart after a use of a level ≤ this (1-based); 0 never
    legal: bool = False  # w:isLgl: show the higher levels' numbers as decimal
    suffix: str = "tab"  # tab, space, nothing


@dataclass
class Instance:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # level → w:startOverride
    levels: dict[int, Level] = field(default_factory=dict)  # level → w:lvlOverride/w:lvl


@dataclass
class Numbering:
    abstracts: dict[str, dict[int, Level]] = field(default_factory=dict)
    instances: dict[str, Instance] = field(default_factory=dict)
    _counters: dict[str, dict[int, int]] = field(default_factory=dict)
    _pending: dict[str, dict[int, int]] = field(default_factory=dict)  # a restart value waiting for its next use
    _seen: set[str] = field(default_factory=set)

    def next(self, num_id: str, ilvl: int) -> tuple[str, str]:
        """Count one paragraph of list ``num_id`` at level ``ilvl``; return (the number as shown,
        the separator after it)."""
        instance = self.instances.get(num_id)
        if instance is None or instance.abstract not in self.abstracts:
            return "", ""
        levels = {**self.abstracts[instance.abstract], **instance.levels}
        if ilvl not in levels:
            return "", ""
        key = instance.abstract
        counters = self._counters.setdefault(key, {})
        pending = self._pending.setdefault(key, {})
        if num_id not in self._seen:  # first paragraph of this instance: its restarts apply
            self._seen.add(num_id)
            for lvl, start in instance.starts.items():
                counters.pop(lvl, None)
                pending[lvl] = start
        current = counters.get(ilvl)
        counters[ilvl] = pending.pop(ilvl, levels[ilvl].start) if current is None else current + 1
        for deeper in [d for d in counters if d > ilvl]:
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or ilvl < restart:
                del counters[deeper]
        level = levels[ilvl]
        shown = _render(level, levels, counters, pending)
        return shown, {"tab": " ", "space": " "}.get(level.suffix, "") if shown else ""


def _render(level: Level, levels: dict[int, Level], counters: dict[int, int], pending: dict[int, int]) -> str:
    if level.fmt == "none":
        return ""
    if level.fmt == "bullet":
        return bullet(level.text)
    out, i, text = [], 0, level.text
    while i < len(text):
        if text[i] == "%" and i + 1 < len(text) and text[i + 1] in "123456789":
            lvl = int(text[i + 1]) - 1
            other = levels.get(lvl, Level())
            value = counters.get(lvl, pending.get(lvl, other.start))
            out.append(format_number(value, "decimal" if level.legal else other.fmt))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def bullet(text: str) -> str:
    """A bullet as shown: symbol-font characters (private use area) become "・"."""
    text = "".join(c for c in text if not 0xE000 <= ord(c) <= 0xF8FF) if text else ""
    return text.strip() or "・"


def format_number(n: int, fmt: str) -> str:
    """One counter in a Word number format (unknown formats fall back to decimal)."""
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else chr(0x3251 + n - 21) if 21 <= n <= 35 else chr(0x32B1 + n - 36) if 36 <= n <= 50 else str(n)
    if fmt == "decimalEnclosedParen":
        return chr(0x2474 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return chr(0x2488 + n - 1) if 1 <= n <= 20 else f"{n}."
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n >= 1 else str(n)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman.lower() if fmt == "lowerRoman" else roman
    if fmt in ("aiueoFullWidth", "aiueo", "irohaFullWidth", "iroha"):
        letters = _KANA if fmt.startswith("aiueo") else _IROHA
        kana = letters[(n - 1) % len(letters)] if n >= 1 else str(n)
        return kana if fmt.endswith("FullWidth") else _HALF.get(kana, kana)
    if fmt == "ideographDigital":
        return "".join(_KANJI_DIGITS[int(d)] for d in str(n))
    if fmt in ("japaneseCounting", "chineseCounting", "chineseCountingThousand", "japaneseLegal", "japaneseDigitalTenThousand"):
        return _kanji(n)
    if fmt == "ideographTraditional":
        return _TEN_STEMS[(n - 1) % 10] if n >= 1 else str(n)
    if fmt == "ideographZodiac":
        return _ZODIAC[(n - 1) % 12] if n >= 1 else str(n)
    return str(n)


def _roman(n: int) -> str:
    if not 0 < n < 4000:
        return str(n)
    out = []
    for value, mark in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                        (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(mark)
            n -= value
    return "".join(out)


def _kanji(n: int) -> str:
    if n <= 0 or n >= 10000:
        return str(n)
    out = ""
    for value, mark in ((1000, "千"), (100, "百"), (10, "十")):
        digit, n = divmod(n, value)
        if digit:
            out += ("" if digit == 1 else _KANJI_DIGITS[digit]) + mark
    return out + (_KANJI_DIGITS[n] if n else "")
