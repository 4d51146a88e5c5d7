"""A roster: one row per school (CSV or XLSX) to generate every school in one run.

Columns are field paths of the school input (``school.id``, ``school.name``, ``organisation.name``,
``team.leader`` …); the optional column ``base`` names a per-school YAML file (relative to the
roster) that supplies everything else. List fields take values separated by ``;``."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import safeyaml
from ..errors import InputError
from ..inputfiles import read_limited, require_regular
from .school import validate_school

MAX_ROSTER_BYTES = 20 * 1024 * 1024
SHORT_COLUMNS = {"id": "school.id", "name": "school.name", "kind": "school.kind", "phone": "school.phone",
                 "address": "school.address", "website": "school.website", "principal": "school.principal"}


@dataclass
class RosterRow:
    number: int  # row number as the user sees it (header is row 1)
    label: str
    data: dict[str, Any] | None = None
    error: str | None = None
    error_ja: str = ""


def read_roster(path: Path) -> list[RosterRow]:
    raw = read_limited(path, MAX_ROSTER_BYTES, "roster file")  # a regular file, within the limit
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _read_csv(raw, path)
    elif suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(raw, path)
    else:
        raise InputError("a roster must be a .csv or .xlsx file", path,
                         ja="名簿は CSV（.csv）か Excel（.xlsx）のファイルにしてください")
    if not table:
        raise InputError("roster is empty", path, ja="名簿が空です")
    header, body = [h.strip() for h in table[0]], table[1:]
    if not any(h in ("base", "id", "school.id") for h in header):
        raise InputError("roster needs a 'base' (YAML file) or an 'id' column", path,
                         ja="名簿の1行目に base（学校の入力ファイル）か id の列が必要です")
    rows = []
    for offset, cells in enumerate(body, start=2):
        if not any(str(c).strip() for c in cells):
            continue
        record = {h: str(c).strip() for h, c in zip(header, cells) if h and str(c).strip()}
        rows.append(_build_row(path, offset, record))
    return rows


def _build_row(roster: Path, number: int, record: dict[str, str]) -> RosterRow:
    label = record.get("name") or record.get("school.name") or record.get("id") or record.get("base") or f"row {number}"
    try:
        data: dict[str, Any] = {}
        if "base" in record:
            base = require_regular((roster.parent / record.pop("base")).resolve(), "base file (YAML)")
            loaded = safeyaml.load_file(base)
            if not isinstance(loaded, dict):
                raise InputError("base file must hold a mapping", base,
                                 ja="base の入力ファイルの形になっていません（「項目名: 値」の行を並べてください）")
            data = loaded
        for column, value in record.items():
            _set_path(data, SHORT_COLUMNS.get(column, column), value)
        school = data.get("school")
        if isinstance(school, dict) and school.get("name"):
            label = str(school["name"])
        validate_school(data, f"{roster}, row {number}")
        return RosterRow(number, label, data=data)
    except InputError as exc:
        return RosterRow(number, label, error=str(exc), error_ja=exc.message_ja)


def _set_path(data: dict, dotted: str, value: str) -> None:
    keys = dotted.split(".")
    node = data
    for key in keys[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise InputError(f"column {dotted!r} conflicts with the base file",
                             ja=f"列「{dotted}」が base の入力ファイルの内容と食い違っています")
    node[keys[-1]] = [v.strip() for v in value.split(";") if v.strip()] if ";" in value else value


def _read_csv(raw: bytes, path: Path) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError("roster CSV is neither UTF-8 nor Shift_JIS", path,
                         ja="名簿の CSV の文字コードを判別できません。UTF-8 か Shift_JIS で保存してください")
    try:
        return [row for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:  # a NUL byte, a field larger than the csv module allows
        raise InputError(f"roster CSV cannot be read: {exc}", path,
                         ja=f"名簿の CSV を読めません（{exc}）。表計算ソフトで CSV として保存し直してください") from None


def _read_xlsx(raw: bytes, path: Path) -> list[list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        table = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for broken files, also while reading rows
        raise InputError(f"cannot read the Excel file: {exc.__class__.__name__}", path,
                         ja="Excel ファイルを読めません。壊れていないか、.xlsx 形式で保存されているか確認してください") from None
    return table

