"""Documents that look finished, checked as pictures (pdftoppm + Pillow): a table that runs onto
the next page starts that page with its header row again (policy contacts, 別紙1 programme,
the annual programme, the leaflet's contacts, the audit letter's findings), and no page before the
last is left largely empty (no gap before an appendix)."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from conftest import CORPUS, SAMPLE_SCHOOLS, run
from page_images import body_fill, render_pages, starts_with_header

TH = (232, 238, 245)  # th background of the school documents (base.css)
LETTER_TH = (238, 242, 246)  # th background of the audit letters (letter.css)
MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


@pytest.fixture(scope="module")
def big_school(tmp_path_factory) -> Path:
    """A school with 40 contacts and several items a month in every column: its tables run over pages."""
    folder = tmp_path_factory.mktemp("big")
    data = yaml.safe_load((CORPUS / "schools" / "harunire-es.yaml").read_text(encoding="utf-8"))
    data["school"]["id"] = "ookina-es"
    data["contacts"] = [{"name": f"地域の相談室{i + 1}（まちの相談員）", "phone": f"0166-00-{2000 + i}", "hours": "平日 9時～17時（祝日を除く）"}
                        for i in range(40)]
    data["schedule"]["activities"] = [
        {"month": m,
         "prevention": [f"学年集会での話合い（{m}月）", f"縦割り班での交流遊び（{m}月）", f"学級の約束の振り返り（{m}月）"],
         "detection": [f"生活ノートの点検（{m}月）", f"休み時間の見守り当番（{m}月）"],
         "committee": [f"学年部会での情報交換（{m}月）", f"気になる児童の個別検討（{m}月）"],
         "training": [f"ケース会議の持ち方の研修（{m}月）"]}
        for m in MONTHS]
    path = folder / "ookina.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    from click.testing import CliRunner

    result = run(CliRunner(), "generate", path, "-o", folder / "out", "--format", "pdf")
    assert result.exit_code == 0, result.output
    return folder / "out" / "ookina-es"


def page_texts(pdf: Path) -> list[str]:
    return [page.extract_text().replace(" ", "").replace("\n", "") for page in PdfReader(pdf).pages]


def continued_pages(texts: list[str], markers: list[str]) -> list[int]:
    """Indices of the pages after the first that hold rows of a table (rows recognised by markers)."""
    pages = [i for i, text in enumerate(texts) if any(m in text for m in markers)]
    return pages[1:]


def test_policy_tables_repeat_their_header_rows(big_school, tmp_path):
    pdf = big_school / "policy.pdf"
    images = render_pages(pdf, tmp_path, dpi=40)
    texts = page_texts(pdf)
    contacts = continued_pages(texts, [f"地域の相談室{i + 1}（" for i in range(40)] + [f"地域の相談室{i + 1}(" for i in range(40)])
    assert contacts, "40 contacts should need a second page"
    programme = continued_pages(texts, ["学年部会での情報交換"])
    assert programme, "four items a month should take 別紙1 over a page"
    for index in contacts:
        assert starts_with_header(images[index], TH), f"policy page {index + 1}: the contacts table goes on without its header"
        assert "相談先電話受付時間" in texts[index]
    for index in programme:
        assert starts_with_header(images[index], TH), f"policy page {index + 1}: 別紙1 goes on without its header"
        assert "月未然防止早期発見対策組織の活動校内研修" in texts[index]


def test_programme_repeats_its_header_row(big_school, tmp_path):
    pdf = big_school / "program.pdf"
    images = render_pages(pdf, tmp_path, dpi=40)
    assert len(images) >= 2
    texts = page_texts(pdf)
    for index in range(1, len(images)):
        assert starts_with_header(images[index], TH), f"program page {index + 1} has no header row"
        assert "月未然防止早期発見対策組織の活動校内研修" in texts[index]
    assert not starts_with_header(images[0], TH)  # page 1 starts with the title, not the table


def test_leaflet_contacts_repeat_their_header_row(big_school, tmp_path):
    pdf = big_school / "leaflet.pdf"
    images = render_pages(pdf, tmp_path, dpi=40)
    texts = page_texts(pdf)
    later = continued_pages(texts, [f"地域の相談室{i + 1}" for i in range(40)])
    assert later
    for index in later:
        assert starts_with_header(images[index], TH), f"leaflet page {index + 1}: contacts go on without their header"


def test_the_header_check_can_fail(tmp_path):
    """A table without <thead> that runs onto a second page does not start that page with a header."""
    from policy_kit.render import html_to_pdf

    css = "th{background:#e8eef5} td,th{border:1px solid #444;padding:4mm} table{border-collapse:collapse;width:100%}"
    rows = "".join(f"<tr><td>行{i}</td><td>内容</td></tr>" for i in range(40))
    html = f"<html lang=ja><head><style>{css}</style></head><body><table><tr><th>見出し</th><th>内容</th></tr>{rows}</table></body></html>"
    pdf = tmp_path / "plain.pdf"
    pdf.write_bytes(html_to_pdf(html, pdf_variant=None))
    images = render_pages(pdf, tmp_path / "png", dpi=40)
    assert len(images) >= 2 and starts_with_header(images[0], TH, top=0.0) and not starts_with_header(images[1], TH, top=0.0)


@pytest.mark.parametrize("school", SAMPLE_SCHOOLS)
@pytest.mark.parametrize("document", ["policy", "program"])
def test_no_page_before_the_last_is_left_largely_empty(samples, tmp_path, school, document):
    images = render_pages(samples / school / f"{document}.pdf", tmp_path, dpi=30)
    fills = [round(body_fill(image), 2) for image in images]
    for number, fill in enumerate(fills[:-1], start=1):
        assert fill >= 0.75, f"{school}/{document}.pdf page {number} is only {fill:.0%} full ({fills})"


def test_appendices_follow_on_without_a_page_break(samples):
    html = (samples / "harunire-es" / "policy.html").read_text(encoding="utf-8")
    assert html.count('<div class="appendix">') == 2
    texts = page_texts(samples / "harunire-es" / "policy.pdf")
    first = next(i for i, t in enumerate(texts) if "別紙1学校いじめ防止プログラム" in t)
    assert "基本方針の点検・見直し" in texts[first] or "学校評価" in texts[first]  # 別紙1 starts on the page where section 8 ends


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("board")
    shutil.copy(CORPUS / "policies" / "complete-elementary.md", folder / "yamanami.md")
    shutil.copy(CORPUS / "policies" / "minimal-old-style.md", folder / "kobushi.md")
    out = tmp_path_factory.mktemp("report")
    from click.testing import CliRunner

    result = run(CliRunner(), "audit", folder, "-o", out / "r", "--no-cache", "--jobs", "1")
    assert result.exit_code == 1, result.output
    return out / "r" / "schools"


def test_letter_findings_table_repeats_its_header_and_pages_are_full(letters, tmp_path):
    pdf = letters / "yamanami.pdf"  # 30 requirements found: the table of findings runs over pages
    images = render_pages(pdf, tmp_path, dpi=40)
    texts = page_texts(pdf)
    from policy_kit.check.checklist import load_checklist

    later = continued_pages(texts, [r.title for r in load_checklist().requirements])
    assert later
    for index in later:
        assert starts_with_header(images[index], LETTER_TH), f"letter page {index + 1}: findings go on without their header"
        assert "項目根拠となる記述" in texts[index]
    fills = [body_fill(image) for image in images]
    assert all(fill >= 0.75 for fill in fills[:-1]), fills
    assert fills[-1] >= 0.1, "the last page holds more than a stray line"
    weak = render_pages(letters / "kobushi.pdf", tmp_path / "kobushi", dpi=40)
    weak_fills = [body_fill(image) for image in weak]
    assert len(weak) >= 3 and all(fill >= 0.75 for fill in weak_fills[:-1]), weak_fills
