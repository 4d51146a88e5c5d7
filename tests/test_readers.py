"""The readers on real files the tests make: restricted and password PDFs (pypdf writes them),
an image-only PDF (a "scan", made with Pillow), DOCX files with Word's own numbering, outline
levels, tables, text boxes, headers/footers and line breaks, and HTML pages with site furniture
around their main content, in Shift_JIS and EUC-JP."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from conftest import CORPUS, run
from policy_kit.check.document import TABLE_ROW, Limits
from policy_kit.check.extract import read_bytes
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
    # only the child that read it died: the next PDF is read as usual
    ok = html_to_pdf("<html lang=ja><body><p>本校は、いじめの防止に学校全体で組織的に取り組む。</p></body></html>", pdf_variant=None)
    assert read_bytes(ok, tmp_path / "ok.pdf").pages[0][0].text == "本校は、いじめの防止に学校全体で組織的に取り組む。"


# ----------------------------------------------------------------------------- DOCX

W_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml" mc:Ignorable="wps"')


def word_file(body: str, *, numbering: str = "", styles: str = "", header: str = "", footer: str = "") -> bytes:
    """A real Word package (content types, relationships, parts) around the given XML."""
    parts = {"word/document.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W_NS}><w:body>{body}'
                                  '<w:sectPr>' + ('<w:headerReference w:type="default" r:id="rIdH"/>' if header else "")
                                  + ('<w:footerReference w:type="default" r:id="rIdF"/>' if footer else "") + "</w:sectPr></w:body></w:document>"}
    rels = []
    types = ['<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>']
    for name, xml, rid, kind, root in (("numbering", numbering, "rIdN", "numbering", "numbering"), ("styles", styles, "rIdS", "styles", "styles"),
                                       ("header1", header, "rIdH", "header", "hdr"), ("footer1", footer, "rIdF", "footer", "ftr")):
        if xml:
            parts[f"word/{name}.xml"] = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{root} {W_NS}>{xml}</w:{root}>'
            rels.append(f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" Target="{name}.xml"/>')
            types.append(f'<Override PartName="/word/{name}.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"/>')
    parts["word/_rels/document.xml.rels"] = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                                             + "".join(rels) + "</Relationships>")
    parts["_rels/.rels"] = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    parts["[Content_Types].xml"] = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                                    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                                    '<Default Extension="xml" ContentType="application/xml"/>' + "".join(types) + "</Types>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml)
    data = out.getvalue()
    import docx  # python-docx must open it: it is a real Word file

    docx.Document(io.BytesIO(data))
    return data


def para(text: str, ppr: str = "") -> str:
    return f"<w:p><w:pPr>{ppr}</w:pPr><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"


def numbered(text: str, num: int, ilvl: int = 0) -> str:
    return para(text, f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr>')


def lines_of(data: bytes, name: str = "policy.docx") -> list:
    return [line for page in read_bytes(data, name).pages for line in page]


def level(ilvl: int, fmt: str, text: str, start: int = 1) -> str:
    return f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'


NUMBERING = (
    '<w:abstractNum w:abstractNumId="0">' + level(0, "decimalFullWidth", "%1．") + level(1, "decimal", "(%2)")
    + level(2, "decimalEnclosedCircle", "%3") + level(3, "aiueoFullWidth", "%4") + level(4, "lowerLetter", "%5)") + "</w:abstractNum>"
    '<w:abstractNum w:abstractNumId="1">' + level(0, "iroha", "%1") + level(1, "irohaFullWidth", "（%2）") + "</w:abstractNum>"
    '<w:abstractNum w:abstractNumId="2">' + level(0, "bullet", "\uf0b7") + "</w:abstractNum>"
    '<w:abstractNum w:abstractNumId="3">' + level(0, "decimal", "第%1章") + level(1, "decimal", "%1-%2") + "</w:abstractNum>"
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
    '<w:num w:numId="2"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
    '<w:num w:numId="3"><w:abstractNumId w:val="1"/></w:num>'
    '<w:num w:numId="4"><w:abstractNumId w:val="2"/></w:num>'
    '<w:num w:numId="5"><w:abstractNumId w:val="3"/></w:num>'
    '<w:num w:numId="6"><w:abstractNumId w:val="0"/></w:num>')


def test_docx_numbering_is_rendered_as_word_shows_it():
    body = (numbered("基本的な考え方", 1) + numbered("いじめの定義", 1, 1) + numbered("いじめの解消", 1, 1)
            + numbered("謝罪だけでは解消としない。", 1, 2) + numbered("3か月を目安とする。", 1, 2) + numbered("面談で確かめる。", 1, 3)
            + numbered("英字の項目", 1, 4) + numbered("組織", 1) + numbered("構成員", 1, 1)
            + numbered("続きの番号", 6) + numbered("新しい一覧", 2) + numbered("いろは", 3) + numbered("ろ", 3) + numbered("全角", 3, 1)
            + numbered("記号の箇条書き", 4) + numbered("総則", 5) + numbered("目的", 5, 1) + numbered("定義", 5, 1) + numbered("組織", 5))
    got = [(line.role, line.numbering, line.text) for line in lines_of(word_file(body, numbering=NUMBERING))]
    assert got == [
        ("list_item", "１．", "１． 基本的な考え方"),
        ("list_item", "(1)", "(1) いじめの定義"),
        ("list_item", "(2)", "(2) いじめの解消"),
        ("list_item", "①", "① 謝罪だけでは解消としない。"),
        ("list_item", "②", "② 3か月を目安とする。"),
        ("list_item", "ア", "ア 面談で確かめる。"),
        ("list_item", "a)", "a) 英字の項目"),
        ("list_item", "２．", "２． 組織"),  # level 1 goes on; the deeper levels restart
        ("list_item", "(1)", "(1) 構成員"),
        ("list_item", "３．", "３． 続きの番号"),  # another instance of the same list continues it
        ("list_item", "１．", "１． 新しい一覧"),  # an instance with startOverride restarts it
        ("list_item", "ｲ", "ｲ いろは"),
        ("list_item", "ﾛ", "ﾛ ろ"),
        ("list_item", "（イ）", "（イ） 全角"),
        ("list_item", "・", "・ 記号の箇条書き"),  # a Symbol-font bullet is shown as ・
        ("list_item", "第1章", "第1章 総則"),
        ("list_item", "1-1", "1-1 目的"),
        ("list_item", "1-2", "1-2 定義"),
        ("list_item", "第2章", "第2章 組織"),
    ]


STYLES = ('<w:style w:type="paragraph" w:styleId="a"><w:name w:val="Normal"/></w:style>'
          '<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="a"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>'
          '<w:style w:type="paragraph" w:styleId="Midashi"><w:name w:val="章見出し"/><w:basedOn w:val="a"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>'
          '<w:style w:type="paragraph" w:styleId="SubMidashi"><w:name w:val="節見出し"/><w:basedOn w:val="Midashi"/></w:style>'
          '<w:style w:type="paragraph" w:styleId="Numbered"><w:name w:val="番号付き見出し"/><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr></w:style>')


def test_docx_headings_come_from_styles_and_outline_levels():
    body = (para("学校いじめ防止基本方針", '<w:pStyle w:val="1"/>')  # Japanese Word: style id "1", name "heading 1"
            + para("基本的な考え方", '<w:pStyle w:val="Midashi"/>')  # a custom style with an outline level
            + para("いじめの定義", '<w:pStyle w:val="SubMidashi"/>')  # inherits it from its base style
            + para("本校はいじめを許さない。", "")
            + para("組織的な対応", '<w:outlineLvl w:val="2"/>')  # the paragraph's own outline level
            + para("本文の段落", '<w:pStyle w:val="Midashi"/><w:outlineLvl w:val="9"/>')  # level 9 = body text
            + para("総則", '<w:pStyle w:val="Numbered"/>'))  # a heading numbered by its style
    got = [(line.role, line.level, line.text) for line in lines_of(word_file(body, styles=STYLES, numbering=NUMBERING))]
    assert got == [("heading", 1, "学校いじめ防止基本方針"), ("heading", 2, "基本的な考え方"), ("heading", 2, "いじめの定義"),
                   ("paragraph", 0, "本校はいじめを許さない。"), ("heading", 3, "組織的な対応"), ("paragraph", 0, "本文の段落"),
                   ("heading", 1, "第1章 総則")]


def cell(text: str, tcpr: str = "") -> str:
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>" + "".join(para(t) for t in text.split("\n")) + "</w:tc>"


def test_docx_tables_are_read_row_by_row_with_cells_apart():
    table = ("<w:tbl><w:tblPr/><w:tblGrid/>"
             "<w:tr>" + cell("月") + cell("未然防止の取組") + cell("早期発見の取組") + "</w:tr>"
             "<w:tr>" + cell("4月", '<w:vMerge w:val="restart"/>') + cell("学級開き\n人間関係づくり") + cell("家庭訪問") + "</w:tr>"
             "<w:tr>" + cell("", "<w:vMerge/>") + cell("縦割り班活動") + cell("") + "</w:tr>"
             "<w:tr>" + cell("年間を通して", '<w:gridSpan w:val="2"/>') + cell("毎週の観察") + "</w:tr></w:tbl>")
    lines = lines_of(word_file(para("年間計画") + table + para("以上")))
    assert [(line.role, line.cells) for line in lines] == [
        ("paragraph", ()),
        ("table_row", ("月", "未然防止の取組", "早期発見の取組")),
        ("table_row", ("4月", "学級開き 人間関係づくり", "家庭訪問")),
        ("table_row", ("", "縦割り班活動", "")),
        ("table_row", ("年間を通して", "毎週の観察")),
        ("paragraph", ())]
    assert lines[2].text == "4月　学級開き 人間関係づくり　家庭訪問"


TEXT_BOX = ('<w:p><w:r><w:t>相談窓口の案内</w:t></w:r><w:r><mc:AlternateContent>'
            '<mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent>'
            + para("警察に相談・通報する場合があることを保護者に説明する。") + '</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
            '<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>'
            + para("警察に相談・通報する場合があることを保護者に説明する。") + '</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>'
            '</mc:AlternateContent></w:r></w:p>')


def test_docx_text_boxes_are_read_once_and_headers_footers_apart(runner, tmp_path):
    data = word_file(para("本校は、いじめ防止基本方針を入学時に保護者へ説明する。") + TEXT_BOX,
                     header=para("旭川市立テスト小学校　学校いじめ防止基本方針"), footer=para("- 1 -"))
    document = read_bytes(data, "box.docx")
    texts = [line.text for page in document.pages for line in page]
    assert texts == ["本校は、いじめ防止基本方針を入学時に保護者へ説明する。", "相談窓口の案内", "警察に相談・通報する場合があることを保護者に説明する。"]
    assert [line.text for line in document.running] == ["旭川市立テスト小学校　学校いじめ防止基本方針", "- 1 -"]
    path = tmp_path / "box.docx"
    path.write_bytes(data)
    report = json.loads(run(runner, "check", path, "--format", "json").output)
    evidence = [e["text"] for r in report["requirements"] for e in r["evidence"]]
    assert sum("保護者に説明する" in e for e in evidence) >= 1
    assert not any("テスト小学校" in e for e in evidence)  # the running header is not body text
    assert len({(e["page"], e["line"]) for r in report["requirements"] for e in r["evidence"] if "警察に相談" in e["text"]}) == 1


def test_docx_line_breaks_and_tabs():
    body = ('<w:p><w:r><w:t>policy</w:t><w:br/><w:t>review</w:t></w:r></w:p>'
            '<w:p><w:r><w:t>いじめの定義</w:t><w:tab/><w:t>法第2条</w:t><w:br/><w:t>いじめ防止対策推進法による。</w:t></w:r></w:p>'
            '<w:p><w:pPr><w:pStyle w:val="1"/></w:pPr><w:r><w:t>第1章</w:t><w:br/><w:t>総則</w:t></w:r></w:p>')
    got = [(line.role, line.text) for line in lines_of(word_file(body, styles=STYLES))]
    assert got == [("paragraph", "policy"), ("paragraph", "review"), ("paragraph", "いじめの定義 法第2条"),
                   ("paragraph", "いじめ防止対策推進法による。"), ("heading", "第1章 総則")]


def test_docx_pages_come_from_page_breaks_once():
    body = (para("一ページ目。") + '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
            + '<w:p><w:r><w:lastRenderedPageBreak/><w:t>二ページ目。</w:t></w:r></w:p>'  # Word marks the same break again
            + '<w:p><w:r><w:t>まだ二ページ目。</w:t></w:r><w:r><w:lastRenderedPageBreak/><w:t>三ページ目に続く。</w:t></w:r></w:p>')
    pages = [[line.text for line in page] for page in read_bytes(word_file(body), "pages.docx").pages]
    assert pages == [["一ページ目。"], ["二ページ目。", "まだ二ページ目。"], ["三ページ目に続く。"]]


def test_docx_of_100000_page_breaks_is_refused_before_it_is_built(runner, tmp_path):
    import tracemalloc

    data = word_file(para("いじめ防止基本方針") + '<w:p><w:r><w:br w:type="page"/></w:r></w:p>' * 100_000)
    assert len(data) < 200_000
    tracemalloc.start()
    with pytest.raises(UnreadableDocument) as caught:
        read_bytes(data, "pages.docx")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "more than 500 pages" in caught.value.message
    assert peak < 30 * 1024 * 1024, peak  # streamed and stopped at the limit, not a tree of 100,000 pages
    path = tmp_path / "pages.docx"
    path.write_bytes(data)
    result = run(runner, "check", path)
    assert result.exit_code == 2 and "pages.docx" in result.output and "ページ数が上限（500ページ）を超えています" in result.output


def test_docx_with_too_many_members_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(10_001):
            archive.writestr(f"word/media/{i}.bin", b"")
    with pytest.raises(UnreadableDocument) as caught:
        read_bytes(out.getvalue(), "many.docx")
    assert "10,001 files" in caught.value.message


# ----------------------------------------------------------------------------- HTML

SCHOOL_PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="{charset}"><title>いじめ防止基本方針｜旭川市立テスト中学校</title>
<script>var menu = "警察と連携する";</script><style>.x{{}}</style></head>
<body>
<header id="site-header"><p class="logo">旭川市立テスト中学校</p>
  <nav class="gnav"><ul><li><a href="/">トップページ</a></li><li><a href="/about">学校紹介</a></li></ul></nav></header>
<div class="breadcrumb"><a href="/">ホーム</a> &gt; <a href="/policy">学校の方針</a> &gt; いじめ防止基本方針</div>
<div id="wrapper">
<aside class="side"><h2>お知らせ</h2><p>学校だよりを掲載しました。</p></aside>
<main>
<h1>学校いじめ防止基本方針</h1>
<h2>１　基本的な考え方</h2>
<p>本校は、いじめは
どの生徒にも起こり得るという認識に立ち、組織的に取り組む。</p>
<h3>（１）いじめ防止対策委員会</h3>
<ol><li>相談・通報の窓口となる。</li><li>情報を記録し、共有する。</li></ol>
<ul><li>道徳の授業</li><li>（２）生徒会の取組</li></ul>
<table><tr><th>月</th><th>取組</th></tr><tr><td>6月</td><td>いじめアンケート<br>個人面談</td></tr></table>
<p><a href="#top">ページの先頭へ</a></p>
<form><input name="q"><button>検索</button></form>
</main>
</div>
<footer><address>〒070-0000 旭川市 電話0166-00-0000</address><p>警察と連携して対応します。</p></footer>
</body></html>"""


def test_html_main_content_keeps_structure_and_drops_the_site_around_it():
    lines = read_bytes(SCHOOL_PAGE.format(charset="utf-8").encode(), "policy.html").pages[0]
    got = [(line.role, line.level, line.text) for line in lines]
    assert got == [
        ("heading", 1, "学校いじめ防止基本方針"),
        ("heading", 2, "１　基本的な考え方"),
        ("paragraph", 0, "本校は、いじめは どの生徒にも起こり得るという認識に立ち、組織的に取り組む。"),
        ("heading", 3, "（１）いじめ防止対策委員会"),
        ("list_item", 0, "1. 相談・通報の窓口となる。"),
        ("list_item", 0, "2. 情報を記録し、共有する。"),
        ("list_item", 0, "・ 道徳の授業"),
        ("list_item", 0, "（２）生徒会の取組"),  # it shows its own number: no bullet added
        ("table_row", 0, "月　取組"),
        ("table_row", 0, "6月　いじめアンケート 個人面談"),
    ]
    assert lines[-1].cells == ("6月", "いじめアンケート 個人面談")


def test_a_definition_lists_short_terms_are_titles_of_their_text():
    page = ("<html><body><main><h2>６　いじめへの対応</h2><dl>"
            "<dt>いじめを行った生徒への指導</dt><dd>行為をやめさせ、その背景にも目を向けて立ち直りを支えます。</dd>"
            "<dt>ご家庭にお願いしたいこと。お子さんの様子で気になることがあれば、いつでも担任までご連絡ください。</dt>"
            "<dd>連絡帳でも構いません。</dd></dl></main></body></html>")
    got = [(line.role, line.level, line.text) for line in read_bytes(page.encode(), "p.html").pages[0]]
    assert got == [
        ("heading", 2, "６　いじめへの対応"),
        ("heading", 3, "いじめを行った生徒への指導"),
        ("paragraph", 0, "行為をやめさせ、その背景にも目を向けて立ち直りを支えます。"),
        ("paragraph", 0, "ご家庭にお願いしたいこと。お子さんの様子で気になることがあれば、いつでも担任までご連絡ください。"),
        ("paragraph", 0, "連絡帳でも構いません。"),
    ]


def test_a_table_of_title_cells_and_text_cells_reads_as_sections():
    text = "法第２２条にもとづき、委員会を置きます。" * 7
    page = ("<html><body><h1>いじめ防止基本方針</h1><table border='1'>"
            f"<tr><td><b>第１　基本的な考え方</b></td><td>{text}<br>ア　未然防止<br>イ　早期発見</td></tr>"
            f"<tr><td><b>第２　校内の組織</b></td><td>{text}</td></tr></table>"
            "<table><tr><td>月</td><td>取組</td></tr><tr><td>６月</td><td>アンケート</td></tr></table></body></html>")
    got = [(line.role, line.level, line.text) for line in read_bytes(page.encode(), "p.html").pages[0]]
    assert got[:2] == [("heading", 1, "いじめ防止基本方針"), ("heading", 2, "第１　基本的な考え方")]
    spacer = page.replace("<tr><td><b>第２", "<tr></tr><tr><td><b>第２")  # a spacer row reads as nothing
    assert [(line.role, line.level, line.text) for line in read_bytes(spacer.encode(), "p.html").pages[0]] == got
    programme = ("<html><body><table>" + "".join(f"<tr><td>{m}月</td><td>{text}</td></tr>" for m in (4, 6, 9)) + "</table></body></html>")
    assert {line.role for line in read_bytes(programme.encode(), "p.html").pages[0]} == {"table_row"}  # months: data
    assert got == [
        ("heading", 1, "いじめ防止基本方針"),
        ("heading", 2, "第１　基本的な考え方"),
        ("paragraph", 0, text),
        ("paragraph", 0, "ア　未然防止"),
        ("paragraph", 0, "イ　早期発見"),
        ("heading", 2, "第２　校内の組織"),
        ("paragraph", 0, text),
        ("table_row", 0, "月　取組"),  # a data table stays one
        ("table_row", 0, "６月　アンケート"),
    ]


def test_a_numbered_paragraph_cut_mid_word_in_a_page_goes_on_in_the_next():
    from policy_kit.check.checker import sentences_of

    page = ("<html><body><main><p>ときわ中学校いじめ防止基本方針</p><h2>第７　重大事態への対処</h2><p>次の場合を重大事態とする。</p>"
            "<p>(1)いじめにより生徒の生命、心身又は財産に重大な被害が生じた疑いがあると認</p><p>めるとき</p>"
            "<p>(2)いじめにより生徒が相当の期間欠席を余儀なくされている疑いがあると認めるとき</p></main></body></html>")
    got = [(s.role, s.text) for s in sentences_of([read_bytes(page.encode(), "p.html")])]
    assert got[0] == ("heading", "ときわ中学校いじめ防止基本方針")  # the first paragraph naming the document is its title
    assert ("list_item", "(1)いじめにより生徒の生命、心身又は財産に重大な被害が生じた疑いがあると認めるとき") in got
    assert not any(role == "heading" and text.startswith("(1)") for role, text in got)


def test_a_side_bars_box_of_contacts_is_read_after_the_main_content_and_its_menu_is_not():
    page = ("<html><body><main><h2>いじめ防止基本方針</h2><p>本校は組織的にいじめの防止に取り組む。</p></main>"
            "<aside id='side'><div class='side-box'><h2>相談窓口</h2><dl><dt>本校（教頭）</dt><dd>電話 0166-00-1234</dd>"
            "<dt>24時間子供SOSダイヤル</dt><dd>0120-0-78310</dd></dl></div>"
            "<div class='side-box'><h2>メニュー</h2><ul><li><a href='/a'>学校経営方針</a></li><li><a href='/b'>いじめ防止基本方針</a></li>"
            "<li><a href='/c'>学校評価の結果</a></li></ul></div></aside></body></html>")
    got = [(line.role, line.text) for line in read_bytes(page.encode(), "p.html").pages[0]]
    assert got == [
        ("heading", "いじめ防止基本方針"),
        ("paragraph", "本校は組織的にいじめの防止に取り組む。"),
        ("heading", "相談窓口"),
        ("heading", "本校（教頭）"),
        ("paragraph", "電話 0166-00-1234"),
        ("heading", "24時間子供SOSダイヤル"),
        ("paragraph", "0120-0-78310"),
    ]


def test_html_without_main_uses_the_content_block_or_the_body_without_header_and_footer():
    content = ('<html><body><div id="header">サイト名</div><div class="topicpath">ホーム &gt; 方針</div>'
               '<div id="content"><h2>いじめ防止基本方針</h2><p>本校は組織的にいじめの防止に取り組む。</p></div>'
               '<div id="footer">警察と連携します。</div></body></html>')
    assert [l.text for l in read_bytes(content.encode(), "a.html").pages[0]] == ["いじめ防止基本方針", "本校は組織的にいじめの防止に取り組む。"]
    bare = ('<html><body><header><p>旭川市立テスト小学校</p></header><h2>いじめ防止基本方針</h2>'
            '<p>本校は組織的にいじめの防止に取り組む。</p><p><a href="#">▲ページトップへ</a></p><footer>警察と連携します。</footer></body></html>')
    assert [l.text for l in read_bytes(bare.encode(), "b.html").pages[0]] == ["いじめ防止基本方針", "本校は組織的にいじめの防止に取り組む。"]


@pytest.mark.parametrize("encoding,declaration", [
    ("shift_jis", '<meta charset="Shift_JIS">'),
    ("cp932", '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'),
    ("euc_jp", '<meta http-equiv="Content-Type" content="text/html; charset=EUC-JP">'),
])
def test_html_is_decoded_by_its_meta_charset(encoding, declaration):
    from policy_kit.check.readers.html import declared_encoding

    # EUC-JP bytes of this text also decode as Shift_JIS (to the wrong characters): only the declaration tells
    text = "本校はいじめを許さない。いじめ対策委員会を置く。"
    page = f"<html><head>{declaration}</head><body><p>{text}</p></body></html>".encode(encoding)
    if encoding == "euc_jp":
        assert page.decode("cp932", errors="strict") != page.decode("euc_jp")  # detection alone would pick cp932
    assert declared_encoding(page) == {"shift_jis": "cp932", "cp932": "cp932", "euc_jp": "euc_jp"}[encoding]
    assert [l.text for l in read_bytes(page, "old.html").pages[0]] == [text]


def test_html_check_does_not_count_the_site_footer(runner, tmp_path):
    path = tmp_path / "policy.html"
    path.write_bytes(SCHOOL_PAGE.format(charset="Shift_JIS").encode("cp932"))
    report = json.loads(run(runner, "check", path, "--format", "json").output)
    police = next(r for r in report["requirements"] if r["id"] == "police-referral")
    assert police["status"] == "missing"  # only the footer and a script mention the police
    evidence = [e["text"] for r in report["requirements"] for e in r["evidence"]]
    assert not any("ページの先頭へ" in e or "学校だより" in e or "トップページ" in e for e in evidence)


# ----------------------------------------------------------------------------- Markdown


def test_markdown_lines_carry_their_roles_and_keep_the_file_s_line_numbers():
    text = ("# いじめ防止基本方針\n\n本校は、いじめの防止に取り組む。\n- アンケートを行う。\n2. 面談を行う。\n"
            "| 月 | 取組 |\n|---|---|\n| 6月 | アンケート |\n```\n# not a heading\n```\n")
    lines = read_bytes(text.encode(), "policy.md").pages[0]
    assert [(l.role, l.level, l.numbering, l.text, l.cells) for l in lines] == [
        ("heading", 1, "", "いじめ防止基本方針", ()), ("", 0, "", "", ()), ("", 0, "", "本校は、いじめの防止に取り組む。", ()),
        ("list_item", 0, "・", "・ アンケートを行う。", ()), ("list_item", 0, "2.", "2. 面談を行う。", ()),
        ("table_row", 0, "", "月　取組", ("月", "取組")), ("", 0, "", "", ()), ("table_row", 0, "", "6月　アンケート", ("6月", "アンケート")),
        ("", 0, "", "", ()), ("", 0, "", "# not a heading", ()), ("", 0, "", "", ()), ("", 0, "", "", ())]


def test_a_page_laid_out_with_tables_reads_as_regions_not_one_row(runner, tmp_path):
    """Old school sites put the banner, the menu column and the content column in one big table.
    Its cells are regions of the page: the policy's paragraphs stay paragraphs (a check finds the
    PDCA only where the policy says it, not in a row that joins the menu's 学校評価 with the text),
    while a real data table inside the content keeps its rows and cells."""
    html = """<html><head><meta charset="utf-8"></head><body><table width="780"><tr>
<td colspan="2"><b>北星市立ほしみ小学校</b></td></tr>
<tr><td width="160"><table><tr><td>校長あいさつ</td></tr><tr><td>学校評価</td></tr><tr><td>学年のページ</td></tr></table></td>
<td><font size="4"><b>ほしみ小学校いじめ防止基本方針</b></font><br><hr>
第１　基本的な考え方<br>いじめは、どの子どもにも起こり得る。<br>
<table border="1"><tr><th>役職</th><th>役割</th></tr><tr><td>校長</td><td>総括</td></tr><tr><td>教頭</td><td>報告の受付</td></tr></table>
校内研究では授業改善のＰＤＣＡサイクルを回す。</td></tr></table></body></html>"""
    document = read_bytes(html.encode("utf-8"), "page.html")
    lines = [(line.role, line.text) for page in document.pages for line in page]
    texts = [text for _, text in lines]
    assert "ほしみ小学校いじめ防止基本方針" in texts and "いじめは、どの子どもにも起こり得る。" in texts
    assert (TABLE_ROW, "校長　総括") in lines and (TABLE_ROW, "教頭　報告の受付") in lines
    assert not any("学校評価" in text and "基本方針" in text for text in texts)  # menu and content never joined
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    result = run(runner, "--lang", "en", "check", path, "--format", "json")
    statuses = {r["id"]: r["status"] for r in json.loads(result.output)["requirements"]}
    assert statuses["pdca-review"] == "missing"


def test_a_docx_with_a_paragraph_per_wrapped_line_reads_whole_sentences(runner, tmp_path):
    """PDF text pasted into Word keeps a paragraph per line: a paragraph that stops mid-sentence
    goes on in the next, so the requirement is found as in the text version."""
    import docx

    lines = ["６　いじめの解消", "いじめが解消したと判断するのは、被害児童に対する行為が少なくとも３か",
             "月止んでおり、その児童が心身の苦痛を感じていないことを本人と保護者との", "面談で確かめたときとする。",
             "７　重大事態への対処", "重大事態が起きたときは市教育委員会に直ちに報告する。"]
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    path = tmp_path / "wrapped.docx"
    document.save(path)
    text = tmp_path / "wrapped.txt"
    text.write_text("\n".join(lines), encoding="utf-8")
    statuses = []
    for p in (path, text):
        result = run(runner, "--lang", "en", "check", p, "--format", "json")
        statuses.append({r["id"]: r["status"] for r in json.loads(result.output)["requirements"]})
    assert statuses[0]["resolution-criteria"] == "present" and statuses[0] == statuses[1]


def test_a_docx_heading_number_alone_in_its_paragraph_joins_its_title(tmp_path):
    """「第７」 in one Word paragraph and the title in the next (a PDF's layout pasted in) is one
    heading, as in the text version."""
    import docx

    from policy_kit.check.checker import sentences_of
    from policy_kit.check.extract import read_document

    document = docx.Document()
    for text in ["第７", "重大事態への対処", "重大事態が起きたときは、校長が直ちに市教育委員会に報告する。"]:
        document.add_paragraph(text)
    path = tmp_path / "numbers.docx"
    document.save(path)
    sentences = sentences_of([read_document(path)])
    assert [(s.is_heading, s.text) for s in sentences][:2] == [(True, "第7 重大事態への対処"),
                                                             (False, "重大事態が起きたときは、校長が直ちに市教育委員会に報告する。")]


# ----------------------------------------------------------------------------- layouts shared by every format


def _roles(data: bytes, name: str) -> list[tuple[str, str]]:
    from policy_kit.check.checker import sentences_of

    return [(s.role, s.text) for s in sentences_of([read_bytes(data, name)])]


def test_a_pdf_pasted_into_a_page_line_by_line_is_joined_back_into_its_items():
    """Each wrapped line its own paragraph, nearly all of one length: a numbered line cut at the margin
    goes on in the next paragraph (as in plain text), even when that one runs on into more sentences."""
    wrapped = [
        "（１）「こころのアンケート」を毎月行い、その後１週間のうちに担任が全員と",
        "短い面談をする。気がかりな回答はその日のうちに学年主任に伝える。アンケートの",
        "集計は委員会が学期ごとに分析して、その後の取組の改善につなげていく。",
        "（２）６月・１０月・２月の年３回、心と体の調子をたずねる調査を全校で行い",
        "、養護教諭とスクールカウンセラーが結果に目を通して必要な子を面談につなぐ。",
        "（３）教職員は、別紙のチェック表（持ち物がよく汚れる、休み時間に一人でいる",
        "ことが増えた、保健室に来る回数が多い、など）を手元に置いて様子を見ていく。",
        "（４）相談できるところとして、担任、養護教諭、スクールカウンセラーのほか、",
        "市の子ども相談電話と２４時間子供ＳＯＳダイヤルを、年度初めと長期休業の前に",
        "配る相談カードで知らせ、保護者にも学校だよりで同じことをお知らせしていく。",
    ]
    page = "<html><body><main><h2>第４　早期発見の取組</h2>" + "".join(f"<p>{p}</p>" for p in wrapped) + "</main></body></html>"
    got = _roles(page.encode(), "p.html")
    assert [role for role, _ in got] == ["heading"] + ["list_item"] * 6  # an item's later sentences belong to it
    assert got[1][1].endswith("担任が全員と短い面談をする。")
    # the same paragraphs of many lengths (a page written as a page): the short numbered title stays a heading
    page = ("<html><body><main><h2>第４　早期発見の取組</h2><p>（１）アンケート</p>"
            "<p>毎月、生活アンケートを行い、結果は委員会で分析する。</p><p>（２）教育相談</p><p>年２回、全員と面談する。</p></main></body></html>")
    assert [role for role, _ in _roles(page.encode(), "q.html")] == ["heading", "heading", "body", "heading", "body"]


def test_a_private_schools_articles_are_headings_and_a_bracket_left_open_goes_on():
    text = ("青葉学院中学校・高等学校　いじめ防止規程\n\n第１条　目的\n\nこの規程は、本校のいじめ防止の取組を定める。\n\n"
            "第２条に定める委員会は、毎月開く。\n\n第３条　相談\n\n"
            "３．カウンセラー室は平日の放課後（月～金　１５：３０～１８：００）に開室し、予約なしで利用できる。\n")
    got = _roles(text.encode(), "rules.txt")
    assert ("heading", "第1条目的") in got and ("heading", "第3条相談") in got
    assert ("body", "第2条に定める委員会は、毎月開く。") in got  # 第２条に…: a sentence citing an article
    assert ("list_item", "3.カウンセラー室は平日の放課後(月~金15:30~18:00)に開室し、予約なしで利用できる。") in got


def test_a_two_column_table_extracted_with_wide_gaps_is_read_as_rows():
    text = ("（２）構成員\n\n区分　　構成員\n\n管理職　校長、教頭\n\n学部　小学部主事、中学部主事\n\n専門家　スクールカウンセラー（月２回）\n\n"
            "（３）役割\n\n①　相談の窓口\n\n②　情報の記録と共有\n\n③　いじめかどうかの判断\n")
    got = _roles(text.encode(), "members.txt")
    assert ("table_row", "管理職 校長、教頭") in got and ("table_row", "専門家 スクールカウンセラー(月2回)") in got
    assert [role for role, t in got if t.startswith(("①", "②", "③"))] == ["list_item"] * 3  # numbered items stay items

# ----------------------------------------------------------------------------- sections left empty, wrapped titles


def roles_of(text: str) -> list[tuple[str, str]]:
    """(role, text) of every sentence the normaliser makes of a plain-text policy."""
    from policy_kit.check.normalise import split_sentences

    return [(s.role, s.text) for s in split_sentences(read_bytes(text.encode(), "policy.txt"), 0)]


def test_numbered_sections_left_empty_in_plain_text_are_headings_as_in_html():
    """A policy that names its sections but writes text under the last one only: the empty
    sections are headings with nothing under them (as <h2> or Word's Heading 2 would be), not a list."""
    text = ("さくら台中学校いじめ防止基本方針\n\n１　基本的な考え方\n\n２　いじめ防止対策委員会\n\n３　早期発見の取組\n\n"
            "４　重大事態への対処\n\n重大事態が起きたときは、教育委員会に直ちに報告し、調査に協力する。\n")
    got = roles_of(text)
    assert got[:5] == [("heading", "さくら台中学校いじめ防止基本方針"), ("heading", "1基本的な考え方"), ("heading", "2いじめ防止対策委員会"),
                       ("heading", "3早期発見の取組"), ("heading", "4重大事態への対処")]
    assert got[5] == ("body", "重大事態が起きたときは、教育委員会に直ちに報告し、調査に協力する。")


def test_a_numbered_list_inside_a_section_stays_a_list():
    """Members numbered 1, 2, 3 … under section 2 start counting again: a list, not sections."""
    text = ("さくら台中学校いじめ防止基本方針\n\n１　基本的な考え方\nいじめはどの生徒にも起こりうるものとして、全教職員で取り組む。\n\n"
            "２　いじめ防止対策委員会\n委員会は、校長と次の者で構成する。\n１　教頭\n２　生徒指導主事\n３　養護教諭\n４　スクールカウンセラー\n\n"
            "３　重大事態への対処\n重大事態が起きたときは、教育委員会に直ちに報告する。\n")
    got = dict((t, r) for r, t in roles_of(text))
    assert [got[t] for t in ("1教頭", "2生徒指導主事", "3養護教諭", "4スクールカウンセラー")] == ["list_item"] * 4
    assert got["2いじめ防止対策委員会"] == got["3重大事態への対処"] == "heading"


def test_numbered_sentences_and_a_contents_list_are_not_made_headings():
    """Numbered lines that are whole sentences (ending in 。) stay text; a contents list at the top
    (1, 2, 3, then 1 again where the text begins) stays a list."""
    sentences = ("みなみ野小学校いじめ防止基本方針\n\n１　本校は、いじめを決して許さない学校づくりを進める。\n\n"
                 "２　教職員は、児童の小さな変化を見逃さず、学年で共有する。\n\n３　重大事態への対処\n\n"
                 "重大事態が起きたときは、校長が教育委員会に直ちに報告する。\n")
    got = roles_of(sentences)
    assert [r for r, t in got if t.startswith(("1", "2"))] == ["body", "body"]
    assert ("heading", "3重大事態への対処") in got
    contents = ("みなみ野小学校いじめ防止基本方針\n\n１　基本的な考え方\n\n２　組織\n\n３　重大事態への対処\n\n"
                "１　基本的な考え方\n\nいじめは、どの児童にも、どの学校でも起こりうる。\n\n２　組織\n\n"
                "いじめ対策委員会を置き、校長、教頭、生徒指導主事で構成する。\n\n３　重大事態への対処\n\n重大事態は教育委員会に直ちに報告する。\n")
    got = roles_of(contents)
    assert [r for r, t in got if t == "1基本的な考え方"] == ["list_item", "heading"]
    assert [r for r, t in got if t == "2組織"] == ["list_item", "heading"]


def _pdf_lines(pdf: bytes) -> list[str]:
    return [line.text for line in read_bytes(pdf, "policy.pdf").pages[0] if line.text.strip()]


def _raw_pdf_lines(pdf: bytes) -> list[str]:
    """The page's text as PDFium gives it, line by line (before the reader joins anything)."""
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(pdf)[0]
    textpage = page.get_textpage()
    return [t.strip() for t in textpage.get_text_range().split("\r\n") if t.strip()]


_PAGE = ("<html lang=ja><head><style>body{{font-family:'Noto Serif CJK JP';font-size:10.5pt}} .big{{font-size:22pt}}</style></head>"
         "<body>{}</body></html>")
_PLAN_TEXT = ("<p>本計画は、いじめの未然防止と早期発見のための取組を月ごとに示すものである。各学年は、この計画に沿って指導を行い、"
              "学期ごとに取組を振り返って次の学期に生かす。</p><p>いじめアンケートは学期に一度行い、結果は委員会で検証する。</p>"
              "<p>保護者には、学校だよりで取組の様子を知らせる。</p><p>計画は年度末に見直す。</p>")


def test_a_pdf_title_wrapped_in_its_large_font_is_read_as_one_line():
    """The title runs to the right edge in a large font and goes on below: one line, one heading."""
    from policy_kit.check.normalise import split_sentences

    title = "令和８年度　みなみ野市立さくら台中学校　いじめ防止のための年間指導計画（全学年）"
    pdf = html_to_pdf(_PAGE.format(f"<h1 class=big>{title}</h1>{_PLAN_TEXT}"), pdf_variant=None)
    raw = _raw_pdf_lines(pdf)
    assert raw[0] != title and raw[0] + raw[1] == title  # PDFium gives it as two lines
    lines = _pdf_lines(pdf)
    assert lines[0] == title and lines[1].startswith("本計画は")
    sentences = split_sentences(read_bytes(pdf, "plan.pdf"), 0)
    assert (sentences[0].role, sentences[0].text) == ("heading", "令和8年度みなみ野市立さくら台中学校いじめ防止のための年間指導計画(全学年)")
    assert not any(s.text.startswith("学年") or s.text == "指導計画(全学年)" for s in sentences)


def test_a_pdf_body_paragraph_or_a_short_title_over_a_subtitle_is_not_joined():
    """Only a large font that runs to the edge wraps: a two-line paragraph in the body font stays
    as the PDF has it (the normaliser reads it as one paragraph, not a title), and a short title
    with the school's name under it in the same large font stays two lines."""
    from policy_kit.check.normalise import split_sentences

    pdf = html_to_pdf(_PAGE.format(_PLAN_TEXT), pdf_variant=None)
    assert _pdf_lines(pdf) == _raw_pdf_lines(pdf) and len(_pdf_lines(pdf)) == 5
    first = split_sentences(read_bytes(pdf, "plan.pdf"), 0)[0]
    assert first.role == "body" and first.text == "本計画は、いじめの未然防止と早期発見のための取組を月ごとに示すものである。"
    pdf = html_to_pdf(_PAGE.format(f"<p class=big>いじめ防止基本方針</p><p class=big>さくら台中学校</p>{_PLAN_TEXT}"), pdf_variant=None)
    assert _pdf_lines(pdf)[:2] == ["いじめ防止基本方針", "さくら台中学校"]


def test_words_spaced_for_young_readers_are_a_sentence_not_a_table_row():
    text = ("★いじめって　なあに？\nおなじ　がっこうの　ともだちなどから　されたことで、こころや　からだ\nが　いたいなと　かんじたら、それは　いじめです。\n"
            "★やくそく\n①　いやなことを　いわない\n②　「やめて」と　いわれたら　すぐ　やめる\n③　こまったら　ひとりで　がまんしない\n\n年間計画\n４月　学級びらき　なかよし集会　あいさつ運動\n６月　いじめアンケート　個人面談　―\n")
    got = _roles(text.encode(), "kids.txt")
    assert ("body", "おなじがっこうのともだちなどからされたことで、こころやからだがいたいなとかんじたら、それはいじめです。") in got
    assert ("list_item", "②「やめて」といわれたらすぐやめる") in got
    assert ("table_row", "4月 学級びらき なかよし集会 あいさつ運動") in got  # a programme's row stays a row


def test_a_heading_number_before_nenkan_or_kocho_is_a_number_not_a_count():
    """「３　年間の主な取組」 is section 3 (not "three years"), 「１　校長」 item 1 (not "one school");
    「３年間で改善する」 stays a sentence."""
    text = ("ひばり小学校いじめ防止基本方針\n１　基本方針\n本校は組織で取り組む。\n２　組織\n委員会を置く。\n"
            "３　年間の主な取組\n・４月　委員会\n・６月　アンケート\n・９月　職員研修\n４　その他\n本校は３年間で改善する。\n")
    got = _roles(text.encode(), "p.txt")
    assert ("heading", "3年間の主な取組") in got and ("body", "本校は3年間で改善する。") in got


def test_page_numbers_left_in_text_without_page_breaks_are_not_heading_numbers():
    """1, 2, 3 standing alone every forty lines (the foot of each printed page) are page numbers; the
    table cell after 「1」 stays in its section."""
    filler = ["本校は、いじめの防止に組織で取り組む。"] * 19
    lines = ["学校いじめ防止基本方針", "１　組織", *filler, "校長", "委員会の総括", "1", "スクールカウンセラー", "心理面からの助言",
             *filler, "校長", "2", *filler, "教頭", "3", *filler[:5]]
    text = "\n\n".join(lines) + "\n"  # a blank line after every line, as PDF text often has
    got = _roles(text.encode(), "p.txt")
    assert any(role == "body" and "スクールカウンセラー" in t for role, t in got)
    assert not any(role == "heading" and "スクールカウンセラー" in t for role, t in got)
    # heading numbers alone on their line, at uneven distances, stay heading numbers
    from policy_kit.check.document import plain_lines
    from policy_kit.check.normalise import _page_number_series

    assert _page_number_series(plain_lines(text.split("\n"))) == {46, 92, 134}
    uneven = "\n".join(["学校いじめ防止基本方針", "はじめに", "1", "基本方針", *filler[:5], "2", "組織", *filler, *filler, "3", "対応", *filler[:12]])
    assert _page_number_series(plain_lines(uneven.split("\n"))) == set()
    # a heading number right after the last page number is no page number
    close = "\n".join(["学校いじめ防止基本方針", *filler, *filler, "1", *filler, *filler, "2", "3", "対応", *filler])
    assert _page_number_series(plain_lines(close.split("\n"))) == set()


def test_side_bar_boxes_nested_hidden_or_titled_by_a_heading():
    main = "<html><body><main><p>本校はいじめの防止に組織で取り組みます。</p></main>"
    contact = "<p>相談窓口は教頭です。電話は0166-00-0000です。</p>"
    texts = lambda page: [l.text for l in read_bytes((main + page + "</body></html>").encode(), "p.html").pages[0]]  # noqa: E731
    assert texts(f"<aside><div role=complementary>{contact}</div></aside>").count("相談窓口は教頭です。電話は0166-00-0000です。") == 1
    assert texts(f"<aside hidden>{contact}</aside>") == ["本校はいじめの防止に組織で取り組みます。"]
    assert texts(f"<template><aside>{contact}</aside></template>") == ["本校はいじめの防止に組織で取り組みます。"]
    wordpress = "<aside class=side><h3 class=side-title>相談窓口</h3><div class=side-body><p>教頭が受けます。電話は0166-00-0000です。</p></div></aside>"
    assert texts(wordpress)[1:] == ["相談窓口", "教頭が受けます。電話は0166-00-0000です。"]


def test_review_cases_of_the_session_5_layout_rules():
    # a numbered line cut inside brackets goes on (the marker's own bracket does not count)
    cut = "第３　相談\n３．カウンセラー室は平日の放課後（月～金\n１５：３０～１８：００）に開室し、予約なしで利用できる。\n１) 相談室は放課後（月～金\n１５：３０まで）開いている。\n"
    got = _roles(cut.encode(), "cut.txt")
    assert ("list_item", "3.カウンセラー室は平日の放課後(月~金15:30~18:00)に開室し、予約なしで利用できる。") in got
    assert any(t.startswith("1)") and "相談室は放課後(月~金15:30まで)開いている。" in t for _, t in got)
    # a numbered title with its text on the same line is split, but not inside brackets
    split = "第１　組織\n（１）名称　法第２２条に基づく組織として、いじめ対策委員会を置く。\n"
    assert ("heading", "(1)名称") in _roles(split.encode(), "s.txt")
    # articles cited at the start of a sentence are no headings
    cited = "第１条　目的\nこの規程は本校の取組を定める。\n第２条から第５条までは、寮にも準用する。\n"
    assert ("body", "第2条から第5条までは、寮にも準用する。") in _roles(cited.encode(), "c.txt")
    # a three-column table whose cells carry 、 stays a table; a label before a sentence is no row
    table = "区分　構成員　役割\n管理職　校長、教頭　全体の総括\n学年　学年主任、担任　情報の集約\n専門家　ＳＣ、ＳＳＷ　助言\n"
    assert ("table_row", "管理職 校長、教頭 全体の総括") in _roles(table.encode(), "t.txt")
    titled = "目的　この方針は本校の取組を定める。\n対象　この方針は全校の児童に適用する。\n運用　この方針は毎年見直す。\n"
    assert not any(role == "table_row" for role, _ in _roles(titled.encode(), "u.txt"))


def test_katakana_marked_items_stay_list_items_once_their_space_is_squeezed():
    """「ア　遅刻・欠席…」 reads 「ア遅刻・欠席…」 once the space between Japanese words is squeezed: the
    mark is gone from the text but the line still opened an item (with or without a blank line
    after each, as PDF text has). tests/test_judgement.py: such a list is a staff checklist."""
    signs = "ア　遅刻・欠席・早退が目立って増える。\nイ　給食の時間に一人でいる。\nウ　特定の生徒が話すと周りが黙る。\nエ　持ち物にいたずらをされる。\n"
    for text in ("（３）教職員が注意すべきサイン\n" + signs, "（３）教職員が注意すべきサイン\n\n" + signs.replace("\n", "\n\n")):
        got = roles_of(text + "（４）相談体制\n担任がいつでも相談に応じる。\n")
        assert [r for r, t in got if t.startswith(("ア", "イ", "ウ", "エ"))] == ["list_item"] * 4
        assert ("body", "担任がいつでも相談に応じる。") in got


def test_a_contents_heading_over_a_dropped_contents_list_goes_with_it():
    """「目　次」 then lines with leader dots and page numbers: the list is navigation and is dropped, and
    so is its heading — otherwise every section of the policy would hang under 「目次」."""
    text = ("いじめ防止基本方針\n\n目　次\n１　基本的な考え方・・・・・・・・１\n２　組織・・・・・・・・２\n\n"
            "１　基本的な考え方\n本校は、いじめを許さない学校をつくる。\n２　組織\nいじめ対策委員会を置く。\n")
    got = roles_of(text)
    assert not any("目次" in t for _, t in got)
    assert ("heading", "1基本的な考え方") in got and ("heading", "2組織") in got


def test_a_two_column_table_may_have_one_kanji_labels():
    """「体　説明できないあざ…」「心　元気がない…」: a one-kanji label is a table's first cell like a longer
    one, so the rows stay apart (they do not run into one paragraph across the blank lines)."""
    text = ("（３）気付きの視点\n\n心　表情が暗い、急に泣き出す\n\n体　説明できないあざや傷がある、食欲が落ちる\n\n"
            "生活　着替えを嫌がる、登校をしぶる\n\n持ち物　壊れている、なくなる\n\n（４）相談\n\n担任がいつでも相談に応じる。\n")
    got = roles_of(text)
    assert ("table_row", "体 説明できないあざや傷がある、食欲が落ちる") in got
    assert sum(role == "table_row" for role, _ in got) == 4


def test_a_page_paragraph_that_opens_with_a_particle_goes_on_from_the_one_before():
    """A PDF pasted into a page cut 「…（ストレス、家庭環境など）」 | 「に目を向け、…支援する。」: no paragraph
    opens with に, so the two are one sentence; a short label over a name that starts with は stays apart."""
    from policy_kit.check.normalise import split_sentences

    page = ("<html><body><h1>いじめ防止基本方針</h1>"
            "<p>あわせて、いじめに至った背景（ストレス、家庭環境、人間関係の悩み、発達の特性など）</p>"
            "<p>に目を向け、ＳＣと連携して、その生徒が健やかに成長できるよう継続して支援する。</p>"
            "<p>１　名称</p><p>はまなす台中学校いじめ対策委員会</p></body></html>")
    texts = [s.text for s in split_sentences(read_bytes(page.encode(), "p.html"), 0)]
    assert any(t.startswith("あわせて") and t.endswith("継続して支援する。") for t in texts)
    assert "はまなす台中学校いじめ対策委員会" in texts
