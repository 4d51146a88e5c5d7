"""The school form, generated from the school input model (`SchoolInput`), and its way back.

The form's sections and fields are derived from the pydantic model: every field of the model
appears, with a widget chosen from its type (text, phone, number, date, a choice, a repeatable
list, a table of rows, a table of word and reading pairs for a mapping, month check boxes, the
month-by-month table of activities). Labels and help texts are the Japanese words in ``LABELS``
(a test makes sure every field has them); where a field left empty takes the board's value, the
help names each bundled board's value.

Field names in the HTML are the model's paths: ``school.name``, ``organisation.members.0``,
``contacts.1.phone``, ``schedule.activities.5.prevention`` (month 5), ``schedule.survey_months``,
``pupils_version.readings.2.word`` and ``pupils_version.readings.2.reading`` (the third pair).

    flat form values ──parse_form──▶ raw dict ──validate──▶ SchoolInput | errors by field name
    SchoolInput / YAML ──form_values──▶ flat form values (to fill the form)
    SchoolInput ──to_yaml──▶ the YAML file the command line reads"""
from __future__ import annotations

import datetime as _dt
import functools
import re
import types
import typing
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Literal, Mapping

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticUndefined

from ..generate.package import months_ja
from ..generate.pupils import DEFAULT_TITLE
from ..generate.school import MAX_PLEDGE_CHARS, MONTHS_IN_SCHOOL_YEAR, Profile, SchoolInput, load_profile
from ..resources import data_dir

ACTIVITY_COLUMNS = ("prevention", "detection", "committee", "training")

# path → (label, help). Every field of SchoolInput has an entry (tests/test_web.py checks it).
# "{boards}" in a help text becomes each bundled board's value (BOARD_VALUES).
LABELS: dict[str, tuple[str, str]] = {
    "profile": ("自治体のプロファイル", "市全体で共通の内容（相談窓口、アンケートの月、強化月間、役割の呼び方、年間計画のひな形）をここから取り込みます。"),
    "fiscal_year": ("年度（西暦）", "例：2026。文書には「令和8年度（2026年度）」と書かれます。"),
    "revised": ("改定日", "空欄のときは、その年度の4月1日になります。"),
    "established": ("策定日", "最初に基本方針を定めた日です（分かる場合）。"),
    "school": ("学校", ""),
    "school.id": ("学校ID", "半角の英小文字・数字・「-」「_」。ファイル名に使います（例：harunire-es）。"),
    "school.name": ("学校名", "例：旭川市立はるにれ小学校"),
    "school.kind": ("校種", "「児童」「生徒」「児童生徒」の書き分けが、校種で決まります。"),
    "school.principal": ("校長名", ""),
    "school.address": ("所在地", ""),
    "school.phone": ("学校の電話番号", "リーフレットと児童生徒版の相談先に載ります（例：0166-00-0000）。"),
    "school.website": ("学校のWebサイト", "文書に文字として載せるだけで、読み込みはしません。"),
    "school.motto": ("学校教育目標", ""),
    "organisation": ("いじめ防止等の対策のための組織（法第22条）", ""),
    "organisation.name": ("組織の名称", "学校で決めた名前（例：はるにれ小学校いじめ対策委員会）。"),
    "organisation.members": ("構成員", "役職で書きます（氏名は不要です）。2つ以上入力してください。"),
    "organisation.experts": ("外部の専門家", "スクールカウンセラー、スクールソーシャルワーカーなど。"),
    "organisation.meetings": ("会議の開き方", "例：定例会議を毎月1回開き、必要なときは臨時会議を開きます"),
    "team": ("中心となるチーム", "組織の中で、教職員からの報告を受けて対応を進めるチームです。呼び方は市によって違います（{boards}）。"),
    "team.name": ("チームの名称", "空欄のときは、市の呼び方になります。"),
    "team.members": ("チームの構成員", "役職で書きます。報告を集約する担当者は、書かなくても加わります。"),
    "team.reporting_contacts": ("報告を受ける担当者", "教職員が気付いたことを最初に伝える相手です。呼び方は市によって違います（{boards}）。"),
    "team.leader": ("報告を集約する担当者", "報告をまとめ、その後の対応を調整する人です（例：生徒指導主事）。呼び方は市によって違います（{boards}）。"),
    "team.meeting": ("チームの会議", "例：毎週月曜日の放課後"),
    "schedule": ("年間の予定", ""),
    "schedule.survey_months": ("いじめアンケートの月", "選ばないときは、市の月になります（{boards}）。"),
    "schedule.stress_check_months": ("ストレスチェックの月", "選ばないときは、市の月になります（{boards}）。学校で行わないときは「行わない」を選びます。"),
    "schedule.interview_weeks": ("個別面談の時期", "空欄のときは、アンケートの後2週間以内と書かれます。"),
    "schedule.activities": ("学校独自の取組（月ごと）", "1行に1つずつ書きます。市の年間計画に加えて、学校いじめ防止プログラムに載ります。"),
    "police": ("警察との連携", ""),
    "police.station": ("相談する警察署", "例：旭川中央警察署"),
    "police.phone": ("警察署の電話番号", "書くと、リーフレットの相談先に載ります。"),
    "police.liaison": ("学校と警察の連絡組織", "空欄のときは、市の組織になります（{boards}）。"),
    "contacts": ("学校独自の相談先", "リーフレットの相談先の最初に載ります。市や国の窓口はプロファイルから入ります。"),
    "contacts.name": ("名称", ""),
    "contacts.phone": ("電話番号", ""),
    "contacts.hours": ("受付時間", ""),
    "contacts.note": ("備考", ""),
    "student_activities": ("児童生徒が主体となる取組", "書かないときは、児童会・生徒会の取組の例が入ります。"),
    "pupils_version": ("児童生徒版（子どもたちが読む方針）",
                       "児童会・生徒会が話し合って決めた約束を書くと、児童生徒版の最初に載ります。この欄を空けておくと、"
                       "約束を書き込む空欄のある児童生徒版になります。書くときは、約束を3つ以上と、決めた人たちを入力してください。"),
    "pupils_version.title": ("題名", f"空欄のときは「{DEFAULT_TITLE}」になります。"),
    "pupils_version.grade_band": ("読む学年", "文字の大きさ、言葉づかい、ふりがなの付け方が変わります。選ばないときは校種で決まり、"
                                  "中学校は「中学校」、高等学校は「高等学校」、そのほかは「小学校低学年」になります。"),
    "pupils_version.pledges": ("約束", f"1行に1つずつ、{MAX_PLEDGE_CHARS}文字以内で書きます。3つから8つまでです。"),
    "pupils_version.written_by": ("約束を決めた人たち", "例：はるにれ小学校 児童会（代表委員会）。文書には「（ここに書いた名前）が話し合って決めました。」と載ります。"),
    "pupils_version.furigana": ("ふりがなの付け方", "選ばないときは、読む学年で決まります。"),
    "pupils_version.known_grade": ("習った漢字の学年", "「まだ習っていない漢字に付ける」のときに選びます。選ばないときは読む学年で決まり、"
                                   "小学校低学年はすべての漢字に、小学校高学年は5年生からの漢字に付きます。"),
    "pupils_version.readings": ("漢字のよみ", "学校名・地名・人の名前など、よみを決めておきたい語を書きます。ふりがなは、ここに書いたよみになります。"
                                "よみが見つからない語は、「入力を確認する」を押すと知らせます。"),
}
SECTION_TITLES = {"": "基本の情報"}
ACTIVITY_LABELS = {"prevention": "未然防止", "detection": "早期発見", "committee": "対策組織の活動", "training": "校内研修"}
TEXTAREAS = {"organisation.meetings"}
WIDE = {"school.name", "school.address", "school.website", "school.motto", "organisation.name", "organisation.meetings",
        "pupils_version.title", "pupils_version.written_by"}
# What each board puts where the school writes nothing (or what it calls the role), for the help texts.
BOARD_VALUES: dict[str, Callable[[Profile], str]] = {
    "team": lambda p: p.roles.team,
    "team.reporting_contacts": lambda p: p.roles.reporting_contact,
    "team.leader": lambda p: p.roles.leader,
    "schedule.survey_months": lambda p: months_ja(list(p.survey_months)),
    "schedule.stress_check_months": lambda p: months_ja(list(p.stress_check_months)) or "行わない",
    "police.liaison": lambda p: p.police_liaison,
}
# Choices shown in words (value → label); a field listed here is a choice even when the model says int.
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "pupils_version.furigana": {"grade": "まだ習っていない漢字に付ける", "rare": "常用漢字表にない漢字にだけ付ける", "none": "付けない"},
    "pupils_version.known_grade": {"0": "まだ1字も習っていない（すべての漢字に付ける）",
                                   **{str(g): f"{g}年生までの漢字を習った" for g in range(1, 7)}},
}
# A mapping is a table of pairs: (column name, label) for its key and its value.
PAIR_COLUMNS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "pupils_version.readings": (("word", "語（漢字を含む）"), ("reading", "よみ（ひらがな）")),
}
# Month check boxes with one more box meaning "none" (an empty list, unlike leaving all unticked).
NONE_MONTHS = {"schedule.stress_check_months": "行わない"}
NONE = "none"  # the value of that box
ADD_LABELS = {"contacts": "相談先を追加", "pupils_version.readings": "語を追加"}
# Limits the model checks in a validator rather than a constraint: shown on the input as well.
ITEM_MAX_LENGTH = {"pupils_version.pledges": MAX_PLEDGE_CHARS}


@dataclass(frozen=True)
class Field:
    path: str  # the model path, and the HTML name (rows, pairs: the column name)
    kind: str  # text textarea tel code number date select list months rows pairs monthtable
    label: str
    help: str = ""
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for select
    default: Any = None  # what a new form shows
    columns: tuple["Field", ...] = ()  # rows: the fields of one row; pairs: the key and the value
    min_items: int = 0
    max_items: int | None = None
    max_length: int | None = None
    wide: bool = False
    when_used: bool = False  # required only when its optional section is filled in at all
    none_label: str = ""  # months: a box meaning "none" (an empty list)
    add_label: str = "行を追加"

    @property
    def anchor(self) -> str:
        return "f-" + self.path.replace(".", "-")

    @property
    def required_label(self) -> str:
        return "使うときは必須" if self.when_used else "必須"


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
def profile(name: str) -> Profile:
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
            fields = _fields(sub, name + ".", optional=not info.is_required())
            out.append(Section(name, LABELS[name][0], _help(name), tuple(fields)))
        elif _list_item(info.annotation) is not None:
            f = _field(name, info)
            out.append(Section(name, f.label, f.help, (f,)))
        else:
            basic.append(_field(name, info))
    return (Section("", SECTION_TITLES[""], "", tuple(basic)), *out)


def all_fields() -> list[Field]:
    return [f for s in sections() for f in s.fields]


def field_named(path: str) -> Field | None:
    return next((f for f in all_fields() if f.path == path), None)


def _help(path: str) -> str:
    """The help text of ``path``, with each bundled board's value where it says {boards}."""
    text = LABELS[path][1]
    if "{boards}" in text:
        values = "、".join(f"{profile(p).city}：{BOARD_VALUES[path](profile(p))}" for p in bundled_profiles())
        text = text.replace("{boards}", values)
    return text


def _fields(model: type[BaseModel], prefix: str, optional: bool = False) -> list[Field]:
    """The fields of a nested model; in an optional one, required fields are required only when
    the section is used."""
    fields = [_field(prefix + name, info) for name, info in model.model_fields.items()]
    return [replace(f, when_used=True) if optional and f.required else f for f in fields]


def _field(path: str, info: Any) -> Field:
    label, help_ = LABELS[path][0], _help(path)
    base, meta, _ = _unwrap(info.annotation)
    meta = [*meta, *info.metadata]
    required = info.is_required()
    default = _default(info)
    item = _list_item(info.annotation)
    if item is not None:
        item_model = _model(item)
        min_items = next((m.min_length for m in meta if hasattr(m, "min_length")), 0)
        max_items = next((m.max_length for m in meta if getattr(m, "max_length", None)), None)
        if item_model is not None and "month" in item_model.model_fields:
            return Field(path, "monthtable", label, help_)
        if item_model is not None:
            columns = tuple(_field(f"{path}.{n}", i) for n, i in item_model.model_fields.items())
            columns = tuple(Field(c.path.rsplit(".", 1)[1], c.kind, c.label, c.help, c.required, c.choices, max_length=c.max_length) for c in columns)
            return Field(path, "rows", label, help_, required, columns=columns, add_label=ADD_LABELS.get(path, "行を追加"))
        item_base, item_meta, _ = _unwrap(item)
        if item_base is int:
            return Field(path, "months", label, help_, required, default=default or [], none_label=NONE_MONTHS.get(path, ""))
        return Field(path, "list", label, help_, required or min_items > 0, default=default or [], min_items=min_items,
                     max_items=max_items, max_length=ITEM_MAX_LENGTH.get(path) or _max_length(item_meta))
    if typing.get_origin(base) is dict:
        return _pairs_field(path, label, help_, base)
    if path == "profile":
        return Field(path, "select", label, help_, True, tuple((p, f"{profile(p).city}（{p}）") for p in bundled_profiles()), default)
    if path in CHOICE_LABELS:
        return Field(path, "select", label, help_, required, tuple(CHOICE_LABELS[path].items()), default)
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


def _pairs_field(path: str, label: str, help_: str, mapping: Any) -> Field:
    """A mapping (word → reading) as a table of pairs: one row per key, two columns."""
    (key_name, key_label), (value_name, value_label) = PAIR_COLUMNS[path]
    key_type, value_type = typing.get_args(mapping)
    columns = (Field(key_name, "text", key_label, required=True, max_length=_max_length(_unwrap(key_type)[1])),
               Field(value_name, "text", value_label, required=True, max_length=_max_length(_unwrap(value_type)[1])))
    return Field(path, "pairs", label, help_, columns=columns, default={}, add_label=ADD_LABELS.get(path, "行を追加"))


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
        elif f.kind != "pairs" and f.default not in (None, [], ""):
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
    keys: dict[str, dict[str, int]] = field(default_factory=dict)  # mapping path → form row of each key
    problems: dict[str, str] = field(default_factory=dict)  # what the form itself shows is wrong (field → Japanese)


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
            for row in _row_indexes(form, f.path):
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
        elif f.kind == "pairs":
            _parse_pairs(form, f, parsed)
        elif f.kind == "months":
            values = _getlist(form, f.path)
            months = [int(v) for v in values if str(v).isdigit()]
            none = bool(f.none_label) and NONE in values
            if months and none:
                parsed.problems[f.path] = f"月と「{f.none_label}」の両方が選ばれています。どちらかにしてください"
            elif months or none:  # nothing ticked: the board's months
                _put(parsed.raw, f.path, sorted(set(months), key=_school_order))
        else:
            value = _text(_get(form, f.path))
            if value:
                _put(parsed.raw, f.path, value)
    return parsed


def _parse_pairs(form: Mapping[str, Any], f: Field, parsed: Parsed) -> None:
    """Rows of a word and its reading → a mapping; a half-filled row or a word given twice is a
    problem shown next to that row (a mapping would silently keep only one of them)."""
    key_col, value_col = (c.path for c in f.columns)
    mapping: dict[str, str] = {}
    rows: dict[str, int] = {}
    for row in _row_indexes(form, f.path):
        key = _text(_get(form, f"{f.path}.{row}.{key_col}"))
        value = _text(_get(form, f"{f.path}.{row}.{value_col}"))
        if not key and not value:
            continue
        if not key or not value:
            parsed.problems[f"{f.path}.{row}.{key_col if not key else value_col}"] = "入力してください"
        elif key in mapping:
            parsed.problems[f"{f.path}.{row}.{key_col}"] = "同じ語がほかの行にもあります。1つにまとめてください"
        else:
            mapping[key] = value
            rows[key] = row
    if mapping:
        _put(parsed.raw, f.path, mapping)
        parsed.keys[f.path] = rows


def _row_indexes(form: Mapping[str, Any], path: str) -> list[int]:
    """The row numbers of a table's fields in the form (``path.3.name`` → 3), in order."""
    pattern = re.compile(re.escape(path) + r"\.(\d{1,3})\.\w+")
    return sorted({int(m.group(1)) for k in _keys(form) if (m := pattern.fullmatch(k))})


def form_values(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Raw data (a loaded YAML file, or a model dump) → flat form values, and the keys the form
    cannot show (unknown fields, and tables or mappings given in another shape), which are
    reported instead of silently dropped."""
    values: dict[str, Any] = {}
    misshapen: list[str] = []
    for f in all_fields():
        value = _lookup(raw, f.path)
        if value is None:
            continue
        if f.kind in ("pairs", "rows", "monthtable") and not isinstance(value, Mapping if f.kind == "pairs" else list):
            misshapen.append(f.path)
        elif f.kind == "list":
            values.update(_flatten_list(f, value if isinstance(value, list) else [value]))
        elif f.kind == "months":
            months = [int(v) for v in (value if isinstance(value, list) else [value]) if isinstance(v, int) or str(v).isdigit()]
            values[f.path] = months if months or not f.none_label else [NONE]
        elif f.kind == "pairs":
            key_col, value_col = (c.path for c in f.columns)
            for row, (k, v) in enumerate(value.items()):
                values[f"{f.path}.{row}.{key_col}"] = _scalar(k)
                values[f"{f.path}.{row}.{value_col}"] = _scalar(v)
        elif f.kind == "rows":
            for row, item in enumerate(value):
                if isinstance(item, Mapping):
                    for c in f.columns:
                        if item.get(c.path) is not None:
                            values[f"{f.path}.{row}.{c.path}"] = _scalar(item[c.path])
        elif f.kind == "monthtable":
            for item in value:
                if isinstance(item, Mapping) and str(item.get("month", "")).isdigit():
                    for column in ACTIVITY_COLUMNS:
                        cell = item.get(column) or []
                        values[f"{f.path}.{int(item['month'])}.{column}"] = "\n".join(_scalar(v) for v in (cell if isinstance(cell, list) else [cell]))
        else:
            values[f.path] = _scalar(value)
    return values, _unknown_keys(raw) + misshapen


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
    errors: dict[str, str] = dict(parsed.problems)
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
            elif key in _nested_sections():
                _section_error(key, err, errors, general)
            else:
                errors.setdefault(key, message_ja(err, key))
        model = None
    return Checked(None if errors or general else model, errors, general)


@functools.lru_cache(maxsize=1)
def _nested_sections() -> frozenset[str]:
    """The paths of the sections that hold a nested model's fields (school, team, pupils_version …)."""
    return frozenset(s.path for s in sections() if s.path and any(f.path.startswith(s.path + ".") for f in s.fields))


def _section_error(path: str, err: Mapping[str, Any], errors: dict[str, str], general: list[str]) -> None:
    """An error about a whole section: a section left empty marks each of its required fields; a
    check across its fields goes next to the field it names (``known_grade applies only with
    furigana: grade`` → ``pupils_version.known_grade``); anything else is listed at the top."""
    section = next(s for s in sections() if s.path == path)
    if err["type"] == "missing":
        for f in section.fields:
            if f.required:
                errors.setdefault(f.path, "入力してください")
        return
    message = str(err.get("msg", ""))
    named = [(m.start(), f.path) for f in section.fields if (m := re.search(rf"\b{re.escape(f.path.rsplit('.', 1)[1])}\b", message))]
    if named:  # the field the message is about comes first in it
        key = min(named)[1]
        errors.setdefault(key, message_ja(err, key))
    else:
        general.append(f"{section.title}：{message_ja(err, path)}")


def error_key(loc: tuple, parsed: Parsed) -> str:
    """The form field an error belongs to: list items by their form row, activities by month,
    the words and readings of a mapping by their row (``[key]`` after the key: the word is wrong)."""
    parts = [str(p) for p in loc]
    path = ".".join(p for p in parts if not p.isdigit())
    for i, part in enumerate(loc):
        head = ".".join(parts[:i])
        if head in parsed.keys and part in parsed.keys[head]:
            key_col, value_col = (c.path for c in field_named(head).columns)
            return f"{head}.{parsed.keys[head][part]}.{key_col if '[key]' in parts[i + 1:] else value_col}"
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
    if kind == "too_long":
        return f"{ctx.get('max_length')}つまでにしてください"
    if kind == "string_too_long":
        return f"{ctx.get('max_length')}文字以内で入力してください"
    if kind == "string_pattern_mismatch":
        return _pattern_message(key)
    if kind == "value_error":
        return _value_error_message(str(err.get("msg", "")))
    if kind in _CUSTOM_MESSAGES:  # the model's own error types (generate/ime.py, school.py)
        return _CUSTOM_MESSAGES[kind](key)
    chosen = field_named(key)
    if kind == "literal_error" or (chosen is not None and chosen.kind == "select"):
        return "一覧から選んでください"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "半角の数字で入力してください"
    if kind in ("greater_than_equal", "less_than_equal"):
        if key == "fiscal_year":
            return "2019年度から2100年度までの西暦で入力してください"
        return "1月から12月までで選んでください"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "日付を 2026-04-01 の形で入力してください"
    return "入力内容を確かめてください"


_CUSTOM_MESSAGES = {
    "phone_format": lambda key: _pattern_message(key),
    "placeholder": lambda key: "「○○」などの見本を、学校のものに書き換えてください",
    "duplicate_month": lambda key: "同じ月が2回あります",
    "pledge_too_long": lambda key: f"1つの約束は{MAX_PLEDGE_CHARS}文字以内にしてください（長いときは、2つの約束に分けます）",
    "known_grade_mode": lambda key: "ふりがなの付け方で「まだ習っていない漢字に付ける」を選んだときだけ選べます",
    "fiscal_year_format": lambda key: "半角の数字で入力してください",
    "month_format": lambda key: "1月から12月までで選んでください",
}


def _value_error_message(msg: str) -> str:
    """The model's own checks (validators), in Japanese."""
    if "promise" in msg:
        return f"1つの約束は{MAX_PLEDGE_CHARS}文字以内にしてください（長いときは、2つの約束に分けます）"
    if "known_grade" in msg:
        return "ふりがなの付け方で「まだ習っていない漢字に付ける」を選んだときだけ選べます"
    if "month" in msg:
        return "同じ月が2回あります"
    return "入力内容を確かめてください"


def _pattern_message(key: str) -> str:
    if key.endswith("phone"):
        return "電話番号は半角の数字とハイフンで入力してください（例：0166-00-0000）"
    if key.endswith(".word"):
        return "漢字を含む語を入力してください"
    if key.endswith(".reading"):
        return "よみは、ひらがなで入力してください（例：はるにれっこ）"
    return "半角の英小文字・数字・「-」「_」で入力してください（先頭は英小文字か数字。例：harunire-es）"


# ----------------------------------------------------------------------------- YAML


def to_yaml(model: SchoolInput) -> str:
    """The YAML file the command line reads (`policy-kit generate FILE`), every value kept."""
    data = _tidy(model.model_dump(mode="python", exclude_none=True), model)
    header = ("# 学校いじめ防止基本方針の入力ファイル（policy-kit の Web 画面で保存）\n"
              "# `policy-kit generate このファイル -o out` で、基本方針・リーフレット・プログラム・児童生徒版をつくれます。\n")
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)


def _tidy(data: dict[str, Any], model: BaseModel) -> dict[str, Any]:
    """Leave out empty lists and mappings whose default is empty (an empty stress-check list is
    kept: it means none, where leaving it out means the board's months)."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        info = type(model).model_fields[name]
        sub = getattr(model, name)
        if value in ([], {}) and _default(info) == value:
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
            ticked = _getlist(form, key)
            values[key] = [int(v) for v in ticked if str(v).isdigit()] + ([NONE] if NONE in ticked else [])
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
