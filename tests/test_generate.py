"""Generate flow through the CLI: documents, validation errors, roster, init."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import CORPUS, run

POLICY_HEADINGS = [
    "基本方針の目的と基本的な考え方", "包括的な取組の方針", "いじめの定義", "いじめの解消", "いじめ防止等の対策のための組織",
    "いじめの未然防止", "校内研修の計画", "いじめの早期発見", "ストレスチェック", "教職員用チェックリスト", "いじめへの対処",
    "情報共有の手順", "対処プラン", "警察との連携", "重大事態への対処", "家庭・地域との連携", "基本方針の点検・見直し",
    "学校いじめ防止プログラム", "教職員用チェックリスト",
]


def pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages).replace(" ", "").replace("\n", "")


def test_generate_writes_four_documents_as_pdf_and_html(generated):
    names = sorted(p.name for p in generated.iterdir() if not p.name.startswith("."))
    assert names == ["leaflet.html", "leaflet.pdf", "policy.html", "policy.pdf", "program.html", "program.pdf", "pupils.html", "pupils.pdf"]
    for pdf in generated.glob("*.pdf"):
        assert pdf.stat().st_size < 1_000_000, f"{pdf.name} should be well under 1 MB"
        assert pdf.stat().st_mode & 0o044, "published files must be readable by others"


def test_policy_pdf_has_school_name_every_heading_and_wareki(generated):
    text = pdf_text(generated / "policy.pdf")
    assert "旭川市立はるにれ小学校" in text
    for heading in POLICY_HEADINGS:
        assert heading in text, heading
    assert "令和8年(2026年)4月1日改定" in text or "令和8年（2026年）4月1日改定" in text
    assert "⼀" not in text  # Kangxi radicals never leak into the text layer
    assert re.search(r"–\s*1\s*/\s*\d+\s*–", PdfReader(generated / "policy.pdf").pages[0].extract_text())


def test_pdf_embeds_subset_japanese_fonts_and_is_tagged(generated):
    reader = PdfReader(generated / "policy.pdf")
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all(re.match(r"/[A-Z]{6}\+", f) for f in fonts), fonts  # subset prefix
    assert any("CJK" in f for f in fonts)
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_leaflet_explains_police_and_contacts_and_fits_two_pages(generated):
    reader = PdfReader(generated / "leaflet.pdf")
    assert 1 <= len(reader.pages) <= 2
    text = pdf_text(generated / "leaflet.pdf")
    assert "警察" in text and "あらかじめ" in text and "恐喝罪" in text
    assert "0120-0-78310" in text
    html = (generated / "leaflet.html").read_text(encoding="utf-8")
    assert 'name="viewport"' in html and "max-width: 600px" in html


def test_program_is_landscape_with_every_month(generated):
    reader = PdfReader(generated / "program.pdf")
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    text = pdf_text(generated / "program.pdf")
    for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3):
        assert f"{month}月" in text
    for column in ("未然防止", "早期発見", "対策組織の活動", "校内研修"):
        assert column in text


def test_validation_wrong_type_names_file_and_field(runner, school_yaml, tmp_path):
    school_yaml.write_text(school_yaml.read_text(encoding="utf-8").replace("fiscal_year: 2026", "fiscal_year: 来年"), encoding="utf-8")
    result = run(runner, "generate", school_yaml, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert str(school_yaml) in result.output and "fiscal_year" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_validation_missing_field(runner, school_yaml, tmp_path):
    text = school_yaml.read_text(encoding="utf-8")
    school_yaml.write_text(re.sub(r"police:\n  station: .*\n", "", text), encoding="utf-8")
    result = run(runner, "generate", school_yaml, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "police（警察との連携）：書かれていません。必ず書く項目です。police: の下に station: 相談・通報する警察署" in result.output
    english = run(runner, "--lang", "en", "generate", school_yaml, "-o", tmp_path / "out")
    assert "police: this field is required" in english.output


def test_validation_unknown_key_suggests_the_right_one(runner, school_yaml, tmp_path):
    text = school_yaml.read_text(encoding="utf-8").replace("  phone: 0166-00-1001", "  phon: 0166-00-1001")
    school_yaml.write_text(text, encoding="utf-8")
    result = run(runner, "generate", school_yaml, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "school.phon：「phon」という項目はありません。「phone」の書き間違いではありませんか。" in result.output
    assert re.search(r"\d+行目\u3000school\.phon", result.output)
    english = run(runner, "generate", school_yaml, "-o", tmp_path / "out", env={"LANG": "en_US.UTF-8"})
    assert "school.phon: unknown field 'phon' (did you mean 'phone'?)" in english.output


def test_one_invalid_input_means_nothing_is_written(runner, school_yaml, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("school: [", encoding="utf-8")
    result = run(runner, "generate", school_yaml, bad, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "1行目" in result.output and "bad.yaml" in result.output
    assert not (tmp_path / "out").exists()


def test_inputs_are_normalised_and_escaped(runner, school_yaml, tmp_path):
    text = school_yaml.read_text(encoding="utf-8")
    text = text.replace("name: 旭川市立はるにれ小学校", "name: 旭川市立⼀条<script>alert(1)</script>小学校")
    text = text.replace("motto: 考える子・思いやる子・やりぬく子", "motto: '</style>{{ 7*7 }}'")
    school_yaml.write_text(text, encoding="utf-8")
    result = run(runner, "generate", school_yaml, "-o", tmp_path / "out", "--format", "html")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "harunire-es" / "policy.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "一条" in html and "⼀" not in html
    assert "{{ 7*7 }}" in html and "49" not in html.split("教育目標")[1][:40]
    assert "&lt;/style&gt;" in html


def test_existing_output_is_not_overwritten_without_force(runner, school_yaml, tmp_path):
    out = tmp_path / "out"
    assert run(runner, "generate", school_yaml, "-o", out, "--format", "html").exit_code == 0
    again = run(runner, "generate", school_yaml, "-o", out, "--format", "html")
    assert again.exit_code == 2 and "--force" in again.output
    other = tmp_path / "other.yaml"
    other.write_text(school_yaml.read_text(encoding="utf-8").replace("旭川市立はるにれ小学校", "旭川市立べつの小学校"), encoding="utf-8")
    clash = run(runner, "generate", other, "-o", out, "--format", "html", "--force")
    assert clash.exit_code == 2 and "別の学校（旭川市立はるにれ小学校）の文書があります" in clash.output


def test_roster_reports_bad_row_and_produces_the_others(runner, tmp_path):
    roster = tmp_path / "roster.csv"
    schools = CORPUS / "schools"
    roster.write_text(
        "base,id,name,school.kind\n"
        f"{schools / 'harunire-es.yaml'},,,\n"
        f"{schools / 'harunire-es.yaml'},bad-row,旭川市立まちがい小学校,幼稚園\n"
        f"{schools / 'nanakamado-jhs.yaml'},,,\n",
        encoding="utf-8",
    )
    result = run(runner, "roster", roster, "-o", tmp_path / "out", "--format", "html", "--jobs", "2")
    assert result.exit_code == 1
    assert "3行目（旭川市立まちがい小学校）" in result.output and "school.kind（学校種）：「幼稚園」は使えません" in result.output
    assert "2校を作成、1校は失敗しました" in result.output
    assert (tmp_path / "out" / "harunire-es" / "policy.html").exists()
    assert (tmp_path / "out" / "nanakamado-jhs" / "program.html").exists()
    assert not (tmp_path / "out" / "bad-row").exists()


def test_roster_from_xlsx(runner, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["base", "id", "name", "phone"])
    sheet.append([str(CORPUS / "schools" / "kaede-compulsory.yaml"), "kaede-2", "旭川市立かえで第二学園", "0166-00-9999"])
    book.save(tmp_path / "roster.xlsx")
    result = run(runner, "roster", tmp_path / "roster.xlsx", "-o", tmp_path / "out", "--format", "html")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "kaede-2" / "leaflet.html").read_text(encoding="utf-8")
    assert "旭川市立かえで第二学園" in html and "0166-00-9999" in html


def test_init_writes_a_starter_that_generate_refuses_until_filled_in(runner, tmp_path):
    path = tmp_path / "new.yaml"
    init = run(runner, "init", path)
    assert init.exit_code == 0 and "「○○」を学校のものに書き換えてから" in init.output
    refused = run(runner, "generate", path, "--check-only")
    assert refused.exit_code == 2
    assert "ひな形の「○○」などが残っています。次の項目を学校のものに書き換えてください：" in refused.output
    for field in ("school.id（学校ID）", "school.name（学校名）", "school.phone（学校の電話番号）", "organisation.name（組織の名称）"):
        assert field in refused.output, field
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("  name: ") and "○○小学校" in text)
    assert f"{line}行目\u3000school.name（学校名）：ひな形の「旭川市立○○小学校」のままです。" in refused.output
    filled = path.read_text(encoding="utf-8").replace("○○", "さくら").replace("my-school", "sakura-es").replace("0166-00-0000", "0166-00-4321")
    path.write_text(filled, encoding="utf-8")
    assert run(runner, "generate", path, "--check-only").exit_code == 0
    assert run(runner, "init", path).exit_code == 2  # no silent overwrite


def test_help_is_fast_and_imports_nothing_heavy():
    import subprocess
    import sys

    code = "import sys, policy_kit.cli; print(sorted(m for m in ('spacy','weasyprint','pydantic') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("school", ["harunire-es", "nanakamado-jhs", "kaede-compulsory"])
def test_every_sample_school_fits_leaflet_and_programme_pages(runner, tmp_path, school):
    result = run(runner, "generate", CORPUS / "schools" / f"{school}.yaml", "-o", tmp_path, "--format", "pdf", "--only", "leaflet", "--only", "program")
    assert result.exit_code == 0, result.output
    assert 1 <= len(PdfReader(tmp_path / school / "leaflet.pdf").pages) <= 2
    assert len(PdfReader(tmp_path / school / "program.pdf").pages) == 1
    assert not (tmp_path / school / "policy.pdf").exists()
    pupils = "生徒" if school.endswith("jhs") else "児童"
    assert pupils in pdf_text(tmp_path / school / "program.pdf")
