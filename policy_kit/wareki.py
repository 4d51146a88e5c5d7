"""Japanese era dates as schools write them: 令和8年（2026年）."""
from __future__ import annotations

import datetime as _dt

# (first day of the era, era name)
_ERAS = [
    (_dt.date(2019, 5, 1), "令和"),
    (_dt.date(1989, 1, 8), "平成"),
    (_dt.date(1926, 12, 25), "昭和"),
]


def era_year(year: int, month: int = 4, day: int = 1) -> tuple[str, int]:
    """Era name and era year for a date; year 1 of an era is written 元年 by callers."""
    date = _dt.date(year, month, day)
    for start, name in _ERAS:
        if date >= start:
            return name, year - start.year + 1
    raise ValueError(f"dates before 1926 are not supported: {year}")


def _num(n: int) -> str:
    return "元" if n == 1 else str(n)


def fiscal_year(year: int) -> str:
    """令和8年度（2026年度） for the school year starting in April ``year``."""
    name, n = era_year(year, 4, 1)
    return f"{name}{_num(n)}年度（{year}年度）"


def date_ja(date: _dt.date) -> str:
    """令和8年（2026年）4月1日."""
    name, n = era_year(date.year, date.month, date.day)
    return f"{name}{_num(n)}年（{date.year}年）{date.month}月{date.day}日"


def month_ja(year: int, month: int) -> str:
    name, n = era_year(year, month, 1)
    return f"{name}{_num(n)}年（{year}年）{month}月"
