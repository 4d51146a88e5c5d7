"""The policy package: everything the three documents show, derived from a school's input and
its jurisdiction profile. Templates only lay it out; the decisions are made here."""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field

from .. import wareki
from .pupils import PupilsDocument, build_pupils
from .school import MONTHS_IN_SCHOOL_YEAR, Contact, Organisation, Police, Profile, SchoolInput, Team

class Notice(str):
    """A warning for the person who generates the documents: English text, Japanese in ``ja``."""

    ja: str

    def __new__(cls, en: str, ja: str) -> "Notice":
        notice = super().__new__(cls, en)
        notice.ja = ja
        return notice


@dataclass
class ProgramRow:
    month: int
    prevention: list[str] = field(default_factory=list)
    detection: list[str] = field(default_factory=list)
    committee: list[str] = field(default_factory=list)
    training: list[str] = field(default_factory=list)


@dataclass
class PolicyPackage:
    """One school's documents for one fiscal year, ready to render."""

    input: SchoolInput
    profile: Profile
    fiscal_year_ja: str
    revised_ja: str
    established_ja: str | None
    survey_months: list[int]
    survey_months_ja: str
    stress_check_months: list[int]
    stress_check_months_ja: str
    interview_weeks_ja: str
    program: list[ProgramRow]
    training_items: list[tuple[int, str]]
    contacts: list[Contact]
    student_activities: list[str]
    crime_examples: list[tuple[str, str]] = field(default_factory=list)
    staff_checklist: list[tuple[str, list[str]]] = field(default_factory=list)
    pupils: PupilsDocument | None = None
    team_name: str = ""  # the school's name for its core team, else the board's (profile roles.team)
    police_liaison: str = ""  # the school's liaison body with the police, else the board's
    evaluation: str = ""  # what the policy says about the school evaluation (the board's wording)
    parent_contact: str = ""  # when and how parents are told (the board's wording)
    notices: list[Notice] = field(default_factory=list)  # how the school's items were merged into the board's plan

    @property
    def organisation(self) -> Organisation:
        return self.input.organisation

    @property
    def team(self) -> Team:
        return self.input.team

    @property
    def police(self) -> Police:
        return self.input.police


def fill(text: str, words: dict[str, str]) -> str:
    """Replace the board's placeholders ({pupils}, {council} …) in a profile text; any other
    brace is left as written (a profile is user data: no str.format surprises)."""
    return re.sub(r"\{([a-z_]+)\}", lambda m: words.get(m.group(1), m.group(0)), text)


def months_ja(months: list[int]) -> str:
    if not months:
        return ""
    ordered = sorted(months, key=MONTHS_IN_SCHOOL_YEAR.index)
    return "・".join(str(m) for m in ordered) + "月"


def build_package(data: SchoolInput, profile: Profile) -> PolicyPackage:
    sched = data.schedule
    surveys = sched.survey_months or list(profile.survey_months)
    interviews = sched.interview_weeks or ["各アンケートの後2週間以内"]
    revised = data.revised or _dt.date(data.fiscal_year, 4, 1)
    pupils = data.school.pupils
    stress = list(profile.stress_check_months) if sched.stress_check_months is None else sched.stress_check_months
    notices: list[Notice] = []
    program = _program(data, profile, surveys, stress, pupils, notices)
    training = [(row.month, item) for row in program for item in row.training]
    contacts = [*data.contacts, *([profile.department] if profile.department else []), *profile.hotlines]
    if data.police.phone:
        contacts.insert(len(data.contacts), Contact(name=data.police.station, phone=data.police.phone, hours="24時間（緊急時は110番）"))
    activities = data.student_activities or [
        f"児童会・生徒会が中心となり、{pupils}版の学校いじめ防止基本方針をつくる",
        f"{profile.awareness_name}（{profile.awareness_month}月）に、{pupils}が企画するいじめ防止集会を開く",
    ]
    return PolicyPackage(
        input=data,
        profile=profile,
        fiscal_year_ja=wareki.fiscal_year(data.fiscal_year),
        revised_ja=wareki.date_ja(revised),
        established_ja=wareki.date_ja(data.established) if data.established else None,
        survey_months=surveys,
        survey_months_ja=months_ja(surveys),
        stress_check_months=stress,
        stress_check_months_ja=months_ja(stress),
        interview_weeks_ja="、".join(interviews),
        program=program,
        training_items=training,
        contacts=contacts,
        student_activities=activities,
        crime_examples=[(c.act, c.offence) for c in profile.crime_examples],
        staff_checklist=[(s.scene, list(s.signs)) for s in profile.staff_checklist],
        pupils=build_pupils(data, profile),
        team_name=data.team.name or profile.roles.team,
        police_liaison=data.police.liaison or profile.police_liaison,
        evaluation=fill(profile.evaluation, {"pupils": pupils}),
        parent_contact=fill(profile.parent_contact, {"pupils": pupils}),
        notices=notices,
    )


COLUMNS = ("prevention", "detection", "committee", "training")


def _program(data: SchoolInput, profile: Profile, surveys: list[int], stress: list[int], pupils: str,
             notices: list[Notice] | None = None) -> list[ProgramRow]:
    """The year plan: the board's items (profile `program`), then the school's own items merged
    into them by ``merge_school_item`` (no item twice, no near-duplicates). Each board item a
    school item replaced is reported in ``notices``."""
    council = {"小学校": "児童会", "中学校": "生徒会", "高等学校": "生徒会"}.get(data.school.kind, "児童会・生徒会")
    words = {"pupils": pupils, "council": council, "awareness_name": profile.awareness_name}
    rows = {m: ProgramRow(month=m) for m in MONTHS_IN_SCHOOL_YEAR}
    plan = profile.program

    def add(month: int, items: object) -> None:
        for column in COLUMNS:
            cell = getattr(rows[month], column)
            for item in getattr(items, column):
                text = fill(item, words)
                if activity_key(text) not in {activity_key(t) for t in cell}:
                    cell.append(text)

    for own in plan.months:
        add(own.month, own)
    add(profile.awareness_month, plan.awareness_month)
    for m in surveys:
        add(m, plan.survey_month)
    for m in stress:
        add(m, plan.stress_check_month)
    for m in MONTHS_IN_SCHOOL_YEAR:
        add(m, plan.every_month)
    board = {m: {c: list(getattr(rows[m], c)) for c in COLUMNS} for m in MONTHS_IN_SCHOOL_YEAR}
    for own in data.schedule.activities:
        for column in COLUMNS:
            for item in getattr(own, column):
                replaced = merge_school_item(rows[own.month], column, item, board[own.month])
                if replaced is not None and notices is not None:
                    notices.append(Notice(
                        f"programme, month {own.month}: the school's item {item!r} replaces the board's {replaced!r} (they say the same)",
                        f"年間計画の{own.month}月：教育委員会の計画の「{replaced}」を、学校の「{item}」に置き換えました（同じ取組と判断）"))
    for row in rows.values():
        for column in ("prevention", "detection"):
            if not getattr(row, column):
                getattr(row, column).extend(getattr(plan.when_empty, column))
    return [rows[m] for m in MONTHS_IN_SCHOOL_YEAR]


def merge_school_item(row: ProgramRow, column: str, item: str, board: dict[str, list[str]]) -> str | None:
    """Merge one of the school's own items into a month of the board's plan. The rule (README,
    "The school input"): compared with the board's items of the same month, in any column,

    - an item already there, or already said by a longer board item (学級開き beside
      学級開き・学級のきまりづくり), is not added;
    - an item that says what a board item says in other words (PDCAサイクルによる基本方針の
      見直し beside 1年間の取組の評価と基本方針の見直し（PDCA）), or says it and more, replaces
      that board item — in the board item's place when the column is the same; a board item
      written as 「heading：content」 keeps its heading (いじめ防止強化月間：…);
    - anything else is added after the board's items. An item the school repeats is listed once.

    Returns the board item that was replaced, if any."""
    key = activity_key(item)
    cell = getattr(row, column)
    if any(activity_key(t) == key for c in COLUMNS for t in getattr(row, c)):
        return None
    for board_column, items in board.items():
        for board_item in items:
            other = activity_key(board_item)
            if key in other:
                return None
            if other in key or similar_activities(key, other):
                target = getattr(row, board_column)
                if board_item not in target:
                    continue  # already replaced by another of the school's items
                head = board_item.split("：", 1)[0] if "：" in board_item else ""
                if head and activity_key(head) not in key:  # いじめ防止強化月間：… keeps its heading
                    item = f"{head}：{item}"
                if board_column == column:
                    target[target.index(board_item)] = item
                else:
                    target.remove(board_item)
                    cell.append(item)
                return board_item
    cell.append(item)
    return None


_NOT_CONTENT = re.compile(r"[\s・、。，,．.（）()「」『』【】\[\]：:／/～~\-－ー―]")


def activity_key(text: str) -> str:
    """An activity reduced to what it says: NFKC, lower-case, no spaces, brackets or punctuation."""
    return _NOT_CONTENT.sub("", unicodedata.normalize("NFKC", text).lower())


def similar_activities(a: str, b: str, threshold: float = 0.5) -> bool:
    """Two activity keys say the same in other words: at least half of the shorter one's character
    pairs (bigrams) occur in the other. Short items (fewer than 3 pairs) are compared only as a whole."""
    pairs_a, pairs_b = _bigrams(a), _bigrams(b)
    shorter = min(len(pairs_a), len(pairs_b))
    if shorter < 3:
        return False
    return len(pairs_a & pairs_b) / shorter >= threshold


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}
