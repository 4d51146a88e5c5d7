"""Audit through the CLI: good, incomplete and broken schools; reports; cache; year over year; browser."""
from __future__ import annotations

import csv
import re
import io
import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from conftest import CORPUS, browser, run
from policy_kit.render import html_to_pdf

POLICIES = CORPUS / "policies"


@pytest.fixture(scope="module")
def schools(tmp_path_factory) -> Path:
    """A board's folder: complete, incomplete and every kind of unreadable file, one per school."""
    folder = tmp_path_factory.mktemp("schools")
    shutil.copy(POLICIES / "complete-elementary.md", folder / "yamanami.md")
    shutil.copy(POLICIES / "missing-police-and-pdca.md", folder / "shiraume.md")
    package = folder / "kobushi"
    package.mkdir()
    shutil.copy(POLICIES / "police-no-parent-explanation.txt", package / "policy.txt")
    shutil.copy(POLICIES / "program-only.md", package / "program.md")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> garbage")
    text_pdf = html_to_pdf("<html lang=ja><body><p>いじめ防止基本方針。警察に相談する。</p></body></html>", pdf_variant=None)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf)))
    writer.encrypt(user_password="pw", owner_password="owner")
    with (folder / "locked.pdf").open("wb") as handle:
        writer.write(handle)
    (folder / "scanned.pdf").write_bytes(html_to_pdf("<html><body><div style='height:50mm;background:#000'></div></body></html>", pdf_variant=None))
    (folder / "empty.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def audited(schools, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    cache = tmp_path_factory.mktemp("cache")
    roster = tmp_path_factory.mktemp("roster") / "roster.csv"
    roster.write_text("path,id,name,kind\nyamanami.md,yamanami-es,旭川市立やまなみ小学校,小学校\nkobushi,kobushi-jhs,旭川市立こぶし中学校,中学校\n", encoding="utf-8")
    from click.testing import CliRunner

    result = run(CliRunner(), "audit", schools, "-o", out, "--cache-dir", cache, "--roster", roster, "--jobs", "2")
    return result, out, cache, roster


def test_every_school_appears_with_the_right_status(audited):
    result, out, _, _ = audited
    assert result.exit_code == 1, result.output
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    by_id = {s["id"]: s for s in data["schools"]}
    assert len(by_id) == 7
    assert by_id["yamanami-es"]["passes"] and by_id["yamanami-es"]["name"] == "旭川市立やまなみ小学校"
    assert not by_id["shiraume"]["passes"] and by_id["shiraume"]["status"] == "ok"
    assert len(by_id["kobushi-jhs"]["report"]["documents"]) == 2
    reasons = {sid: by_id[sid]["reason"] for sid in ("corrupt", "locked", "scanned", "empty")}
    assert all(by_id[sid]["status"] == "unreadable" for sid in reasons)
    assert "encrypted" in reasons["locked"] and "no text layer" in reasons["scanned"] and "empty" in reasons["empty"]
    assert "読み取れない 4校" in result.output and "適合 1校" in result.output


def test_csv_and_xlsx_have_the_right_cells(audited):
    openpyxl = pytest.importorskip("openpyxl")
    _, out, _, _ = audited
    rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8-sig"))))
    shiraume = next(r for r in rows if r["id"] == "shiraume")
    assert shiraume["police-referral"] == "なし" and shiraume["comprehensive-approach"] == "あり"
    book = openpyxl.load_workbook(out / "summary.xlsx")
    sheet = book["一覧"]
    header = [c.value for c in sheet[1]]
    col = header.index("police-referral")
    values = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
    assert values["shiraume"][col].value == "なし"
    assert values["yamanami-es"][col].value == "あり"
    assert values["locked"][3].value.startswith("読み取れません")
    evidence = book["根拠"]
    texts = [row[8].value for row in evidence.iter_rows(min_row=2) if row[0].value == "yamanami-es" and row[2].value == "police-referral"]
    assert texts and "警察" in texts[0]


def test_letters_per_school(audited):
    _, out, _, _ = audited
    letter = (out / "schools" / "shiraume.html").read_text(encoding="utf-8")
    assert "警察への相談・通報" in letter and "第3章3(5)ア" in letter and "直し方" in letter and "記載例" in letter
    assert re.search(r"令和\d+年（20\d\d年）\d+月\d+日", letter)
    reader = PdfReader(out / "schools" / "shiraume.pdf")
    text = "".join(p.extract_text() for p in reader.pages)
    assert "点検結果" in text.replace(" ", "")
    assert "読み取れませんでした" in (out / "schools" / "scanned.html").read_text(encoding="utf-8")


def test_index_is_self_contained_and_escapes_data(audited):
    _, out, _, _ = audited
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "http://" not in html.split('id="audit-data"')[0] and "<link" not in html and "src=" not in html
    data_block = html.split('id="audit-data">')[1].split("</script>")[0]
    assert "<" not in data_block  # JSON escaped: no tag can close the script element


def test_cache_skips_unchanged_schools_and_previous_adds_changes(audited, schools, tmp_path, runner):
    _, out, cache, roster = audited
    again = run(runner, "audit", schools, "-o", tmp_path / "same", "--cache-dir", cache, "--roster", roster, "--no-pdf")
    assert "キャッシュから7校" in again.output
    changed = tmp_path / "changed"
    shutil.copytree(schools, changed)
    (changed / "shiraume.md").write_text((changed / "shiraume.md").read_text(encoding="utf-8") +
                                         "\n## 9 警察との連携\n\n犯罪行為に当たるいじめは、ためらわずに警察に相談・通報する。\n", encoding="utf-8")
    second = run(runner, "audit", changed, "-o", tmp_path / "next", "--cache-dir", cache, "--roster", roster,
                 "--previous", out, "--no-pdf")
    assert "キャッシュから6校" in second.output
    data = json.loads((tmp_path / "next" / "summary.json").read_text(encoding="utf-8"))
    shiraume = next(s for s in data["schools"] if s["id"] == "shiraume")
    assert "police-referral" in shiraume["changes"]["improved"]
    header = (tmp_path / "next" / "summary.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "改善した項目" in header


def test_usage_errors_exit_2(runner, tmp_path):
    assert run(runner, "audit", tmp_path / "nope", "-o", tmp_path / "r").exit_code == 2
    (tmp_path / "emptydir").mkdir()
    assert run(runner, "audit", tmp_path / "emptydir", "-o", tmp_path / "r").exit_code == 2


def test_clicking_a_cell_in_chromium_shows_the_evidence(audited, tmp_path):
    from selenium.webdriver.common.by import By

    _, out, _, _ = audited
    driver = browser(tmp_path, 1400, 1000)
    try:
        driver.get((out / "index.html").as_uri())
        cell = driver.find_element(By.CSS_SELECTOR, 'td[data-school="yamanami-es"][data-req="police-referral"]')
        cell.click()
        details = driver.find_element(By.ID, "details").text
        assert "警察" in details and "根拠となる記述" in details
        driver.find_element(By.ID, "details-close").click()  # the details open over the page: close them
        assert not driver.find_element(By.ID, "details").is_displayed()
        missing = driver.find_element(By.CSS_SELECTOR, 'td[data-school="shiraume"][data-req="police-referral"]')
        missing.click()
        assert "書き加えるべき内容" in driver.find_element(By.ID, "details").text
        from selenium.webdriver.support.ui import Select

        Select(driver.find_element(By.ID, "filter-status")).select_by_value("unreadable")
        assert driver.find_element(By.ID, "count").text.startswith("4 / 7")
        driver.save_screenshot(str(out / "screenshot.png"))
        assert (out / "screenshot.png").stat().st_size > 10_000
    finally:
        driver.quit()


def test_ctrl_c_keeps_finished_schools_in_the_cache(runner, tmp_path, monkeypatch):
    import policy_kit.audit.run as audit

    folder = tmp_path / "schools"
    folder.mkdir()
    for name in ("a", "b", "c", "d"):
        shutil.copy(POLICIES / "negations.md", folder / f"{name}.md")
        (folder / f"{name}.md").write_text((folder / f"{name}.md").read_text(encoding="utf-8") + f"\n{name}\n", encoding="utf-8")
    real = audit.check_school
    calls = {"n": 0}

    def interrupt_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "check_school", interrupt_third)
    cache = tmp_path / "cache"
    stopped = run(runner, "audit", folder, "-o", tmp_path / "r", "--cache-dir", cache, "--jobs", "1", "--no-pdf")
    assert stopped.exit_code == 130 and "中断しました" in stopped.output
    assert len(list(cache.glob("*.json"))) == 2
    assert not (tmp_path / "r" / "index.html").exists()  # no half report
    monkeypatch.setattr(audit, "check_school", real)
    resumed = run(runner, "audit", folder, "-o", tmp_path / "r", "--cache-dir", cache, "--jobs", "1", "--no-pdf")
    assert "キャッシュから2校" in resumed.output and (tmp_path / "r" / "index.html").exists()
