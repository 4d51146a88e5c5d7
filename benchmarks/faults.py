"""Fault injection: real `policy-kit` runs hit by a full disk, by kill -TERM / kill -KILL at random
moments, and by a second run on the same output; then every output is inspected.

    .venv/bin/python benchmarks/faults.py [--rounds N] [--seed S] [--json OUT.json]

Disk full: as root, a small tmpfs is mounted as the output folder (the real ENOSPC from the
kernel); otherwise the fault is a patched os.fsync that fails with ENOSPC after a few files
(through a sitecustomize on PYTHONPATH) — the script says which it used.

What counts:
- a partial output: a school folder without all its documents and marker, a PDF without its
  %%EOF, an HTML file cut short, a report folder that is neither complete nor the earlier report,
  a staging folder or temporary file left after an error, SIGTERM or a refusal — or, after
  SIGKILL (which nothing can catch), one that the next run on the same output does not sweep away;
- an orphaned worker: a process the command started (found in /proc while it ran) still alive
  2 s after the command ended;
- a traceback: "Traceback" or "Exception ignored" on stderr.

The last line is the summary, e.g. "37 runs: 0 partial outputs, 0 orphaned workers, 0 tracebacks"."""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from proctree import KIT, Watched, descendants  # noqa: E402

SCHOOL = ROOT / "corpus" / "schools" / "harunire-es.yaml"
POLICIES = ROOT / "corpus" / "policies"
DOCS = ("leaflet", "policy", "program", "pupils")


@dataclass
class Tally:
    runs: int = 0
    partial: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    stop_seconds: list[float] = field(default_factory=list)  # from SIGINT/SIGTERM to the command's exit

    def record(self, name: str, code: int, err: str, problems: list[str], orphans: list[str] = ()) -> None:
        self.runs += 1
        self.partial += [f"{name}: {p}" for p in problems]
        self.orphans += [f"{name}: {o}" for o in orphans]
        if "Traceback" in err or "Exception ignored" in err:
            self.tracebacks.append(f"{name}: {err[-400:]}")
        flag = "ok " if not problems and not orphans and "Traceback" not in err else "BAD"
        line = f"{flag} {name}: exit {code}" + (f"; {'; '.join(problems + list(orphans))}" if problems or orphans else "")
        self.lines.append(line)
        print(line, flush=True)


# ----------------------------------------------------------------------------- inspecting outputs


def transients(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if ".pk-staging" in p.name or ".pk-old" in p.name or p.name.endswith(".tmp"))


def school_problems(folder: Path, formats: tuple[str, ...] = ("html",)) -> list[str]:
    """Every school folder in ``folder`` must be whole."""
    problems = []
    if not folder.is_dir():
        return problems
    for school in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        names = sorted(p.name for p in school.iterdir())
        expected = sorted([".school"] + [f"{d}.{ext}" for d in DOCS for ext in formats])
        if names != expected:
            problems.append(f"{school.name}/ holds {names}")
            continue
        for ext in formats:
            for doc in DOCS:
                data = (school / f"{doc}.{ext}").read_bytes()
                if ext == "pdf" and not data.rstrip().endswith(b"%%EOF"):
                    problems.append(f"{school.name}/{doc}.pdf is cut short")
                if ext == "html" and not data.rstrip().endswith(b"</html>"):
                    problems.append(f"{school.name}/{doc}.html is cut short")
    return problems


def report_problems(out: Path, earlier: dict[str, bytes] | None, pdf: bool) -> list[str]:
    """The report folder holds the earlier report unchanged, or a complete new one."""
    files = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*")
             if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)} if out.is_dir() else {}
    if files == (earlier or {}):
        return []
    problems = []
    for name in ("index.html", "summary.csv", "summary.json", "summary.xlsx"):
        if name not in files:
            problems.append(f"report without {name}")
    if "summary.json" in files:
        try:
            schools = json.loads(files["summary.json"])["schools"]
        except (ValueError, KeyError):
            return problems + ["summary.json does not parse"]
        for school in schools:
            for ext in ("html", "pdf") if pdf else ("html",):
                letter = f"schools/{school['id']}.{ext}"
                if letter not in files:
                    problems.append(f"report without {letter}")
                elif ext == "pdf" and not files[letter].rstrip().endswith(b"%%EOF"):
                    problems.append(f"{letter} is cut short")
    if "summary.xlsx" in files:
        import openpyxl
        import io

        try:
            openpyxl.load_workbook(io.BytesIO(files["summary.xlsx"]))
        except Exception as exc:  # noqa: BLE001
            problems.append(f"summary.xlsx does not open ({exc.__class__.__name__})")
    return problems


def left_behind(folder: Path) -> list[str]:
    """Staging folders, swapped-out folders and temporary files still there (none may stay after
    an error, SIGTERM or Ctrl-C; after SIGKILL the next run must sweep them)."""
    return [f"left behind: {t}" for t in transients(folder)] if folder.is_dir() else []


# ----------------------------------------------------------------------------- inputs


def roster(folder: Path, count: int) -> Path:
    path = folder / "roster.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["base", "id", "name"]] + [[str(SCHOOL), f"school-{i}", f"旭川市立テスト{i}小学校"] for i in range(count)])
    return path


def schools(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(POLICIES.glob("*.md")))
    for i in range(count):
        (folder / f"school-{i:02d}.md").write_text(f"{text}\n\n第{i}校。\n", encoding="utf-8")
    return folder


# ----------------------------------------------------------------------------- disk full


@contextmanager
def small_disk(base: Path, megabytes: float):
    """A folder on a full-able file system: a tmpfs of ``megabytes`` as root, else a plain
    folder with the ENOSPC fault armed through sitecustomize (environment returned)."""
    folder = Path(tempfile.mkdtemp(prefix=f"disk-{megabytes}-", dir=base))
    mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={int(megabytes * 1024)}k", "tmpfs", str(folder)],
                                                    capture_output=True).returncode == 0
    env = {}
    if not mounted:
        hook = base / "fault-hook"
        hook.mkdir(exist_ok=True)
        (hook / "sitecustomize.py").write_text(
            "import errno, os\n_real, _n = os.fsync, [0]\n_after = int(os.environ.get('POLICY_KIT_FAULT_ENOSPC_AFTER', '0'))\n"
            "def _fsync(fd):\n    _n[0] += 1\n    if _after and _n[0] > _after:\n        raise OSError(errno.ENOSPC, 'No space left on device')\n"
            "    return _real(fd)\nos.fsync = _fsync\n", encoding="utf-8")
        env = {"PYTHONPATH": str(hook), "POLICY_KIT_FAULT_ENOSPC_AFTER": str(max(1, int(megabytes * 2)))}
    try:
        yield folder, env, ("tmpfs" if mounted else "patched fsync")
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=False)


def disk_full(tally: Tally, base: Path, env: dict) -> None:
    for megabytes in (0.3, 1.0, 2.5):
        with small_disk(base, megabytes) as (disk, fault, how):
            done = subprocess.run([KIT, "generate", str(SCHOOL), "-o", str(disk / "out"), "--format", "both"], capture_output=True,
                                  text=True, env={**env, **fault}, timeout=300)
            problems = school_problems(disk / "out", ("html", "pdf")) + left_behind(disk)
            if done.returncode == 2 and "disk is full" not in done.stderr:
                problems.append("exit 2 without 'disk is full'")
            tally.record(f"disk full ({how}, {megabytes} MB): generate", done.returncode, done.stderr, problems)
        with small_disk(base, megabytes) as (disk, fault, how):
            done = subprocess.run([KIT, "roster", str(roster(base, 4)), "-o", str(disk / "out"), "--jobs", "2", "--format", "html",
                                   "--no-progress"], capture_output=True, text=True, env={**env, **fault}, timeout=300)
            tally.record(f"disk full ({how}, {megabytes} MB): roster", done.returncode, done.stderr,
                         school_problems(disk / "out") + left_behind(disk))
        with small_disk(base, megabytes) as (disk, fault, how):
            out = disk / "report"
            done = subprocess.run([KIT, "audit", str(schools(base / "schools", 6)), "-o", str(out), "--cache-dir", str(base / "cache"),
                                   "--jobs", "2", "--no-progress"], capture_output=True, text=True, env={**env, **fault}, timeout=600)
            tally.record(f"disk full ({how}, {megabytes} MB): audit", done.returncode, done.stderr,
                         report_problems(out, None, pdf=True) + left_behind(disk))


# ----------------------------------------------------------------------------- kill mid-run


def killed(tally: Tally, base: Path, env: dict, rng: random.Random, rounds: int) -> None:
    """Each round: a roster and an audit, each stopped once by Ctrl-C (SIGINT to the process
    group, as a terminal sends it), SIGTERM and SIGKILL at a random moment."""
    for round_ in range(rounds):
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            name = signal.Signals(signum).name
            delay = rng.uniform(1.0, 8.0)
            out = base / f"roster-{round_}-{name}"
            command = Watched("roster", roster(base, 6), "-o", out, "--jobs", "2", "--format", "html", "--no-progress", env=env)
            code, err, orphans, problems = _kill_after(command, signum, delay, tally)
            problems += school_problems(out) + (left_behind(out) if signum != signal.SIGKILL else [])
            problems += _next_run_sweeps(["roster", roster(base, 6), "-o", out, "--jobs", "2", "--format", "html", "--no-progress", "--force"],
                                         out, env)
            tally.record(f"kill -{name[3:]} after {delay:.1f} s: roster", code, err, problems, orphans)

            delay = rng.uniform(2.0, 14.0)
            out = base / f"report-{round_}-{name}"
            out.mkdir()
            (out / "index.html").write_text("earlier", encoding="utf-8")
            earlier = {"index.html": b"earlier"}
            audit = ["audit", schools(base / f"schools-{round_}-{name}", 12), "-o", out, "--cache-dir", base / f"cache-{round_}-{name}",
                     "--jobs", "2", "--no-progress"]
            code, err, orphans, problems = _kill_after(Watched(*audit, env=env), signum, delay, tally)
            problems += report_problems(out, earlier, pdf=True) + (left_behind(out) if signum != signal.SIGKILL else [])
            problems += _next_run_sweeps(audit, out, env, report=True)
            tally.record(f"kill -{name[3:]} after {delay:.1f} s: audit", code, err, problems, orphans)


def _kill_after(command: Watched, signum: int, delay: float, tally: Tally) -> tuple[int, str, list[str], list[str]]:
    """Signal the command after ``delay`` s; return exit code, stderr, orphans and problems (a
    wrong exit code after Ctrl-C or SIGTERM: 130 and 143 are expected)."""
    problems = []
    end = time.monotonic() + delay
    try:
        while time.monotonic() < end and command.proc.poll() is None:
            command.seen |= descendants(command.proc.pid)
            time.sleep(0.05)
        if command.proc.poll() is None:
            code, seconds, err = command.signal(signum, group=signum == signal.SIGINT)
            if signum != signal.SIGKILL:
                tally.stop_seconds.append(seconds)
                if code != 128 + signum:
                    problems.append(f"exit {code} instead of {128 + signum}")
        else:
            code, err = command.proc.returncode, command.proc.stderr.read().decode("utf-8", "replace")
    finally:
        command.kill()
    return code, err, command.survivors(), problems


def _next_run_sweeps(args: list, out: Path, env: dict, report: bool = False) -> list[str]:
    """After SIGKILL a hidden staging folder may stay; the next run on the output must remove it."""
    if not transients(out):
        return []
    done = subprocess.run([KIT, *map(str, args)], capture_output=True, text=True, env={**os.environ, **env}, timeout=600)
    left = transients(out)
    problems = [f"the next run left {left}"] if left else []
    if report:
        problems += report_problems(out, None, pdf=True)
    else:
        problems += school_problems(out)
    if "Traceback" in done.stderr:
        problems.append("the next run printed a traceback")
    if done.returncode not in (0, 1):
        problems.append(f"the next run ended with {done.returncode}: {done.stderr.strip()[-300:]}")
    return problems


# ----------------------------------------------------------------------------- concurrent runs


def concurrent(tally: Tally, base: Path, env: dict) -> None:
    other = base / "other.yaml"
    other.write_text(SCHOOL.read_text(encoding="utf-8").replace("はるにれ", "べつの"), encoding="utf-8")
    cases = {
        "two generates of one school": [["generate", SCHOOL, "-o", base / "same", "--format", "html"]] * 2,
        "two generates sharing an id": [["generate", SCHOOL, "-o", base / "shared", "--format", "html"],
                                        ["generate", other, "-o", base / "shared", "--format", "html"]],
        "two rosters into one folder": [["roster", roster(base, 4), "-o", base / "rosters", "--jobs", "2", "--format", "html", "--no-progress"]] * 2,
        "two audits into one folder": [["audit", schools(base / "c-schools", 6), "-o", base / "reports", "--no-cache", "--jobs", "2",
                                        "--no-pdf", "--no-progress"]] * 2,
    }
    for name, commands in cases.items():
        runs = [subprocess.Popen([KIT, *map(str, c)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env={**os.environ, **env}) for c in commands]
        results = [(r.wait(timeout=600), r.stderr.read()) for r in runs]
        folder = Path(commands[0][commands[0].index("-o") + 1])
        problems = left_behind(folder)
        if name.startswith("two audits"):
            problems += report_problems(folder, None, pdf=False)
        else:
            problems += school_problems(folder)
            for school in (p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
                owner = (school / ".school").read_text(encoding="utf-8").strip()
                if not all(owner in (school / f"{d}.html").read_text(encoding="utf-8") for d in DOCS):
                    problems.append(f"{school.name}/ mixes two schools")
        for code, err in results:
            if code == 2 and not any(m in err for m in ("another policy-kit run", "exist already", "another school")):
                problems.append(f"refused without a clear message: {err.strip()[:160]}")
        codes = sorted(code for code, _ in results)
        tally.record(f"concurrent: {name} (exits {codes})", codes[-1], "".join(err for _, err in results), problems)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2, help="kill rounds (each: roster and audit, SIGTERM and SIGKILL)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--only", choices=["disk", "kill", "concurrent"], action="append", help="run only these parts (repeatable)")
    args = parser.parse_args()
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="policy-kit-faults-") as tmp:
        base = Path(tmp)
        env = {"XDG_CACHE_HOME": str(base / "xdg"), "POLICY_KIT_DEBUG": ""}
        parts = args.only or ["disk", "kill", "concurrent"]
        if "disk" in parts:
            disk_full(tally, base, {**os.environ, **env})
        if "kill" in parts:
            killed(tally, base, env, random.Random(args.seed), args.rounds)
        if "concurrent" in parts:
            concurrent(tally, base, env)
    summary = (f"{tally.runs} runs: {len(tally.partial)} partial outputs, {len(tally.orphans)} orphaned workers, "
               f"{len(tally.tracebacks)} tracebacks")
    if tally.stop_seconds:
        import statistics

        print(f"stopped by Ctrl-C/SIGTERM: {len(tally.stop_seconds)} runs, exit after median {statistics.median(tally.stop_seconds):.2f} s, "
              f"at most {max(tally.stop_seconds):.2f} s")
    for problem in tally.partial + tally.orphans + tally.tracebacks:
        print("  " + problem.replace("\n", " ")[:300])
    print(summary)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"summary": summary, "runs": tally.lines, "partial": tally.partial, "orphans": tally.orphans,
                                         "tracebacks": tally.tracebacks}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    sys.exit(0 if not (tally.partial or tally.orphans or tally.tracebacks) else 1)


if __name__ == "__main__":
    main()
