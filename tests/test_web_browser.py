"""The web app as a person uses it: the real server (uvicorn, started as `policy-kit serve`) and
a real headless Chromium (Debian's chromium + chromium-driver through selenium).

Each flow ends with the page checked at a phone's width (375 px) and a desktop's (1,400 px):
no sideways scrolling, and a screenshot that is not blank."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import CORPUS
from policy_kit.web.devserver import browser_available, chrome, horizontal_overflow, set_width, start_server, wait_for_file

POLICIES = CORPUS / "policies"

pytestmark = pytest.mark.skipif(not browser_available(),
                                reason="Debian's chromium and chromium-driver are not installed (make install installs them as root)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web")
    running = start_server(folder / "data", jobs=1)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def driver(tmp_path_factory, downloads):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    d = chrome(tmp_path_factory.mktemp("profile"), downloads)
    # the page re-renders its messages after each check: an element found a moment ago may be gone,
    # so a condition that meets a stale (or not yet present) element is simply asked again
    d.wait = lambda condition, timeout=30: WebDriverWait(
        d, timeout, poll_frequency=0.2, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(condition)
    yield d
    d.quit()


def preview_shows(text: str):
    """A wait condition: the live preview (an iframe) shows ``text``."""
    def condition(d) -> bool:
        d.switch_to.frame("preview")
        try:
            return text in d.find_element(*by("body")).text
        finally:
            d.switch_to.default_content()
    return condition


def by(css: str):
    from selenium.webdriver.common.by import By

    return (By.CSS_SELECTOR, css)


def fill(driver, name: str, text: str) -> None:
    field = driver.find_element(*by(f'[name="{name}"]'))
    field.clear()
    field.send_keys(text)


def assert_fits(driver, name: str, folder: Path) -> None:
    """No sideways scrolling at 375 px and 1,400 px; the screenshots show a page."""
    try:
        for width in (375, 1400):
            set_width(driver, width, 900)
            driver.execute_script("window.scrollTo(0, 0)")
            assert horizontal_overflow(driver) == 0, f"{name} scrolls sideways at {width} px"
            shot = folder / f"{name}-{width}.png"
            driver.save_screenshot(str(shot))
            assert shot.stat().st_size > 15_000, shot
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_home_school_check_and_board_pages_fit_a_phone_and_a_desktop(server, driver, tmp_path):
    for path in ("/", "/school", "/check", "/board"):
        driver.get(server.url + path)
        assert_fits(driver, path.strip("/") or "home", tmp_path)


def test_write_a_policy_see_an_error_fix_it_and_download_the_pdf(server, driver, downloads, tmp_path):
    from selenium.webdriver.support.ui import Select

    driver.get(server.url + "/school")
    fill(driver, "school.id", "sakura-es")
    fill(driver, "school.name", "旭川市立さくら小学校")
    Select(driver.find_element(*by('[name="school.kind"]'))).select_by_value("小学校")
    fill(driver, "school.phone", "でんわ")
    fill(driver, "organisation.name", "さくら小学校いじめ対策委員会")
    fill(driver, "organisation.members.0", "校長")
    fill(driver, "organisation.members.1", "教頭")
    driver.find_element(*by('button[data-add="organisation.members"]')).click()  # a third row, added in the page
    fill(driver, "organisation.members.2", "生徒指導主事")
    fill(driver, "team.members.0", "校長")
    fill(driver, "team.reporting_contacts.0", "教頭")
    fill(driver, "team.leader", "生徒指導主事")
    fill(driver, "police.station", "旭川中央警察署")
    driver.find_element(*by("#validate-button")).click()

    driver.wait(lambda d: d.find_element(*by('p.error[data-error-for="school.phone"]')).is_displayed())
    message = driver.find_element(*by('p.error[data-error-for="school.phone"]')).text
    assert message.startswith("電話番号は半角の数字とハイフンで入力してください"), message
    assert driver.find_element(*by("#error-count")).text == "1"
    assert driver.find_element(*by('[name="organisation.members.2"]')).get_attribute("value") == "生徒指導主事"

    fill(driver, "school.phone", "0166-00-5005")  # fixed: the message goes away while typing
    driver.wait(lambda d: not d.find_element(*by('p.error[data-error-for="school.phone"]')).is_displayed())
    driver.find_element(*by("#validate-button")).click()
    driver.wait(lambda d: "入力に誤りはありません" in d.find_element(*by(".notice")).text)

    driver.wait(preview_shows("旭川市立さくら小学校"))
    assert_fits(driver, "school-filled", tmp_path)

    for old in downloads.glob("*.pdf"):
        old.unlink()
    driver.find_element(*by("#download-policy")).click()
    pdf = wait_for_file(downloads, ".pdf", timeout=90)
    assert pdf.name == "sakura-es-policy.pdf"
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages).replace(" ", "").replace("\n", "")
    assert "旭川市立さくら小学校" in text and "旭川中央警察署" in text


def test_load_a_kitakyushu_school_write_its_promises_and_see_the_pupils_version(server, driver, tmp_path):
    driver.get(server.url + "/school")
    driver.find_element(*by("details.load summary")).click()
    driver.find_element(*by("#yaml")).send_keys(str(CORPUS / "schools" / "shiokaze-es.yaml"))
    driver.find_element(*by("form.inline-form button")).click()
    driver.wait(lambda d: "「shiokaze-es.yaml」を読み込みました" in d.find_element(*by(".notice")).text)
    assert driver.find_element(*by('#f-profile option[value="kitakyushu"]')).is_selected()

    pledges = driver.find_element(*by('button[data-add="pupils_version.pledges"]'))
    for i, text in enumerate(["あいさつを、じぶんからする。", "こまっているともだちに、こえをかける。", "いやなことは、せんせいにはなす。"]):
        fill(driver, f"pupils_version.pledges.{i}", text)
    fill(driver, "pupils_version.written_by", "しおかぜ台小学校 児童会")
    for _ in range(3, 8):  # up to eight promises: the button goes away at the eighth row
        pledges.click()
    assert len(driver.find_elements(*by('input[name^="pupils_version.pledges."]'))) == 8 and not pledges.is_displayed()
    driver.find_element(*by('button[data-add="pupils_version.readings"]')).click()
    fill(driver, "pupils_version.readings.1.word", "しおかぜ")  # no kanji: nothing to read
    fill(driver, "pupils_version.readings.1.reading", "しおかぜ")
    driver.wait(lambda d: d.find_element(*by('p.error[data-error-for="pupils_version.readings.1.word"]')).is_displayed())
    assert driver.find_element(*by('p.error[data-error-for="pupils_version.readings.1.word"]')).text == "漢字を含む語を入力してください"
    fill(driver, "pupils_version.readings.1.word", "しおかぜ台")
    fill(driver, "pupils_version.readings.1.reading", "しおかぜだい")
    driver.wait(lambda d: not d.find_element(*by('p.error[data-error-for="pupils_version.readings.1.word"]')).is_displayed())

    driver.find_element(*by('input[name="_doc"][value="pupils"]')).click()

    driver.wait(preview_shows("あいさつを、じぶんからする。"))
    assert_fits(driver, "school-pupils", tmp_path)


def test_check_a_policy_and_see_a_missing_requirement(server, driver, tmp_path):
    driver.get(server.url + "/check")
    driver.find_element(*by("#document")).send_keys(str(POLICIES / "missing-police-and-pdca.md"))
    driver.find_element(*by("#check-form button[type=submit]")).click()
    driver.wait(lambda d: d.title.startswith("点検結果"))
    police = driver.find_element(*by("#req-police-referral"))
    assert police.get_attribute("data-status") == "missing"
    assert "なし" in police.text and "警察への相談・通報" in police.text and "直し方" in police.text
    present = driver.find_element(*by("#req-committee-composition"))
    assert present.get_attribute("data-status") == "present"
    assert present.find_elements(*by("mark")), "the matched words are highlighted"
    assert_fits(driver, "check-result", tmp_path)


def test_audit_a_small_board_and_open_a_schools_letter(server, driver, tmp_path):
    upload = tmp_path / "学校.zip"
    with zipfile.ZipFile(upload, "w") as z:
        z.write(POLICIES / "complete-elementary.md", "旭川市立やまなみ小学校.md")
        z.write(POLICIES / "missing-police-and-pdca.md", "旭川市立しらうめ小学校.md")
        z.write(POLICIES / "police-no-parent-explanation.txt", "旭川市立こぶし中学校/方針.txt")
    driver.get(server.url + "/board")
    driver.find_element(*by("#files")).send_keys(str(upload))
    driver.find_element(*by("#audit-form button[type=submit]")).click()
    driver.wait(lambda d: "/board/jobs/" in d.current_url or "/board/audits/" in d.current_url)
    driver.wait(lambda d: "/board/audits/" in d.current_url, timeout=180)  # the page polls, then opens the result
    assert "全校の点検結果" in driver.find_element(*by("h1")).text
    matrix = driver.find_element(*by("table.matrix")).text
    assert "旭川市立しらうめ小学校" in matrix and "✗" in matrix
    assert_fits(driver, "audit", tmp_path)

    school = [li for li in driver.find_elements(*by("li.school")) if "旭川市立しらうめ小学校" in li.text][0]
    assert "必須項目の不足" in school.text
    school.find_element(*by(".letter-links a")).click()
    driver.wait(lambda d: "点検結果" in d.title)
    body = driver.find_element(*by("body")).text
    assert "旭川市立しらうめ小学校" in body and "警察への相談・通報" in body and "直し方" in body
