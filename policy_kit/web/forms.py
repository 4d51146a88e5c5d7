"""The school form, generated from the school input model (`SchoolInput`), and its way back.

The form's sections and fields are derived from the pydantic model: every field of the model
appears, with a widget chosen from its type (text, phone, number, date, a choice, a repeatable
list, a table of rows, month check boxes, the month-by-month table of activities). Labels and
help texts are the Japanese words in ``LABELS`` (a test makes sure every field has them).

Field names in the HTML are the model's paths: ``school.name``, ``organisation.members.0``,
``contacts.1.phone``, ``schedule.activities.5.prevention`` (month 5), ``schedule.survey_months``.

    flat form values ──parse_form──▶ raw dict ──validate──▶ SchoolInput | errors by field name
    SchoolInput / YAML ──form_values──▶ flat form values (to fill the form)
    SchoolInput ──to_yaml──▶ the YAML file the command line reads"""
from __future__ import annotations

import datetime as _dt
import functools
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticUndefined

from ..generate.school import MONTHS_IN_SCHOOL_YEAR, SchoolInput, load_profile
from ..resources import data_dir

ACTIVITY_COLUMNS = ("prevention", "detection", "committee", "training")

# path → (label, help). Every field of SchoolInput has an entry (tests/test_web.py checks it).
LABELS: dict[str, tuple[str, str]] = {
    "profile": ("自治体のプロファイル", "市全体で共通の内容（相談窓口、アンケートの月、強化月間、年間計画のひな形）をここから取り込みます。"),
    "fiscal_year": ("年度（西暦）", "例：2026。文書には「令和8年度（2026年度）」と書かれます。"),
    "revised": ("改定日", "空欄のときは、その年度の4月1日になります。"),
    "established": ("策定日", "最初に基本方針を定めた日です（分かる場合）。"),
    "school": ("学校", ""),
    "school.id": ("学校ID", "半角の英小文字・数字・「-」「_」。ファイル名に使います（例：harunire-es）。"),
    "school.name": ("学校名", "例：旭川市立はるにれ小学校"),
    "school.kind": ("校種", "「児童」「生徒」「児童生徒」の書き分けが、校種で決まります。"),
    "school.principal": ("校長名", ""),
    "school.address": ("所在地", ""),
    "school.phone": ("学校の電話番号", "リーフレットの相談先に載ります（例：0166-00-0000）。"),
    "school.website": ("学校のWebサイト", "文書に文字として載せるだけで、読み込みはしません。"),
    "school.motto": ("学校教育目標", ""),
    "organisation": ("いじめ防止等の対策のための組織（法第22条）", ""),
    "organisation.name": ("組織の名称", "学校で決めた名前（例：はるにれ小学校いじめ対策委員会）。"),
    "organisation.members": ("構成員", "役職で書きます（氏名は不要です）。2つ以上入力してください。"),
    "organisation.experts": ("外部の専門家", "スクールカウンセラー、スクールソーシャルワーカーなど。"),
    "organisation.meetings": ("会議の開き方", "例：定例会議を毎月1回開き、必要なときは臨時会議を開きます"),
    "team": ("いじめ対策チーム", ""),
    "team.name": ("チームの名称", ""),
    "team.members": ("チームの構成員", "役職で書きます。いじめ対策推進リーダーは自動で加わります。"),
    "team.reporting_contacts": ("報告窓口担当者", "教職員が気付いたことを報告する相手です。"),
    "team.leader": ("いじめ対策推進リーダー", "例：生徒指導主事"),
    "team.meeting": ("チームの会議", "例：毎週月曜日の放課後"),
    "schedule": ("年間の予定", ""),
    "schedule.survey_months": ("いじめアンケートの月", "選ばないときは、プロファイルの月（旭川市は6・11・2月）になります。"),
    "schedule.stress_check_months": ("ストレスチェックの月", ""),
    "schedule.interview_weeks": ("個別面談の時期", "空欄のときは、アンケートの後2週間以内と書かれます。"),
    "schedule.activities": ("学校独自の取組（月ごと）", "1行に1つずつ書きます。市の年間計画に加えて、学校いじめ防止プログラムに載ります。"),
    "police": ("警察との連携", ""),
    "police.station": ("相談する警察署", "例：旭川中央警察署"),
    "police.phone": ("警察署の電話番号", "書くと、リーフレットの相談先に載ります。"),
    "police.liaison": ("学校と警察の連絡組織", ""),
    "contacts": ("学校独自の相談先", "リーフレットの相談先の最初に載ります。市や国の窓口はプロファイルから入ります。"),
    "contacts.name": ("名称", ""),
    "contacts.phone": ("電話番号", ""),
    "contacts.hours": ("受付時間", ""),
    "contacts.note": ("備考", ""),
    "student_activities": ("児童生徒が主体となる取組", "書かないときは、児童会・生徒会の取組の例が入ります。"),
}
SECTION_TITLES = {"": "基本の情報"}
ACTIVITY_LABELS = {"prevention": "未然防止", "detection": "早期発見", "committee": "対策組織の活動", "training": "校内研修"}
TEXTAREAS = {"organisation.meetings"}
WIDE = {"school.name", "school.address", "school.website", "school.motto", "organisation.name", "organisation.meetings"}


@dataclass(frozen=True)
class Field:
    path: str  # the model path, and the HTML name (rows: the column name)
    kind: str  # text textarea tel code number date select list months rows monthtable
    label: str
    help: str = ""
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for select
    default: Any = None  # what a new form shows
    columns: tuple["Field", ...] = ()  # rows: the fields of one row
    min_items: int = 0
    max_length: int | None = None
    wide: bool = False

    @property
    def anchor(self) -> str:
        return "f-" + self.path.replace(".", "-")


@dataclass(frozen=True)
class Section:
    path: str
    title: str
    help: str
    fields: tuple[Field, ...]

    @property
    def anchor(self) -> str:
        return "s-" + (self.path or "basic")


# ----------------------------------------------------------------------------- the form from the model


def bundled_profiles() -> list[str]:
    return sorted(p.stem for p in data_dir("profiles").glob("*.yaml"))


@functools.lru_cache(maxsize=8)
def profile(name: str):
    """A bundled profile (only bundled names: no text from a request becomes a file path)."""
    if name not in bundled_profiles():
        raise KeyError(name)
    return load_profile(name)


@functools.lru_cache(maxsize=1)
def sections() -> tuple[Section, ...]:
    """The form: one section for the top-level values, one per nested model and top-level list."""
    basic: list[Field] = []
    out: list[Section] = []
    for name, info in SchoolInput.model_fields.items():
        sub = _model(info.annotation)
        if sub is not None:
            out.append(Section(name, LABELS[name][0], LABELS[name][1], tuple(_fields(sub, name + "."))))
        elif _list_item(info.annotation) is not None:
            f = _field(name, info)
            out.append(Section(name, f.label, f.help, (f,)))
        else:
            basic.append(_field(name, info))
    return (Section("", SECTION_TITLES[""], "", tuple(basic)), *out)


def all_fields() -> list[Field]:
    return [f for s in sections() for f in s.fields]


def _fields(model: type[BaseModel], prefix: str) -> list[Field]:
    return [_field(prefix + name, info) for name, info in model.model_fields.items()]


def _field(path: str, info: Any) -> Field:
    label, help_ = LABELS[path]
    base, meta, _ = _unwrap(info.annotation)
    meta = [*meta, *info.metadata]
    required = info.is_required()
    default = _default(info)
    item = _list_item(info.annotation)
    if item is not None:
        item_model = _model(item)
        min_items = next((m.min_length for m in meta if hasattr(m, "min_length")), 0)
        if item_model is not None and "month" in item_model.model_fields:
            return Field(path, "monthtable", label, help_)
        if item_model is not None:
            columns = tuple(_field(f"{path}.{n}", i) for n, i in item_model.model_fields.items())
            columns = tuple(Field(c.path.rsplit(".", 1)[1], c.kind, c.label, c.help, c.required, c.choices, max_length=c.max_length) for c in columns)
            return Field(path, "rows", label, help_, required, columns=columns)
        item_base, item_meta, _ = _unwrap(item)
        if item_base is int:
            return Field(path, "months", label, help_, required, default=default or [])
        return Field(path, "list", label, help_, required or min_items > 0, default=default or [], min_items=min_items,
                     max_length=_max_length(item_meta))
    if path == "profile":
        return Field(path, "select", label, help_, True, tuple((p, f"{profile(p).city}（{p}）") for p in bundled_profiles()), default)
    if typing.get_origin(base) is Literal:
        return Field(path, "select", label, help_, required, tuple((v, v) for v in typing.get_args(base)), default)
    if base is int:
        return Field(path, "number", label, help_, required, default=default)
    if base is _dt.date:
        return Field(path, "date", label, help_, required, default=default)
    pattern = next((getattr(m, "pattern", None) for m in meta if getattr(m, "pattern", None)), None)
    kind = "textarea" if path in TEXTAREAS else "text"
    if pattern and path.endswith("phone"):
        kind = "tel"
    elif pattern:
        kind = "code"
    return Field(path, kind, label, help_, required, default=default, max_length=_max_length(meta), wide=path in WIDE)


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """(type, constraint metadata, optional) of an annotation such as ``Annotated[str, …] | None``."""
    meta: list[Any] = []
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            annotation = args[0]
        elif origin is typing.Annotated:
            args = typing.get_args(annotation)
            annotation = args[0]
            for m in args[1:]:
                meta.extend(getattr(m, "metadata", None) or [m])
        else:
            return annotation, meta, optional


def _list_item(annotation: Any) -> Any:
    base, _, _ = _unwrap(annotation)
    if typing.get_origin(base) is list:
        return typing.get_args(base)[0]
    return None


def _model(annotation: Any) -> type[BaseModel] | None:
    base, _, _ = _unwrap(annotation)
    return base if isinstance(base, type) and issubclass(base, BaseModel) else None


def _max_length(meta: list[Any]) -> int | None:
    return next((m.max_length for m in meta if getattr(m, "max_length", None)), None)


def _default(info: Any) -> Any:
    if info.default_factory is not None:
        return info.default_factory()
    return None if info.default is PydanticUndefined else info.default


def fiscal_year_today(today: _dt.date | None = None) -> int:
    today = today or _dt.date.today()
    return today.year if today.month >= 4 else today.year - 1


def new_form_values() -> dict[str, Any]:
    """What an empty form shows: the model's defaults and this school year."""
    values: dict[str, Any] = {}
    for f in all_fields():
        if f.kind in ("list", "months") and f.default:
            values.update(_flatten_list(f, f.default))
        elif f.default not in (None, [], ""):
            values[f.path] = f.default
    values["fiscal_year"] = fiscal_year_today()
    return values


# ----------------------------------------------------------------------------- values in and out


@dataclass
class Parsed:
    """A form turned into the model's raw data, remembering which form row each list item came from."""

    raw: dict[str, Any]
    rows: dict[str, list[int]] = field(default_factory=dict)  # list path → form row of each item
    months: list[int] = field(default_factory=list)  # schedule.activities: month of each item


def parse_form(form: Mapping[str, Any]) -> Parsed:
    """Flat form values (a mapping with ``getlist``, or of lists) → the nested raw data."""
    parsed = Parsed({})
    for f in all_fields():
        if f.kind == "list":
            rows = _indexed(form, f.path + ".")
            kept = [(row, _text(v)) for row, v in rows if _text(v)]
            if kept:
                _put(parsed.raw, f.path, [v for _, v in kept])
                parsed.rows[f.path] = [row for row, _ in kept]
        elif f.kind == "rows":
            items, rows = [], []
            for row in sorted({int(m.group(1)) for k in _keys(form) if (m := re.fullmatch(re.escape(f.path) + r"\.(\d{1,3})\.\w+", k))}):
                item = {c.path: _text(_get(form, f"{f.path}.{row}.{c.path}")) for c in f.columns}
                item = {k: v for k, v in item.items() if v}
                if item:
                    items.append(item)
                    rows.append(row)
            if items:
                _put(parsed.raw, f.path, items)
                parsed.rows[f.path] = rows
        elif f.kind == "monthtable":
            items = []
            for month in MONTHS_IN_SCHOOL_YEAR:
                item: dict[str, Any] = {"month": month}
                for column in ACTIVITY_COLUMNS:
                    lines = [line.strip() for line in _text(_get(form, f"{f.path}.{month}.{column}")).splitlines() if line.strip()]
                    if lines:
                        item[column] = lines
                if len(item) > 1:
                    items.append(item)
                    parsed.months.append(month)
            if items:
                _put(parsed.raw, f.path, items)
        elif f.kind == "months":
            values = _getlist(form, f.path)
            months = [int(v) for v in values if str(v).isdigit()]
            if months or f.default:  # a list with a default (stress checks): none ticked means none
                _put(parsed.raw, f.path, sorted(set(months), key=_school_order))
        else:
            value = _text(_get(form, f.path))
            if value:
                _put(parsed.raw, f.path, value)
    return parsed


def form_values(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Raw data (a loaded YAML file, or a model dump) → flat form values, and the keys the form
    cannot show (unknown fields), which are reported instead of silently dropped."""
    values: dict[str, Any] = {}
    for f in all_fields():
        value = _lookup(raw, f.path)
        if value is None:
            continue
        if f.kind == "list":
            values.update(_flatten_list(f, value if isinstance(value, list) else [value]))
        elif f.kind == "months":
            values[f.path] = [int(v) for v in (value if isinstance(value, list) else [value]) if isinstance(v, int) or str(v).isdigit()]
        elif f.kind == "rows" and isinstance(value, list):
            for row, item in enumerate(value):
                if isinstance(item, Mapping):
                    for c in f.columns:
                        if item.get(c.path) is not None:
                            values[f"{f.path}.{row}.{c.path}"] = _scalar(item[c.path])
        elif f.kind == "monthtable" and isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping) and str(item.get("month", "")).isdigit():
                    for column in ACTIVITY_COLUMNS:
                        cell = item.get(column) or []
                        values[f"{f.path}.{int(item['month'])}.{column}"] = "\n".join(_scalar(v) for v in (cell if isinstance(cell, list) else [cell]))
        else:
            values[f.path] = _scalar(value)
    return values, _unknown_keys(raw)


def _flatten_list(f: Field, items: list[Any]) -> dict[str, Any]:
    if f.kind == "months":
        return {f.path: list(items)}
    return {f"{f.path}.{i}": _scalar(v) for i, v in enumerate(items)}


def _unknown_keys(raw: Mapping[str, Any]) -> list[str]:
    known = {f.path for f in all_fields()} | {s.path for s in sections() if s.path}
    unknown = []
    for key, value in raw.items():
        if str(key) not in known:
            unknown.append(str(key))
        elif isinstance(value, Mapping) and any(s.path == key for s in sections()):
            unknown += [f"{key}.{k}" for k in value if f"{key}.{k}" not in known]
    return unknown


# ----------------------------------------------------------------------------- validation


@dataclass
class Checked:
    model: SchoolInput | None
    errors: dict[str, str]  # form field name (or a list's path) → message in Japanese
    general: list[str] = field(default_factory=list)  # problems not tied to one field

    @property
    def count(self) -> int:
        return len(self.errors) + len(self.general)


def validate(parsed: Parsed) -> Checked:
    errors: dict[str, str] = {}
    general: list[str] = []
    name = parsed.raw.get("profile", "asahikawa")
    if name not in bundled_profiles():
        errors["profile"] = "一覧から選んでください（この画面では同梱のプロファイルだけを使えます）"
    try:
        model = SchoolInput.model_validate(parsed.raw)
    except ValidationError as exc:
        for err in exc.errors():
            key = error_key(err["loc"], parsed)
            if err["type"] == "extra_forbidden":
                general.append(f"この画面では扱えない項目「{key}」があります")
            else:
                errors.setdefault(key, message_ja(err, key))
        model = None
    return Checked(None if errors or general else model, errors, general)


def error_key(loc: tuple, parsed: Parsed) -> str:
    """The form field an error belongs to: list items by their form row, activities by month."""
    parts = [str(p) for p in loc]
    path = ".".join(p for p in parts if not p.isdigit())
    for i, part in enumerate(loc):
        if isinstance(part, int):
            list_path = ".".join(str(p) for p in loc[:i])
            if list_path == "schedule.activities" and part < len(parsed.months):
                column = str(loc[i + 1]) if i + 1 < len(loc) else ACTIVITY_COLUMNS[0]
                return f"{list_path}.{parsed.months[part]}.{column}"
            if list_path in parsed.rows and part < len(parsed.rows[list_path]):
                rest = ".".join(str(p) for p in loc[i + 1:] if not isinstance(p, int))
                return f"{list_path}.{parsed.rows[list_path][part]}" + (f".{rest}" if rest else "")
            return list_path  # months: the whole group of check boxes
    return path


def message_ja(err: Mapping[str, Any], key: str) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "missing" or (kind == "too_short" and ctx.get("field_type") == "Value") or kind == "string_too_short":
        return "入力してください"
    if kind == "too_short":
        return f"{ctx.get('min_length')}つ以上入力してください"
    if kind == "string_too_long":
        return f"{ctx.get('max_length')}文字以内で入力してください"
    if kind == "string_pattern_mismatch":
        if key.endswith("phone"):
            return "電話番号は半角の数字とハイフンで入力してください（例：0166-00-0000）"
        return "半角の英小文字・数字・「-」「_」で入力してください（先頭は英小文字か数字。例：harunire-es）"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "半角の数字で入力してください"
    if kind in ("greater_than_equal", "less_than_equal"):
        if key == "fiscal_year":
            return "2019年度から2100年度までの西暦で入力してください"
        return "1月から12月までで選んでください"
    if kind == "literal_error":
        return "一覧から選んでください"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "日付を 2026-04-01 の形で入力してください"
    if kind == "value_error" and "month" in str(err.get("msg", "")):
        return "同じ月が2回あります"
    return "入力内容を確かめてください"


# ----------------------------------------------------------------------------- YAML


def to_yaml(model: SchoolInput) -> str:
    """The YAML file the command line reads (`policy-kit generate FILE`), every value kept."""
    data = _tidy(model.model_dump(mode="python", exclude_none=True), model)
    header = ("# 学校いじめ防止基本方針の入力ファイル（policy-kit の Web 画面で保存）\n"
              "# `policy-kit generate このファイル -o out` で、基本方針・リーフレット・プログラムをつくれます。\n")
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)


def _tidy(data: dict[str, Any], model: BaseModel) -> dict[str, Any]:
    """Leave out empty lists whose default is empty (an empty stress-check list is kept: it means none)."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        info = type(model).model_fields[name]
        sub = getattr(model, name)
        if value == [] and _default(info) == []:
            continue
        if isinstance(sub, BaseModel):
            value = _tidy(value, sub)
        elif isinstance(sub, list) and sub and isinstance(sub[0], BaseModel):
            value = [_tidy(v, s) for v, s in zip(value, sub)]
        out[name] = value
    return out


# ----------------------------------------------------------------------------- helpers


def _school_order(month: int) -> int:
    return MONTHS_IN_SCHOOL_YEAR.index(month) if month in MONTHS_IN_SCHOOL_YEAR else 99


def _keys(form: Mapping[str, Any]) -> list[str]:
    return [str(k) for k in form.keys()]


def _getlist(form: Mapping[str, Any], key: str) -> list[Any]:
    if hasattr(form, "getlist"):
        return list(form.getlist(key))
    value = form.get(key)
    return value if isinstance(value, list) else ([] if value is None else [value])


def _get(form: Mapping[str, Any], key: str) -> Any:
    values = _getlist(form, key)
    return values[-1] if values else None


def _indexed(form: Mapping[str, Any], prefix: str) -> list[tuple[int, Any]]:
    found = []
    for key in _keys(form):
        rest = key[len(prefix):] if key.startswith(prefix) else ""
        if rest.isdigit() and len(rest) <= 3:
            found.append((int(rest), _get(form, key)))
    return sorted(found)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _scalar(value: Any) -> str:
    if isinstance(value, (_dt.date, int, float)) and not isinstance(value, bool):
        return value.isoformat() if isinstance(value, _dt.date) else str(value)
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _put(raw: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        raw = raw.setdefault(part, {})
    raw[parts[-1]] = value


def _lookup(raw: Mapping[str, Any], path: str) -> Any:
    node: Any = raw
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def posted_values(form: Mapping[str, Any]) -> dict[str, Any]:
    """The values as posted, to show the form again exactly as typed (rows keep their numbers,
    so an error on row 3 stays next to row 3)."""
    months = {f.path for f in all_fields() if f.kind == "months"}
    values: dict[str, Any] = {}
    for key in _keys(form):
        if key in months:
            values[key] = [int(v) for v in _getlist(form, key) if str(v).isdigit()]
        elif not key.startswith("_") and key != "csrf":
            values[key] = _text(_get(form, key)) if isinstance(_get(form, key), str) else ""
    for key in months:
        values.setdefault(key, [])
    return values


def row_numbers(values: Mapping[str, Any], f: Field, blanks: int = 1) -> list[int]:
    """Which rows of a list or table to show: the filled ones in order, then ``blanks`` empty ones
    (at least as many rows as the field needs)."""
    pattern = re.compile(re.escape(f.path) + r"\.(\d{1,3})(?:\.\w+)?$")
    used = sorted({int(m.group(1)) for k in values if (m := pattern.match(k)) and values[k]})
    start = max(used) + 1 if used else 0
    wanted = max(blanks, f.min_items - len(used))
    return used + list(range(start, start + wanted))
