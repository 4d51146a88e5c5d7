"""The readers on real files the tests make: restricted and password PDFs (pypdf writes them),
an image-only PDF (a "scan", made with Pillow), DOCX files with Word's own numbering, outline
levels, tables, text boxes, headers/footers and line breaks, and HTML pages with site furniture
around their main content, in Shift_JIS and EUC-JP."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from conftest import CORPUS, run
from policy_kit.check.document import HEADING, LIST_ITEM, PARAGRAPH, TABLE_ROW, Limits
from policy_kit.check.extract import read_bytes, read_document
from policy_kit.errors import UnreadableDocument
from policy_kit.render import html_to_pdf

PASSWORD_JA = "パスワードで保護されているため読めません"
SCAN_JA = "文字情報がありません（スキャン画像）"
SAMPLE = CORPUS / "policies" / "complete-elementary.md"


def statuses(output: str) -> dict[str, str]:
    return {r["id"]: r["status"] for r in json.loads(output)["requirements"]}


# ----------------------------------------------------------------------------- PDF


@pytest.fixture(scope="module")
def plain_pdf() -> bytes:
    """The complete sample policy as a WeasyPrint PDF (headings, paragraphs, lists, a table)."""
    from test_formats import Source

    return html_to_pdf(Source.load(SAMPLE).html(), pdf_variant=None)


def encrypted(pdf: bytes, *, user: str, algorithm: str) -> bytes:
    """A copy of ``pdf`` encrypted as a restricted Word export is: an owner password, printing,
    copying and changes not allowed; ``user`` is the password needed to open it ("" for none)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.constants import UserAccessPermissions as P

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    allowed = P.R1 | P.R2 | P.R7 | P.R8  # reserved bits only: no print, copy, modify, annotate, fill, extract
    writer.encrypt(user_password=user, owner_password="owner-secret", algorithm=algorithm, permissions_flag=allowed)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-128", "RC4-128"])
def test_restricted_pdf_without_open_password_is_checked_like_its_plain_twin(runner, tmp_path, plain_pdf, algorithm):
    plain, locked = tmp_path / "plain.pdf", tmp_path / "restricted.pdf"
    plain.write_bytes(plain_pdf)
    locked.write_bytes(encrypted(plain_pdf, user="", algorithm=algorithm))
    assert b"/Encrypt" in locked.read_bytes()
    twin = run(runner, "check", plain, "--format", "json")
    got = run(runner, "check", locked, "--format", "json")
    assert got.exit_code == twin.exit_code == 0, got.output
    assert statuses(got.output) == statuses(twin.output)
    assert set(statuses(got.output).values()) == {"present"}
    evidence = lambda out: [(e["page"], e["line"], e["text"]) for r in json.loads(out)["requirements"] for e in r["evidence"]]
    assert evidence(got.output) == evidence(twin.output)


def test_pdf_with_an_open_password_is_refused_in_japanese_and_names_the_file(runner, tmp_path, plain_pdf):
    path = tmp_path / "方針-保護付き.pdf"
    path.write_bytes(encrypted(plain_pdf, user="open-me", algorithm="AES-256"))
    result = run(runner, "check", path)
    assert result.exit_code == 2
    assert PASSWORD_JA in result.output and "方針-保護付き.pdf" in result.output
    assert "Error" not in result.output.replace("error:", "")  # no library exception names (DependencyError, PdfiumError)
    assert "Traceback" not in result.output


def scanned_pdf(text: str) -> bytes:
    """An image-only PDF: Japanese text drawn into a bitmap with a real font, as a scanner makes it."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 28)
    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(text.split("\n")):
        draw.text((100, 120 + 50 * i), line, font=font, fill=0)
    out = io.BytesIO()
    image.save(out, "PDF", resolution=150)
    return out.getvalue()


def test_scanned_pdf_says_it_has_no_text_layer(runner, tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf("学校いじめ防止基本方針\n警察と連携して対応する。"))
    result = run(runner, "check", path)
    assert result.exit_code == 2
    assert SCAN_JA in result.output and "scan.pdf" in result.output and "OCR" in result.output


def test_audit_counts_password_and_scanned_pdfs_unreadable_with_the_japanese_reason(runner, tmp_path, plain_pdf):
    schools = tmp_path / "schools"
    schools.mkdir()
    (schools / "hokuto.pdf").write_bytes(encrypted(plain_pdf, user="", algorithm="AES-128"))
    (schools / "locked.pdf").write_bytes(encrypted(plain_pdf, user="pw", algorithm="AES-256"))
    (schools / "scan.pdf").write_bytes(scanned_pdf("いじめ防止基本方針"))
    out = tmp_path / "report"
    result = run(runner, "audit", schools, "-o", out, "--jobs", "1", "--no-progress")
    assert result.exit_code == 1, result.output
    by_id = {s["id"]: s for s in json.loads((out / "summary.json").read_text(encoding="utf-8"))["schools"]}
    assert by_id["hokuto"]["status"] == "ok" and by_id["hokuto"]["passes"]
    assert by_id["locked"]["status"] == "unreadable" and by_id["locked"]["reason_ja"].startswith("locked.pdf: " + PASSWORD_JA)
    assert by_id["scan"]["status"] == "unreadable" and by_id["scan"]["reason_ja"].startswith("scan.pdf: " + SCAN_JA)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert PASSWORD_JA in page and SCAN_JA in page


def test_list_numbers_drawn_apart_are_put_back_in_front_of_their_item():
    pdf = html_to_pdf("<html lang=ja><body style='font-family:Noto Serif CJK JP'><h2>委員会の役割</h2>"
                      "<ol><li>いじめの相談窓口となる。</li><li>情報を記録して共有する。</li></ol></body></html>", pdf_variant=None)
    texts = [line.text for line in read_bytes(pdf, "list.pdf").pages[0]]
    assert "1. いじめの相談窓口となる。" in texts and "2. 情報を記録して共有する。" in texts
    assert not any(t.strip() in ("1.", "2.") for t in texts)


def test_pdf_table_rows_keep_their_cells_in_order():
    pdf = html_to_pdf("<html lang=ja><body style='font-family:Noto Serif CJK JP'><table>"
                      "<tr><th>月</th><th>未然防止</th><th>早期発見</th></tr>"
                      "<tr><td>6月</td><td>道徳の授業</td><td>生活アンケート</td></tr></table></body></html>", pdf_variant=None)
    texts = [line.text for line in read_bytes(pdf, "table.pdf").pages[0]]
    assert texts[:2] == ["月 未然防止 早期発見", "6月 道徳の授業 生活アンケート"]


def test_ruled_pdf_table_gives_the_same_rows_and_cells_as_the_html_table():
    """Wrapped cells stay in their cell, empty cells keep their column: as the HTML reader reads it."""
    page = ("<html lang=ja><head><style>body{font-family:'Noto Serif CJK JP'} table{border-collapse:collapse;width:100%}"
            "td{border:1px solid #000}</style></head><body><p>年間計画は次のとおりとする。</p><table>"
            "<tr><td>月</td><td>未然防止の取組</td><td>早期発見の取組</td><td>校内研修</td></tr>"
            "<tr><td>4月</td><td>学級開きで、互いのよさを認め合う学級のきまりを児童と一緒に考えてつくる</td><td></td><td>方針の共通理解</td></tr>"
            "<tr><td>6月</td><td>人権教室</td><td>いじめアンケートと個人面談</td><td></td></tr></table>"
            "<p>計画は3月に見直す。</p></body></html>")
    from_pdf = read_bytes(html_to_pdf(page, pdf_variant=None), "plan.pdf").pages[0]
    from_html = read_bytes(page.encode(), "plan.html").pages[0]
    rows = lambda lines: [line.cells for line in lines if line.role == TABLE_ROW]
    assert rows(from_pdf) == rows(from_html) == [
        ("月", "未然防止の取組", "早期発見の取組", "校内研修"),
        ("4月", "学級開きで、互いのよさを認め合う学級のきまりを児童と一緒に考えてつくる", "", "方針の共通理解"),
        ("6月", "人権教室", "いじめアンケートと個人面談", "")]
    texts = [line.text for line in from_pdf if line.text]
    assert texts[0] == "年間計画は次のとおりとする。" and texts[-1] == "計画は3月に見直す。"  # the table sits in its place


def test_a_pdf_that_inflates_beyond_the_memory_ceiling_is_refused(tmp_path):
    import zlib

    payload = zlib.compress(b"BT /F1 12 Tf (x) Tj ET\n" * (12 * 1024 * 1024), 9)  # ~280 MB of content stream
    body = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>endobj\n"
            b"4 0 obj<</Length " + str(len(payload)).encode() + b"/Filter/FlateDecode>>stream\n" + payload + b"\nendstream endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")
    with pytest.raises(UnreadableDocument) as caught:
        read_bytes(body, tmp_path / "bomb.pdf", Limits(max_reader_memory=64 * 1024 * 1024))
    assert caught.value.path == str(tmp_path / "bomb.pdf")
    assert "memory" in caught.value.message and "大きすぎる" in caught.value.message_ja
