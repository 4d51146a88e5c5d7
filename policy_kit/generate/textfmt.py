"""Small text helpers the document templates call: values that must not break across lines
(time ranges, phone numbers) and tel: links."""
from __future__ import annotations

import re

from markupsafe import Markup, escape

# A time range (8時45分～17時15分, 13:00-17:00), a phone number (0120-0-78310) or a span of hours
# (24時間): each is one value, never to be broken across lines.
_TIME = r"\d{1,2}時(?:\d{1,2}分|半)?"
_CLOCK = r"\d{1,2}:\d{2}"
UNBREAKABLE = re.compile(
    rf"(?:{_TIME}|{_CLOCK})\s*[~～〜\-－–]\s*(?:{_TIME}|{_CLOCK})"
    r"|\d[\d\-()]{4,}\d"
    r"|\d+時間"
)


def keep_together(text: str | None) -> Markup:
    """``text`` escaped, with each time range and phone number wrapped in <span class="nw">
    (white-space: nowrap), so a table cell breaks between values, never inside one."""
    if not text:
        return Markup("")
    out: list[Markup] = []
    pos = 0
    for m in UNBREAKABLE.finditer(text):
        out.append(escape(text[pos:m.start()]))
        out.append(Markup('<span class="nw">{}</span>').format(m.group()))
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def tel_href(phone: str) -> str:
    """The tel: URL of a Japanese phone number: digits only (0166-00-1001 → tel:0166001001)."""
    return "tel:" + re.sub(r"[^0-9+]", "", phone)


def tel_link(phone: str | None) -> Markup:
    """A phone number as a tel: link that never breaks inside."""
    if not phone:
        return Markup("—")
    return Markup('<a class="tel nw" href="{}">{}</a>').format(tel_href(phone), phone)
