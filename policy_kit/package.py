"""The policy package: everything the three documents show, derived from a school's input and
its jurisdiction profile. Templates only lay it out; the decisions are made here."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from . import wareki
from .school import MONTHS_IN_SCHOOL_YEAR, Contact, Organisation, Police, Profile, SchoolInput, Team

# Typical acts and the offence they may constitute (examples widely used in guidance to parents).
CRIME_EXAMPLES: list[tuple[str, str]] = [
    ("たたく、ける、物を投げつけるなどしてけがをさせる", "暴行罪・傷害罪"),
    ("「金を持ってこい」などと脅してお金や物を取る", "恐喝罪"),
    ("持ち物を隠す、壊す、捨てる", "器物損壊罪・窃盗罪"),
    ("「言うことを聞かないとひどい目にあわせる」と脅す", "脅迫罪"),
    ("嫌がることや危険なことを無理やりさせる", "強要罪"),
    ("SNSやネット上で悪口やうそを広める、写真を勝手に載せる", "名誉毀損罪・侮辱罪"),
    ("裸の写真や動画を送らせる、広める", "児童ポルノ禁止法違反"),
]

STAFF_CHECKLIST: list[tuple[str, list[str]]] = [
    ("朝・登校時", ["遅刻や欠席が増えた", "表情が暗く、あいさつの声が小さい", "保健室に行くことが増えた"]),
    ("授業中", ["発言すると冷やかしや笑いが起きる", "グループ活動で一人になりがち", "教科書やノートに落書きがある"]),
    ("休み時間・給食", ["一人で過ごすことが多くなった", "給食を残す、配膳で嫌がられる", "遊びの中で特定の子だけが役を押し付けられる"]),
    ("放課後・部活動", ["急いで帰る、または用もなく学校に残る", "使い走りをさせられている", "部活動を休みがちになった"]),
    ("持ち物・身体", ["持ち物がなくなる、壊される", "説明できないけがやあざがある", "服が汚れている、破れている"]),
    ("ネット・金銭", ["スマートフォンの通知をひどく気にする", "お金の貸し借りの話が出る", "グループチャットから外された様子がある"]),
]


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
    stress_check_months_ja: str
    interview_weeks_ja: str
    program: list[ProgramRow]
    training_items: list[tuple[int, str]]
    contacts: list[Contact]
    student_activities: list[str]
    crime_examples: list[tuple[str, str]] = field(default_factory=lambda: list(CRIME_EXAMPLES))
    staff_checklist: list[tuple[str, list[str]]] = field(default_factory=lambda: list(STAFF_CHECKLIST))

    @property
    def organisation(self) -> Organisation:
        return self.input.organisation

    @property
    def team(self) -> Team:
        return self.input.team

    @property
    def police(self) -> Police:
        return self.input.police


def months_ja(months: list[int]) -> str:
    ordered = sorted(months, key=MONTHS_IN_SCHOOL_YEAR.index)
    return "・".join(str(m) for m in ordered) + "月"


def build_package(data: SchoolInput, profile: Profile) -> PolicyPackage:
    sched = data.schedule
    surveys = sched.survey_months or list(profile.survey_months)
    interviews = sched.interview_weeks or [f"{m}月（アンケート後2週間以内）" for m in sorted(surveys, key=MONTHS_IN_SCHOOL_YEAR.index)]
    revised = data.revised or _dt.date(data.fiscal_year, 4, 1)
    pupils = data.school.pupils
    program = _program(data, profile, surveys, pupils)
    training = [(row.month, item) for row in program for item in row.training]
    contacts = [*data.contacts, profile.department, *profile.hotlines]
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
        stress_check_months_ja=months_ja(sched.stress_check_months),
        interview_weeks_ja="、".join(interviews),
        program=program,
        training_items=training,
        contacts=contacts,
        student_activities=activities,
    )


def _program(data: SchoolInput, profile: Profile, surveys: list[int], pupils: str) -> list[ProgramRow]:
    """The year plan: city-wide items from the profile, the school's schedule, then its own items."""
    rows = {m: ProgramRow(month=m) for m in MONTHS_IN_SCHOOL_YEAR}
    rows[4].prevention += ["学級開き・学級のきまりづくり", "基本方針と相談窓口を" + pupils + "に説明"]
    rows[4].committee += ["基本方針・年間計画の確認", "保護者への基本方針の説明（入学式・保護者会）"]
    rows[4].training += ["基本方針と対応の流れ、報告の手順の共通理解"]
    rows[8].training += ["事例研究：対処プランの作成と役割分担"]
    rows[11].training += ["情報モラルとネット上のいじめへの対応"]
    rows[1].training += ["教職員用チェックリストの活用と見立ての研修"]
    rows[7].committee += ["1学期の取組の評価"]
    rows[12].committee += ["学校評価（" + pupils + "・保護者アンケート）の実施"]
    rows[3].committee += ["1年間の取組の評価と基本方針の見直し（PDCA）", "次年度の学校いじめ防止プログラムの作成"]
    council = {"小学校": "児童会", "中学校": "生徒会", "高等学校": "生徒会"}.get(data.school.kind, "児童会・生徒会")
    rows[profile.awareness_month].prevention += [f"{profile.awareness_name}：{council}によるいじめ防止集会"]
    for m in surveys:
        rows[m].detection += ["いじめアンケート調査（全校）", "アンケート後の個人面談（全員）"]
        rows[m].committee += ["アンケート結果の検証と対応の決定"]
    for m in data.schedule.stress_check_months:
        rows[m].detection += ["ストレスチェック"]
    for m in MONTHS_IN_SCHOOL_YEAR:
        rows[m].committee += ["定例会議・全事案の教育委員会への報告"]
        if not rows[m].detection:
            rows[m].detection += ["日常観察・教職員用チェックリストによる点検"]
    for own in data.schedule.activities:
        row = rows[own.month]
        row.prevention += own.prevention
        row.detection += own.detection
        row.committee += own.committee
        row.training += own.training
    for row in rows.values():
        if not row.prevention:
            row.prevention.append("道徳・学級活動での人間関係づくり")
    return [rows[m] for m in MONTHS_IN_SCHOOL_YEAR]
