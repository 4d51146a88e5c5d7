"""The structured input for one school, and the jurisdiction profile it builds on.

Everything is validated with pydantic before anything is rendered; `load_school` turns
validation failures into one message per problem with the file, the field path and a
did-you-mean for unknown keys."""
from __future__ import annotations

import datetime as _dt
import difflib
import re
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.functional_validators import AfterValidator, BeforeValidator

from .. import safeyaml, yamlscalars  # noqa: F401 - yamlscalars: impossible dates and numbers are input errors with their line
from ..errors import InputError
from ..inputfiles import require_regular
from ..outputs import SAFE_ID_PATTERN
from ..resources import data_dir

SCHOOL_KINDS = ("小学校", "中学校", "義務教育学校", "高等学校", "特別支援学校")
MONTHS_IN_SCHOOL_YEAR = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


def nfkc(value: Any) -> Any:
    """Normalise every input string with NFKC (Kangxi radicals such as ⼀ become 一) and trim it."""
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip()
    return value


Text = Annotated[str, BeforeValidator(nfkc), Field(min_length=1, max_length=400)]
LongText = Annotated[str, BeforeValidator(nfkc), Field(min_length=1, max_length=2000)]
Phone = Annotated[str, BeforeValidator(nfkc), Field(pattern=r"^[0-9][0-9\-()]{5,15}$")]
Month = Annotated[int, Field(ge=1, le=12)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Contact(_Model):
    name: Text
    phone: Phone
    hours: Text | None = None
    note: Text | None = None


class SchoolInfo(_Model):
    id: Annotated[str, Field(pattern=rf"^{SAFE_ID_PATTERN}$")]  # the one rule for ids that name files
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
    members: list[Text] = Field(min_length=2)
    experts: list[Text] = Field(default_factory=list)
    meetings: Text = "定例会議を毎月1回開き、必要に応じて臨時会議を開きます"


class Team(_Model):
    """The core team inside the organisation (Asahikawa: いじめ対策チーム; the profile's `roles`)."""

    name: Text | None = None  # default: the profile's roles.team
    members: list[Text] = Field(min_length=1)
    reporting_contacts: list[Text] = Field(min_length=1)
    leader: Text
    meeting: Text = "毎週1回"


class MonthActivities(_Model):
    month: Month
    prevention: list[Text] = Field(default_factory=list)
    detection: list[Text] = Field(default_factory=list)
    committee: list[Text] = Field(default_factory=list)
    training: list[Text] = Field(default_factory=list)


class Schedule(_Model):
    survey_months: list[Month] | None = None
    stress_check_months: list[Month] | None = None  # default: the profile's (none where the board has no stress checks)
    interview_weeks: list[Text] | None = None
    activities: list[MonthActivities] = Field(default_factory=list)

    @field_validator("activities")
    @classmethod
    def _one_entry_per_month(cls, value: list[MonthActivities]) -> list[MonthActivities]:
        seen = [a.month for a in value]
        dupes = sorted({m for m in seen if seen.count(m) > 1})
        if dupes:
            raise ValueError(f"month {dupes[0]} is listed more than once")
        return value


class Police(_Model):
    station: Text
    phone: Phone | None = None
    liaison: Text | None = None  # default: the profile's police_liaison


GRADE_BANDS = ("小学校低学年", "小学校高学年", "中学校", "高等学校")
MAX_PLEDGE_CHARS = 60


def _short_pledge(value: str) -> str:
    if len(value) > MAX_PLEDGE_CHARS:
        raise ValueError(f"a promise has at most {MAX_PLEDGE_CHARS} characters (this one has {len(value)}); split it in two")
    return value


Pledge = Annotated[str, BeforeValidator(nfkc), Field(min_length=1), AfterValidator(_short_pledge)]
Reading = Annotated[str, BeforeValidator(nfkc), Field(pattern=r"^[ぁ-ゖー]+$", max_length=40)]
ReadingWord = Annotated[str, BeforeValidator(nfkc), Field(pattern=r"[㐀-鿿豈-﫿々〆]", max_length=40)]


class PupilsVersion(_Model):
    """The pupils' version (児童生徒版): the promises the 児童会・生徒会 wrote (city basic policy
    第3章3(3)オ a), the grade band it is written for and how furigana are placed."""

    title: Text | None = None
    grade_band: Literal["小学校低学年", "小学校高学年", "中学校", "高等学校"] | None = None
    pledges: list[Pledge] = Field(min_length=3, max_length=8)
    written_by: Text
    furigana: Literal["grade", "rare", "none"] | None = None
    known_grade: Annotated[int, Field(ge=0, le=6)] | None = None
    readings: dict[ReadingWord, Reading] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_grade_needs_grade_mode(self) -> "PupilsVersion":
        if self.known_grade is not None and self.furigana not in (None, "grade"):
            raise ValueError("known_grade applies only with furigana: grade")
        return self


class SchoolInput(_Model):
    profile: Text = "asahikawa"
    fiscal_year: Annotated[int, Field(ge=2019, le=2100)]
    revised: _dt.date | None = None
    established: _dt.date | None = None
    school: SchoolInfo
    organisation: Organisation
    team: Team
    schedule: Schedule = Field(default_factory=Schedule)
    police: Police
    contacts: list[Contact] = Field(default_factory=list)
    student_activities: list[Text] = Field(default_factory=list)
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

    school_name: Text = "○○市立○○小学校"
    organisation_name: Text = "○○小学校いじめ対策委員会"
    phone: Phone = "000-000-0000"
    police_station: Text = "○○警察署"
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
    """Read and validate a school's YAML file; raise InputError naming every problem."""
    path = require_regular(Path(path), "school input (YAML)")  # never /dev/zero or a FIFO: st_size lies for them
    return validate_school(safeyaml.load_file(path), path)


def validate_school(data: Any, path: str | Path) -> SchoolInput:
    if not isinstance(data, dict):
        raise InputError("the file must hold a mapping of fields (see `policy-kit init`)", path)
    try:
        return SchoolInput.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, SchoolInput), path) from None


def bundled_profiles() -> list[str]:
    return sorted(p.stem for p in data_dir("profiles").glob("*.yaml"))


def load_profile(name_or_path: str, relative_to: Path | None = None) -> Profile:
    """A bundled profile by name (``asahikawa``) or a YAML file path."""
    candidate = Path(name_or_path)
    if relative_to is not None and not candidate.is_absolute():
        candidate = relative_to.parent / candidate
    if not (name_or_path.endswith((".yaml", ".yml")) and candidate.is_file()):
        if not re.fullmatch(r"[a-z0-9_-]+", name_or_path):
            raise InputError(f"unknown profile {name_or_path!r}")
        candidate = data_dir("profiles") / f"{name_or_path}.yaml"
        if not candidate.is_file():
            known = sorted(p.stem for p in data_dir("profiles").glob("*.yaml"))
            raise InputError(f"unknown profile {name_or_path!r}; bundled profiles: {', '.join(known)}")
    data = safeyaml.load_file(require_regular(candidate, "profile (YAML)"))
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, Profile), candidate) from None


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


def format_validation_error(exc: ValidationError, model: type[BaseModel]) -> str:
    """One line per problem: `field.path: what is wrong` (with did-you-mean for unknown keys)."""
    lines = []
    for err in exc.errors():
        loc = _format_loc(err["loc"])
        if err["type"] == "extra_forbidden":
            key = str(err["loc"][-1])
            allowed = _allowed_keys(model, err["loc"][:-1])
            hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            msg = f"unknown field {key!r}"
            if hint:
                msg += f" (did you mean {hint[0]!r}?)"
            elif allowed:
                msg += f"; allowed here: {', '.join(sorted(allowed))}"
        elif err["type"] == "missing":
            msg = "this field is required"
        else:
            msg = err["msg"]
            if err["type"] == "string_pattern_mismatch" and "phone" in loc:
                msg = "not a phone number (digits and hyphens, e.g. 0166-00-0000)"
            elif err["type"] == "literal_error" and loc.endswith("kind"):
                msg = f"must be one of {'、'.join(SCHOOL_KINDS)}"
            got = err.get("input")
            if isinstance(got, (str, int, float)) and err["type"] != "missing":
                msg += f" (got {str(got)[:60]!r})"
        lines.append(f"{loc or '(top level)'}: {msg}")
    return "invalid input:\n  " + "\n  ".join(lines)


def _format_loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
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

