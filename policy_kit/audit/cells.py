"""Spreadsheet cells the board can open safely (OWASP, "CSV Injection").

Text from school files (a sentence, a file name, a roster name) may start with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return, which Excel and LibreOffice take as the start of a
formula (``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``). So:

- CSV: such a cell gets a leading ``'`` (Excel shows it as text, the apostrophe hidden in the
  cell's edit line), as OWASP recommends; the csv module quotes and doubles embedded quotes;
- XLSX: such a cell is stored as a text cell with the "quote prefix" style, so it is never
  evaluated, not even after the cell is edited;
- control characters that XML cannot hold (and that break the workbook) are removed from XLSX
  cells; in CSV they are removed too, except tab and line breaks inside a cell.

Full-width ＝＋－＠ are escaped as well: Japanese Excel turns them into formula characters when
a cell is edited."""
from __future__ import annotations

import re
from typing import Any, Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = _XML_ILLEGAL.sub("", value)
    return "'" + value if is_formula_like(value) else value


def csv_rows(rows: Iterable[Iterable[Any]]) -> list[list[Any]]:
    return [[csv_cell(v) for v in row] for row in rows]


def xlsx_value(value: Any) -> Any:
    """A value openpyxl can store: strings without characters XML cannot hold."""
    return _XML_ILLEGAL.sub("", value) if isinstance(value, str) else value


def xlsx_row(row: Iterable[Any]) -> list[Any]:
    return [xlsx_value(v) for v in row]


def protect_formulas(book: Any) -> None:
    """Every string cell that would start a formula becomes a quote-prefixed text cell."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if is_formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
