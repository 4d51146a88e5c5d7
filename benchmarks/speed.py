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


def peak_rss_mb(cmd: list[str]) -> tuple[float, float]:
    """Run a command; return (seconds, largest RSS in MB of any process in its tree), by polling /proc.

    (getrusage(RUSAGE_CHILDREN) would count this benchmark's own memory, copied into each child
    between fork and exec.)"""
    import threading

    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = [0]

    def tree_rss() -> int:
        parents, rss = {}, {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
                rss[int(entry.name)] = int(fields[21]) * 4096
            except (OSError, IndexError, ValueError):
                continue
        best = 0
        for pid, size in rss.items():
            p, hops = pid, 0
            while p and p != proc.pid and hops < 10:
                p, hops = parents.get(p, 0), hops + 1
            if p == proc.pid:
                best = max(best, size)
        return best

    def poll() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss())
            time.sleep(0.2)

    start = time.perf_counter()
    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    proc.wait()
    watcher.join()
    return time.perf_counter() - start, peak[0] / 1024 / 1024


def audit_figures(tmp: Path) -> dict:
    """80 schools of ~35,000 characters made from the samples: audit twice (second after one change) and a roster at 1 and 2 jobs."""
    import shutil

    out: dict[str, float] = {}
    schools = tmp / "schools"
    schools.mkdir()
    sources = sorted((ROOT / "corpus" / "policies").glob("*.md")) + sorted((ROOT / "corpus" / "policies").glob("*.txt"))
    texts = [src.read_text(encoding="utf-8") for src in sources]
    for i in range(80):  # ~35,000 characters each, like a real package; every school's text differs
        parts, size, k = [], 0, i
        while size < 35_000:
            parts.append(texts[k % len(texts)])
            size += len(parts[-1])
            k += 1
        (schools / f"school-{i:02d}.md").write_text(f"# 旭川市立第{i + 1}小学校\n\n" + "\n\n".join(parts), encoding="utf-8")
    cache = tmp / "cache"
    first, rss = peak_rss_mb([KIT, "audit", str(schools), "-o", str(tmp / "r1"), "--jobs", "2", "--cache-dir", str(cache), "--no-pdf"])
    target = next(schools.glob("school-05*"))
    target.write_text(target.read_text(encoding="utf-8") + "\n本校はPDCAサイクルで毎年度方針を見直す。\n", encoding="utf-8")
    second = timed(lambda: subprocess.run([KIT, "audit", str(schools), "-o", str(tmp / "r2"), "--jobs", "2", "--cache-dir", str(cache), "--no-pdf"], capture_output=True))
    letters = timed(lambda: subprocess.run([KIT, "audit", str(schools), "-o", str(tmp / "r3"), "--jobs", "2", "--cache-dir", str(cache)], capture_output=True))
    out.update(audit80_first_s=round(first, 1), audit80_second_s=round(second, 1), audit80_with_letters_cached_s=round(letters, 1), peak_rss_worker_mb=round(rss))
    print(f"audit of 80 schools, --jobs 2:      {first:6.1f} s   (target ≤ 120 s)")
    print(f"  again after one file changed:     {second:6.1f} s   (target ≤ 10 s)")
    print(f"  again, with 80 PDF letters:       {letters:6.1f} s")
    print(f"  peak memory of one process:       {rss:6.0f} MB  (largest process of the run; target ≤ 1,536 MB per worker)")
    shutil.rmtree(schools, ignore_errors=True)
    return out


def roster_figures(tmp: Path) -> dict:
    """A roster of 80 schools generated with --jobs 1 and --jobs 2."""
    out: dict[str, float] = {}
    roster = tmp / "roster.csv"
    base = ROOT / "corpus" / "schools" / "harunire-es.yaml"
    roster.write_text("base,id,name\n" + "".join(f"{base},s{i:02d},旭川市立第{i + 1}小学校\n" for i in range(80)), encoding="utf-8")
    one = timed(lambda: subprocess.run([KIT, "roster", str(roster), "-o", str(tmp / "g1"), "--jobs", "1", "--format", "pdf", "--no-progress"], capture_output=True))
    two = timed(lambda: subprocess.run([KIT, "roster", str(roster), "-o", str(tmp / "g2"), "--jobs", "2", "--format", "pdf", "--no-progress"], capture_output=True))
    out.update(roster80_jobs1_s=round(one, 1), roster80_jobs2_s=round(two, 1), roster_scaling=round(one / two, 2))
    print(f"roster of 80 schools, --jobs 1:     {one:6.1f} s")
    print(f"roster of 80 schools, --jobs 2:     {two:6.1f} s   → {one / two:.2f}x (target ≥ 1.7x)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path)
    parser.add_argument("--skip", action="append", default=[], choices=["audit", "roster"],
                        help="skip the 80-school audit or roster runs (repeatable)")
    args = parser.parse_args()
    figures: dict[str, float | str] = {}
    from policy_kit.check.analyse import load_model
    from policy_kit.check.checklist import load_checklist
    from policy_kit.check.checker import Checker
    from policy_kit.render import font_subsetter

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        policy = big_policy(tmp)
        chars = len(policy.read_text(encoding="utf-8"))
        checklist = load_checklist("asahikawa")
        load_model()
        Checker(checklist).check([policy])  # warm up
        warm = timed(lambda: Checker(checklist).check([policy]), repeat=3)
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

        from policy_kit.generate.documents import generate_file, render_documents
        from policy_kit.generate.package import build_package
        from policy_kit.generate.school import load_profile, load_school
        import weasyprint

        school = ROOT / "corpus" / "schools" / "harunire-es.yaml"
        data = load_school(school)
        html = render_documents(build_package(data, load_profile(data.profile)))
        weasyprint.HTML(string=html["leaflet"]).write_pdf()  # warm fonts
        direct = timed(lambda: [weasyprint.HTML(string=h).write_pdf(pdf_variant="pdf/ua-1") for h in html.values()], repeat=3)
        ours = timed(lambda: generate_file(school, tmp / "gen", force=True), repeat=3)
        figures.update(generate_s=round(ours, 2), weasyprint_direct_s=round(direct, 2),
                       generate_ratio=round(ours / direct, 2), font_subsetter=font_subsetter())
        print(f"generate one school (3 PDFs + HTML): {ours:6.2f} s")
        print(f"WeasyPrint on the same 3 HTML files: {direct:6.2f} s   → ratio {ours / direct:.2f} (target ≤ 1.2)")
        print(f"font subsetting by:                  {font_subsetter()}")
        if "audit" not in args.skip:
            figures.update(audit_figures(tmp))
        if "roster" not in args.skip:
            figures.update(roster_figures(tmp))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
