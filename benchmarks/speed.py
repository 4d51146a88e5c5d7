"""Speed figures for check and generate, printed as ratios to their baselines in the same run.

    .venv/bin/python benchmarks/speed.py [--json benchmarks/results/speed.json]

- check: a ~35,000-character policy (sample policies concatenated) — policy-kit's pipeline
  (GiNZA tokenizer + rules) against the full ja_ginza pipeline over the same text.
- check cold: `policy-kit check` as a new process; `policy-kit --help`.
- generate: one school (three PDFs) against WeasyPrint rendering the same three HTML files.
Absolute times drift on shared machines; compare the ratios."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
KIT = str(Path(sys.executable).parent / "policy-kit")


def timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def big_policy(folder: Path, target: int = 35_000) -> Path:
    parts, size = [], 0
    sources = sorted((ROOT / "corpus" / "policies").glob("*.md"))
    while size < target:
        for src in sources:
            text = src.read_text(encoding="utf-8")
            parts.append(text)
            size += len(text)
            if size >= target:
                break
    path = folder / "policy-35k.md"
    path.write_text("\n\n".join(parts), encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures: dict[str, float | str] = {}
    from policy_kit.check.analyse import load_model
    from policy_kit.check.checklist import load_checklist
    from policy_kit.check.runner import check_paths
    from policy_kit.render import font_subsetter

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        policy = big_policy(tmp)
        chars = len(policy.read_text(encoding="utf-8"))
        checklist = load_checklist("asahikawa")
        load_model()
        check_paths([policy], checklist)  # warm up
        warm = timed(lambda: check_paths([policy], checklist), repeat=3)
        import spacy

        full = spacy.load("ja_ginza")
        text = policy.read_text(encoding="utf-8")
        chunks = [text[i:i + 8000] for i in range(0, len(text), 8000)]
        full_time = timed(lambda: [full(c) for c in chunks])
        figures.update(policy_chars=chars, check_warm_s=round(warm, 3), full_ginza_s=round(full_time, 3),
                       check_speedup_vs_full_ginza=round(full_time / warm, 1))
        print(f"check, warm, {chars:,} chars:         {warm:6.2f} s")
        print(f"full ja_ginza pipeline, same text:  {full_time:6.2f} s   → check is {full_time / warm:.1f}x faster (target ≥ 20x, ≤ 1.5 s)")

        cold = timed(lambda: subprocess.run([KIT, "check", str(policy)], capture_output=True))
        helpt = timed(lambda: subprocess.run([KIT, "--help"], capture_output=True), repeat=3)
        figures.update(check_cold_s=round(cold, 2), help_s=round(helpt, 3))
        print(f"check, cold process:                {cold:6.2f} s   (target ≤ 8 s)")
        print(f"policy-kit --help:                  {helpt:6.2f} s   (target ≤ 0.3 s)")

        from policy_kit.generate import generate_file, render_documents
        from policy_kit.package import build_package
        from policy_kit.school import load_profile, load_school
        import weasyprint

        school = ROOT / "corpus" / "schools" / "harunire-es.yaml"
        data = load_school(school)
        html = render_documents(build_package(data, load_profile(data.profile)))
        weasyprint.HTML(string=html["leaflet"]).write_pdf()  # warm fonts
        direct = timed(lambda: [weasyprint.HTML(string=h).write_pdf() for h in html.values()])
        ours = timed(lambda: generate_file(school, tmp / "gen", force=True))
        figures.update(generate_s=round(ours, 2), weasyprint_direct_s=round(direct, 2),
                       generate_ratio=round(ours / direct, 2), font_subsetter=font_subsetter())
        print(f"generate one school (3 PDFs + HTML): {ours:6.2f} s")
        print(f"WeasyPrint on the same 3 HTML files: {direct:6.2f} s   → ratio {ours / direct:.2f} (target ≤ 1.2)")
        print(f"font subsetting by:                  {font_subsetter()}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
