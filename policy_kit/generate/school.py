"""The structured input for one school, and the jurisdiction profile it builds on.

Everything is validated with pydantic before anything is rendered. Values typed with a Japanese
IME are read as meant (ime.py: full-width digits, 和暦, 、-separated roles, phone numbers as
text); a starter that still holds ○○ is refused field by field. `load_school` turns validation
failures into one message per problem — in Japanese and English, with the line of the input,
the field and how to fix it (validation.py)."""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.functional_validators import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from .. import safeyaml, yamlscalars  # noqa: F401 - yamlscalars: impossible dates and numbers are input errors with their line
from ..errors import InputError
from ..inputfiles import require_regular
from ..outputs import SAFE_ID_PATTERN
from ..resources import data_dir
from .ime import (ascii_fold, lines_of, normalise_phone, normalise_text, parse_date, parse_fiscal_year, parse_month,
                  refuse_placeholder, refuse_placeholder_id, refuse_placeholder_phone, split_items, split_months, split_roles)
from .validation import allowed_keys, format_problems, problems

SCHOOL_KINDS = ("小学校", "中学校", "義務教育学校", "高等学校", "特別支援学校")
MONTHS_IN_SCHOOL_YEAR = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


def nfkc(value: Any) -> Any:
    """Text as the documents print it (see ime.normalise_text): Kangxi radicals such as ⼀ become
    一 and full-width digits become ASCII, but Japanese punctuation （）～「」 is kept as written."""
    return normalise_text(value)


Text = Annotated[str, BeforeValidator(normalise_text), Field(min_length=1, max_length=400), AfterValidator(refuse_placeholder)]
LongText = Annotated[str, BeforeValidator(normalise_text), Field(min_length=1, max_length=2000), AfterValidator(refuse_placeholder)]
Phone = Annotated[str, BeforeValidator(normalise_phone), Field(pattern=r"^[0-9#(][0-9\-()]{1,18}[0-9)]$"), AfterValidator(refuse_placeholder_phone)]
Month = Annotated[int, BeforeValidator(parse_month), Field(ge=1, le=12)]
Months = Annotated[list[Month], BeforeValidator(split_months)]
RoleList = Annotated[list[Text], BeforeValidator(split_roles)]
Items = Annotated[list[Text], BeforeValidator(split_items)]
Sentences = Annotated[list[Text], BeforeValidator(lines_of)]
Date = Annotated[_dt.date, BeforeValidator(parse_date)]
# The starter's example values hold ○○ on purpose (a school fills them in): not refused here.
ExampleText = Annotated[str, BeforeValidator(normalise_text), Field(min_length=1, max_length=400)]
ExamplePhone = Annotated[str, BeforeValidator(normalise_phone), Field(pattern=r"^[0-9#(][0-9\-()]{1,18}[0-9)]$")]
SchoolId = Annotated[str, BeforeValidator(lambda v: ascii_fold(v).lower() if isinstance(v, str) else v),
                     Field(pattern=rf"^{SAFE_ID_PATTERN}$"), AfterValidator(refuse_placeholder_id)]  # the one rule for ids that name files


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Contact(_Model):
    name: Text
    phone: Phone
    hours: Text | None = None
    note: Text | None = None


class SchoolInfo(_Model):
    id: SchoolId
    name: Text
    kind: Literal["小学校", "中学校", "義務教育学校", "高等学校", "特別支援学校"]
    principal: Text | None = None
    address: Text | None = None
    phone: Phone | None = None
    website: Text | None = None
    motto: Text | None = None

    @property
    def pupils(self) -> str:
        """児童 for elementary schools, 生徒 for secondary, 児童生徒 where both attend."""
        return {"小学校": "児童", "中学校": "生徒", "高等学校": "生徒"}.get(self.kind, "児童生徒")


class Organisation(_Model):
    """The organisation required by 法第22条 (any name)."""

    name: Text
    members: RoleList = Field(min_length=2)
    experts: RoleList = Field(default_factory=list)
    meetings: Text = "定例会議を毎月1回開き、必要に応じて臨時会議を開きます"


class Team(_Model):
    """The core team inside the organisation (Asahikawa: いじめ対策チーム; the profile's `roles`)."""

    name: Text | None = None  # default: the profile's roles.team
    members: RoleList = Field(min_length=1)
    reporting_contacts: RoleList = Field(min_length=1)
    leader: Text
    meeting: Text = "毎週1回"


class MonthActivities(_Model):
    month: Month
    prevention: Items = Field(default_factory=list)
    detection: Items = Field(default_factory=list)
    committee: Items = Field(default_factory=list)
    training: Items = Field(default_factory=list)


class Schedule(_Model):
    survey_months: Months | None = None
    stress_check_months: Months | None = None  # default: the profile's (none where the board has no stress checks)
    interview_weeks: Items | None = None
    activities: list[MonthActivities] = Field(default_factory=list)

    @field_validator("activities")
    @classmethod
    def _one_entry_per_month(cls, value: list[MonthActivities]) -> list[MonthActivities]:
        seen = [a.month for a in value]
        dupes = sorted({m for m in seen if seen.count(m) > 1})
        if dupes:
            raise PydanticCustomError("duplicate_month", "month {month} is listed more than once", {"month": dupes[0]})
        return value


class Police(_Model):
    station: Text
    phone: Phone | None = None
    liaison: Text | None = None  # default: the profile's police_liaison


GRADE_BANDS = ("小学校低学年", "小学校高学年", "中学校", "高等学校")
MAX_PLEDGE_CHARS = 60


def _short_pledge(value: str) -> str:
    if len(value) > MAX_PLEDGE_CHARS:
        raise PydanticCustomError("pledge_too_long", "a promise has at most {max} characters (this one has {length})",
                                  {"max": MAX_PLEDGE_CHARS, "length": len(value)})
    return value


Pledge = Annotated[str, BeforeValidator(normalise_text), Field(min_length=1), AfterValidator(_short_pledge), AfterValidator(refuse_placeholder)]
Reading = Annotated[str, BeforeValidator(normalise_text), Field(pattern=r"^[ぁ-ゖー]+$", max_length=40)]
ReadingWord = Annotated[str, BeforeValidator(normalise_text), Field(pattern=r"[㐀-鿿豈-﫿々〆]", max_length=40)]


class PupilsVersion(_Model):
    """The pupils' version (児童生徒版): the promises the 児童会・生徒会 wrote (city basic policy
    第3章3(3)オ a), the grade band it is written for and how furigana are placed."""

    title: Text | None = None
    grade_band: Literal["小学校低学年", "小学校高学年", "中学校", "高等学校"] | None = None
    pledges: Annotated[list[Pledge], BeforeValidator(lines_of)] = Field(min_length=3, max_length=8)
    written_by: Text
    furigana: Literal["grade", "rare", "none"] | None = None
    known_grade: Annotated[int, Field(ge=0, le=6)] | None = None
    readings: dict[ReadingWord, Reading] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_grade_needs_grade_mode(self) -> "PupilsVersion":
        if self.known_grade is not None and self.furigana not in (None, "grade"):
            raise PydanticCustomError("known_grade_mode", "known_grade applies only with furigana: grade")
        return self


class SchoolInput(_Model):
    profile: Text = "asahikawa"
    fiscal_year: Annotated[int, BeforeValidator(parse_fiscal_year), Field(ge=2019, le=2100)]
    revised: Date | None = None
    established: Date | None = None
    school: SchoolInfo
    organisation: Organisation
    team: Team
    schedule: Schedule = Field(default_factory=Schedule)
    police: Police
    contacts: list[Contact] = Field(default_factory=list)
    student_activities: Sentences = Field(default_factory=list)
    pupils_version: PupilsVersion | None = None

    @model_validator(mode="after")
    def _leader_in_team(self) -> "SchoolInput":
        if self.team.leader not in self.team.members:
            self.team.members.append(self.team.leader)
        return self


class ProgramItems(_Model):
    prevention: list[Text] = Field(default_factory=list)
    detection: list[Text] = Field(default_factory=list)
    committee: list[Text] = Field(default_factory=list)
    training: list[Text] = Field(default_factory=list)


class ProgramDefaults(_Model):
    """The board's year plan every school starts from (see profiles/asahikawa.yaml)."""

    months: list[MonthActivities] = Field(default_factory=list)
    awareness_month: ProgramItems = Field(default_factory=ProgramItems)
    survey_month: ProgramItems = Field(default_factory=ProgramItems)
    stress_check_month: ProgramItems = Field(default_factory=ProgramItems)
    every_month: ProgramItems = Field(default_factory=ProgramItems)
    when_empty: ProgramItems = Field(default_factory=ProgramItems)


class CrimeExample(_Model):
    act: Text
    offence: Text


class SignsToWatch(_Model):
    scene: Text
    signs: list[Text] = Field(min_length=1)


class OnlineLine(_Model):
    """A consultation line reached online or by letter (chat, web form), with when it answers."""

    name: Text
    how: Text
    hours: Text
    note: Text | None = None


class Roles(_Model):
    """What the board calls the people who receive and gather reports (情報共有の手順)."""

    team: Text = "いじめ対策チーム"
    reporting_contact: Text = "報告窓口担当者"
    leader: Text = "いじめ対策推進リーダー"
    leader_duty: Text = "報告を集約し、その後の対応を調整します"


class Starter(_Model):
    """Example values for `policy-kit init --board` (the board's own names and numbers)."""

    school_name: ExampleText = "○○市立○○小学校"
    organisation_name: ExampleText = "○○小学校いじめ対策委員会"
    phone: ExamplePhone = "000-000-0000"
    police_station: ExampleText = "○○警察署"
    reading_word: Text = "朝日丘"  # an example for pupils_version.readings: a name the dictionary misreads
    reading: Text = "あさひがおか"


class Profile(_Model):
    """What is board-wide: the board, its checklist, hotlines, survey months, awareness month,
    the names of the roles in its reporting procedure, the year plan and what the policy says about
    evaluation, submission and the police."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9_-]+$")]
    city: Text
    board: Text
    city_policy: Text
    city_policy_source: Text
    checklist: Text | None = None  # the board's checklist (bundled name or path); default: the profile id, else national
    department: Contact | None = None  # the city's own consultation desk, shown with the school's contacts
    survey_months: list[Month]
    survey_note: Text | None = None  # e.g. 各学期に1回
    stress_check_months: list[Month] = Field(default_factory=list)  # empty: the board asks for no stress checks
    awareness_month: Month
    awareness_name: Text
    hotlines: list[Contact]
    online_lines: list[OnlineLine] = Field(default_factory=list)
    case_report: LongText
    roles: Roles = Field(default_factory=Roles)
    organisation_extra: Text = "関係する学級担任・部活動担当者、教育委員会職員、スクールサポーター（警察官経験者）等の外部専門家"
    police_liaison: Text = "学校警察連絡協議会"
    evaluation: LongText = "この方針に基づく取組の実施状況を学校評価の評価項目に位置付け、{pupils}と保護者を対象とする学校評価の結果を踏まえて取組を改善します。"
    submission: LongText | None = None  # how the school submits its policy to the board, when the board asks for it
    parent_contact: LongText = "いじめ及びいじめの疑いがある事案は、認知したかどうかにかかわらず、全ての事案について、いじめを受けたとされる{pupils}の保護者に連絡します。"
    flow_note: Text = "保護者への連絡と教育委員会への報告は、認知の有無にかかわらず全ての事案で行う。犯罪に当たり得る行為は警察に相談・通報する。"
    program: ProgramDefaults = Field(default_factory=ProgramDefaults)
    crime_examples: list[CrimeExample] = Field(default_factory=list)
    staff_checklist: list[SignsToWatch] = Field(default_factory=list)
    starter: Starter = Field(default_factory=Starter)


def load_school(path: str | Path) -> SchoolInput:
    """Read and validate a school's YAML file; raise InputError naming every problem and its line."""
    path = require_regular(Path(path), "school input (YAML)")  # never /dev/zero or a FIFO: st_size lies for them
    document = safeyaml.load_document(path)
    return validate_school(document.data, path, document)


def validate_school(data: Any, path: str | Path, document: safeyaml.YamlDocument | None = None) -> SchoolInput:
    """Validate loaded data; ``document`` (from safeyaml.load_document) adds line numbers."""
    if not isinstance(data, dict):
        raise InputError("the file must hold a mapping of fields (see `policy-kit init`)", path,
                         ja="入力ファイルの形になっていません。「項目名: 値」の行を並べて書いてください（`policy-kit init` でひな形を作れます）")
    try:
        return SchoolInput.model_validate(data)
    except ValidationError as exc:
        raise validation_input_error(exc, SchoolInput, path, document) from None


def validation_input_error(exc: ValidationError, model: type[BaseModel], path: str | Path,
                           document: safeyaml.YamlDocument | None = None) -> InputError:
    """The InputError for a validation failure: English message, Japanese ``ja``."""
    found = problems(exc, model, document)
    return InputError(format_problems(found, "en"), path, ja=format_problems(found, "ja"))


def bundled_profiles() -> list[str]:
    return sorted(p.stem for p in data_dir("profiles").glob("*.yaml"))


def load_profile(name_or_path: str, relative_to: Path | None = None) -> Profile:
    """A bundled profile by name (``asahikawa``) or a YAML file path."""
    candidate = Path(name_or_path)
    if relative_to is not None and not candidate.is_absolute():
        candidate = relative_to.parent / candidate
    if not (name_or_path.endswith((".yaml", ".yml")) and candidate.is_file()):
        known = sorted(p.stem for p in data_dir("profiles").glob("*.yaml"))
        if not re.fullmatch(r"[a-z0-9_-]+", name_or_path):
            raise InputError(f"unknown profile {name_or_path!r}; bundled profiles: {', '.join(known)}", relative_to,
                             ja=f"プロファイル「{name_or_path}」が見つかりません。profile には {'、'.join(known)} かYAMLファイルの場所を書いてください")
        candidate = data_dir("profiles") / f"{name_or_path}.yaml"
        if not candidate.is_file():
            raise InputError(f"unknown profile {name_or_path!r}; bundled profiles: {', '.join(known)}", relative_to,
                             ja=f"プロファイル「{name_or_path}」が見つかりません。profile には {'、'.join(known)} かYAMLファイルの場所を書いてください")
    document = safeyaml.load_document(require_regular(candidate, "profile (YAML)"))
    try:
        return Profile.model_validate(document.data)
    except ValidationError as exc:
        raise validation_input_error(exc, Profile, candidate, document) from None


def starter_text(board: str) -> str:
    """The commented starter input for a new school of ``board`` (`policy-kit init --board`)."""
    import json

    import jinja2

    from .package import months_ja

    profile = load_profile(board)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(data_dir("templates") / "school_policy")),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.filters["yaml"] = lambda value: json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML scalar
    env.filters["oneline"] = lambda value: " ".join(str(value).split())
    return env.get_template("starter.yaml.j2").render(profile=profile, board=board, survey_months_ja=months_ja(list(profile.survey_months)))


def format_validation_error(exc: ValidationError, model: type[BaseModel], *, lines: safeyaml.YamlDocument | None = None,
                            lang: str = "ja") -> str:
    """One line per problem: the line of the input (when ``lines`` is given), the field path and
    its Japanese name, what is wrong and how to fix it. Japanese by default; ``lang="en"`` for
    developers (`field.path: what is wrong`, with did-you-mean for unknown keys)."""
    return format_problems(problems(exc, model, lines), lang)


_allowed_keys = allowed_keys  # kept for callers of the old name
