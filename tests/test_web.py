"""The web app over HTTP (Starlette's test client): every route, and every refusal.

Real parts: the real checker and model, real WeasyPrint PDFs, real audit job processes, a real
SQLite file, real ZIP files made here. The browser tests are in test_web_browser.py."""
from __future__ import annotations

import io
import os
import re
import stat
import time
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from conftest import CORPUS, run
from policy_kit import safeyaml
from policy_kit.generate.school import SchoolInput, load_school
from policy_kit.web import forms
from policy_kit.web.app import create_app
from policy_kit.web.jobs import CRASHED_JA, AuditSpec, run_audit_process
from policy_kit.web.security import CSP
from policy_kit.web.server import check_token
from policy_kit.web.settings import Settings
from policy_kit.web.store import Store

POLICIES = CORPUS / "policies"
HARUNIRE = CORPUS / "schools" / "harunire-es.yaml"
SHIOKAZE = CORPUS / "schools" / "shiokaze-es.yaml"  # a Kitakyushu school (a board without a desk of its own)
TOKEN = "a-long-enough-test-token-123"


def make_client(tmp_path: Path, job_target=None, **settings) -> TestClient:
    app = create_app(Settings(data_dir=tmp_path / "data", jobs=1, **settings), job_target=job_target)
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(tmp_path):
    with make_client(tmp_path) as c:
        c.get("/")  # the CSRF cookie
        yield c


def csrf(c: TestClient) -> str:
    if "pk_csrf" not in c.cookies:
        c.get("/")
    return c.cookies["pk_csrf"]


def error_text(html: str, key: str) -> str:
    """The message in the error slot next to the field ``key`` ("" when none is shown)."""
    m = re.search(r'<p class="error" data-error-for="' + re.escape(key) + r'"[^>]*>([^<]*)</p>', html)
    assert m, f"no error slot for {key}"
    return m.group(1)


def school_form(path: Path = HARUNIRE) -> dict[str, object]:
    values, unknown = forms.form_values(safeyaml.load_file(path))
    assert unknown == []
    return values


def harunire_form() -> dict[str, object]:
    return school_form(HARUNIRE)


def post_school(c: TestClient, url: str, values: dict[str, object], **extra):
    data = {k: v for k, v in values.items()}
    data.update(extra)
    data["csrf"] = csrf(c)
    return c.post(url, data=data)


def leftovers(folder: Path) -> list[Path]:
    """What is left in a folder that may never have been created."""
    return list(folder.iterdir()) if folder.exists() else []


def wait_for_job(c: TestClient, location: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = c.get(location + "/status").json()
        if status["finished"]:
            return status
        time.sleep(0.3)
    raise AssertionError("the audit job did not finish")


# ----------------------------------------------------------------------------- pages and headers


def test_home_and_security_headers(client):
    r = client.get("/")
    assert r.status_code == 200
    for link in ('href="/school"', 'href="/check"', 'href="/board"'):
        assert link in r.text
    assert r.headers["content-security-policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
    assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in r.text and " style=" not in r.text  # nothing inline: the CSP would block it


def test_csrf_cookie_is_strict_and_http_only(tmp_path):
    with make_client(tmp_path) as c:
        cookie = c.get("/").headers["set-cookie"]
    assert cookie.startswith("pk_csrf=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_static_files_and_unknown_names(client):
    css = client.get("/static/web.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/static/web.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/app.py").status_code == 404
    assert client.get("/static/..%2F..%2Fpyproject.toml").status_code == 404


def test_unknown_page_is_a_japanese_404(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404 and "ページが見つかりません" in r.text


def test_every_page_uses_no_inline_script_or_style(client):
    for url in ("/", "/school", "/check", "/board", "/login"):
        html = client.get(url).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert " style=" not in html and "<style" not in html, url


# ----------------------------------------------------------------------------- the school form


def test_the_form_has_every_field_of_the_model_with_japanese_labels(client):
    html = client.get("/school").text
    paths = set()

    def walk(model, prefix=""):
        for name, info in model.model_fields.items():
            sub = forms._model(info.annotation)
            item = forms._list_item(info.annotation)
            paths.add(prefix + name)
            if sub is not None:
                walk(sub, prefix + name + ".")
            elif item is not None and forms._model(item) is not None and "month" not in forms._model(item).model_fields:
                walk(forms._model(item), prefix + name + ".")

    walk(SchoolInput)
    assert paths <= set(forms.LABELS), sorted(paths - set(forms.LABELS))
    for f in forms.all_fields():
        if f.kind in ("list",):
            assert f'name="{f.path}.0"' in html, f.path
        elif f.kind in ("rows", "pairs"):
            for c in f.columns:
                assert f'name="{f.path}.0.{c.path}"' in html, f.path
        elif f.kind == "monthtable":
            for m in (4, 12, 3):
                for col in forms.ACTIVITY_COLUMNS:
                    assert f'name="{f.path}.{m}.{col}"' in html
        else:
            assert f'name="{f.path}"' in html, f.path
        assert f.label in html
    boards = re.search(r'<select id="f-profile" name="profile">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', boards) == [("asahikawa", "旭川市（asahikawa）"),
                                                                               ("kitakyushu", "北九州市（kitakyushu）")]
    assert html.count('type="checkbox" name="schedule.survey_months"') == 12
    assert html.count('name="pupils_version.pledges.') == 3  # three empty rows: at least three promises


def test_help_names_each_boards_own_value():
    helps = {f.path: f.help for f in forms.all_fields()}
    assert "旭川市：いじめ対策推進リーダー、北九州市：情報集約担当者" in helps["team.leader"]
    assert "旭川市：5・9・1月、北九州市：行わない" in helps["schedule.stress_check_months"]
    assert "北九州市：北九州市学校警察連絡協議会" in helps["police.liaison"]


def _round_trip(raw: dict) -> tuple[SchoolInput, SchoolInput]:
    """The input as validated, and as read back from the YAML the form saves."""
    original = SchoolInput.model_validate(raw)
    values, unknown = forms.form_values(raw)
    checked = forms.validate(forms.parse_form(values))
    assert unknown == [] and checked.errors == {} and checked.model == original
    return original, SchoolInput.model_validate(safeyaml.load_text(forms.to_yaml(checked.model)))


def test_round_trip_through_the_form_keeps_every_value():
    samples = sorted((CORPUS / "schools").glob("*.yaml"))
    assert {p.stem for p in samples} >= {"harunire-es", "shiokaze-es"}
    assert sum("readings" in (safeyaml.load_file(p).get("pupils_version") or {}) for p in samples) >= 2
    for path in samples:
        original, again = _round_trip(safeyaml.load_file(path))
        assert again == original, path
        assert original == load_school(path)


def test_round_trip_of_every_pupils_version_field_and_no_stress_checks():
    raw = safeyaml.load_file(HARUNIRE)
    raw["schedule"] = {"stress_check_months": []}  # explicitly none, unlike leaving it out (the board's months)
    readings = {"はるにれっ子": "はるにれっこ", "旭川": "あさひかわ", "代表委員会": "だいひょういいんかい"}
    raw["pupils_version"].update({"furigana": "grade", "known_grade": 2, "grade_band": "小学校高学年", "readings": readings})
    original, again = _round_trip(raw)
    assert again == original
    assert again.schedule.stress_check_months == [] and again.pupils_version.known_grade == 2
    assert again.pupils_version.readings == readings
    values, _ = forms.form_values(raw)
    assert values["schedule.stress_check_months"] == ["none"]
    assert values["pupils_version.readings.1.word"] == "旭川" and values["pupils_version.readings.1.reading"] == "あさひかわ"
    del raw["pupils_version"], raw["schedule"]
    original, again = _round_trip(raw)
    assert again.pupils_version is None and again.schedule.stress_check_months is None


def test_stress_check_months_none_box(client):
    values = harunire_form()
    values["schedule.stress_check_months"] = ["none"]
    assert forms.validate(forms.parse_form(values)).model.schedule.stress_check_months == []
    values["schedule.stress_check_months"] = ["none", "5"]
    r = post_school(client, "/school", values)
    assert r.status_code == 422 and "両方が選ばれています" in error_text(r.text, "schedule.stress_check_months")
    assert 'value="none" checked' in r.text and 'value="5" checked' in r.text  # kept as ticked


def test_an_empty_form_marks_each_required_field(client):
    r = post_school(client, "/school", {"profile": "asahikawa", "fiscal_year": "2026"})
    assert r.status_code == 422
    for key in ("school.id", "school.name", "school.kind", "organisation.name", "team.leader", "police.station"):
        assert error_text(r.text, key) == "入力してください", key
    shown = re.findall(r'<p class="error" data-error-for="([^"]+)"[^>]*>([^<]+)</p>', r.text)
    count = int(re.search(r'<span id="error-count">(\d+)</span>', r.text).group(1))
    assert count == len(shown)  # every error counted is shown next to its field
    assert error_text(r.text, "pupils_version.written_by") == ""  # an unused optional section asks for nothing


def test_pupils_version_errors_are_shown_next_to_their_rows(client):
    values = harunire_form()
    values.update({
        "pupils_version.pledges.1": "い" * 61,
        "pupils_version.readings.0.reading": "ハルニレッコ",  # katakana
        "pupils_version.readings.3.word": "はるにれ", "pupils_version.readings.3.reading": "はるにれ",  # no kanji
        "pupils_version.readings.4.word": "はるにれっ子", "pupils_version.readings.4.reading": "はるにれっこ",  # twice
        "pupils_version.readings.5.word": "旭川",  # no reading
    })
    r = post_school(client, "/school", values)
    assert r.status_code == 422
    assert error_text(r.text, "pupils_version.pledges.1").startswith("1つの約束は60文字以内に")
    assert error_text(r.text, "pupils_version.readings.0.reading") == "よみは、ひらがなで入力してください（例：はるにれっこ）"
    assert error_text(r.text, "pupils_version.readings.3.word") == "漢字を含む語を入力してください"
    assert error_text(r.text, "pupils_version.readings.4.word").startswith("同じ語がほかの行にもあります")
    assert error_text(r.text, "pupils_version.readings.5.reading") == "入力してください"
    assert 'value="ハルニレッコ"' in r.text


def test_a_check_across_pupils_version_fields_is_shown_next_to_the_field(client):
    values = harunire_form()
    values.update({"pupils_version.furigana": "rare", "pupils_version.known_grade": "3"})
    body = post_school(client, "/school/validate", values).json()
    assert body["errors"] == {"pupils_version.known_grade": "ふりがなの付け方で「まだ習っていない漢字に付ける」を選んだときだけ選べます"}
    values["pupils_version.known_grade"] = "9"  # not one of the choices
    assert post_school(client, "/school/validate", values).json()["errors"] == {"pupils_version.known_grade": "一覧から選んでください"}


def test_pupils_version_needs_its_promises_once_it_is_used(client):
    values = {k: v for k, v in harunire_form().items() if not k.startswith("pupils_version.")}
    assert forms.validate(forms.parse_form(values)).model.pupils_version is None
    values["pupils_version.title"] = "みんなの約束"
    values.update({"pupils_version.pledges.0": "あいさつをする。", "pupils_version.pledges.1": "なかよくする。"})
    body = post_school(client, "/school/validate", values).json()
    assert body["errors"] == {"pupils_version.pledges": "3つ以上入力してください", "pupils_version.written_by": "入力してください"}
    values.update({f"pupils_version.pledges.{i}": f"約束{i}。" for i in range(9)})
    values["pupils_version.written_by"] = "児童会"
    body = post_school(client, "/school/validate", values).json()
    assert body["errors"] == {"pupils_version.pledges": "8つまでにしてください"}
    html = client.get("/school").text
    assert re.search(r'data-add="pupils_version.pledges" data-max="8"', html)
    assert "使うときは必須" in re.search(r'id="s-pupils_version".*?</fieldset>', html, re.S).group(0)


def test_invalid_input_shows_japanese_errors_next_to_the_fields(client):
    values = harunire_form()
    values.update({"school.phone": "電話なし", "school.id": "Harunire ES", "fiscal_year": "来年", "organisation.members.1": ""})
    del values["school.name"]
    values["contacts.3.name"] = "子ども相談室"  # a contact without a phone, on row 3
    r = post_school(client, "/school", values)
    assert r.status_code == 422
    assert error_text(r.text, "school.phone").startswith("電話番号は半角の数字とハイフンで")
    assert error_text(r.text, "school.id").startswith("半角の英小文字・数字")
    assert error_text(r.text, "fiscal_year") == "半角の数字で入力してください"
    assert error_text(r.text, "school.name") == "入力してください"
    assert error_text(r.text, "contacts.3.phone") == "入力してください"
    assert "2つ以上入力してください" in error_text(r.text, "organisation.members") or \
        len([k for k in values if k.startswith("organisation.members.") and values[k]]) >= 2
    assert 'value="電話なし"' in r.text  # what was typed stays in the form
    assert error_text(r.text, "police.station") == ""


def test_a_valid_form_says_so(client):
    r = post_school(client, "/school", harunire_form())
    assert r.status_code == 200 and "入力に誤りはありません" in r.text


def test_validate_answers_json_for_live_errors(client):
    values = harunire_form()
    values["school.phone"] = "abc"
    r = post_school(client, "/school/validate", values)
    body = r.json()
    assert r.status_code == 200 and body["valid"] is False and body["count"] == 1
    assert body["errors"] == {"school.phone": "電話番号は半角の数字とハイフンで入力してください（例：0166-00-0000）"}
    assert post_school(client, "/school/validate", harunire_form()).json() == {"valid": True, "errors": {}, "general": [], "count": 0}


def test_preview_of_each_document_is_sandboxed_html(client):
    for doc, words in (("policy", "学校いじめ防止基本方針"), ("leaflet", "保護者の皆様へ"), ("program", "学校いじめ防止プログラム"),
                       ("pupils", "はるにれっ子 いじめゼロの約束")):
        r = post_school(client, "/school/preview", harunire_form(), _doc=doc)
        assert r.status_code == 200 and "旭川市立はるにれ小学校" in r.text and words in r.text, doc
        csp = r.headers["content-security-policy"]
        assert "sandbox" in csp and "script-src" not in csp and "frame-ancestors 'self'" in csp
        assert r.headers["x-frame-options"] == "SAMEORIGIN"
    bad = harunire_form()
    bad["school.name"] = ""
    r = post_school(client, "/school/preview", bad, _doc="policy")
    assert "入力に誤りが1件あるため" in r.text
    assert post_school(client, "/school/preview", harunire_form(), _doc="../etc").status_code == 400


def test_text_typed_into_the_form_is_escaped(client):
    values = harunire_form()
    values["school.motto"] = "<script>alert(1)</script>"
    r = post_school(client, "/school", values)
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    preview = post_school(client, "/school/preview", values, _doc="policy")
    assert "<script>alert" not in preview.text


def test_download_yaml_is_the_file_the_cli_reads(client, tmp_path, runner):
    values = harunire_form()
    values["school.name"] = "旭川市立はるにれ第二小学校"
    r = post_school(client, "/school/download", values, _download="yaml")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith('attachment; filename="harunire-es.yaml"')
    saved = tmp_path / "saved.yaml"
    saved.write_bytes(r.content)
    expected = load_school(HARUNIRE).model_copy(update={"school": load_school(HARUNIRE).school.model_copy(update={"name": "旭川市立はるにれ第二小学校"})})
    assert load_school(saved) == expected
    result = run(runner, "generate", saved, "--check-only", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output


def test_download_policy_pdf_and_zip(client):
    r = post_school(client, "/school/download", harunire_form(), _download="policy")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages).replace(" ", "")
    assert "旭川市立はるにれ小学校" in text
    z = post_school(client, "/school/download", harunire_form(), _download="zip")
    archive = zipfile.ZipFile(io.BytesIO(z.content))
    assert sorted(archive.namelist()) == [
        "harunire-es/harunire-es.yaml", "harunire-es/leaflet.html", "harunire-es/leaflet.pdf", "harunire-es/policy.html",
        "harunire-es/policy.pdf", "harunire-es/program.html", "harunire-es/program.pdf", "harunire-es/pupils.html", "harunire-es/pupils.pdf"]
    pupils_html = archive.read("harunire-es/pupils.html").decode("utf-8")
    assert "みんなのちがいを、<ruby>大切<rp>（</rp><rt>たいせつ</rt><rp>）</rp></ruby>にする。" in pupils_html  # 1年生: every kanji
    pupils_pdf = PdfReader(io.BytesIO(archive.read("harunire-es/pupils.pdf")))
    assert 1 <= len(pupils_pdf.pages) <= 2  # the pupils' version keeps to its page limit, as from the command line


def test_download_the_pupils_version_with_the_schools_own_readings(client):
    values = harunire_form()
    values["pupils_version.pledges.5"] = "はるにれっ子は、あいさつを大切にする。"
    r = post_school(client, "/school/download", values, _download="pupils")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith('attachment; filename="harunire-es-pupils.pdf"')
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages).replace(" ", "")
    assert "旭川市立はるにれ小学校" in text and "児童版" in text  # the running header (no furigana there)
    preview = post_school(client, "/school/preview", values, _doc="pupils").text
    assert "はるにれっ<ruby>子<rp>（</rp><rt>こ</rt><rp>）</rp></ruby>は、あいさつを" in preview  # the school's own reading


def test_valid_form_names_the_words_of_the_pupils_version_without_a_reading(client):
    values = harunire_form()
    values["pupils_version.pledges.5"] = "㐂びを、みんなで分け合う。"
    r = post_school(client, "/school", values)
    assert r.status_code == 200 and "入力に誤りはありません" in r.text
    note = re.search(r'<div class="notice caution"[^>]*id="missing-readings">(.*?)</div>', r.text, re.S)
    assert note and "㐂" in note.group(1) and "漢字のよみ" in note.group(1)
    values["pupils_version.readings.1.word"] = "㐂"
    values["pupils_version.readings.1.reading"] = "よろこ"
    r = post_school(client, "/school", values)
    assert r.status_code == 200 and 'id="missing-readings"' not in r.text
    assert 'id="missing-readings"' not in post_school(client, "/school", harunire_form()).text


def test_a_kitakyushu_school_loads_previews_and_downloads(client):
    r = _load(client, "shiokaze-es.yaml", SHIOKAZE.read_bytes())
    assert r.status_code == 200 and "入力に誤りはありません" in r.text
    assert '<option value="kitakyushu" selected>' in r.text
    values = school_form(SHIOKAZE)
    policy = post_school(client, "/school/preview", values, _doc="policy").text
    assert "北九州市立しおかぜ台小学校" in policy and "いじめ対応チーム" in policy and "北九州市学校警察連絡協議会" in policy
    assert "いじめ対策推進リーダー" not in policy  # the board's own names for the roles
    leaflet = post_school(client, "/school/preview", values, _doc="leaflet").text
    assert "093-000-2001" in leaflet  # the school's own number, with no city desk in the profile
    pupils = post_school(client, "/school/preview", values, _doc="pupils")
    assert pupils.status_code == 200 and '<ol class="blank">' in pupils.text  # no promises yet: blank lines for the 児童会
    assert "0120-0-78310" in pupils.text  # the national hotline, where the board has no desk of its own
    z = post_school(client, "/school/download", values, _download="zip")
    assert z.status_code == 200 and "shiokaze-es/pupils.pdf" in zipfile.ZipFile(io.BytesIO(z.content)).namelist()


def test_download_of_an_invalid_form_shows_the_errors_instead(client):
    values = harunire_form()
    values["police.station"] = ""
    r = post_school(client, "/school/download", values, _download="policy")
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert error_text(r.text, "police.station") == "入力してください"
    assert post_school(client, "/school/download", harunire_form(), _download="exe").status_code == 400


def _load(client, name: str, content: bytes):
    return client.post("/school/load", data={"csrf": csrf(client)}, files={"yaml": (name, content, "application/x-yaml")})


def test_load_a_school_yaml_fills_the_form(client):
    r = _load(client, "harunire-es.yaml", HARUNIRE.read_bytes())
    assert r.status_code == 200 and "「harunire-es.yaml」を読み込みました。入力に誤りはありません。" in r.text
    assert 'value="旭川市立はるにれ小学校"' in r.text and 'value="縦割り班活動の開始"' not in r.text
    assert "縦割り班活動の開始</textarea>" in r.text  # month 5, prevention
    assert re.search(r'name="organisation.members.7" value="特別支援教育コーディネーター"', r.text)


def test_load_refuses_what_is_not_a_school_yaml(client):
    assert "YAML syntax error" in _load(client, "x.yaml", b"school: [unclosed").text
    assert _load(client, "x.yaml", b"school: [unclosed").status_code == 400
    assert "UTF-8" in _load(client, "x.yaml", "学校: 名前".encode("cp932")).text
    r = _load(client, "list.yaml", b"- a\n- b\n")
    assert r.status_code == 400 and "学校の入力ファイルの形ではありません" in r.text
    big = _load(client, "big.yaml", b"#" * (2 * 1024 * 1024 + 10))
    assert big.status_code == 413 and "大きすぎます" in big.text
    r = client.post("/school/load", data={"csrf": csrf(client)})
    assert r.status_code == 400 and "YAMLファイルを選んでください" in r.text


def test_load_reports_unknown_fields_and_a_profile_path(client):
    text = HARUNIRE.read_text(encoding="utf-8").replace("profile: asahikawa", "profile: ../../etc/profile.yaml") + "colour: blue\n"
    r = _load(client, "odd.yaml", text.encode())
    assert "読み込んだファイルの項目「colour」は、この画面では扱えないため" in r.text
    assert "同梱のプロファイルだけ" in error_text(r.text, "profile")
    listed = HARUNIRE.read_text(encoding="utf-8").replace("  readings:\n    はるにれっ子: はるにれっこ", "  readings:\n    - はるにれっ子")
    assert listed != HARUNIRE.read_text(encoding="utf-8")
    r = _load(client, "listed.yaml", listed.encode())
    assert "読み込んだファイルの項目「pupils_version.readings」は、この画面では扱えないため" in r.text  # not silently dropped


# ----------------------------------------------------------------------------- check


def _check(client, name: str, content: bytes, checklist: str = "asahikawa", follow: bool = True):
    return client.post("/check", data={"csrf": csrf(client), "checklist": checklist},
                       files={"document": (name, content, "application/octet-stream")}, follow_redirects=follow)


def test_check_shows_each_requirement_with_evidence_in_its_section(client):
    r = _check(client, "方針.md", (POLICIES / "missing-police-and-pdca.md").read_bytes(), follow=False)
    assert r.status_code == 303 and re.fullmatch(r"/check/[0-9a-f]{24}", r.headers["location"])
    page = client.get(r.headers["location"]).text
    police = re.search(r'<article class="requirement status-missing" id="req-police-referral".*?</article>', page, re.S)
    assert police and "警察への相談・通報" in police.group(0) and "直し方" in police.group(0)
    assert "該当する記述は見つかりませんでした" in police.group(0)
    present = re.search(r'<article class="requirement status-present" id="req-committee-composition".*?</article>', page, re.S)
    assert present, "committee-composition is present in this sample"
    assert "<mark>" in present.group(0) and 'class="section-path"' in present.group(0)
    section = re.search(r'<span class="section-path">(.*?)</span>\s*<span class="where">', present.group(0), re.S).group(1)
    assert re.findall(r"<span>([^<]*)</span>", section)[-1] == "3組織"  # the heading above the evidence, as the checker read it
    assert "「方針.md」" in page and "1ページ" in page
    order = [m.group(1) for m in re.finditer(r'data-status="(\w+)"', page)]
    assert order.index("present") > order.index("missing")  # missing ones first


def test_check_shows_a_waived_requirement(client):
    text = (POLICIES / "missing-police-and-pdca.md").read_text(encoding="utf-8")
    text += "\n<!-- policy-kit: ignore police-referral -- 市の様式を待って追記 -->\n"
    page = _check(client, "draft.md", text.encode()).text
    item = re.search(r'<article class="requirement status-waived" id="req-police-referral".*?</article>', page, re.S)
    assert item and "免除：市の様式を待って追記" in item.group(0)


def test_check_report_downloads(client):
    location = _check(client, "policy.md", (POLICIES / "missing-police-and-pdca.md").read_bytes(), follow=False).headers["location"]
    data = client.get(location + "/report.json").json()
    statuses = {r["id"]: r["status"] for r in data["requirements"]}
    assert statuses["police-referral"] == "missing" and data["checklist"] == "asahikawa"
    html = client.get(location + "/report.html")
    assert html.headers["content-disposition"].startswith("attachment") and "警察への相談・通報" in html.text
    assert "<script" not in html.text
    pdf = client.get(location + "/report.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace(" ", "")
    assert "点検結果" in text and "警察への相談・通報" in text
    assert client.get(location + "/report.exe").status_code == 404


def test_check_refuses_unreadable_files_with_a_japanese_message(client):
    r = _check(client, "empty.txt", b"")
    assert r.status_code == 400 and "「empty.txt」を点検できませんでした：ファイルが空です" in r.text
    r = _check(client, "english.txt", b"This policy is written in English only, with no Japanese at all.")
    assert "日本語の文章が見つかりません" in r.text
    r = _check(client, "../../etc/passwd.pdf", b"%PDF-1.4 garbage")
    assert r.status_code == 400 and "「passwd.pdf」" in r.text  # the name is shown, never used as a path
    r = client.post("/check", data={"csrf": csrf(client), "checklist": "asahikawa"})
    assert r.status_code == 400 and "点検する文書を選んでください" in r.text
    r = _check(client, "x.md", b"x", checklist="../../etc/passwd")
    assert r.status_code == 400 and "チェックリストを一覧から選んでください" in r.text


def test_check_refuses_a_file_over_the_limit(tmp_path):
    with make_client(tmp_path, max_file_bytes=1000) as c:
        r = _check(c, "big.txt", "いじめ防止。".encode() * 200)
        assert r.status_code == 400 and "ファイルが大きすぎます" in r.text


def test_check_writes_nothing_to_disk(client, tmp_path):
    _check(client, "policy.md", (POLICIES / "complete-elementary.md").read_bytes())
    data = tmp_path / "data"
    assert not any(p.is_file() and p.suffix in (".md", ".txt", ".pdf") for p in data.rglob("*"))


def test_unknown_check_result_is_a_404(client):
    assert client.get("/check/" + "0" * 24).status_code == 404
    r = client.get("/check/not-an-id")
    assert r.status_code == 404 and "点検結果が見つかりません" in r.text


# ----------------------------------------------------------------------------- board audits


def board_zip(folder: Path, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(POLICIES / "complete-elementary.md", "全校/旭川市立やまなみ小学校.md")
        z.write(POLICIES / "missing-police-and-pdca.md", "全校/旭川市立しらうめ小学校.md")
        z.write(POLICIES / "police-no-parent-explanation.txt", "全校/旭川市立こぶし中学校/方針.txt")
        z.write(POLICIES / "program-only.md", "全校/旭川市立こぶし中学校/プログラム.md")
        z.writestr("全校/壊れた小学校.pdf", b"%PDF-1.4 not really")
        z.writestr("全校/.DS_Store", b"junk")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


def _audit(client, files: list[tuple[str, bytes]], board: str = ""):
    return client.post("/board/audit", data={"csrf": csrf(client), "checklist": "asahikawa", "board": board},
                       files=[("files", (name, data, "application/octet-stream")) for name, data in files], follow_redirects=False)


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """Two audits through the page: the second after one school added its police section."""
    tmp = tmp_path_factory.mktemp("board")
    with TestClient(create_app(Settings(data_dir=tmp / "data", jobs=2)), raise_server_exceptions=False) as c:  # worker processes
        first = _audit(c, [("schools.zip", board_zip(tmp))], board="旭川市教育委員会 学校教育部")
        assert first.status_code == 303, first.text
        location = first.headers["location"]
        progress_page = c.get(location)
        status1 = wait_for_job(c, location)
        fixed = (POLICIES / "missing-police-and-pdca.md").read_text(encoding="utf-8") + \
            "\n## 9 警察との連携\n\n犯罪行為に当たるいじめは、ためらわずに警察に相談・通報する。\n"
        second = _audit(c, [("旭川市立やまなみ小学校.md", (POLICIES / "complete-elementary.md").read_bytes()),
                            ("旭川市立しらうめ小学校.md", fixed.encode())])
        status2 = wait_for_job(c, second.headers["location"])
        yield c, tmp, progress_page, status1, status2


def test_audit_runs_as_a_job_and_lists_every_school(audited):
    c, tmp, progress_page, status1, _ = audited
    assert progress_page.status_code == 200 and 'id="job-progress"' in progress_page.text
    assert status1["state"] == "done" and status1["total"] == 4 and status1["done"] == 4, status1
    page = c.get(f"/board/audits/{status1['audit']}").text
    for name in ("旭川市立やまなみ小学校", "旭川市立しらうめ小学校", "旭川市立こぶし中学校", "壊れた小学校"):
        assert name in page
    assert "読み取れません：" in page and "必須項目はそろっています" in page and "旭川市教育委員会 学校教育部" in page
    assert 'class="cell status-missing" title="警察への相談・通報：なし"' in page


def test_audit_letters_index_and_files(audited):
    c, _, _, status1, _ = audited
    audit = status1["audit"]
    page = c.get(f"/board/audits/{audit}").text
    letter_ids = re.findall(rf'/board/audits/{audit}/schools/([\w-]+)\.html', page)
    assert len(letter_ids) == 4
    letters = {sid: c.get(f"/board/audits/{audit}/schools/{sid}.html") for sid in letter_ids}
    shiraume = next(r for r in letters.values() if "旭川市立しらうめ小学校" in r.text)
    assert "警察への相談・通報" in shiraume.text and "sandbox" in shiraume.headers["content-security-policy"]
    kobushi = next(r for r in letters.values() if "旭川市立こぶし中学校" in r.text)
    assert "方針.txt" in kobushi.text and "f01.txt" not in kobushi.text  # documents named as the school sent them
    pdf = c.get(f"/board/audits/{audit}/schools/{letter_ids[0]}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    index = c.get(f"/board/audits/{audit}/index.html")
    assert "audit-data" in index.text and re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", index.headers["content-security-policy"])
    assert "'unsafe-inline'" not in index.headers["content-security-policy"].split("style-src")[0]
    summary = c.get(f"/board/audits/{audit}/files/summary.json").json()
    assert {s["name"] for s in summary["schools"]} >= {"旭川市立やまなみ小学校", "壊れた小学校"}
    assert not any("/tmp" in s["path"] or "input" in s["path"] for s in summary["schools"])
    csv_text = c.get(f"/board/audits/{audit}/files/summary.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("id,学校名")
    assert c.get(f"/board/audits/{audit}/files/summary.xlsx").content.startswith(b"PK")
    assert c.get(f"/board/audits/{audit}/files/audits.sqlite3").status_code == 404


def test_second_audit_shows_what_changed_and_the_history(audited):
    c, _, _, status1, status2 = audited
    assert status2["state"] == "done"
    page = c.get(f"/board/audits/{status2['audit']}").text
    shiraume = re.search(r'<li id="school-[\w-]+" class="school">\s*<h3>旭川市立しらうめ小学校.*?</li>', page, re.S).group(0)
    assert "前回（" in shiraume and "改善" in shiraume and "警察への相談・通報" in shiraume
    yamanami = re.search(r'<li id="school-[\w-]+" class="school">\s*<h3>旭川市立やまなみ小学校.*?</li>', page, re.S).group(0)
    assert "変化なし" in yamanami
    board = c.get("/board").text
    assert board.count("結果を見る") == 2


def test_uploads_are_removed_after_the_audit(audited):
    _, tmp, _, _, _ = audited
    assert leftovers(tmp / "data" / "tmp") == []


def test_audit_history_is_in_sqlite(audited):
    _, tmp, _, status1, status2 = audited
    import sqlite3

    db = sqlite3.connect(tmp / "data" / "audits.sqlite3")
    audits = db.execute("SELECT id, checklist, checklist_version, schools FROM audits ORDER BY id").fetchall()
    assert [(a[1], a[3]) for a in audits] == [("asahikawa", 4), ("asahikawa", 2)]
    n_requirements = len(Store(tmp / "data" / "audits.sqlite3").schools(status1["audit"])[0].statuses)
    assert db.execute("SELECT COUNT(*) FROM results WHERE audit_id = ?", (status1["audit"],)).fetchone()[0] == 4 * n_requirements
    unreadable = db.execute("SELECT DISTINCT r.status FROM results r JOIN schools s USING (audit_id, school_id) "
                            "WHERE s.name = '壊れた小学校'").fetchall()
    assert unreadable == [("unreadable",)]


def test_unknown_jobs_audits_and_letters_are_404(audited):
    c, _, _, status1, _ = audited
    audit = status1["audit"]
    assert c.get("/board/jobs/" + "f" * 24).status_code == 404
    assert c.get("/board/jobs/../../etc").status_code == 404
    assert c.get("/board/audits/999").status_code == 404
    assert c.get(f"/board/audits/{audit}/schools/no-such-school.html").status_code == 404
    assert c.get(f"/board/audits/{audit}/schools/..%2F..%2Findex.html").status_code == 404
    assert c.get(f"/board/audits/{audit}/schools/{'x' * 5}.exe").status_code == 404


def _zip_with(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            z.writestr(info, data)
    return buffer.getvalue()


@pytest.mark.parametrize("entries, message", [
    ([("../escape.md", b"x")], "「..」を含むファイル名は受け付けません"),
    ([("学校/../../escape.md", b"x")], "「..」を含むファイル名は受け付けません"),
    ([("/etc/cron.d/evil.md", b"x")], "絶対パスのファイル名は受け付けません"),
    ([("C:/Windows/evil.md", b"x")], "絶対パスのファイル名は受け付けません"),
    ([("学校A/資料/方針.md", b"x"), ("学校B.md", b"x")], "学校のフォルダの中に、さらにフォルダがあります"),
])
def test_audit_refuses_unsafe_zip_names(client, tmp_path, entries, message):
    r = _audit(client, [("schools.zip", _zip_with(entries))])
    assert r.status_code == 400 and message in r.text
    assert not (tmp_path / "escape.md").exists() and not (tmp_path / "data" / "escape.md").exists()
    assert leftovers(tmp_path / "data" / "tmp") == []


def test_audit_refuses_a_zip_with_a_link(client):
    link = zipfile.ZipInfo("学校A.md")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    r = _audit(client, [("schools.zip", _zip_with([(link, b"/etc/passwd")]))])
    assert r.status_code == 400 and "リンク" in r.text


def test_audit_refuses_a_zip_bomb_and_too_many_members(tmp_path):
    with make_client(tmp_path, max_zip_members=10, max_zip_bytes=50 * 1024 * 1024) as c:
        bomb = _zip_with([("学校A.txt", b"\0" * (20 * 1024 * 1024))])  # ~1000:1
        r = _audit(c, [("bomb.zip", bomb)])
        assert r.status_code == 413 and "ZIP爆弾" in r.text
        many = _zip_with([(f"学校{i}.md", b"x") for i in range(11)])
        r = _audit(c, [("many.zip", many)])
        assert r.status_code == 413 and "ZIPファイルの中身が多すぎます" in r.text
    with make_client(tmp_path, max_zip_bytes=1024 * 1024) as c:
        big = _zip_with([(f"学校{i}.txt", os.urandom(700 * 1024)) for i in range(2)])  # 1.4 MB that does not compress
        r = _audit(c, [("big.zip", big)])
        assert r.status_code == 413 and "展開すると大きすぎます" in r.text


def test_audit_refuses_too_many_files_and_a_too_large_request(tmp_path):
    with make_client(tmp_path, max_files=3, max_request_bytes=200_000) as c:
        r = _audit(c, [(f"学校{i}.md", b"x") for i in range(4)])
        assert r.status_code == 413 and "ファイルが多すぎます" in r.text
        r = _audit(c, [("学校A.md", b"x" * 300_000)])
        assert r.status_code == 413 and "一度に送れるのは合計" in r.text


def test_audit_refuses_bad_and_empty_uploads(client):
    r = _audit(client, [("schools.zip", b"PK\x03\x04 not a zip")])
    assert r.status_code == 400 and "ZIPファイルとして読めません" in r.text
    data = bytearray(_zip_with([("学校A.md", b"x")]))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # mark the entry as encrypted
        at = data.index(signature) + offset
        data[at] |= 0x1
    r = _audit(client, [("schools.zip", bytes(data))])
    assert r.status_code == 400 and "パスワード付き" in r.text
    r = client.post("/board/audit", data={"csrf": csrf(client), "checklist": "asahikawa"})
    assert r.status_code == 400 and "ファイルが選ばれていません" in r.text
    r = _audit(client, [("roster.csv", b"path,id\n")])
    assert r.status_code == 400 and "学校の文書が見つかりません" in r.text


def test_zip_names_from_japanese_windows_are_read(client):
    info = zipfile.ZipInfo("placeholder")
    info.filename = "旭川市立ななかまど中学校.md".encode("cp932").decode("cp437")  # no UTF-8 flag, as Windows writes it
    info.flag_bits = 0
    from policy_kit.web.uploads import _zip_name

    assert _zip_name(info) == "旭川市立ななかまど中学校.md"


# ----------------------------------------------------------------------------- jobs that fail


def test_a_job_process_that_dies_shows_a_message_and_the_server_goes_on(tmp_path):
    from web_jobs import die

    with make_client(tmp_path, job_target=die) as c:
        r = _audit(c, [("学校A.md", (POLICIES / "complete-elementary.md").read_bytes())])
        status = wait_for_job(c, r.headers["location"], timeout=60)
        assert status["state"] == "failed" and status["message"] == CRASHED_JA
        page = c.get(r.headers["location"])
        assert CRASHED_JA in page.text and "Traceback" not in page.text
        assert c.get("/board").status_code == 200
        assert leftovers(tmp_path / "data" / "tmp") == []
        assert leftovers(tmp_path / "data" / "audits") == []


def test_a_bug_in_the_job_process_shows_a_message(tmp_path):
    from web_jobs import raise_bug

    with make_client(tmp_path, job_target=raise_bug) as c:
        r = _audit(c, [("学校A.md", b"x")])
        status = wait_for_job(c, r.headers["location"], timeout=60)
        assert status["state"] == "failed" and "RuntimeError" not in status["message"]


def test_the_job_reports_an_input_error_in_japanese(tmp_path):
    import queue

    messages: queue.Queue = queue.Queue()
    spec = AuditSpec(key="0" * 24, input_dir=str(tmp_path / "missing"), roster=str(tmp_path / "roster.csv"), report_dir=str(tmp_path / "r"),
                     checklist="asahikawa", board="", jobs=1, cache_dir=str(tmp_path / "cache"), max_file_bytes=1 << 20, max_pages=10,
                     display_names={}, previous=None)
    run_audit_process(spec, messages)
    assert messages.get_nowait() == ("error", "点検できませんでした：フォルダではありません")


def test_a_bug_in_a_page_shows_a_message_not_a_traceback(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(forms, "validate", broken)
    r = post_school(client, "/school", harunire_form())
    assert r.status_code == 500 and "問題が起きました" in r.text
    assert "Traceback" not in r.text and "secret internal detail" not in r.text
    assert r.headers["content-security-policy"] == CSP
    monkeypatch.undo()
    assert client.get("/school").status_code == 200


# ----------------------------------------------------------------------------- CSRF


FORM_POSTS = ["/school", "/school/validate", "/school/preview", "/school/download", "/school/load", "/check", "/board/audit", "/login"]


@pytest.mark.parametrize("url", FORM_POSTS)
def test_every_form_post_needs_the_csrf_token(client, url):
    values = {**harunire_form(), "_doc": "policy", "_download": "yaml", "checklist": "asahikawa"}
    missing = client.post(url, data=values)
    assert missing.status_code == 403 and "ページを読み込み直して" in missing.text
    wrong = client.post(url, data={**values, "csrf": "x" * 43})
    assert wrong.status_code == 403
    other_site = client.post(url, data={**values, "csrf": csrf(client)}, headers={"origin": "https://evil.example"})
    assert other_site.status_code == 403


def test_a_form_from_a_browser_without_the_cookie_is_refused(tmp_path):
    with make_client(tmp_path) as c:
        r = c.post("/school", data={"csrf": "y" * 43})
        assert r.status_code == 403


# ----------------------------------------------------------------------------- token


@pytest.fixture
def guarded(tmp_path):
    with make_client(tmp_path, token=TOKEN) as c:
        yield c


def test_with_a_token_every_page_needs_it(guarded):
    for url in ("/", "/school", "/check", "/board", "/board/audits/1", "/check/" + "0" * 24):
        r = guarded.get(url, follow_redirects=False)
        assert r.status_code == 401 and "トークンを入力してください" in r.text, url
    assert guarded.post("/check", data={}).status_code == 401
    assert guarded.get("/static/web.css").status_code == 200  # the login page's own style


def test_token_in_the_address_sets_a_cookie_and_is_removed_from_the_address(guarded):
    assert guarded.get(f"/board?token=wrong-{TOKEN}", follow_redirects=False).status_code == 401
    r = guarded.get(f"/board?token={TOKEN}&x=1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/board?x=1"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("pk_auth=") and TOKEN not in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert guarded.get("/board").status_code == 200


def test_login_form_and_bearer_header(guarded):
    guarded.get("/login")
    wrong = guarded.post("/login", data={"csrf": csrf(guarded), "token": "nope", "next": "/check"}, follow_redirects=False)
    assert wrong.status_code == 401 and "トークンが違います" in wrong.text
    right = guarded.post("/login", data={"csrf": csrf(guarded), "token": TOKEN, "next": "//evil.example/"}, follow_redirects=False)
    assert right.status_code == 303 and right.headers["location"] == "/"  # never sent to another site
    assert guarded.get("/check").status_code == 200


def test_bearer_token_header(tmp_path):
    with make_client(tmp_path, token=TOKEN) as c:
        assert c.get("/board", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert c.get("/board", headers={"authorization": "Bearer nope"}).status_code == 401


def test_a_public_address_needs_a_token(runner, monkeypatch):
    monkeypatch.delenv("POLICY_KIT_TOKEN", raising=False)
    assert check_token("127.0.0.1", None) is None and check_token("::1", None) is None and check_token("localhost", None) is None
    with pytest.raises(Exception, match="without a token"):
        check_token("0.0.0.0", None)
    with pytest.raises(Exception, match="too short"):
        check_token("0.0.0.0", "short")
    assert check_token("0.0.0.0", TOKEN) == TOKEN
    result = run(runner, "serve", "--host", "0.0.0.0", "--port", "0", "--lang", "en")
    assert result.exit_code == 2 and "without a token" in result.output and "Traceback" not in result.output
    result = run(runner, "serve", "--host", "192.168.0.10", "--token", "short")
    assert result.exit_code == 2 and "トークンが短すぎます（16文字以上にしてください）" in result.output


# ----------------------------------------------------------------------------- the store


def test_store_changes_since_each_schools_previous_audit(tmp_path):
    store = Store(tmp_path / "a.sqlite3")

    def summary(date, schools):
        return {"date": date, "checklist": "asahikawa", "checklist_version": "1", "schools": [
            {"id": sid, "name": sid, "kind": "", "status": "ok" if st else "unreadable", "reason_ja": "" if st else "読めません",
             "passes": bool(st), "report": {"summary": {"required_missing": 0}, "requirements": [
                 {"id": rid, "status": s, "waived": None} for rid, s in (st or {}).items()]}} for sid, st in schools.items()]}

    first = store.record("a" * 24, summary("2025-11-01 10:00", {"a": {"r1": "missing", "r2": "present"}, "b": None}), ["r1", "r2"], "市")
    second = store.record("b" * 24, summary("2026-11-01 10:00", {"a": {"r1": "present", "r2": "partial"}, "c": {"r1": "present", "r2": "present"}}),
                          ["r1", "r2"], "市")
    third = store.record("c" * 24, summary("2027-11-01 10:00", {"b": {"r1": "present", "r2": "present"}}), ["r1", "r2"], "市")
    changes = store.changes(second)
    assert changes["a"].improved == ["r1"] and changes["a"].regressed == ["r2"] and changes["a"].previous_audit == first
    assert changes["c"].previous_audit is None
    later = store.changes(third)["b"]  # b was unreadable two audits ago: its previous audit is the first
    assert later.previous_audit == first and later.improved == ["r1", "r2"]
    assert store.latest_statuses("asahikawa") == {"a": {"r1": "present", "r2": "partial"}, "b": {"r1": "present", "r2": "present"},
                                                   "c": {"r1": "present", "r2": "present"}}
    assert store.latest_statuses("asahikawa", before=second)["b"] == {"__unreadable__": "unreadable"}
    assert [a.id for a in store.audits()] == [third, second, first]
