"""Speed and memory figures for check, audit and generate: medians of several runs, each printed
beside its baseline in the same run.

    .venv/bin/python benchmarks/speed.py [--runs N] [--skip audit] [--skip roster] [--json OUT.json]

- check: a ~35,000-character policy (sample policies concatenated) — policy-kit's pipeline
  (SudachiPy forms + rules + GiNZA's dependency parse of the candidate sentences) against the full
  ja_ginza pipeline over the same text; and the same check without the parse (the ablation's cost).
- check cold: `policy-kit check` as a new process (model loads included), with its peak memory;
  `policy-kit --help`.
- audit: 80 such policies with 2 jobs; generate: one school against WeasyPrint on the same HTML.
Absolute times drift on shared machines; compare the ratios. The machine is printed first."""
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
    """The median wall time of ``repeat`` runs."""
    import statistics

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def machine() -> str:
    import os
    import platform

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


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


_COLD_PARTS = """
import json, time
t = time.perf_counter()
import spacy
t1 = time.perf_counter()
from policy_kit.check.analyse import parser, sudachi
sudachi()
t2 = time.perf_counter()
parser()
t3 = time.perf_counter()
print(json.dumps({"import spacy": t1 - t, "SudachiPy": t2 - t1, "GiNZA parser": t3 - t2}))
"""


def cold_start_parts() -> dict[str, float]:
    """Seconds a new process spends importing spaCy, loading SudachiPy and loading the GiNZA parser."""
    out = subprocess.run([sys.executable, "-c", _COLD_PARTS], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


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
    print(f"audit of 80 schools, --jobs 2:      {first:6.1f} s   (target ≤ 90 s)")
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
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (the median is printed)")
    parser.add_argument("--skip", action="append", default=[], choices=["audit", "roster"],
                        help="skip the 80-school audit or roster runs (repeatable)")
    args = parser.parse_args()
    figures: dict[str, float | str] = {"machine": machine(), "runs": args.runs}
    print(f"machine: {machine()}; medians of {args.runs} runs")
    from policy_kit.check.analyse import parser as load_parser, sudachi
    from policy_kit.check.checklist import load_checklist
    from policy_kit.check.checker import Checker
    from policy_kit.check.matcher import Matcher
    from policy_kit.render import font_subsetter

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        policy = big_policy(tmp)
        chars = len(policy.read_text(encoding="utf-8"))
        checklist = load_checklist("asahikawa")
        sudachi()
        load_parser()
        with_parse, without_parse = Checker(checklist), Checker(checklist, parse=False)
        result = with_parse.check([policy])  # warm up (and count what the parse looks at)
        without_parse.check([policy])
        matcher = Matcher(checklist, result.sentences)
        for req in checklist.requirements:
            matcher.evaluate(req)
        warm = timed(lambda: with_parse.check([policy]), repeat=args.runs)
        warm_no_parse = timed(lambda: without_parse.check([policy]), repeat=args.runs)
        import spacy

        full = spacy.load("ja_ginza")
        text = policy.read_text(encoding="utf-8")
        chunks = [text[i:i + 8000] for i in range(0, len(text), 8000)]
        full_time = timed(lambda: [full(c) for c in chunks], repeat=max(1, args.runs // 2))
        figures.update(policy_chars=chars, sentences=len(result.sentences), parsed_sentences=matcher.parsed_sentences,
                       check_warm_s=round(warm, 3), check_warm_no_parse_s=round(warm_no_parse, 3),
                       full_ginza_s=round(full_time, 3), check_speedup_vs_full_ginza=round(full_time / warm, 1))
        print(f"check, warm, {chars:,} chars:          {warm:6.2f} s   (target ≤ 0.5 s)")
        print(f"  the parse looked at {matcher.parsed_sentences} of {len(result.sentences)} sentences")
        print(f"  without the parse (ablation):      {warm_no_parse:6.2f} s   → the parse costs {warm - warm_no_parse:+.2f} s")
        print(f"full ja_ginza pipeline, same text:   {full_time:6.2f} s   → check is {full_time / warm:.1f}x faster")

        colds = [peak_rss_mb([KIT, "check", str(policy)]) for _ in range(args.runs)]
        import statistics

        cold = statistics.median(c[0] for c in colds)
        cold_rss = statistics.median(c[1] for c in colds)
        helpt = timed(lambda: subprocess.run([KIT, "--help"], capture_output=True), repeat=args.runs)
        figures.update(check_cold_s=round(cold, 2), check_cold_peak_mb=round(cold_rss), help_s=round(helpt, 3))
        print(f"check, cold process:                 {cold:6.2f} s   (target ≤ 3 s, model loads included)")
        print(f"  peak memory:                       {cold_rss:6.0f} MB  (target ≤ 700 MB)")
        print(f"policy-kit --help:                   {helpt:6.2f} s   (target ≤ 0.3 s)")
        parts = [cold_start_parts() for _ in range(args.runs)]
        breakdown = {key: round(statistics.median(p[key] for p in parts), 2) for key in parts[0]}
        figures.update(cold_breakdown_s=breakdown)
        print("  of the cold start, in a new process: " + ", ".join(f"{key} {value:.2f} s" for key, value in breakdown.items()))

        from policy_kit.generate.documents import generate_file, render_documents
        from policy_kit.generate.package import build_package
        from policy_kit.generate.school import load_profile, load_school
        import weasyprint

        school = ROOT / "corpus" / "schools" / "harunire-es.yaml"
        data = load_school(school)
        html = render_documents(build_package(data, load_profile(data.profile)))
        weasyprint.HTML(string=html["leaflet"]).write_pdf()  # warm fonts
        direct = timed(lambda: [weasyprint.HTML(string=h).write_pdf(pdf_variant="pdf/ua-1") for h in html.values()], repeat=args.runs)
        ours = timed(lambda: generate_file(school, tmp / "gen", force=True), repeat=args.runs)
        figures.update(generate_s=round(ours, 2), weasyprint_direct_s=round(direct, 2),
                       generate_ratio=round(ours / direct, 2), font_subsetter=font_subsetter())
        print(f"generate one school ({len(html)} PDFs + HTML): {ours:6.2f} s")
        print(f"WeasyPrint on the same {len(html)} HTML files: {direct:6.2f} s   → ratio {ours / direct:.2f} (target ≤ 1.2)")
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
