"""The policy package: everything the three documents show, derived from a school's input and
its jurisdiction profile. Templates only lay it out; the decisions are made here."""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from .. import wareki
from .pupils import PupilsDocument, build_pupils
from .school import MONTHS_IN_SCHOOL_YEAR, Contact, Organisation, Police, Profile, SchoolInput, Team

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
    interviews = sched.interview_weeks or [f"{m}月（アンケート後2週間以内）" for m in sorted(surveys, key=MONTHS_IN_SCHOOL_YEAR.index)]
    revised = data.revised or _dt.date(data.fiscal_year, 4, 1)
    pupils = data.school.pupils
    stress = list(profile.stress_check_months) if sched.stress_check_months is None else sched.stress_check_months
    program = _program(data, profile, surveys, stress, pupils)
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
    )


COLUMNS = ("prevention", "detection", "committee", "training")


def _program(data: SchoolInput, profile: Profile, surveys: list[int], stress: list[int], pupils: str) -> list[ProgramRow]:
    """The year plan: the board's items (profile `program`), the school's schedule, then its own
    items. An item already in a month's column is not added again."""
    council = {"小学校": "児童会", "中学校": "生徒会", "高等学校": "生徒会"}.get(data.school.kind, "児童会・生徒会")
    words = {"pupils": pupils, "council": council, "awareness_name": profile.awareness_name}
    rows = {m: ProgramRow(month=m) for m in MONTHS_IN_SCHOOL_YEAR}
    plan = profile.program

    def add(month: int, items: object, board: bool = True) -> None:
        for column in COLUMNS:
            cell = getattr(rows[month], column)
            for item in getattr(items, column):
                text = fill(item, words) if board else item
                if text not in cell:
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
    for own in data.schedule.activities:
        add(own.month, own, board=False)
    for row in rows.values():
        for column in ("prevention", "detection"):
            if not getattr(row, column):
                getattr(row, column).extend(getattr(plan.when_empty, column))
    return [rows[m] for m in MONTHS_IN_SCHOOL_YEAR]
