"""Looked at as pictures: every generated document of every sample school, rendered to PNG at low
resolution. No page but the last is more than half empty, and nothing is printed in the side
margins. The leaflet's tables keep each time range and phone number on one line, its phone
numbers are tel: links, and it reads on a 375 px wide phone without sideways scrolling."""
from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from conftest import SAMPLE_SCHOOLS, browser
from page_images import body_fill, render_pages, side_margin_ink

DOCUMENTS = ["policy", "leaflet", "program", "pupils"]
# Side margins of each document (mm) and the page width: the outer part of the margin stays empty.
MARGIN_MM = {"policy": 18, "leaflet": 15, "program": 10, "pupils": 15}
PAGE_WIDTH_MM = {"policy": 210, "leaflet": 210, "program": 297, "pupils": 210}


@pytest.mark.parametrize("school", SAMPLE_SCHOOLS)
@pytest.mark.parametrize("document", DOCUMENTS)
def test_no_half_empty_page_and_nothing_in_the_margins(samples, tmp_path, school, document):
    pages = render_pages(samples / school / f"{document}.pdf", tmp_path, dpi=30)
    assert pages
    fills = [round(body_fill(page), 2) for page in pages]
    for number, fill in enumerate(fills[:-1], start=1):
        assert fill >= 0.5, f"{school}/{document}.pdf page {number} is more than half empty (fills {fills})"
    for number, page in enumerate(pages, start=1):
        ink = side_margin_ink(page, MARGIN_MM[document] - 4, PAGE_WIDTH_MM[document])
        assert not ink, f"{school}/{document}.pdf page {number}: something runs into the margin at {ink[:3]}"


def test_the_page_checks_can_fail(tmp_path):
    """A page with two lines of text is more than half empty; text past the right edge is seen."""
    from policy_kit.render import html_to_pdf

    html = ('<html><body style="margin:0"><p>一行目</p><p style="margin-left:185mm;white-space:nowrap">はみ出す文字列はみ出す</p>'
            '<p style="break-before:page">二ページ目</p></body></html>')
    pdf = tmp_path / "bad.pdf"
    pdf.write_bytes(html_to_pdf(html, pdf_variant=None))
    pages = render_pages(pdf, tmp_path / "png", dpi=30)
    assert len(pages) == 2 and body_fill(pages[0]) < 0.5
    assert side_margin_ink(pages[0], 10, 210)


@pytest.mark.parametrize("school", SAMPLE_SCHOOLS)
def test_leaflet_fills_its_pages_and_keeps_values_whole(samples, school):
    folder = samples / school
    assert 1 <= len(PdfReader(folder / "leaflet.pdf").pages) <= 2
    html = (folder / "leaflet.html").read_text(encoding="utf-8")
    lines = [line for page in PdfReader(folder / "leaflet.pdf").pages for line in page.extract_text().splitlines()]
    values = re.findall(r'<span class="nw">([^<]+)</span>', html) + re.findall(r'<a class="tel nw" href="[^"]+">([^<]+)</a>', html)
    assert any("～" in v for v in values) and any(re.fullmatch(r"[\d\-]+", v) for v in values)  # ～ kept as written
    for value in set(values):
        assert any(value.replace(" ", "") in line.replace(" ", "") for line in lines), f"{value!r} is broken across lines"


@pytest.mark.parametrize("school", SAMPLE_SCHOOLS)
def test_leaflet_phone_numbers_are_tel_links(samples, school):
    html = (samples / school / "leaflet.html").read_text(encoding="utf-8")
    phones = re.findall(r'<td class="tel">(.*?)</td>', html)
    assert len(phones) >= 3  # the school and the national lines; Asahikawa adds its city desk
    for cell in phones:
        m = re.fullmatch(r'<a class="tel nw" href="tel:(\d+)">([\d\-]+)</a>', cell)
        assert m, cell
        assert m.group(1) == m.group(2).replace("-", "")


@pytest.mark.parametrize("document", ["leaflet", "pupils"])
def test_reads_on_a_375px_phone(samples, tmp_path, document):
    from policy_kit.web.devserver import set_width

    driver = browser(tmp_path, 375, 812)
    set_width(driver, 375, 812)  # a phone: 375 CSS pixels wide
    try:
        for school in SAMPLE_SCHOOLS:
            driver.get((samples / school / f"{document}.html").as_uri())
            width = driver.execute_script("return window.innerWidth")
            assert width == 375
            assert driver.execute_script("return document.documentElement.scrollWidth") <= width, f"{school}: scrolls sideways"
            size = driver.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
            assert size >= 16, f"{school}: body text is {size}px on a phone"
            if document == "leaflet":
                links = driver.execute_script("return [...document.querySelectorAll('a.tel')].map(a => a.getBoundingClientRect().height)")
                assert links and min(links) >= 20, "phone links should be easy to tap"
    finally:
        driver.quit()
