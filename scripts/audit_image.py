"""Write docs/images/audit.png: the board's audit page (index.html) as Chromium shows it at
1,400 × 900 px, with the details of one partial cell open over the matrix — the picture the README
shows.

    .venv/bin/python scripts/audit_image.py [--out docs/images/audit.png] [--width 1400] [--height 900]

Audits the sample policies of corpus/policies/ (three copies of each, so the matrix scrolls, named
by a roster of fictional schools) with `policy-kit audit --no-pdf` into a temporary folder, opens
index.html in headless Chromium (Debian's chromium + chromedriver, via selenium) and saves a
screenshot. Prints where the last requirement column ends, to show that all 30 fit."""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from policy_kit.cli import main as cli  # noqa: E402

NAMES = ["はるにれ", "ななかまど", "こぶし", "やまなみ", "しらかば", "かえで", "さくら", "いちい", "ポプラ", "すずらん", "あおば", "みどり"]
KINDS = ["小学校", "中学校"]


def build_board(folder: Path) -> Path:
    """Copy the sample policies three times over and write a roster naming each copy."""
    samples = sorted(p for p in (ROOT / "corpus" / "policies").iterdir() if p.suffix in (".md", ".txt", ".html"))
    rows = ["path,id,name,kind"]
    number = 0
    for copy in range(3):
        for index, path in enumerate(samples):
            number += 1
            name = f"{path.stem}-{copy + 1}{path.suffix}"
            shutil.copy(path, folder / name)
            kind = KINDS[(index + copy) % 2]
            school = f"旭川市立{NAMES[index % len(NAMES)]}{'第' + str(copy + 1) if copy else ''}{kind}"
            rows.append(f"{name},school-{number:02d},{school},{kind}")
    roster = folder.parent / "roster.csv"
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return roster


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "audit.png")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args()
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        raise SystemExit("chromium and chromedriver are needed (Debian packages chromium, chromium-driver; make install installs them)")
    from selenium import webdriver
    from selenium.webdriver.common.by import By

    with tempfile.TemporaryDirectory() as tmp:
        board = Path(tmp) / "board"
        board.mkdir()
        roster = build_board(board)
        report = Path(tmp) / "report"
        result = CliRunner().invoke(cli, ["audit", str(board), "-o", str(report), "--roster", str(roster), "--no-pdf",
                                          "--no-cache", "--jobs", "2"], env={"LANG": "ja_JP.UTF-8", "LC_ALL": None})
        if result.exit_code not in (0, 1):
            raise SystemExit(result.output)
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium")
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={Path(tmp) / 'profile'}",
                     f"--window-size={args.width},{args.height}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=shutil.which("chromedriver")))
        try:
            driver.get((report / "index.html").as_uri())
            right = driver.execute_script(
                "return Math.max(...[...document.querySelectorAll('#matrix th.req')].map(h => h.getBoundingClientRect().right))")
            width = driver.execute_script("return document.documentElement.clientWidth")
            cell = driver.find_element(By.CSS_SELECTOR, 'td.cell-td[data-req="committee-composition"] .s-partial')
            cell.click()
            args.out.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(args.out))
        finally:
            driver.quit()
    shown = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    print(f"wrote {shown}: {args.width}x{args.height} px; the 30th requirement column ends at {right:.0f} px of {width} px")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
