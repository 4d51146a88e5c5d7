"""Validation errors as school staff read them: one line per problem naming the line of the input,
the field (its YAML path and what it is called in Japanese), what is wrong and how to fix it.

Every message is chosen by the pydantic error *type* (``missing``, ``too_short``,
``literal_error``, …, and the types of our own validators in ``ime.py``) and its context values —
never by reading pydantic's English text. English stays available for developers."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

# What each field is called in Japanese (YAML path without list indices).
FIELD_JA = {
    "profile": "自治体のプロファイル",
    "fiscal_year": "年度",
    "revised": "改定日",
    "established": "策定日",
    "school": "学校の情報",
    "school.id": "学校ID",
    "school.name": "学校名",
    "school.kind": "学校種",
    "school.principal": "校長名",
    "school.address": "住所",
    "school.phone": "学校の電話番号",
    "school.website": "ホームページ",
    "school.motto": "学校教育目標",
    "organisation": "いじめ防止等の対策のための組織",
    "organisation.name": "組織の名称",
    "organisation.members": "組織の構成員",
    "organisation.experts": "組織に加わる専門家",
    "organisation.meetings": "組織の会議",
    "team": "いじめ対策チーム",
    "team.name": "チームの名称",
    "team.members": "チームの構成員",
    "team.reporting_contacts": "報告窓口担当者",
    "team.leader": "いじめ対策推進リーダー",
    "team.meeting": "チームの会議",
    "schedule": "年間の予定",
    "schedule.survey_months": "いじめアンケートの月",
    "schedule.stress_check_months": "ストレスチェックの月",
    "schedule.interview_weeks": "個人面談の時期",
    "schedule.activities": "学校独自の月ごとの取組",
    "schedule.activities.month": "月",
    "schedule.activities.prevention": "未然防止の取組",
    "schedule.activities.detection": "早期発見の取組",
    "schedule.activities.committee": "対策組織の活動",
    "schedule.activities.training": "校内研修",
    "police": "警察との連携",
    "police.station": "相談・通報する警察署",
    "police.phone": "警察署の電話番号",
    "police.liaison": "警察との連絡協議会",
    "contacts": "学校独自の相談先",
    "contacts.name": "相談先の名前",
    "contacts.phone": "相談先の電話番号",
    "contacts.hours": "受付時間",
    "contacts.note": "相談先の説明",
    "student_activities": "児童生徒が主体となる取組",
    "pupils_version": "児童生徒版",
    "pupils_version.title": "児童生徒版の題名",
    "pupils_version.grade_band": "児童生徒版の対象学年",
    "pupils_version.pledges": "約束",
    "pupils_version.written_by": "約束を決めた人たち",
    "pupils_version.furigana": "ふりがなの付け方",
    "pupils_version.known_grade": "習った漢字の学年",
    "pupils_version.readings": "言葉の読み方",
}

ROLE_LISTS = {"organisation.members", "organisation.experts", "team.members", "team.reporting_contacts"}


@dataclass
class Problem:
    """One problem of an input: where (YAML path and line) and what, in English and Japanese."""

    loc: tuple
    line: int | None
    en: str
    ja: str
    type: str

    @property
    def path(self) -> str:
        return format_loc(self.loc)

    @property
    def label_ja(self) -> str:
        path = _plain_path(self.loc)
        if path.startswith("pupils_version.readings."):  # a word of the readings dictionary
            path = "pupils_version.readings"
        return FIELD_JA.get(path, "")

    def text(self, lang: str = "ja") -> str:
        if lang == "en":
            where = f"line {self.line}: " if self.line else ""
            return f"{where}{self.path or '(top level)'}: {self.en}"
        where = f"{self.line}行目　" if self.line else ""
        field = self.path or "（ファイル全体）"
        label = f"（{self.label_ja}）" if self.label_ja else ""
        return f"{where}{field}{label}：{self.ja}"


def problems(exc: ValidationError, model: type[BaseModel], lines: Any = None) -> list[Problem]:
    """Every error of ``exc`` as a Problem; ``lines`` (a safeyaml.YamlDocument) gives line numbers."""
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        line = lines.line_of(loc) if lines is not None else None
        en, ja = describe(err, model)
        out.append(Problem(loc, line, en, ja, err["type"]))
    out.sort(key=lambda p: (p.line is None, p.line or 0))
    return out


def format_problems(found: list[Problem], lang: str = "ja") -> str:
    """The message for a list of problems: a heading, then one indented line per problem."""
    if lang == "en":
        head = "the starter's placeholders are still there; fill in:" if _only_placeholders(found) else "invalid input:"
    elif _only_placeholders(found):
        head = "ひな形の「○○」などが残っています。次の項目を学校のものに書き換えてください："
    else:
        head = f"入力に直すところが{len(found)}か所あります："
    return head + "\n  " + "\n  ".join(p.text(lang) for p in found)


def _only_placeholders(found: list[Problem]) -> bool:
    return bool(found) and all(p.type == "placeholder" for p in found)


# ----------------------------------------------------------------------------- one error


def describe(err: dict, model: type[BaseModel]) -> tuple[str, str]:
    """(English, Japanese) for one pydantic error, chosen by its type."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    loc = tuple(err["loc"])
    path = _plain_path(loc)
    got = err.get("input")
    shown = _shown(got)
    handler = _HANDLERS.get(kind)
    if handler is not None:
        return handler(loc=loc, path=path, ctx=ctx, got=got, shown=shown, model=model)
    # a type we have no words for: say what we can, keep pydantic's text for the details
    return (f"{err['msg']}{_got_en(got)}", f"値が正しくありません{_got_ja(shown)}。（詳細：{err['msg']}）")


def _missing(loc, path, **_):
    key = str(loc[-1]) if loc else ""
    hint = _MISSING_HINT.get(path, f"「{key}: 」の行を加えて書いてください。")
    return ("this field is required", f"書かれていません。必ず書く項目です。{hint}")


_MISSING_HINT = {
    "police": "police: の下に station: 相談・通報する警察署（例　旭川中央警察署）を書いてください。",
    "police.station": "相談・通報する警察署の名前を書いてください（例　旭川中央警察署）。",
    "school.id": "英小文字・数字・「-」で学校のIDを書いてください（例　harunire-es）。",
    "fiscal_year": "年度を書いてください（例　2026 または 令和8年度）。",
    "organisation.members": "組織の構成員を役職で書いてください（例　[校長, 教頭, 生徒指導主事]）。",
    "team.leader": "いじめ対策推進リーダーの役職を書いてください（例　生徒指導主事）。",
}


def _extra(loc, model, **_):
    key = str(loc[-1])
    allowed = allowed_keys(model, loc[:-1])
    hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    en = f"unknown field {key!r}"
    if hint:
        return (en + f" (did you mean {hint[0]!r}?)", f"「{key}」という項目はありません。「{hint[0]}」の書き間違いではありませんか。")
    listed = "、".join(sorted(allowed))
    if allowed:
        return (en + f"; allowed here: {', '.join(sorted(allowed))}", f"「{key}」という項目はありません。ここに書ける項目は {listed} です。")
    return (en, f"「{key}」という項目はありません。字下げがずれていないか確認してください。")


def _string_type(got, **_):
    if isinstance(got, list):
        return ("expected one text, got a list", "ここには文字を一つだけ書いてください（リストではなく）。")
    if isinstance(got, dict):
        return ("expected one text, got a mapping", "ここには文字を一つだけ書いてください。下の行の字下げが深すぎないか確認してください。")
    if got is None:
        return ("expected a text, the value is empty", "空欄です。内容を書くか、この行を消してください。")
    return ("expected a text", "文字で書いてください。")


def _too_short_text(**_):
    return ("the text is empty", "空欄です。内容を書くか、この行を消してください。")


def _too_long_text(ctx, got, **_):
    limit = ctx.get("max_length")
    return (f"at most {limit} characters (this one has {len(got) if isinstance(got, str) else '?'})",
            f"長すぎます。{limit}字以内にしてください（いまは{len(got) if isinstance(got, str) else '?'}字）。")


def _pattern(path, ctx, shown, **_):
    if path == "school.id":
        return (f"use lower-case letters, digits, - and _ (e.g. harunire-es){_got_en_s(shown)}",
                f"英小文字・数字・「-」「_」で書いてください（例　harunire-es）。出力フォルダの名前になります{_got_ja(shown)}。")
    if path.startswith("pupils_version.readings"):
        if "[key]" in path:
            return (f"a word to read must hold a kanji{_got_en_s(shown)}", f"読み方を付ける言葉には漢字を含めてください{_got_ja(shown)}。")
        return (f"write readings in hiragana{_got_en_s(shown)}", f"読み方はひらがなで書いてください（例　はるにれっこ）{_got_ja(shown)}。")
    return (f"does not match the expected form{_got_en_s(shown)}", f"書き方が正しくありません{_got_ja(shown)}。")


def _int_type(path, shown, **_):
    example = "2026 または 令和8年度" if path == "fiscal_year" else "半角または全角の数字"
    return (f"expected a whole number{_got_en_s(shown)}", f"数として読めません{_got_ja(shown)}。{example}で書いてください。")


def _ge(path, ctx, shown, **_):
    limit = ctx.get("ge", ctx.get("gt"))
    if path == "fiscal_year":
        return (f"must be {limit} or later{_got_en_s(shown)}", f"年度は{limit}年度（令和元年度）以降にしてください{_got_ja(shown)}。")
    if "month" in path:
        return (f"a month is 1 to 12{_got_en_s(shown)}", f"月は1～12で書いてください{_got_ja(shown)}。")
    return (f"must be at least {limit}{_got_en_s(shown)}", f"{limit}以上にしてください{_got_ja(shown)}。")


def _le(path, ctx, shown, **_):
    limit = ctx.get("le", ctx.get("lt"))
    if "month" in path:
        return (f"a month is 1 to 12{_got_en_s(shown)}", f"月は1～12で書いてください{_got_ja(shown)}。")
    if path == "fiscal_year":
        return (f"must be {limit} or earlier{_got_en_s(shown)}", f"年度は西暦{limit}年度までです{_got_ja(shown)}。西暦か和暦（令和8年度）で書いてください。")
    return (f"must be at most {limit}{_got_en_s(shown)}", f"{limit}以下にしてください{_got_ja(shown)}。")


def _list_type(path, **_):
    example = "[校長, 教頭, 生徒指導主事]" if path in ROLE_LISTS else "[6, 11, 2]" if "months" in path else "[…, …]"
    return ("expected a list", f"リストで書いてください（例　{example}）。")


def _too_short_list(path, ctx, got, **kwargs):
    if isinstance(got, str):  # a text with a length limit
        return _too_short_text()
    need, have = ctx.get("min_length"), ctx.get("actual_length")
    en = f"needs at least {need} items (has {have})"
    ja = f"{need}つ以上書いてください（いまは{have}つ）。"
    if path in ROLE_LISTS:
        en += "; separate roles with commas: [校長, 教頭] or 校長、教頭"
        ja += "役職を「、」で区切るか、[校長, 教頭, 生徒指導主事] のように書いてください。"
    return (en, ja)


def _too_long_list(ctx, got, **kwargs):
    if isinstance(got, str):
        return _too_long_text(ctx=ctx, got=got)
    most, have = ctx.get("max_length"), ctx.get("actual_length")
    return (f"at most {most} items (has {have})", f"{most}つまでにしてください（いまは{have}つ）。")


def _literal(ctx, shown, **_):
    choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
    return (f"must be one of {', '.join(choices)}{_got_en_s(shown)}",
            f"「{shown}」は使えません。{'／'.join(choices)} のどれかを書いてください。")


def _mapping(path, **_):
    return ("expected a mapping of fields", "「項目名: 値」の行を下に字下げして書いてください。")


def _bool(shown, **_):
    return (f"expected true or false{_got_en_s(shown)}", f"true か false で書いてください{_got_ja(shown)}。")


def _date(shown, **_):
    return (f"not a date; write 2026-04-01 or 令和8年4月1日{_got_en_s(shown)}",
            f"日付として読めません{_got_ja(shown)}。2026-04-01、2026年4月1日、令和8年4月1日 のように書いてください。")


def _date_impossible(shown, **_):
    return (f"there is no such date{_got_en_s(shown)}", f"存在しない日付です{_got_ja(shown)}。月と日を確かめてください。")


def _fiscal_year(shown, **_):
    return (f"not a school year; write 2026 or 令和8年度{_got_en_s(shown)}",
            f"年度として読めません{_got_ja(shown)}。2026 または 令和8年度 のように書いてください。")


def _month(shown, **_):
    return (f"not a month; write 6 or 6月{_got_en_s(shown)}", f"月として読めません{_got_ja(shown)}。6 または 6月 のように書いてください。")


def _phone(shown, **_):
    return (f"not a phone number (digits and hyphens, e.g. 0166-00-0000){_got_en_s(shown)}",
            f"電話番号として読めません{_got_ja(shown)}。0166-23-4567 のように数字と「-」で書いてください。")


def _placeholder(path, shown, **_):
    en = f"still holds the starter's placeholder{_got_en_s(shown)}; replace it with the school's own"
    if path == "school.id":
        return (en, f"ひな形の「{shown}」のままです。学校ごとのID（英小文字・数字・「-」。例　harunire-es）に書き換えてください。")
    if path.endswith("phone"):
        return (en, f"ひな形の「{shown}」のままです。実際の電話番号に書き換えてください。")
    return (en, f"ひな形の「{shown}」のままです。「○○」を学校のものに書き換えてください。")


def _duplicate_month(ctx, **_):
    month = ctx.get("month")
    return (f"month {month} is listed more than once; put its items under one entry",
            f"{month}月が2回以上書かれています。{month}月の取組は一つの「- month: {month}」の下にまとめてください。")


def _pledge_too_long(ctx, **_):
    return (f"a promise has at most {ctx.get('max')} characters (this one has {ctx.get('length')}); split it in two",
            f"約束は一つ{ctx.get('max')}字までです（いまは{ctx.get('length')}字）。二つに分けてください。")


def _known_grade(**_):
    return ("known_grade applies only with furigana: grade",
            "known_grade は furigana: grade のときだけ書けます。furigana を grade にするか、known_grade の行を消してください。")


def _value_error(ctx, **_):
    text = str(ctx.get("error", ""))
    return (text, f"値が正しくありません（{text}）。")


_HANDLERS = {
    "missing": _missing,
    "extra_forbidden": _extra,
    "string_type": _string_type,
    "string_too_short": _too_short_text,
    "string_too_long": _too_long_text,
    "string_pattern_mismatch": _pattern,
    "int_type": _int_type,
    "int_parsing": _int_type,
    "int_from_float": _int_type,
    "greater_than_equal": _ge,
    "greater_than": _ge,
    "less_than_equal": _le,
    "less_than": _le,
    "list_type": _list_type,
    "too_short": _too_short_list,
    "too_long": _too_long_list,
    "literal_error": _literal,
    "dict_type": _mapping,
    "model_type": _mapping,
    "model_attributes_type": _mapping,
    "bool_type": _bool,
    "bool_parsing": _bool,
    "date_type": _date,
    "date_parsing": _date,
    "date_from_datetime_parsing": _date,
    "date_from_datetime_inexact": _date,
    "date_format": _date,
    "date_impossible": _date_impossible,
    "fiscal_year_format": _fiscal_year,
    "month_format": _month,
    "phone_format": _phone,
    "placeholder": _placeholder,
    "duplicate_month": _duplicate_month,
    "pledge_too_long": _pledge_too_long,
    "known_grade_mode": _known_grade,
    "value_error": _value_error,
}


# ----------------------------------------------------------------------------- helpers


def _shown(got: Any) -> str:
    if isinstance(got, (str, int, float)) and not isinstance(got, bool):
        text = str(got)
        return text if len(text) <= 40 else text[:39] + "…"
    return ""


def _got_en(got: Any) -> str:
    shown = _shown(got)
    return f" (got {shown!r})" if shown else ""


def _got_en_s(shown: str) -> str:
    return f" (got {shown!r})" if shown else ""


def _got_ja(shown: str) -> str:
    return f"（いまは「{shown}」）" if shown else ""


def format_loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _plain_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if not isinstance(p, int))


def allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names valid at ``loc`` (walks nested models and lists of models)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _model_of(field.annotation)
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}).keys())


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found is not None:
            return found
    return None
