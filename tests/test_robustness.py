"""Bad and hostile input: a clear message naming the file, exit 2, no traceback, no partial output."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, run
from policy_kit.check.checklist import parse_checklist
from policy_kit.check.extract import decode_text
from policy_kit.check.normalise import split_sentences
from policy_kit.check.document import Document, plain_lines
from policy_kit.errors import InputError, UnreadableDocument
from policy_kit.render import FetchRefused, html_to_pdf, refuse_fetch
from policy_kit import safeyaml


def assert_clean_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


@pytest.fixture(scope="module")
def small_pdf() -> bytes:
    return html_to_pdf("<html lang=ja><body><p>本校はいじめの未然防止に取り組む。警察に相談する。</p></body></html>", pdf_variant=None)


def test_corrupt_and_truncated_pdf(runner, tmp_path, small_pdf):
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    assert_clean_error(run(runner, "check", corrupt), "corrupt.pdf")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(small_pdf[: len(small_pdf) // 3])
    assert_clean_error(run(runner, "check", truncated), "truncated.pdf")


def test_encrypted_pdf(runner, tmp_path, small_pdf):
    from pypdf import PdfReader, PdfWriter

    for user_password, should_read in (("secret", False), ("", True)):
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(small_pdf)))
        writer.encrypt(user_password=user_password, owner_password="owner")
        path = tmp_path / f"enc-{bool(user_password)}.pdf"
        with path.open("wb") as handle:
            writer.write(handle)
        result = run(runner, "check", path)
        if should_read:
            assert result.exit_code in (0, 1) and "警察" in result.output or "police" in result.output
        else:
            assert_clean_error(result, path.name, "パスワードで保護されているため読めません")
            assert "encrypted" in run(runner, "--lang", "en", "check", path).output


def test_pdf_without_text_layer_suggests_ocr(runner, tmp_path):
    scanned = tmp_path / "scanned.pdf"
    scanned.write_bytes(html_to_pdf("<html><body><div style='width:100mm;height:100mm;background:#333'></div></body></html>", pdf_variant=None))
    assert_clean_error(run(runner, "check", scanned), "scanned.pdf: 文字情報がありません（スキャン画像）。OCR（文字認識）をしてから提出してください")
    assert_clean_error(run(runner, "check", scanned, "--lang", "en"), "no text layer", "OCR")


def test_page_limit(runner, tmp_path):
    many = tmp_path / "many.pdf"
    many.write_bytes(html_to_pdf("<html lang=ja><body>" + "<p style='break-after:page'>いじめ防止の方針。</p>" * 5 + "</body></html>", pdf_variant=None))
    assert_clean_error(run(runner, "check", many, "--max-pages", "3"), "ページ数（5ページ）が上限（3ページ）を超えています")


def test_empty_binary_and_unsupported_files(runner, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert_clean_error(run(runner, "check", empty), "empty.txt: ファイルが空です")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 10)
    assert_clean_error(run(runner, "check", binary), "binary.txt")
    odd = tmp_path / "policy.xls"
    odd.write_bytes(b"whatever")
    assert_clean_error(run(runner, "check", odd), "policy.xls: 対応していない形式です")
    assert_clean_error(run(runner, "check", odd, "--lang", "en"), "unsupported file type")
    assert_clean_error(run(runner, "check", tmp_path / "nope.pdf"), "nope.pdf: ファイルが見つかりません")


def _docx(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_hostile_docx(runner, tmp_path):
    cases = {
        "notzip.docx": (b"plain text, not a zip", "Word文書（DOCX）として開けません"),
        "nodoc.docx": (_docx({"other.xml": b"<a/>"}), "本文がありません"),
        "xxe.docx": (_docx({"word/document.xml": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'}), "安全でない記述（DTD）を含むため読みません"),
        "bomb.docx": (_docx({"word/document.xml": b"<a>" + b" " * (120 * 1024 * 1024) + b"</a>"}), "大きすぎるため読みません"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert_clean_error(run(runner, "check", path), name, message)


def test_bulk_roster_never_stops_on_one_school(runner, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text(f"base\n{CORPUS / 'schools' / 'harunire-es.yaml'}\n{tmp_path / 'missing.yaml'}\n", encoding="utf-8")
    result = run(runner, "roster", roster, "-o", tmp_path / "out", "--format", "html", "--jobs", "1")
    assert result.exit_code == 1 and "ファイルが見つかりません" in result.output and "1校を作成、1校は失敗しました" in result.output


@pytest.mark.parametrize("text, message", [
    ("a: &x [1]\nb: *x\n", "aliases"),
    ("a: !!python/object/apply:os.system ['echo hacked']\n", "YAML"),
    ("a: [1, 2\n", "line 2"),
])
def test_yaml_attacks_are_refused(text, message):
    with pytest.raises(InputError) as info:
        safeyaml.load_text(text, "x.yaml")
    assert message in str(info.value)


def test_deeply_nested_yaml():
    with pytest.raises(InputError, match="nested"):
        safeyaml.load_text("a: " + "[" * 100 + "]" * 100, "deep.yaml")


def _checklist(pattern: str) -> dict:
    return {
        "checklist": {"id": "t", "title": "t", "version": "1"},
        "concepts": {"c": {"patterns": [pattern]}},
        "requirements": [{"id": "r", "title": "t", "severity": "required", "source": "s", "why": "w", "fix": "f", "present": [{"all": ["c"]}]}],
    }


@pytest.mark.parametrize("pattern, message", [("(a+)+$", "nested repetition"), ("(", "invalid regular expression"), ("a*", "empty string")])
def test_dangerous_or_broken_checklist_patterns(pattern, message):
    with pytest.raises(InputError, match=message):
        parse_checklist(_checklist(pattern), "c.yaml")


def test_checklist_unknown_concept_and_key():
    data = _checklist("いじめ")
    data["requirements"][0]["present"] = [{"all": ["d"]}]
    with pytest.raises(InputError, match="unknown concept 'd'"):
        parse_checklist(data, "c.yaml")
    data = _checklist("いじめ")
    data["requirements"][0]["sevrity"] = "x"
    with pytest.raises(InputError, match="did you mean 'severity'"):
        parse_checklist(data, "c.yaml")


def test_bad_checklist_file_through_cli(runner, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("checklist: {id: x}\n", encoding="utf-8")
    assert_clean_error(run(runner, "check", CORPUS / "policies" / "negations.md", "--checklist", path), "mine.yaml", "checklist")


def test_weasyprint_never_fetches_what_an_input_names():
    with pytest.raises(FetchRefused):
        refuse_fetch("file:///etc/passwd")
    pdf = html_to_pdf('<html><body><p>いじめ</p><img src="file:///etc/passwd"><img src="http://169.254.169.254/"></body></html>', pdf_variant=None)
    assert pdf.startswith(b"%PDF") and b"root:" not in pdf


def test_unwritable_output_directory(runner, tmp_path, monkeypatch):
    import errno
    import os

    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.access(locked, os.W_OK):  # root writes anywhere: the kernel's refusal is played instead
        real_mkdir, real_open = os.mkdir, os.open

        def refuse(real):
            def call(path, *args, **kwargs):
                if str(path).startswith(str(locked) + os.sep):
                    raise PermissionError(errno.EACCES, "Permission denied", str(path))
                return real(path, *args, **kwargs)
            return call

        monkeypatch.setattr(os, "mkdir", refuse(real_mkdir))
        monkeypatch.setattr(os, "open", refuse(real_open))
    try:
        result = run(runner, "generate", CORPUS / "schools" / "harunire-es.yaml", "-o", locked, "--format", "html")
        assert_clean_error(result, "書き込みの権限がありません")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_disk_full_leaves_no_partial_file(tmp_path, monkeypatch):
    import errno
    import os

    from policy_kit import atomic
    from policy_kit.errors import OutputError

    def full(fd, *args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match="disk is full"):
        atomic.write_bytes(tmp_path / "policy.pdf", b"%PDF-1.7 ...")
    assert list(tmp_path.iterdir()) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_decoding_any_bytes_gives_text_or_a_clean_error(data):
    try:
        assert isinstance(decode_text(data, Path("x.txt")), str)
    except UnreadableDocument:
        pass


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=120), max_size=30))
def test_normaliser_handles_any_text(lines):
    sentences = split_sentences(Document("x.txt", [plain_lines(lines)]), 0)
    for s in sentences:
        assert s.text and s.page == 1 and 1 <= s.line <= max(1, len(lines))


def test_decompression_bomb_pdf_is_refused(runner, tmp_path):
    """A PDF whose content stream inflates to hundreds of MB: pypdf's limit stops it, we report it."""
    import zlib

    payload = zlib.compress(b"0" * (300 * 1024 * 1024), 9)
    body = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>endobj\n"
            b"4 0 obj<</Length " + str(len(payload)).encode() + b"/Filter/FlateDecode>>stream\n" + payload + b"\nendstream endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(body)
    assert_clean_error(run(runner, "check", bomb), "bomb.pdf")


def test_300_page_pdf_is_read(runner, tmp_path, small_pdf):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    page = PdfReader(io.BytesIO(small_pdf)).pages[0]
    for _ in range(300):
        writer.add_page(page)
    path = tmp_path / "long.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    result = run(runner, "check", path, "--format", "json")
    assert result.exit_code == 1
    assert '"pages": 300' in result.output


def test_ten_megabyte_single_line(runner, tmp_path):
    path = tmp_path / "one-line.txt"
    path.write_text("いじめの未然防止に取り組む、" * 700_000, encoding="utf-8")
    result = run(runner, "check", path, "--format", "json")
    assert result.exit_code in (1, 2) and "Traceback" not in result.output


def test_mixed_encodings_give_a_result_or_a_clean_error(runner, tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes("本校はいじめ防止に取り組む。\n".encode("utf-8") + "警察に相談・通報する。\n".encode("cp932") * 50)
    result = run(runner, "check", path)
    # neither UTF-8 nor cp932 decodes the whole file: a clean input error naming the file
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "mixed.txt: 文字コードを判別できません" in result.output


def test_ctrl_c_in_a_roster_keeps_finished_schools_and_writes_no_partial_file(runner, tmp_path, monkeypatch):
    import policy_kit.generate.documents as gen

    calls = {"n": 0}
    real = gen.html_to_pdf

    def interrupt_second(html, **kwargs):
        calls["n"] += 1
        if "ななかまど" in html:  # the first PDF of the second school
            raise KeyboardInterrupt
        return real(html, **kwargs)

    monkeypatch.setattr(gen, "html_to_pdf", interrupt_second)
    roster = tmp_path / "r.csv"
    schools = CORPUS / "schools"
    roster.write_text(f"base\n{schools / 'harunire-es.yaml'}\n{schools / 'nanakamado-jhs.yaml'}\n", encoding="utf-8")
    result = run(runner, "roster", roster, "-o", tmp_path / "out", "--jobs", "1", "--format", "pdf")
    assert result.exit_code == 130 and "中断しました" in result.output
    first = tmp_path / "out" / "harunire-es"
    assert sorted(p.name for p in first.glob("*.pdf")) == ["leaflet.pdf", "policy.pdf", "program.pdf", "pupils.pdf"]
    for pdf in first.glob("*.pdf"):
        assert pdf.read_bytes().rstrip().endswith(b"%%EOF")
    second = tmp_path / "out" / "nanakamado-jhs"
    assert not list(second.glob("*.pdf")) and not list(second.glob("*.tmp")) and not list(second.glob(".*.tmp"))


def test_write_failure_is_reported_with_the_path(runner, tmp_path, monkeypatch):
    import errno
    import os

    real = os.replace

    def denied(src, dst):
        if str(dst).endswith("policy.html"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", denied)
    result = run(runner, "generate", CORPUS / "schools" / "harunire-es.yaml", "-o", tmp_path / "out", "--format", "html")
    assert_clean_error(result, "policy.html", "書き込めません：書き込みの権限がありません")
    assert not (tmp_path / "out" / "harunire-es").exists()  # the school appears whole or not at all
    assert [p.name for p in (tmp_path / "out").iterdir()] == []  # no staging folder, temporary file or lock left


def test_fetch_attempts_are_made_and_refused(monkeypatch):
    import policy_kit.render as render

    seen: list[str] = []

    def recorder(url, *args, **kwargs):
        seen.append(url)
        raise FetchRefused(url)

    monkeypatch.setattr(render, "refuse_fetch", recorder)
    html = ('<html><head><link rel="stylesheet" href="file:///etc/passwd"></head><body><p>いじめ</p>'
            '<img src="http://169.254.169.254/latest/meta-data/"><img src="../../secret.png"></body></html>')
    pdf = html_to_pdf(html, pdf_variant=None)
    assert pdf.startswith(b"%PDF")
    assert any("169.254.169.254" in u for u in seen) and any("passwd" in u for u in seen)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".pdf", ".docx", ".txt", ".md", ".html"]))
def test_any_bytes_under_any_supported_suffix_give_a_document_or_a_clean_error(tmp_path, data, suffix):
    from policy_kit.check.extract import read_document

    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    try:
        doc = read_document(path)
        assert doc.chars >= 0
    except UnreadableDocument as exc:
        assert exc.path == str(path)
