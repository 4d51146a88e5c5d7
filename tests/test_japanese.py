"""Made for Japanese school and board staff: every message in Japanese (English with --lang en or
an English locale), input typed with a Japanese IME read as meant, the starter's ○○ refused, the
school's programme items merged into the board's without duplicates."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import CORPUS, run
from policy_kit import safeyaml
from policy_kit.errors import InputError
from policy_kit.generate.school import load_school

SCHOOL = CORPUS / "schools" / "harunire-es.yaml"


def school_text() -> str:
    return SCHOOL.read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "school.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def ja_error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_school(path)
    return info.value


# ----------------------------------------------------------------------------- YAML slips, on their own line


@pytest.mark.parametrize("before, after, expected", [
    ("  name: 旭川市立はるにれ小学校", "  name：旭川市立はるにれ小学校",
     "8行目: 「name」の後の「：」が全角です。半角の「:」にして、後ろに半角スペースを入れてください（name: …）"),
    ("  kind: 小学校", "　　kind: 小学校", "9行目: 行頭に全角スペースがあります。字下げは半角スペースにしてください"),
    ("  members: [校長, 教頭, 生徒指導主事]", "  members:\n  ー 校長\n  ー 教頭",
     "22行目: リストの行頭の「ー」「－」が全角です。半角の「-」と半角スペースにしてください（- 校長）"),
    ("  kind: 小学校", "  kind: 小学校\n  id: harunire-2", "10行目: 「school.id」が2回書かれています（7行目と10行目）。どちらか一方を消してください"),
    ("  kind: 小学校", "\tkind: 小学校", "9行目1文字目: YAMLの書き方に誤りがあります。字下げにタブが使われています。半角スペースで字下げしてください"),
    ("  kind: 小学校", "  kind 小学校", "9行目: この行に「:」がありません。「項目名: 値」の形で、「:」の後に半角スペースを入れて書いてください（例　id: harunire-es）"),
])
def test_yaml_slips_are_pointed_at_on_their_own_line(runner, tmp_path, before, after, expected):
    text = school_text()
    assert before in text
    path = write(tmp_path, text.replace(before, after, 1))
    result = run(runner, "generate", path, "--check-only")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"エラー: {path}: {expected}" in result.output, result.output
    english = run(runner, "generate", path, "--check-only", "--lang", "en")
    assert f"error: {path}: " in english.output and "line " in english.output


def test_a_full_width_colon_inside_a_text_block_is_kept():
    data = safeyaml.load_text("motto: |\n  　思いやり：やさしさ\n  name：そのまま\n", "x.yaml")
    assert data == {"motto": "\u3000思いやり：やさしさ\nname：そのまま\n"}


@pytest.mark.parametrize("encoding", ["cp932", "euc_jp", "utf-8-sig", "utf-16"])
def test_shift_jis_euc_jp_and_bom_files_are_read(runner, tmp_path, encoding):
    path = write(tmp_path, school_text(), encoding)
    result = run(runner, "generate", path, "-o", tmp_path / "out", "--format", "html", "--only", "policy")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "harunire-es" / "policy.html").read_text(encoding="utf-8")
    assert "旭川市立はるにれ小学校" in html and "はるにれ小学校いじめ対策委員会" in html


def test_unknown_encoding_and_binary_data_are_japanese_errors(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"school:\n  name: \x81\x20\n")  # not UTF-8, Shift_JIS or EUC-JP
    assert ja_error(path).message_ja == "文字コードを判別できません。UTF-8で保存し直してください（Shift_JIS・EUC-JPも読めます）"
    path.write_bytes(b"school:\n  name: \x00\x01\n")
    assert ja_error(path).message_ja == "ファイルにNUL文字が含まれています。YAMLのテキストファイルではないようです"


def test_numbers_with_a_leading_zero_and_clock_times_stay_text():
    data = safeyaml.load_text("phone: 0166123456\nfree: 0120078310\nhours: 13:00\nyear: 2026\nmonth: 08\n", "x.yaml")
    assert data == {"phone": "0166123456", "free": "0120078310", "hours": "13:00", "year": 2026, "month": "08"}


def test_load_document_knows_the_line_of_every_key_and_item(tmp_path):
    document = safeyaml.load_document(SCHOOL)
    assert document.lines[("school", "name")] == 8
    assert document.lines[("organisation", "members", 1)] == 17
    assert document.line_of(("school", "missing_key")) == 6  # the enclosing key


# ----------------------------------------------------------------------------- IME-typed values


IME_SCHOOL = """\
fiscal_year: 令和８年度
revised: 令和8年4月1日
established: 平成26年4月1日
school:
  id: ＳＡＫＵＲＡ-es
  name: 旭川市立さくら小学校
  kind: 小学校
  phone: ０１６６－００－４００４
  motto: 「やさしく・かしこく・たくましく」
organisation:
  name: さくら小学校いじめ対策委員会
  members: [校長、教頭、生徒指導主事，養護教諭]
  experts: スクールカウンセラー・スクールソーシャルワーカー
team:
  members: 校長　教頭　生徒指導主事
  reporting_contacts: 教頭、生徒指導主事
  leader: 生徒指導主事
schedule:
  survey_months: 6・11・2月
  stress_check_months: [５月, ９月, １月]
  activities:
    - month: ４月
      prevention: 学級開き、あいさつ運動
    - month: 3月
      committee: [PDCAサイクルによる基本方針の見直し]
police:
  station: 旭川中央警察署
  phone: 0166123456
contacts:
  - name: スクールカウンセラー（相談室）
    phone: 0166-00-4005
    hours: 毎週火曜日 13時～17時（祝日を除く）
"""


def test_values_typed_with_a_japanese_ime_are_read_as_meant(tmp_path):
    data = load_school(write(tmp_path, IME_SCHOOL))
    assert data.fiscal_year == 2026 and str(data.revised) == "2026-04-01" and str(data.established) == "2014-04-01"
    assert data.school.id == "sakura-es" and data.school.phone == "0166-00-4004"
    assert data.organisation.members == ["校長", "教頭", "生徒指導主事", "養護教諭"]
    assert data.organisation.experts == ["スクールカウンセラー", "スクールソーシャルワーカー"]
    assert data.team.members == ["校長", "教頭", "生徒指導主事"] and data.team.reporting_contacts == ["教頭", "生徒指導主事"]
    assert data.schedule.survey_months == [6, 11, 2] and data.schedule.stress_check_months == [5, 9, 1]
    assert data.schedule.activities[0].month == 4 and data.schedule.activities[0].prevention == ["学級開き", "あいさつ運動"]
    assert data.police.phone == "0166123456"  # YAML would have read 0166123456 as the octal number 30975790
    assert data.contacts[0].hours == "毎週火曜日 13時～17時（祝日を除く）"  # Japanese punctuation kept as written


@pytest.mark.parametrize("value, year", [("2026", 2026), ("２０２６", 2026), ("2026年度", 2026), ("令和8年度", 2026),
                                         ("令和元年度", 2019), ("R8", 2026), ("2026年", 2026)])
def test_school_years(tmp_path, value, year):
    path = write(tmp_path, school_text().replace("fiscal_year: 2026", f"fiscal_year: {value}"))
    assert load_school(path).fiscal_year == year


@pytest.mark.parametrize("value, date", [("2026-04-01", "2026-04-01"), ("2026/4/1", "2026-04-01"), ("2026年4月1日", "2026-04-01"),
                                         ("令和8年4月1日", "2026-04-01"), ("令和８年（2026年）４月１日", "2026-04-01"),
                                         ("R8.4.1", "2026-04-01"), ("平成31年4月30日", "2019-04-30")])
def test_dates(tmp_path, value, date):
    path = write(tmp_path, school_text().replace("revised: 2026-04-01", f"revised: {value}"))
    assert str(load_school(path).revised) == date


def test_a_phrase_with_a_dot_is_one_role(tmp_path):
    path = write(tmp_path, school_text().replace("experts: [スクールカウンセラー, スクールソーシャルワーカー]", "experts: [心理・福祉の専門家]"))
    assert load_school(path).organisation.experts == ["心理・福祉の専門家"]


def test_documents_keep_the_writers_punctuation_and_the_phone_number(runner, tmp_path):
    path = write(tmp_path, IME_SCHOOL)
    result = run(runner, "generate", path, "-o", tmp_path / "out", "--format", "html", "--only", "policy", "--only", "leaflet")
    assert result.exit_code == 0, result.output
    policy = (tmp_path / "out" / "sakura-es" / "policy.html").read_text(encoding="utf-8")
    assert "スクールカウンセラー（相談室）" in policy and "13時～17時</span>（祝日を除く）" in policy
    assert "「やさしく・かしこく・たくましく」" in policy
    assert "13時~17時" not in policy and "(祝日を除く)" not in policy
    leaflet = (tmp_path / "out" / "sakura-es" / "leaflet.html").read_text(encoding="utf-8")
    assert "0166-00-4004" in leaflet and "30975790" not in leaflet + policy
    assert "令和8年（2026年）4月1日改定" in policy and "平成26年（2014年）4月1日策定" in policy


def test_titles_have_no_nested_brackets(runner, tmp_path):
    result = run(runner, "generate", SCHOOL, "-o", tmp_path / "out", "--format", "html")
    assert result.exit_code == 0, result.output
    nested = re.compile(r"（[^（）]*（[^（）]*）[^（）]*）")
    for name in ("policy", "program", "leaflet", "pupils"):
        html = (tmp_path / "out" / "harunire-es" / f"{name}.html").read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        heads = re.findall(r"<h1[^>]*>(.*?)</h1>|class=\"dates[^\"]*\">(.*?)</p>|class=\"running-header\"[^>]*>(.*?)</div>", html)
        for text in [title, *("".join(h) for h in heads)]:
            plain = re.sub(r"<[^>]+>", "", text)
            assert not nested.search(plain), f"{name}: {plain}"
    policy = (tmp_path / "out" / "harunire-es" / "policy.html").read_text(encoding="utf-8")
    assert "<title>旭川市立はるにれ小学校　令和8年度（2026年度）　学校いじめ防止基本方針</title>" in policy


# ----------------------------------------------------------------------------- the school's programme items


def test_school_items_that_repeat_the_boards_are_merged(runner, tmp_path):
    text = school_text().replace("""    - month: 5
      prevention: [縦割り班活動の開始]""", """    - month: 4
      prevention: [学級開き]
    - month: 5
      prevention: [縦割り班活動の開始]
    - month: 3
      committee: [PDCAサイクルによる基本方針の見直し]""")
    path = write(tmp_path, text)
    result = run(runner, "generate", path, "-o", tmp_path / "out", "--format", "html", "--only", "program")
    assert result.exit_code == 0, result.output
    assert ("注意: " in result.output and "年間計画の3月：教育委員会の計画の「1年間の取組の評価と基本方針の見直し（PDCA）」を、"
            "学校の「PDCAサイクルによる基本方針の見直し」に置き換えました（同じ取組と判断）") in result.output
    html = (tmp_path / "out" / "harunire-es" / "program.html").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<td class="month">(\d+)月</td>(.*?)</tr>', html, re.S)}
    assert rows["4"].count("学級開き") == 1 and "学級開き・学級のきまりづくり" in rows["4"]
    assert rows["3"].count("PDCA") == 1 and "PDCAサイクルによる基本方針の見直し" in rows["3"]
    assert "次年度の学校いじめ防止プログラムの作成" in rows["3"]
    assert rows["5"].count("縦割り班活動の開始") == 1


def test_the_awareness_month_keeps_its_heading_when_a_school_names_its_assembly(tmp_path):
    from policy_kit.generate.package import build_package
    from policy_kit.generate.school import load_profile

    text = school_text().replace("    - month: 12\n", "    - month: 10\n      prevention: [児童会によるいじめ防止集会「なかよし宣言」]\n    - month: 12\n")
    data = load_school(write(tmp_path, text))
    october = next(r for r in build_package(data, load_profile("asahikawa")).program if r.month == 10)
    assert october.prevention == ["いじめ防止強化月間：児童会によるいじめ防止集会「なかよし宣言」"]


# ----------------------------------------------------------------------------- validation messages


@pytest.mark.parametrize("before, after, expected", [
    ("fiscal_year: 2026", "fiscal_year: 来年",
     "3行目　fiscal_year（年度）：年度として読めません（いまは「来年」）。2026 または 令和8年度 のように書いてください。"),
    ("fiscal_year: 2026", "fiscal_year: 2018",
     "3行目　fiscal_year（年度）：年度は2019年度（令和元年度）以降にしてください（いまは「2018」）。"),
    ("revised: 2026-04-01", "revised: 2026年2月30日",
     "5行目　revised（改定日）：存在しない日付です（いまは「2026年2月30日」）。月と日を確かめてください。"),
    ("revised: 2026-04-01", "revised: 4月の初め",
     "5行目　revised（改定日）：日付として読めません（いまは「4月の初め」）。2026-04-01、2026年4月1日、令和8年4月1日 のように書いてください。"),
    ("  id: harunire-es", "  id: はるにれ",
     "7行目　school.id（学校ID）：英小文字・数字・「-」「_」で書いてください（例　harunire-es）。出力フォルダの名前になります（いまは「はるにれ」）。"),
    ("  kind: 小学校", "  kind: 小学",
     "9行目　school.kind（学校種）：「小学」は使えません。小学校／中学校／義務教育学校／高等学校／特別支援学校 のどれかを書いてください。"),
    ("  phone: 0166-00-1001", "  phone: 旭川の0166",
     "12行目　school.phone（学校の電話番号）：電話番号として読めません（いまは「旭川の0166」）。0166-23-4567 のように数字と「-」で書いてください。"),
    ("  phone: 0166-00-1001", "  phon: 0166-00-1001",
     "12行目　school.phon：「phon」という項目はありません。「phone」の書き間違いではありませんか。"),
    ("  members: [校長, 教頭, 主幹教諭, 生徒指導主事, 教務主任, 各学年主任, 養護教諭, 特別支援教育コーディネーター]", "  members: [校長]",
     "17行目　organisation.members（組織の構成員）：2つ以上書いてください（いまは1つ）。役職を「、」で区切るか、[校長, 教頭, 生徒指導主事] のように書いてください。"),
    ("  leader: 生徒指導主事", "  leader: [生徒指導主事, 教頭]",
     "23行目　team.leader（いじめ対策推進リーダー）：ここには文字を一つだけ書いてください（リストではなく）。"),
    ("  stress_check_months: [5, 9, 1]", "  stress_check_months: [5, 9, 13]",
     "26行目　schedule.stress_check_months[2]（ストレスチェックの月）：月は1～12で書いてください（いまは「13」）。"),
    ("  stress_check_months: [5, 9, 1]", "  stress_check_months: [5月, 秋]",
     "26行目　schedule.stress_check_months[1]（ストレスチェックの月）：月として読めません（いまは「秋」）。6 または 6月 のように書いてください。"),
    ("    - month: 9", "    - month: 5",
     "27行目　schedule.activities（学校独自の月ごとの取組）：5月が2回以上書かれています。5月の取組は一つの「- month: 5」の下にまとめてください。"),
    ("  motto: 考える子・思いやる子・やりぬく子", "  motto: " + "あ" * 401,
     "14行目　school.motto（学校教育目標）：長すぎます。400字以内にしてください（いまは401字）。"),
    ("  motto: 考える子・思いやる子・やりぬく子", "  motto: ''",
     "14行目　school.motto（学校教育目標）：空欄です。内容を書くか、この行を消してください。"),
    ("organisation:\n  name: はるにれ小学校いじめ対策委員会", "organisation:\n  name: ○○小学校いじめ対策委員会",
     "16行目　organisation.name（組織の名称）：ひな形の「○○小学校いじめ対策委員会」のままです。「○○」を学校のものに書き換えてください。"),
    ("police:\n  station: 旭川東警察署\n  liaison: 旭川地区学校警察連絡協議会\n", "",
     "police（警察との連携）：書かれていません。必ず書く項目です。police: の下に station: 相談・通報する警察署（例　旭川中央警察署）を書いてください。"),
    ("team:\n", "team: 校長\n",
     "20行目　team（いじめ対策チーム）：「項目名: 値」の行を下に字下げして書いてください。"),
])
def test_every_validation_message_is_japanese_with_the_line_and_the_field(tmp_path, before, after, expected):
    text = school_text()
    assert before in text, before
    path = write(tmp_path, text.replace(before, after, 1))
    if before == "team:\n":  # the team's own lines then belong to nothing: drop them
        path = write(tmp_path, re.sub(r"team: 校長\n(  .*\n)+", "team: 校長\n", text.replace(before, after, 1)))
    error = ja_error(path)
    assert expected in error.message_ja, error.message_ja
    assert error.message_ja.startswith(("入力に直すところが", "ひな形の「○○」などが残っています"))
    assert "Input should" not in error.message_ja and "String should" not in error.message_ja
    assert error.message.startswith(("invalid input:", "the starter's placeholders are still there"))


def test_validation_messages_come_from_the_error_type_not_its_english_text():
    """Every pydantic error type our models can raise has Japanese words of its own."""
    from policy_kit.generate.validation import _HANDLERS

    for kind in ("missing", "extra_forbidden", "string_type", "string_too_short", "string_too_long", "string_pattern_mismatch",
                 "int_parsing", "int_type", "greater_than_equal", "less_than_equal", "list_type", "too_short", "too_long",
                 "literal_error", "model_type", "dict_type", "date_format", "date_impossible", "fiscal_year_format",
                 "month_format", "phone_format", "placeholder", "duplicate_month", "pledge_too_long", "known_grade_mode"):
        assert kind in _HANDLERS, kind


def test_format_validation_error_keeps_its_signature_and_speaks_japanese():
    from pydantic import ValidationError

    from policy_kit.generate.school import SchoolInput, format_validation_error

    data = yaml.safe_load(school_text())
    data["school"]["kind"] = "幼稚園"
    with pytest.raises(ValidationError) as info:
        SchoolInput.model_validate(data)
    text = format_validation_error(info.value, SchoolInput)
    assert text.startswith("入力に直すところが1か所あります：") and "school.kind（学校種）：「幼稚園」は使えません。" in text
    english = format_validation_error(info.value, SchoolInput, lang="en")
    assert english.startswith("invalid input:") and "school.kind: must be one of 小学校" in english


def test_the_roster_reports_rows_in_japanese(runner, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(f"base,id,name,organisation.members\n{SCHOOL},,,\n{SCHOOL},ume-es,旭川市立うめ小学校,校長\n",
                      encoding="utf-8")
    result = run(runner, "roster", roster, "-o", tmp_path / "out", "--format", "html", "--jobs", "1")
    assert result.exit_code == 1
    assert "失敗　3行目（旭川市立うめ小学校）: 入力に直すところが1か所あります：" in result.output
    assert "organisation.members（組織の構成員）：2つ以上書いてください（いまは1つ）。" in result.output
    assert "1校を作成、1校は失敗しました" in result.output


# ----------------------------------------------------------------------------- the command line


@pytest.mark.parametrize("args, expected", [
    (["generate"], "エラー: INPUTS を指定してください（必須の引数です）。"),
    (["generate", "x.yaml", "--formt", "pdf"], "エラー: --formt というオプションはありません。「--format」「--force」のことですか。"),
    (["generate", "x.yaml", "--format", "word"], "エラー: --format には pdf・html・both のどれかを指定してください。"),
    (["roster", "x.csv", "--jobs", "0"], "エラー: --jobs には1以上64以下の整数を指定してください。"),
    (["genrate"], "エラー: genrate というコマンドはありません。「generate」のことですか。"),
    (["check", "-", "x.md"], "エラー: FILES: 「-」（標準入力）はほかのファイルといっしょに指定できません"),
    (["check", str(CORPUS / "policies" / "negations.md"), "--format", "sarif", "--format", "json"],
     "エラー: --format: 標準出力に出せる形式は一つだけです。"),
    (["checklist", "show", "police-refferal"], "項目「police-refferal」はありません。「police-referral」のことですか。"),
    (["generate", "nothing-here.yaml"], "nothing-here.yaml: ファイルが見つかりません。ファイル名と場所を確認してください"),
    (["check", "--checklist", "nagoya", "x.md"], "エラー: チェックリスト「nagoya」はありません。同梱のチェックリスト：asahikawa"),
])
def test_command_line_errors_are_japanese(runner, args, expected):
    result = run(runner, *args)
    assert result.exit_code == 2, result.output
    assert expected in result.output, result.output
    assert "Usage:" not in result.output and "Error:" not in result.output


@pytest.mark.parametrize("how", [["--lang", "en"], ["LANG=en_US.UTF-8"], ["LC_ALL=en_GB.UTF-8"]])
def test_english_for_developers(runner, how):
    args, env = (how, None) if how[0] == "--lang" else ([], dict([how[0].split("=")]))
    result = run(runner, *args, "generate", "--format", "word", "x.yaml", env=env)
    assert result.exit_code == 2 and "Error: Invalid value for '--format'" in result.output
    helped = run(runner, *args, "generate", "--help", env=env)
    assert "Usage: " in helped.output and " generate [OPTIONS] INPUTS..." in helped.output and "Generate each school's policy" in helped.output


def test_a_japanese_or_c_locale_gives_japanese(runner):
    for env in ({"LANG": "ja_JP.UTF-8"}, {"LANG": "C.UTF-8"}, {"LC_ALL": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}):
        assert "INPUTS を指定してください" in run(runner, "generate", env=env).output, env


def test_help_is_japanese(runner):
    top = run(runner, "--help")
    assert top.exit_code == 0
    assert "使い方: " in top.output and " [オプション] COMMAND [ARGS]..." in top.output and "学校いじめ防止基本方針をつくり" in top.output
    assert "コマンド:" in top.output and "この説明を表示して終了します。" in top.output
    generate = run(runner, "generate", "-h")
    assert "出力フォルダ。学校ごとに OUT/<学校ID>/ をつくります。  [既定: out]" in generate.output
    assert "ひな形の「○○」が残っている入力も受け付けず" in generate.output
    audit = run(runner, "audit", "--help")
    assert "--force" in audit.output and "報告ではないファイルがあるフォルダにも書き込みます" in audit.output


def test_interrupt_and_internal_error_messages_are_japanese(runner, tmp_path, monkeypatch):
    import policy_kit.generate.school as school

    def broken(path):
        raise RuntimeError("boom")

    monkeypatch.setattr(school, "load_school", broken)
    result = run(runner, "generate", SCHOOL, "--check-only")
    assert result.exit_code == 3
    assert "内部エラー: RuntimeError: boom" in result.output and "policy-kit の不具合です" in result.output

    def interrupted(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(school, "load_school", interrupted)
    result = run(runner, "generate", SCHOOL, "--check-only")
    assert result.exit_code == 130 and "中断しました。書き終えたファイルはそのまま使えます。" in result.output


def test_output_folder_messages_are_japanese(runner, tmp_path):
    out = tmp_path / "out"
    assert run(runner, "generate", SCHOOL, "-o", out, "--format", "html", "--only", "policy").exit_code == 0
    again = run(runner, "generate", SCHOOL, "-o", out, "--format", "html", "--only", "policy")
    assert again.exit_code == 2
    assert "何も書き込みませんでした" in again.output and "この学校の文書がすでにあります。上書きするときは --force を付けてください" in again.output
    assert run(runner, "init", tmp_path / "new.yaml").exit_code == 0
    exists = run(runner, "init", tmp_path / "new.yaml")
    assert exists.exit_code == 2 and "ファイルがすでにあります。上書きするときは --force を付けてください" in exists.output


def test_diff_shows_statuses_in_japanese(runner):
    result = run(runner, "diff", CORPUS / "policies" / "complete-elementary.md", CORPUS / "policies" / "missing-police-and-pdca.md")
    assert result.exit_code == 1
    assert "後退  [必須] police-referral — 警察への相談・通報: あり → なし" in result.output
