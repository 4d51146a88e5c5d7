"""Write docs/images/<document>.png: the first page of each generated document of a sample school,
as the README shows them.

    .venv/bin/python scripts/document_images.py [--school corpus/schools/harunire-es.yaml] [--dpi 50]

Generates the school's documents with `policy-kit generate` into a temporary folder and renders
page 1 of each PDF with pdftoppm (poppler-utils)."""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from policy_kit.cli import main as cli  # noqa: E402
from policy_kit.generate.documents import DOCUMENTS  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--school", type=Path, default=ROOT / "corpus" / "schools" / "harunire-es.yaml")
    parser.add_argument("--dpi", type=int, default=50)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    if not shutil.which("pdftoppm"):
        raise SystemExit("pdftoppm is needed (Debian package poppler-utils; make install installs it)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        result = CliRunner().invoke(cli, ["generate", str(args.school), "-o", tmp, "--format", "pdf"])
        if result.exit_code != 0:
            raise SystemExit(result.output)
        folder = next(p for p in Path(tmp).iterdir() if p.is_dir())
        for name in DOCUMENTS:
            prefix = Path(tmp) / name
            subprocess.run(["pdftoppm", "-r", str(args.dpi), "-png", "-f", "1", "-l", "1", "-singlefile",
                            str(folder / f"{name}.pdf"), str(prefix)], check=True)
            target = args.out / f"{name}.png"
            shutil.copyfile(prefix.with_suffix(".png"), target)
            print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
