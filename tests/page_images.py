"""Page images for the layout tests: PDF pages rendered to PNG by pdftoppm (poppler-utils), read
with Pillow, and measured: how far down the body text reaches, and whether anything is printed
in the side margins."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from PIL import Image

INK = 170  # a pixel darker than this (0–255 grey) is ink


def render_pages(pdf: Path, out_dir: Path, dpi: int = 30) -> list[Image.Image]:
    """Every page of ``pdf`` as a greyscale image (pdftoppm must be installed)."""
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed: make install installs it"
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True)
    pages = sorted(out_dir.glob(f"{pdf.stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [Image.open(p).convert("RGB") for p in pages]


def ink_rows(image: Image.Image, x0: int = 0, x1: int | None = None) -> list[int]:
    """Rows with ink between columns x0 and x1."""
    grey = image.convert("L")
    w, h = grey.size
    x1 = w if x1 is None else x1
    px = grey.load()
    return [y for y in range(h) if any(px[x, y] < INK for x in range(x0, x1))]


def body_fill(image: Image.Image, top: float = 0.065, bottom: float = 0.94) -> float:
    """How far down the body area (between the running header and the page number) the last
    line of ink reaches: 0 for an empty page, 1 for a full one."""
    w, h = image.size
    y0, y1 = int(h * top), int(h * bottom)
    rows = [y for y in ink_rows(image) if y0 <= y < y1]
    return (rows[-1] - y0) / (y1 - y0) if rows else 0.0


def side_margin_ink(image: Image.Image, strip_mm: float, page_width_mm: float) -> list[tuple[str, int]]:
    """Ink found in the outer ``strip_mm`` of the left and right margins: (side, row) pairs."""
    w, _ = image.size
    strip = max(1, int(w * strip_mm / page_width_mm))
    found = [("left", y) for y in ink_rows(image, 0, strip)]
    found += [("right", y) for y in ink_rows(image, w - strip, w)]
    return found


def colour_rows(image: Image.Image, rgb: tuple[int, int, int], share: float = 0.25, tolerance: int = 6) -> list[int]:
    """Rows where at least ``share`` of the page width is the colour ``rgb`` (± tolerance), e.g. the
    background of a table's header row."""
    w, h = image.size
    px = image.convert("RGB").load()
    need = int(w * share)
    rows = []
    for y in range(h):
        count = 0
        for x in range(0, w):
            r, g, b = px[x, y]
            if abs(r - rgb[0]) <= tolerance and abs(g - rgb[1]) <= tolerance and abs(b - rgb[2]) <= tolerance:
                count += 1
        if count >= need:
            rows.append(y)
    return rows


def starts_with_header(image: Image.Image, rgb: tuple[int, int, int], top: float = 0.065) -> bool:
    """Whether the body of the page (below the running header) begins with a table header row of
    background ``rgb``: the first header-coloured row lies within the first few lines of ink."""
    w, h = image.size
    y0 = int(h * top)
    ink = [y for y in ink_rows(image) if y >= y0]
    bands = [y for y in colour_rows(image, rgb) if y >= y0]
    return bool(ink and bands) and bands[0] - ink[0] <= max(3, int(h * 0.012))
