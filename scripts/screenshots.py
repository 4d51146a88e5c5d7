"""Screenshots of the web app's three pages for the README, taken from the real running app.

    .venv/bin/python scripts/screenshots.py [--out docs/images]

Starts `policy-kit serve` on a free localhost port with an empty data folder, drives Debian's
headless Chromium through the three flows with the sample files in corpus/, and writes
school.png (the form with its preview), check.png (a check result) and board.png (an audit
result, the second one, so changes since the previous audit show)."""
from __future__ import annotations

import argparse
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policy_kit.web.devserver import browser_available, chrome, start_server  # noqa: E402

CORPUS = ROOT / "corpus"
WIDTH, HEIGHT = 1400, 1000


def wait(driver, condition, timeout: float = 120) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout, poll_frequency=0.2).until(condition)


def css(driver, selector: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def school(driver, url: str, out: Path) -> None:
    driver.get(url + "/school")
    css(driver, "details.load summary").click()
    css(driver, "#yaml").send_keys(str(CORPUS / "schools" / "harunire-es.yaml"))
    css(driver, "form.inline-form button").click()

    def preview_ready(d) -> bool:
        d.switch_to.frame("preview")
        try:
            return "旭川市立はるにれ小学校" in css(d, "body").text
        finally:
            d.switch_to.default_content()

    wait(driver, preview_ready)
    driver.save_screenshot(str(out / "school.png"))


def check(driver, url: str, out: Path) -> None:
    driver.get(url + "/check")
    css(driver, "#document").send_keys(str(CORPUS / "policies" / "missing-police-and-pdca.md"))
    css(driver, "#check-form button[type=submit]").click()
    wait(driver, lambda d: d.title.startswith("点検結果"))
    driver.save_screenshot(str(out / "check.png"))


def audit(driver, url: str, files: list[tuple[Path, str]], tmp: Path) -> None:
    upload = tmp / f"schools-{len(list(tmp.glob('*.zip')))}.zip"
    with zipfile.ZipFile(upload, "w") as z:
        for src, name in files:
            z.write(src, name)
    driver.get(url + "/board")
    css(driver, "#files").send_keys(str(upload))
    css(driver, "#audit-form button[type=submit]").click()
    wait(driver, lambda d: "/board/audits/" in d.current_url, timeout=300)


def board(driver, url: str, out: Path, tmp: Path) -> None:
    policies = CORPUS / "policies"
    first = [(policies / "complete-elementary.md", "旭川市立やまなみ小学校.md"),
             (policies / "missing-police-and-pdca.md", "旭川市立しらうめ小学校.md"),
             (policies / "police-no-parent-explanation.txt", "旭川市立こぶし中学校/方針.txt"),
             (policies / "program-only.md", "旭川市立こぶし中学校/プログラム.md"),
             (policies / "paraphrase-junior-high.md", "旭川市立ななかまど中学校.md"),
             (policies / "minimal-old-style.md", "旭川市立かえで小学校.md")]
    audit(driver, url, first, tmp)
    improved = tmp / "しらうめ.md"
    improved.write_text((policies / "missing-police-and-pdca.md").read_text(encoding="utf-8")
                        + "\n## 9 警察との連携\n\n犯罪行為に当たるいじめは、ためらわずに警察に相談・通報します。\n"
                        + "\n## 10 基本方針の見直し\n\n毎年度末にPDCAサイクルで取組を評価し、基本方針を見直します。\n", encoding="utf-8")
    second = [f for f in first if "しらうめ" not in f[1]] + [(improved, "旭川市立しらうめ小学校.md")]
    audit(driver, url, second, tmp)
    driver.set_window_size(WIDTH, 1250)
    driver.save_screenshot(str(out / "board.png"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    if not browser_available():
        print("Debian's chromium and chromium-driver are needed (make install installs them as root)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        server = start_server(tmp / "data", jobs=2)
        driver = chrome(tmp / "profile", width=WIDTH, height=HEIGHT)
        try:
            school(driver, server.url, args.out)
            check(driver, server.url, args.out)
            board(driver, server.url, args.out, tmp)
        finally:
            driver.quit()
            server.stop()
    for name in ("school.png", "check.png", "board.png"):
        print(args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
