"""Reports that help a school fix its policy, and an audit report a board officer can read:
what a partial item has and lacks, a fix in the board's terms with its example and where it is
explained in full; letters addressed to the school; the matrix at 1,400 px; numbers as numbers in
XLSX; `audit -o` never mixes a new report with old or foreign files."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, browser, run
from policy_kit.check.checklist import load_checklist, parse_checklist

POLICIES = CORPUS / "policies"
COMMITTEE = "# いじめ防止基本方針\n\n## 組織\n\n本校は、いじめ対策委員会を置く。委員会は、校長、教頭、生徒指導主事、各学年主任で構成する。\n"


def expected_label(concept, found: str | None = None) -> str:
    """How a concept is named in a report: its label, else the wording found or its first term."""
    if concept.label:
        return concept.label
    return f"「{found}」" if found else f"「{concept.terms[0]}」など"


def test_a_partial_item_says_what_is_there_and_what_is_missing(runner, tmp_path):
    policy = tmp_path / "policy.md"
    policy.write_text(COMMITTEE, encoding="utf-8")
    result = run(runner, "check", policy)
    assert result.exit_code == 1
    block = result.output.split("committee-composition", 1)[1].split("\n△", 1)[0].split("\n✗", 1)[0]
    concepts = load_checklist().concepts
    found = f"{expected_label(concepts['org'], 'いじめ対策委員会')}と{expected_label(concepts['staff_role'], '校長')}"
    assert f"不足: {found}はありますが、{expected_label(concepts['expert'])}の記述がありません。" in block, block
    assert "直し方: 法第22条の組織の名称と構成員" in block and "記載例: 本校は「いじめ対策委員会」を置き" in block
    assert "詳しい説明: policy-kit checklist show committee-composition" in block
    data = json.loads(run(runner, "check", policy, "--format", "json").output)
    item = next(r for r in data["requirements"] if r["id"] == "committee-composition")
    assert item["status"] == "partial" and len(item["parts"]["found"]) == 2 and len(item["parts"]["missing"]) == 1
    sarif = json.loads(run(runner, "check", policy, "--format", "sarif").output)
    message = next(r["message"]["text"] for r in sarif["runs"][0]["results"] if r["ruleId"] == "committee-composition")
    assert "はありますが" in message


def test_concept_labels_name_the_parts(tmp_path):
    """With `label:` on its concepts, a checklist names the parts in its own words."""
    from policy_kit.check.checker import Checker

    data = {
        "checklist": {"id": "t", "title": "テスト", "version": "1"},
        "concepts": {
            "org": {"label": "組織の名称", "terms": ["いじめ対策委員会"]},
            "staff": {"label": "教職員の構成員", "terms": ["校長", "教頭"]},
            "expert": {"label": "心理・福祉の専門家", "terms": ["スクールカウンセラー"]},
        },
        "requirements": [{"id": "committee", "title": "組織の構成", "severity": "required", "source": "第1", "why": "w",
                          "fix": "f", "present": [{"all": ["org", "staff", "expert"], "window": 2}],
                          "partial": [{"all": ["org", "staff"], "window": 2}]}],
    }
    checklist = parse_checklist(data, "t.yaml")
    policy = tmp_path / "policy.md"
    policy.write_text(COMMITTEE, encoding="utf-8")
    result = Checker(checklist).check([policy])
    from policy_kit.check.parts import partial_parts

    parts = partial_parts(result.findings[0], checklist)
    assert parts.sentence_ja() == "組織の名称と教職員の構成員はありますが、心理・福祉の専門家の記述がありません。"


def test_fix_hints_speak_of_the_schools_own_policy():
    for req in load_checklist().requirements:
        assert "生成される" not in req.fix and not any(f"「{n}(" in req.fix for n in range(1, 9)), req.id
        assert req.fix.endswith("。") and req.example, req.id


# ----------------------------------------------------------------------------- the audit


@pytest.fixture(scope="module")
def board(tmp_path_factory) -> Path:
    """36 schools (the sample policies three times over), no roster: names come from the files."""
    folder = tmp_path_factory.mktemp("board")
    samples = sorted(p for p in POLICIES.iterdir() if p.suffix in (".md", ".txt", ".html"))
    for copy in range(3):
        for path in samples:
            shutil.copy(path, folder / f"{path.stem}-{copy + 1}{path.suffix}")
    return folder


@pytest.fixture(scope="module")
def report(board, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "r"
    from click.testing import CliRunner

    result = run(CliRunner(), "audit", board, "-o", out, "--cache-dir", tmp_path_factory.mktemp("cache"), "--jobs", "2", "--no-pdf")
    assert result.exit_code == 1, result.output
    assert "注意: --roster がないため、学校名はファイル名から付けています" in result.output
    return out


def test_letters_without_a_roster_are_addressed_to_the_principal_not_a_file(report):
    letter = (report / "schools" / "minimal-old-style-1.html").read_text(encoding="utf-8")
    assert '<p class="to">学校長　様</p>' in letter and "minimal-old-style-1 校長" not in letter
    assert "点検した文書：minimal-old-style-1.md" in letter
    assert "足りない点" in letter and "はありますが、" in letter
    assert "直し方" in letter and "記載例" in letter and "詳しい説明" in letter and "policy-kit checklist show" in letter
    assert "生成される" not in letter


def test_a_letter_with_the_schools_name_is_addressed_to_its_principal():
    from policy_kit.audit.discover import SchoolEntry
    from policy_kit.audit.reports import addressee
    from policy_kit.audit.run import SchoolResult

    assert addressee(SchoolResult(SchoolEntry("y", "旭川市立やまなみ小学校", "小学校", Path("y.md")), "ok")) == "旭川市立やまなみ小学校　校長"
    assert addressee(SchoolResult(SchoolEntry("k", "かえで学園", "", Path("k")), "ok")) == "かえで学園　校長"
    assert addressee(SchoolResult(SchoolEntry("m", "missing-police-and-pdca", "", Path("m.md")), "ok")) == "学校長"


def test_index_explains_every_requirement(report):
    html = (report / "index.html").read_text(encoding="utf-8")
    data = json.loads(html.split('id="audit-data">')[1].split("</script>")[0])
    assert len(data["requirements"]) == 30 and len(data["schools"]) == 36
    for req in data["requirements"]:
        assert f'id="req-{req["id"]}"' in html
        assert len(req["short"]) <= 8 and req["explain"] == f"policy-kit checklist show {req['id']}"
    partial = [c for s in data["schools"] for c in s["cells"].values() if c["status"] == "partial"]
    assert partial and any("はありますが" in c["parts"] for c in partial)


def test_xlsx_counts_are_numbers(report):
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(report / "summary.xlsx")["一覧"]
    header = [c.value for c in sheet[1]]
    column = header.index("必須のなし")
    counts = [row[column] for row in sheet.iter_rows(min_row=3)]
    assert counts and all(isinstance(c.value, int) and c.data_type == "n" for c in counts)
    evidence = openpyxl.load_workbook(report / "summary.xlsx")["根拠"]
    pages = [row[6].value for row in evidence.iter_rows(min_row=2) if row[6].value not in (None, "")]
    assert pages and all(isinstance(p, int) for p in pages)


# ----------------------------------------------------------------------------- audit -o


def _small_board(tmp_path: Path, names: tuple[str, ...] = ("complete-elementary", "negations")) -> Path:
    folder = tmp_path / "board"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(POLICIES / f"{name}.md", folder / f"{name}.md")
    return folder


def test_a_foreign_folder_is_refused_before_the_audit_runs(runner, tmp_path):
    board = _small_board(tmp_path)
    out = tmp_path / "documents"
    out.mkdir()
    (out / "memo.txt").write_text("大事なメモ", encoding="utf-8")
    result = run(runner, "audit", board, "-o", out, "--no-cache", "--no-pdf")
    assert result.exit_code == 2
    assert (f"エラー: {out}: フォルダが空ではなく、以前の点検結果でもありません。空のフォルダを指定するか、"
            "ここに書き込むときは --force を付けてください（今あるファイルは消しません）") in result.output
    assert sorted(p.name for p in out.iterdir()) == ["memo.txt"]
    forced = run(runner, "audit", board, "-o", out, "--no-cache", "--no-pdf", "--force")
    assert forced.exit_code == 1, forced.output
    assert (out / "index.html").exists() and (out / "memo.txt").read_text(encoding="utf-8") == "大事なメモ"


def test_an_earlier_report_is_replaced_as_a_whole(runner, tmp_path):
    board = _small_board(tmp_path, ("complete-elementary", "negations", "program-only"))
    out = tmp_path / "report"
    first = run(runner, "audit", board, "-o", out, "--no-cache", "--jobs", "1")
    assert first.exit_code == 1, first.output
    assert sorted(p.name for p in (out / "schools").iterdir()) == [
        "complete-elementary.html", "complete-elementary.pdf", "negations.html", "negations.pdf", "program-only.html", "program-only.pdf"]
    (out / "notes.txt").write_text("会議用", encoding="utf-8")
    (board / "program-only.md").unlink()
    second = run(runner, "audit", board, "-o", out, "--no-cache", "--no-pdf", "--jobs", "1")
    assert second.exit_code == 1, second.output
    assert "以前の報告を新しい報告に丸ごと置き換えました" in second.output
    assert sorted(p.name for p in (out / "schools").iterdir()) == ["complete-elementary.html", "negations.html"]
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert sorted(s["id"] for s in data["schools"]) == ["complete-elementary", "negations"]
    assert (out / "notes.txt").exists()  # not a report file: kept
    english = run(runner, "audit", board, "-o", tmp_path / "notes-only", "--no-cache", "--no-pdf", "--lang", "en")
    assert english.exit_code == 1 and "report: " in english.output


def test_a_file_as_the_report_folder_is_refused(runner, tmp_path):
    board = _small_board(tmp_path)
    target = tmp_path / "report.html"
    target.write_text("x", encoding="utf-8")
    result = run(runner, "audit", board, "-o", target, "--no-cache")
    assert result.exit_code == 2 and "エラー: --output にはフォルダを指定してください（ファイルは指定できません）。" in result.output
    from policy_kit.audit.output import prepare_output
    from policy_kit.errors import InputError

    with pytest.raises(InputError) as info:  # the same check for callers outside the command line
        prepare_output(target, force=False)
    assert info.value.message_ja == "報告の出力先（-o）がファイルになっています。フォルダの名前を指定してください"


# ----------------------------------------------------------------------------- the page in a browser


def test_all_30_requirement_columns_fit_at_1400px_with_a_sticky_header(report, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    driver = browser(tmp_path, 1400, 900)
    try:
        driver.get((report / "index.html").as_uri())
        width = driver.execute_script("return document.documentElement.clientWidth")
        assert width <= 1400
        headers = driver.find_elements(By.CSS_SELECTOR, "#matrix th.req")
        assert len(headers) == 30
        right = driver.execute_script("return Math.max(...[...document.querySelectorAll('#matrix th.req')].map(h => h.getBoundingClientRect().right))")
        wrap = driver.execute_script("var r = document.querySelector('.matrix-wrap').getBoundingClientRect(); return [r.left, r.right, r.top]")
        assert right <= wrap[1] and right <= width, f"the last requirement column ends at {right}px of {width}px"
        for h in headers:  # every header is readable: its short title inside its column, the full title on hover
            inner = driver.execute_script("var t = arguments[0].querySelector('.t').getBoundingClientRect(), c = arguments[0].getBoundingClientRect();"
                                          "return t.left >= c.left - 1 && t.right <= c.right + 1 && t.top >= c.top - 1 && t.bottom <= c.bottom + 1", h)
            assert inner, h.get_attribute("title")
        titles = [h.get_attribute("title") for h in headers]
        assert titles[0].startswith("1 包括的な取組の方針（必須）") and all(t for t in titles)
        # the header row stays in view while the 36 rows scroll
        scrollable = driver.execute_script("var w = document.querySelector('.matrix-wrap'); return w.scrollHeight > w.clientHeight")
        assert scrollable, "36 schools should make the matrix scroll"
        driver.execute_script("document.querySelector('.matrix-wrap').scrollTop = 400")
        top = driver.execute_script("return document.querySelector('#matrix thead th.req').getBoundingClientRect().top")
        assert abs(top - wrap[2]) <= 2, f"the header row scrolled away ({top} vs {wrap[2]})"
        # the details open over the page: the matrix keeps its width
        before = driver.execute_script("return document.querySelector('.matrix-wrap').getBoundingClientRect().width")
        assert not driver.find_element(By.ID, "details").is_displayed()
        cell = driver.find_element(By.CSS_SELECTOR, 'td[data-school="minimal-old-style-1"][data-req="committee-composition"]')
        driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'})", cell)
        cell.click()
        panel = driver.find_element(By.ID, "details")
        assert panel.is_displayed() and driver.execute_script("return getComputedStyle(arguments[0]).position", panel) == "fixed"
        assert driver.execute_script("return document.querySelector('.matrix-wrap').getBoundingClientRect().width") == before
        text = panel.text
        assert "足りない点" in text and "書き加えるべき内容" in text and "記載例" in text and "この項目の詳しい説明" in text
        driver.save_screenshot(str(tmp_path / "audit-1400.png"))
        ActionChains(driver).send_keys("\ue00c").perform()  # Escape closes the details
        assert not panel.is_displayed()
    finally:
        driver.quit()


def test_the_school_column_stays_when_the_matrix_scrolls_sideways(report, tmp_path):
    driver = browser(tmp_path, 900, 800)
    try:
        driver.get((report / "index.html").as_uri())
        assert driver.execute_script("var w = document.querySelector('.matrix-wrap'); return w.scrollWidth > w.clientWidth")
        left = driver.execute_script("return document.querySelector('.matrix-wrap').getBoundingClientRect().left")
        driver.execute_script("document.querySelector('.matrix-wrap').scrollLeft = 300")
        name = driver.execute_script("return document.querySelector('#matrix td.school').getBoundingClientRect().left")
        assert abs(name - left) <= 2
    finally:
        driver.quit()
