"""The pupils' version (児童生徒版) of the school policy: what it shows and for whom.

The city basic policy asks each school's 児童会・生徒会 to write a pupils' version (第3章3(3)オ a)
and the school to make its 学校いじめ対策組織 and the places to get help easy for pupils to
understand (3(3)ア d). The grade band decides the type size, the wording and where furigana go."""
from __future__ import annotations

from dataclasses import dataclass, field

from .furigana import FuriganaRule
from .school import Contact, OnlineLine, Profile, SchoolInput

# Grade band → (CSS class, secondary wording, default furigana rule).
# 小学校低学年: the youngest readers (1年) know no kanji yet at the start of the year: every kanji
# gets a reading. 小学校高学年: readers in 5年 have learnt the kanji of 1–4年. 中学校: readings only
# on kanji outside the 常用漢字表. 高等学校: none.
BANDS: dict[str, tuple[str, bool, FuriganaRule]] = {
    "小学校低学年": ("band-lower", False, FuriganaRule("grade", 0)),
    "小学校高学年": ("band-upper", False, FuriganaRule("grade", 4)),
    "中学校": ("band-jhs", True, FuriganaRule("rare")),
    "高等学校": ("band-hs", True, FuriganaRule("none")),
}
DEFAULT_BAND = {"小学校": "小学校低学年", "中学校": "中学校", "高等学校": "高等学校"}
DEFAULT_TITLE = "いじめのない学校にするための約束"


@dataclass
class PupilsDocument:
    """Everything the pupils' version shows, decided here; the template only lays it out."""

    title: str
    grade_band: str
    css_class: str
    secondary: bool
    council: str
    pledges: list[str]
    written_by: str | None
    rule: FuriganaRule
    readings: dict[str, str]
    people: list[str]
    school_phone: str | None
    phone_lines: list[Contact]
    online_lines: list[OnlineLine] = field(default_factory=list)

    @property
    def has_pledges(self) -> bool:
        return bool(self.pledges)


def council_name(kind: str) -> str:
    return {"小学校": "児童会", "中学校": "生徒会", "高等学校": "生徒会"}.get(kind, "児童会・生徒会")


def teacher(role: str) -> str:
    """How a pupil names a staff role: 教頭 → 教頭先生, 生徒指導主事 → 生徒指導主事の先生."""
    if role.endswith(("校長", "教頭", "先生")):
        return role if role.endswith("先生") else role + "先生"
    return role + "の先生"


def people_to_tell(data: SchoolInput) -> list[str]:
    """The people at school a pupil can tell, nearest first, without repeats."""
    people = ["学級担任の先生", "保健室の先生"]
    people += [teacher(role) for role in data.team.reporting_contacts]
    people += [f"{e}" for e in data.organisation.experts if e.startswith("スクールカウンセラー")]
    seen: list[str] = []
    for person in people:
        if person not in seen:
            seen.append(person)
    return seen


def build_pupils(data: SchoolInput, profile: Profile) -> PupilsDocument:
    own = data.pupils_version
    band = (own.grade_band if own and own.grade_band else None) or DEFAULT_BAND.get(data.school.kind, "小学校低学年")
    css_class, secondary, rule = BANDS[band]
    if own and own.furigana:
        rule = FuriganaRule(own.furigana, own.known_grade if own.known_grade is not None else rule.known_grade)
    elif own and own.known_grade is not None:
        rule = FuriganaRule("grade", own.known_grade)
    phones = [c for c in (profile.department, *profile.hotlines) if c is not None]  # a board may have no desk of its own
    return PupilsDocument(
        title=(own.title if own and own.title else DEFAULT_TITLE),
        grade_band=band,
        css_class=css_class,
        secondary=secondary,
        council=council_name(data.school.kind),
        pledges=list(own.pledges) if own else [],
        written_by=own.written_by if own else None,
        rule=rule,
        readings=dict(own.readings) if own else {},
        people=people_to_tell(data),
        school_phone=data.school.phone,
        phone_lines=phones,
        online_lines=list(profile.online_lines),
    )
