"""What a Japanese IME types, read as its writer meant it.

Each function takes a raw value from the school's YAML (or a web form) and returns the value the
model expects, or raises ``PydanticCustomError`` with a type of its own, which
``validation.problems`` turns into a message in English and Japanese. Only forms whose intent is
unambiguous are accepted:

- full-width digits and letters (２０２６, ＳＣ) become ASCII; Kangxi radicals (⼀) become the
  ordinary kanji; half-width katakana become full-width; Japanese punctuation （）～「」！？ and
  full-width spaces are kept as written;
- years: 2026, ２０２６, 2026年度, 令和8年度, 令和元年度, R8;
- months: 6, ６, 6月; month lists also as one text: 6・11・2月, 6月、11月、2月;
- dates: 2026-04-01, 2026/4/1, 2026年4月1日, 令和8年4月1日, R8.4.1;
- lists of roles: 、，,・ and full-width spaces separate items ([校長、教頭] is two roles);
- phone numbers: always text, full-width digits and dashes (０１６６－００－１００１, ー) folded."""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from typing import Any

from pydantic_core import PydanticCustomError

# ----------------------------------------------------------------------------- characters


def _needs_fold(char: str) -> bool:
    code = ord(char)
    return (
        0x2E80 <= code <= 0x2FDF  # CJK radicals supplement, Kangxi radicals: ⼀ → 一
        or 0xFF10 <= code <= 0xFF19  # full-width digits
        or 0xFF21 <= code <= 0xFF3A  # full-width Latin capitals
        or 0xFF41 <= code <= 0xFF5A  # full-width Latin small letters
        or 0xFF61 <= code <= 0xFF9F  # half-width katakana and their punctuation: ｶﾞ → ガ, ｢ → 「
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
    )


_FOLD_RUN = re.compile(r"[\u2e80-\u2fdf\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff61-\uff9f\uf900-\ufaff]+")


def normalise_text(value: Any) -> Any:
    """Text as the documents print it: NFC; full-width digits/letters, Kangxi radicals and
    half-width katakana folded; Japanese punctuation （）～「」 and full-width spaces kept as
    written (NFKC would turn them into ASCII); surrounding spaces trimmed. Numbers become text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", value)
    text = _FOLD_RUN.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    return text.strip(" \t\r\n\u3000")


def ascii_fold(value: Any) -> Any:
    """For values that are codes rather than text (ids, numbers): full NFKC, trimmed."""
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip(" \t\r\n\u3000")
    return value


# ----------------------------------------------------------------------------- years and dates

ERAS = {"令和": 2019, "平成": 1989, "昭和": 1926, "r": 2019, "h": 1989, "s": 1926}
_ERA = r"(令和|平成|昭和|[RrHhSs])"
_FISCAL = re.compile(rf"^(?:{_ERA}\s*(元|\d{{1,2}})|(\d{{4}}))\s*(?:年度|年)?$")


def era_to_year(era: str, number: str) -> int:
    return ERAS[era.lower() if era.isascii() else era] + (1 if number == "元" else int(number)) - 1


def parse_fiscal_year(value: Any) -> Any:
    """2026, ２０２６, '2026年度', '令和8年度', '令和元年度', 'R8' → 2026."""
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    text = ascii_fold(value)
    match = _FISCAL.match(text)
    if not match:
        raise PydanticCustomError("fiscal_year_format", "not a school year: {text}", {"text": value[:40]})
    if match.group(3):
        return int(match.group(3))
    return era_to_year(match.group(1), match.group(2))


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
]
_ERA_DATE = re.compile(rf"^{_ERA}\s*(元|\d{{1,2}})\s*(?:年|[./])\s*(\d{{1,2}})\s*(?:月|[./])\s*(\d{{1,2}})\s*日?$")
_WESTERN_IN_BRACKETS = re.compile(r"[（(]\s*\d{4}\s*年?\s*[)）]")


def parse_date(value: Any) -> Any:
    """'2026-04-01', '2026/4/1', '2026年4月1日', '令和8年4月1日', '令和8年（2026年）4月1日', 'R8.4.1'."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    text = _WESTERN_IN_BRACKETS.sub("", ascii_fold(value))
    year = month = day = None
    for pattern in _DATE_PATTERNS:
        if match := pattern.match(text):
            year, month, day = (int(g) for g in match.groups())
            break
    else:
        if match := _ERA_DATE.match(text):
            year = era_to_year(match.group(1), match.group(2))
            month, day = int(match.group(3)), int(match.group(4))
    if year is None:
        raise PydanticCustomError("date_format", "not a date: {text}", {"text": value[:40]})
    try:
        return _dt.date(year, month, day)
    except ValueError:
        raise PydanticCustomError("date_impossible", "there is no such date: {text}", {"text": value[:40]}) from None


# ----------------------------------------------------------------------------- months

_MONTH = re.compile(r"^(\d{1,2})\s*(?:月|がつ)?$")
MONTH_SEPARATORS = re.compile(r"[、，,・･/／\s\u3000]+")


def parse_month(value: Any) -> Any:
    """6, ６, '6月' → 6 (range checked by the model)."""
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    match = _MONTH.match(ascii_fold(value))
    if not match:
        raise PydanticCustomError("month_format", "not a month: {text}", {"text": value[:40]})
    return int(match.group(1))


def split_months(value: Any) -> Any:
    """'6・11・2月', '6月、11月、2月', '6, 11, 2' → [6, 11, 2] (a single number stays a list of one)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return [value]
    if isinstance(value, str):
        parts = [p for p in MONTH_SEPARATORS.split(ascii_fold(value)) if p]
        if len(parts) > 1 and parts[-1].endswith("月"):  # 6・11・2月: the 月 belongs to every month
            parts = [p if p.endswith("月") else p + "月" for p in parts]
        return parts
    return value


# ----------------------------------------------------------------------------- lists

_ROLE_SEPARATORS = re.compile(r"[、，,､;；\u3000]+")
_DOT = re.compile(r"[・･]")


def split_roles(value: Any) -> Any:
    """Roles typed as one text or squeezed into one list item: '校長、教頭' and [校長、教頭] and
    [校長，教頭] are two roles. ・ separates too ('校長・教頭'), unless the item reads as one
    phrase ('心理・福祉の専門家' holds の)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        return value
    out: list[Any] = []
    for item in items:
        if not isinstance(item, str):
            out.append(item)
            continue
        for part in _ROLE_SEPARATORS.split(item):
            part = part.strip()
            if not part:
                continue
            pieces = [p.strip() for p in _DOT.split(part)]
            if len(pieces) > 1 and all(p and "の" not in p for p in pieces):
                out.extend(pieces)
            else:
                out.append(part)
    return out


_ITEM_SEPARATORS = re.compile(r"[、，､\n]+")


def split_items(value: Any) -> Any:
    """Activities typed as one text: '縦割り班活動、あいさつ運動' → two items. Items of a proper
    list are kept whole (an item may itself hold 、 or ・: 学級開き・学級のきまりづくり)."""
    if isinstance(value, str):
        return [p.strip() for p in _ITEM_SEPARATORS.split(value) if p.strip()]
    return value


def lines_of(value: Any) -> Any:
    """A list of sentences typed as one text: one item per line."""
    if isinstance(value, str):
        return [p.strip() for p in value.splitlines() if p.strip()]
    return value


# ----------------------------------------------------------------------------- phone numbers

_DASHES = re.compile(r"[ー－―‐‑–—−ｰ]")
_PHONE = re.compile(r"^[0-9#(][0-9\-()]{1,18}[0-9)]$")


def normalise_phone(value: Any) -> Any:
    """Phone numbers are text: 0166-00-1001; full-width digits and every dash folded, spaces
    between groups become hyphens. A number YAML read as an integer becomes its digits."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return value
    text = _DASHES.sub("-", ascii_fold(value))
    text = re.sub(r"(?<=[0-9)])[ \u3000]+(?=[0-9(])", "-", text)
    if not _PHONE.match(text) or sum(c.isdigit() for c in text) < 3:
        raise PydanticCustomError("phone_format", "not a phone number: {text}", {"text": value[:40]})
    return text


# ----------------------------------------------------------------------------- placeholders

PLACEHOLDER = re.compile(r"[○〇◯●]{2,}|[×✕]{2,}|[＊*]{2,}")
PLACEHOLDER_PHONE = re.compile(r"^0\d{1,4}-0+-0+$")
PLACEHOLDER_IDS = ("my-school",)


def refuse_placeholder(value: str) -> str:
    """Text still holding the starter's ○○ (or ××, ＊＊) has not been filled in."""
    if PLACEHOLDER.search(value):
        raise PydanticCustomError("placeholder", "still holds a placeholder: {text}", {"text": value[:60]})
    return value


def refuse_placeholder_phone(value: str) -> str:
    if PLACEHOLDER_PHONE.match(value):
        raise PydanticCustomError("placeholder", "still holds a placeholder: {text}", {"text": value})
    return value


def refuse_placeholder_id(value: str) -> str:
    if value in PLACEHOLDER_IDS:
        raise PydanticCustomError("placeholder", "still holds a placeholder: {text}", {"text": value})
    return value
