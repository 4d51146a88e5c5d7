"""A second round of hostile input and faults (issue 14): one test per defect, on real files made
here, through the command line. Nothing escapes the output folder, nothing hangs, nothing is
half-written, and input at fault is exit 2 with the file (and line) — never a traceback or exit 3.

The signal tests run real `policy-kit` processes (marked `signals`; a few seconds each)."""
from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import CORPUS
from conftest import run as _run
from proctree import KIT, Watched

POLICIES = CORPUS / "policies"
SCHOOL = CORPUS / "schools" / "harunire-es.yaml"
COMPLETE = POLICIES / "complete-elementary.md"
INCOMPLETE = POLICIES / "missing-police-and-pdca.md"


def assert_input_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def listing(folder: Path) -> list[str]:
    """Every path below ``folder`` (hidden ones too), relative, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def run(runner, *args, **kwargs):
    """The CLI with English messages: these tests assert the developers' wording (the Japanese
    messages are asserted in test_japanese.py and test_reports_ja.py)."""
    return _run(runner, "--lang", "en", *args, **kwargs)


def kit(*args, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """policy-kit as a real process (for inputs that could hang it: a timeout is a failure)."""
    return subprocess.run([KIT, "--lang", "en", *map(str, args)], capture_output=True, text=True, timeout=timeout, **kwargs)


def school_folder(root: Path, names: dict[str, Path]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, source in names.items():
        shutil.copy(source, root / name)
    return root


# ============================================================================ 1. ids and paths


@pytest.mark.parametrize("bad_id", ["../../escaped", "/tmp/absolute", "..", "Upper", "a b", "a\x01b", "a\x00b", "x" * 64, "ｘ"])
def test_roster_ids_that_are_not_plain_names_are_refused_before_anything_is_written(runner, tmp_path, bad_id):
    folder = school_folder(tmp_path / "in", {"a.md": COMPLETE})
    roster = tmp_path / "roster.csv"
    roster.write_text(f'path,id,name\na.md,"{bad_id}",旭川市立A小学校\n', encoding="utf-8")
    out = tmp_path / "deep" / "report"
    result = run(runner, "audit", folder, "-o", out, "--roster", roster, "--no-cache", "--no-pdf")
    assert_input_error(result, "roster.csv")
    assert listing(tmp_path / "deep") == [] and sorted(p.name for p in tmp_path.iterdir()) == ["in", "roster.csv"]


def test_roster_ids_must_be_unique(runner, tmp_path):
    folder = school_folder(tmp_path / "in", {"a.md": COMPLETE, "b.md": INCOMPLETE})
    roster = tmp_path / "roster.csv"
    roster.write_text("path,id,name\na.md,same-id,A校\nb.md,same-id,B校\n", encoding="utf-8")
    result = run(runner, "audit", folder, "-o", tmp_path / "r", "--roster", roster, "--no-cache", "--no-pdf")
    assert_input_error(result, "rows 2 and 3 both use the id 'same-id'")
    assert listing(tmp_path / "r") == []


def test_file_names_that_normalise_to_one_id_get_a_letter_each(runner, tmp_path):
    folder = school_folder(tmp_path / "in", {"x.md": COMPLETE, "x.txt": INCOMPLETE, "x-2.md": INCOMPLETE, "X.md": COMPLETE})
    out = tmp_path / "r"
    result = run(runner, "audit", folder, "-o", out, "--no-cache", "--no-pdf")
    assert result.exit_code == 1, result.output
    ids = [s["id"] for s in json.loads((out / "summary.json").read_text(encoding="utf-8"))["schools"]]
    assert len(ids) == 4 and len({i.casefold() for i in ids}) == 4
    assert sorted(p.name for p in (out / "schools").iterdir()) == sorted(f"{i}.html" for i in ids)


@pytest.fixture(scope="module")
def odd_names(tmp_path_factory) -> Path:
    """Schools whose file names hold control characters, a tab, a newline and bytes that are not UTF-8."""
    folder = tmp_path_factory.mktemp("odd") / "in"
    folder.mkdir()
    for name in ("a\x01b\x1bc.md", "tab\there.md", "new\nline.md", "del\x7f.md"):
        shutil.copy(COMPLETE, folder / name)
    shutil.copy(INCOMPLETE, os.path.join(os.fsencode(folder), b"\xff\xfe-sjis.md"))
    return folder


def test_control_characters_and_undecodable_names_never_abort_an_audit(runner, odd_names, tmp_path):
    out = tmp_path / "r"
    result = run(runner, "audit", odd_names, "-o", out, "--no-cache", "--no-pdf")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert len(data["schools"]) == 5 and sum(s["passes"] for s in data["schools"]) == 4
    for school in data["schools"]:
        assert not re.search(r"[\x00-\x1f\x7f]", school["name"]) and (out / "schools" / f"{school['id']}.html").is_file()
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(out / "summary.xlsx")
    assert book["一覧"].max_row == 2 + 5
    assert "\ufffd-sjis" in (out / "index.html").read_text(encoding="utf-8")


def test_control_characters_in_a_file_name_give_junit_that_parses(runner, odd_names, tmp_path):
    target = tmp_path / "report.xml"
    result = run(runner, "check", odd_names / "a\x01b\x1bc.md", "--format", "junit", "-o", target)
    assert result.exit_code == 0, result.output
    suite = ElementTree.parse(target).getroot().find("testsuite")
    assert suite is not None and "abc.md" in suite.get("name") and len(suite.findall("testcase")) == 30


def test_every_output_path_is_proved_to_stay_inside_its_folder(tmp_path):
    from policy_kit.audit.reports import letter_path
    from policy_kit.errors import InputError, OutputError
    from policy_kit.outputs import inside

    root = tmp_path / "out"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "link").symlink_to(outside)
    assert inside(root, "schools", "a.html") == root / "schools" / "a.html"
    for parts in (("..",), ("a/b",), ("/etc",), ("x\x00",), ("",), ("link", "f.html"), ("é" * 200,)):
        with pytest.raises(OutputError):
            inside(root, *parts)
    for school_id in ("../x", "A", "", "a" * 64):
        with pytest.raises(InputError):
            letter_path(root, school_id, "html")


def test_a_symlinked_letters_folder_is_replaced_not_followed(runner, tmp_path):
    folder = school_folder(tmp_path / "in", {"a.md": COMPLETE})
    out, outside = tmp_path / "r", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "schools").symlink_to(outside)
    result = run(runner, "audit", folder, "-o", out, "--no-cache", "--no-pdf", "--force")  # not an earlier report
    assert result.exit_code == 0, result.output
    assert listing(outside) == [] and not (out / "schools").is_symlink() and (out / "schools" / "a.html").is_file()


def test_a_symlinked_school_folder_is_refused(runner, tmp_path):
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "harunire-es").symlink_to(outside)
    result = run(runner, "generate", SCHOOL, "-o", out, "--format", "html", "--force")
    assert_input_error(result, "harunire-es", "leads outside the output folder")
    assert listing(outside) == []


# ============================================================================ 2. formula injection

FORMULAS = ["=HYPERLINK(1)", "+cmd", "-2+3", "@SUM(1)", "\tTAB", "\rCR", "＝1+1"]


@pytest.fixture(scope="module")
def formula_audit(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    base = tmp_path_factory.mktemp("formula")
    folder = base / "in"
    folder.mkdir()
    for i, name in enumerate(["=HYPERLINK(1)", "+cmd", "-2+3", "@SUM(1)"]):
        shutil.copy(COMPLETE if i % 2 else INCOMPLETE, folder / f"{name}.md")
    (folder / "quoted.md").write_text("=cmd|' /C calc'!A0 は学校の文書ではない。\n" + COMPLETE.read_text(encoding="utf-8"), encoding="utf-8")
    roster = base / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["path", "id", "name", "kind"], ["quoted.md", "quoted", "@ロスターの名前", "＝1+1"]])
    out = base / "report"
    result = run(CliRunner(), "audit", folder, "-o", out, "--roster", roster, "--no-cache", "--no-pdf")
    assert result.exit_code == 1, result.output
    return out


def test_csv_cells_that_would_start_a_formula_are_prefixed(formula_audit):
    rows = list(csv.reader(io.StringIO((formula_audit / "summary.csv").read_text(encoding="utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r", "＝"))]
    names = {row[0]: row[1] for row in rows[1:]}
    assert names["hyperlink-1"] == "'=HYPERLINK(1)" and names["cmd"] == "'+cmd" and names["sum-1"] == "'@SUM(1)"
    assert names["quoted"] == "'@ロスターの名前" and "'＝1+1" in cells


@pytest.mark.parametrize("value, csv_value", [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"),
                                              ("\rx", "'\rx"), ("＠x", "'＠x"), ("a=1", "a=1"), ("あ\x01い", "あい"), (3, 3)])
def test_cells_escape_what_a_spreadsheet_would_evaluate(value, csv_value):
    from policy_kit.audit import cells

    assert cells.csv_cell(value) == csv_value
    assert cells.is_formula_like(value) == (csv_value != value and isinstance(value, str) and not value.startswith("あ"))


def test_xlsx_cells_that_would_start_a_formula_are_text(formula_audit):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(formula_audit / "summary.xlsx")
    risky = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t", "\r", "＝"))]
    assert len(risky) >= 8  # names, file names and the evidence of the quoted school
    for cell in risky:
        assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)
    with zipfile.ZipFile(formula_audit / "summary.xlsx") as archive:
        sheets = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets  # not one formula in the workbook


# ============================================================================ 3. damaged DOCX


def _docx() -> bytes:
    import docx

    document = docx.Document()
    for line in COMPLETE.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _damaged(kind: str) -> bytes:
    data = _docx()
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw = bytearray(data)
    if kind == "corrupt-deflate":
        raw[start + 10:start + 60] = b"\xff" * 50
    elif kind == "bad-end-of-archive":
        end = data.rfind(b"PK\x05\x06")
        raw[end + 10:end + 20] = b"\xff" * 10
    elif kind == "truncated-member":
        raw = raw[: start + info.compress_size // 2] + raw[start + info.compress_size:]
    elif kind == "encryption-flag":
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = data.find(signature)
            while at >= 0:
                raw[at + offset] |= 1
                at = data.find(signature, at + 4)
    elif kind == "password-protected":
        raw = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    return bytes(raw)


DAMAGED = {"corrupt-deflate": "damaged", "bad-end-of-archive": "not a zip archive", "truncated-member": "damaged",
           "encryption-flag": "encrypted", "password-protected": "password-protected"}


@pytest.mark.parametrize("kind", DAMAGED)
def test_a_damaged_docx_is_an_input_error_in_check(runner, tmp_path, kind):
    path = tmp_path / "policy.docx"
    path.write_bytes(_damaged(kind))
    assert_input_error(run(runner, "check", path), "policy.docx", DAMAGED[kind])


def test_damaged_docx_files_are_unreadable_rows_and_are_cached(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for number, kind in enumerate(DAMAGED):
        (folder / f"school{number}.docx").write_bytes(_damaged(kind))
    shutil.copy(COMPLETE, folder / "good.md")
    cache = tmp_path / "cache"
    first = run(runner, "audit", folder, "-o", tmp_path / "r", "--cache-dir", cache, "--no-pdf")
    assert first.exit_code == 1 and f"{len(DAMAGED)} unreadable" in first.output, first.output
    schools = {s["id"]: s for s in json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))["schools"]}
    for number, (kind, fragment) in enumerate(DAMAGED.items()):
        school = schools[f"school{number}"]
        assert school["status"] == "unreadable" and fragment in school["reason"] and "internal" not in school["reason"], (kind, school)
    again = run(runner, "audit", folder, "-o", tmp_path / "r", "--cache-dir", cache, "--no-pdf")
    assert f"({len(DAMAGED) + 1} from cache)" in again.output, again.output


# ============================================================================ 4. signals (real processes)


def _long_schools(folder: Path, count: int) -> Path:
    """``count`` schools of ~35,000 characters each (all sample policies), each a little different."""
    folder.mkdir(parents=True)
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(POLICIES.glob("*.md")))
    for i in range(count):
        (folder / f"school-{i:02d}.md").write_text(f"{text}\n\n第{i}校の追記。\n", encoding="utf-8")
    return folder


def _clean_env(tmp_path: Path) -> dict:
    return {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "POLICY_KIT_DEBUG": ""}


EARLIER = ["index.html", "summary.json"]


def earlier_report(out: Path) -> None:
    """An earlier audit report in ``out`` (its summary.json makes it one: audit replaces it, and
    would refuse any other non-empty folder without --force)."""
    out.mkdir(exist_ok=True)
    (out / "index.html").write_text("the earlier report", encoding="utf-8")
    (out / "summary.json").write_text(json.dumps({"checklist": "asahikawa", "schools": []}), encoding="utf-8")


def _no_transients(folder: Path) -> list[str]:
    return [p for p in listing(folder) if ".pk-" in p or p.endswith(".tmp")]


@pytest.mark.signals
@pytest.mark.parametrize("signum, group, code", [(signal.SIGTERM, False, 143), (signal.SIGINT, True, 130)], ids=["sigterm", "ctrl-c"])
def test_a_signal_during_audit_analysis_stops_everything_and_keeps_finished_work(tmp_path, signum, group, code):
    folder = _long_schools(tmp_path / "in", 24)
    out, cache = tmp_path / "r", tmp_path / "cache"
    out.mkdir()
    earlier_report(out)
    command = Watched("audit", folder, "-o", out, "--cache-dir", cache, "--jobs", "2", "--no-pdf", "--no-progress", env=_clean_env(tmp_path))
    try:
        command.wait_until(lambda: len(list(cache.glob("*.json"))) >= 1)
        exit_code, seconds, err = command.signal(signum, group)
    finally:
        command.kill()
    assert exit_code == code, err
    assert seconds < 8, seconds  # workers stopped at once (SIGKILL after 5 s at most), not after the analysis
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert command.survivors() == []
    finished = list(cache.glob("*.json"))
    assert 1 <= len(finished) < 24 and all(json.loads(p.read_text(encoding="utf-8"))["status"] == "ok" for p in finished)
    assert listing(out) == EARLIER and (out / "index.html").read_text(encoding="utf-8") == "the earlier report"


@pytest.mark.signals
@pytest.mark.parametrize("signum, group, code", [(signal.SIGTERM, False, 143), (signal.SIGINT, True, 130)], ids=["sigterm", "ctrl-c"])
def test_a_signal_while_letters_are_written_leaves_the_earlier_report(tmp_path, runner, signum, group, code):
    folder = _long_schools(tmp_path / "in", 8)
    out, cache = tmp_path / "r", tmp_path / "cache"
    warm = run(runner, "audit", folder, "-o", tmp_path / "warm", "--cache-dir", cache, "--no-pdf", "--jobs", "2")
    assert warm.exit_code == 1, warm.output
    out.mkdir()
    earlier_report(out)
    command = Watched("audit", folder, "-o", out, "--cache-dir", cache, "--jobs", "2", "--no-progress", env=_clean_env(tmp_path))
    try:
        command.wait_until(lambda: any(out.glob(".report.pk-staging-*/schools/*.pdf")))
        exit_code, _, err = command.signal(signum, group)
    finally:
        command.kill()
    assert exit_code == code, err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert command.survivors() == []
    assert listing(out) == EARLIER and (out / "index.html").read_text(encoding="utf-8") == "the earlier report"


def _roster(tmp_path: Path, count: int) -> Path:
    roster = tmp_path / "roster.csv"
    rows = [["base", "id", "name"]] + [[str(SCHOOL), f"school-{i}", f"旭川市立テスト{i}小学校"] for i in range(count)]
    with roster.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return roster


def _complete_school_folders(out: Path) -> list[str]:
    """Every school folder in ``out``; each must hold all four documents and its marker."""
    folders = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    for name in folders:
        assert sorted(p.name for p in (out / name).iterdir()) == [".school", "leaflet.html", "policy.html", "program.html", "pupils.html"], name
    return folders


@pytest.mark.signals
@pytest.mark.parametrize("signum, group, code", [(signal.SIGTERM, False, 143), (signal.SIGINT, True, 130)], ids=["sigterm", "ctrl-c"])
def test_a_signal_during_a_roster_leaves_only_whole_schools(tmp_path, signum, group, code):
    out = tmp_path / "out"
    command = Watched("roster", _roster(tmp_path, 6), "-o", out, "--jobs", "2", "--format", "html", "--no-progress", env=_clean_env(tmp_path))
    try:
        command.wait_until(lambda: out.is_dir() and any(p.is_dir() and not p.name.startswith(".") for p in out.iterdir()))
        exit_code, seconds, err = command.signal(signum, group)
    finally:
        command.kill()
    assert exit_code == code and seconds < 8, (exit_code, seconds, err)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert command.survivors() == []
    done = _complete_school_folders(out)
    assert 1 <= len(done) < 6 and _no_transients(out) == []
    env = {**os.environ, **_clean_env(tmp_path)}
    again = kit("roster", _roster(tmp_path, 6), "-o", out, "--jobs", "2", "--format", "html", "--no-progress", env=env)
    refused = sorted(re.findall(r"out/(school-\d+): documents exist already", again.stderr))
    assert again.returncode == 2 and refused == done, again.stderr  # only whole schools stand in the way, none half-written


# ============================================================================ 5. limits on the work


def test_form_feeds_count_as_pages(runner, tmp_path):
    path = tmp_path / "feeds.txt"
    path.write_bytes("いじめ防止基本方針。".encode() + b"\f" * 2_000_000)
    assert_input_error(run(runner, "check", path), "feeds.txt", "more than 500 pages")


@pytest.mark.parametrize("kind", ["device", "symlink", "fifo"])
def test_a_special_file_as_the_policy_is_refused(runner, tmp_path, kind):
    path = tmp_path / "policy.txt"
    if kind == "device":
        path = Path("/dev/zero")
    elif kind == "symlink":
        path.symlink_to("/dev/zero")
    else:
        os.mkfifo(path)
    assert_input_error(run(runner, "check", path), "not a regular file")


SPECIAL_INPUTS = {
    "school input": lambda t, z: ("generate", z("school.yaml"), "-o", t / "o"),
    "roster": lambda t, z: ("roster", z("roster.csv"), "-o", t / "o"),
    "roster base": lambda t, z: ("roster", _base_roster(t, z("base.yaml")), "-o", t / "o"),
    "config": lambda t, z: ("check", COMPLETE, "--config", z("policy-kit.toml")),
    "audit roster": lambda t, z: ("audit", POLICIES, "-o", t / "o", "--roster", z("names.csv"), "--no-cache"),
    "earlier summary": lambda t, z: ("audit", POLICIES, "-o", t / "o", "--previous", _previous(t, z), "--no-cache"),
}


def _base_roster(tmp: Path, base: Path) -> Path:
    roster = tmp / "base-roster.csv"
    roster.write_text(f"base,id\n{base},x\n", encoding="utf-8")
    return roster


def _previous(tmp: Path, zero) -> Path:
    folder = tmp / "earlier"
    folder.mkdir()
    (folder / "summary.json").symlink_to("/dev/zero")
    return folder


@pytest.mark.parametrize("what", SPECIAL_INPUTS)
def test_a_device_as_any_other_input_is_refused_at_once(tmp_path, what):
    def zero(name: str) -> Path:
        link = tmp_path / name
        link.symlink_to("/dev/zero")
        return link

    result = kit(*SPECIAL_INPUTS[what](tmp_path, zero), timeout=60)  # reading /dev/zero would never end
    assert result.returncode in (1, 2) and "not a regular file" in result.stderr + result.stdout, result.stderr
    assert "Traceback" not in result.stderr
    assert result.returncode == 2 or what == "roster base"  # a bad row of a roster is that row's failure


# Patterns the load-time check (nested repetition) lets through, that backtrack for seconds on a
# line shorter than a sentence; each with such a line.
SLOW_PATTERNS = {
    "(a|aa)+$": "a" * 36 + "!",
    "(?:い|いい)*め$": "い" * 40 + "!",
    "(a{1,20}){1,20}$": "a" * 26 + "!",
    "a*a*a*a*b": "a" * 200,
    "(.*a){5}x": "a" * 100,
}


def _checklist_with(pattern: str) -> dict:
    return {
        "checklist": {"id": "t", "title": "t", "version": "1"},
        "concepts": {"c": {"patterns": [pattern]}},
        "requirements": [{"id": "r", "title": "t", "severity": "required", "source": "s", "why": "w", "fix": "f", "present": [{"all": ["c"]}]}],
    }


@pytest.mark.parametrize("pattern", SLOW_PATTERNS)
def test_a_checklist_pattern_that_backtracks_catastrophically_is_refused(runner, tmp_path, pattern):
    import yaml

    from policy_kit.check.checklist import parse_checklist

    parse_checklist(_checklist_with(pattern), "c.yaml")  # the load-time check alone does not catch it
    path = tmp_path / "slow.yaml"
    path.write_text(yaml.safe_dump(_checklist_with(pattern), allow_unicode=True), encoding="utf-8")
    assert_input_error(run(runner, "check", COMPLETE, "--checklist", path), "slow.yaml", "concepts.c.patterns[0]", "ways on one sentence")


def test_the_refused_patterns_really_take_seconds_on_a_short_line():
    """Each pattern searched over its line in a process of its own: none is done within 2 s."""
    processes = [subprocess.Popen([sys.executable, "-c", f"import re; re.search({p!r}, {line!r})"])
                 for p, line in SLOW_PATTERNS.items()]
    time.sleep(2)
    still_running = [p.poll() is None for p in processes]
    for process in processes:
        process.kill()
        process.wait()
    assert all(still_running), dict(zip(SLOW_PATTERNS, still_running))


def test_every_bundled_checklist_passes_the_backtracking_guard():
    from policy_kit.check.checklist import bundled_checklists
    from policy_kit.check.regexguard import guard_checklist

    for checklist in bundled_checklists():
        guard_checklist(checklist)


# ============================================================================ 6. all or nothing


def _fail_fsync_after(monkeypatch, calls: int, error: int = errno.ENOSPC):
    import policy_kit.atomic as atomic

    count = {"n": 0}
    real = os.fsync

    def fsync(fd):
        count["n"] += 1
        if count["n"] > calls:
            raise OSError(error, os.strerror(error))
        return real(fd)

    monkeypatch.setattr(atomic.os, "fsync", fsync)


def test_disk_full_mid_school_leaves_no_school_folder_and_keeps_the_earlier_one(runner, tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = run(runner, "generate", SCHOOL, "-o", out, "--format", "html")
    assert first.exit_code == 0, first.output
    before = {p.name: p.read_bytes() for p in (out / "harunire-es").iterdir()}
    _fail_fsync_after(monkeypatch, 2)
    result = run(runner, "generate", SCHOOL, "-o", out, "--format", "html", "--force")
    assert_input_error(result, "disk is full")
    assert {p.name: p.read_bytes() for p in (out / "harunire-es").iterdir()} == before and listing(out) == sorted(
        ["harunire-es"] + [f"harunire-es/{n}" for n in before])
    monkeypatch.undo()
    fresh = tmp_path / "fresh"
    _fail_fsync_after(monkeypatch, 2)
    assert_input_error(run(runner, "generate", SCHOOL, "-o", fresh, "--format", "html"), "disk is full")
    assert listing(fresh) == []


def test_a_write_failure_mid_report_keeps_the_earlier_report(runner, tmp_path, monkeypatch):
    folder = school_folder(tmp_path / "in", {"a.md": COMPLETE, "b.md": INCOMPLETE})
    out = tmp_path / "r"
    out.mkdir()
    earlier_report(out)
    (out / "summary.csv").write_text("earlier", encoding="utf-8")
    import policy_kit.atomic as atomic

    real = os.replace

    def letters_unwritable(src, dst):
        if "/schools/" in str(dst):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", letters_unwritable)
    result = run(runner, "audit", folder, "-o", out, "--no-cache", "--no-pdf", "--jobs", "1")
    assert_input_error(result, "permission denied")
    assert listing(out) == sorted([*EARLIER, "summary.csv"]) and (out / "index.html").read_text(encoding="utf-8") == "the earlier report"


def test_an_interrupted_school_does_not_block_the_next_run(runner, tmp_path, monkeypatch):
    import policy_kit.generate.documents as documents

    real = documents.html_to_pdf
    calls = {"n": 0}

    def interrupt_second(html, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(html, **kwargs)

    monkeypatch.setattr(documents, "html_to_pdf", interrupt_second)
    out = tmp_path / "out"
    stopped = run(runner, "generate", SCHOOL, "-o", out, "--format", "pdf", "--only", "policy", "--only", "leaflet")
    assert stopped.exit_code == 130 and listing(out) == []
    monkeypatch.undo()
    again = run(runner, "generate", SCHOOL, "-o", out, "--format", "pdf", "--only", "policy", "--only", "leaflet")
    assert again.exit_code == 0, again.output  # no --force needed: nothing was left behind
    assert sorted(p.name for p in (out / "harunire-es").iterdir()) == [".school", "leaflet.pdf", "policy.pdf"]


def test_a_file_name_near_255_bytes_can_be_written(runner, tmp_path):
    target = tmp_path / ("r" * 245 + ".json")
    result = run(runner, "check", INCOMPLETE, "--format", "json", "-o", target)
    assert result.exit_code == 1, result.output
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["required_missing"] > 0


def test_only_and_force_replace_some_documents_and_keep_the_others(runner, tmp_path):
    out = tmp_path / "out"
    assert run(runner, "generate", SCHOOL, "-o", out, "--format", "html").exit_code == 0
    leaflet = (out / "harunire-es" / "leaflet.html").read_bytes()
    (out / "harunire-es" / "policy.html").write_text("stale", encoding="utf-8")
    result = run(runner, "generate", SCHOOL, "-o", out, "--format", "html", "--only", "policy", "--force")
    assert result.exit_code == 0, result.output
    school = out / "harunire-es"
    assert (school / "leaflet.html").read_bytes() == leaflet and "stale" not in (school / "policy.html").read_text(encoding="utf-8")
    assert _no_transients(out) == []


def _hold_lock(folder: Path, name: str) -> subprocess.Popen:
    """Another process holding the output lock, as a concurrent run would."""
    code = ("import sys, time; from pathlib import Path; from policy_kit.outputs import OutputLock\n"
            f"with OutputLock(Path({str(folder)!r}), {name!r}):\n    print('locked', flush=True); time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_generate_of_the_same_school_is_refused_while_the_first_writes(tmp_path):
    out = tmp_path / "out"
    holder = _hold_lock(out, "harunire-es")
    try:
        result = kit("generate", SCHOOL, "-o", out, "--format", "html")
        result_ja = subprocess.run([KIT, "--lang", "ja", "generate", str(SCHOOL), "-o", str(out), "--format", "html"],
                                   capture_output=True, text=True, timeout=120)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2 and f"another policy-kit run (process {holder.pid}) is writing" in result.stderr, result.stderr
    assert result_ja.returncode == 2 and f"別の policy-kit の処理（プロセス番号 {holder.pid}）が" in result_ja.stderr, result_ja.stderr
    assert not (out / "harunire-es").exists()
    assert kit("generate", SCHOOL, "-o", out, "--format", "html").returncode == 0  # the lock died with its holder


def test_a_second_audit_into_the_same_folder_is_refused_at_once(tmp_path):
    out = tmp_path / "r"
    holder = _hold_lock(out, "report")
    try:
        result = kit("audit", POLICIES, "-o", out, "--no-cache", "--no-pdf")
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2 and "is writing the report folder" in result.stderr, result.stderr
    assert [p for p in listing(out) if not p.endswith("pk-lock")] == []


def test_concurrent_generates_of_two_schools_sharing_an_id_never_mix(tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(SCHOOL.read_text(encoding="utf-8").replace("はるにれ", "べつの"), encoding="utf-8")
    out = tmp_path / "out"
    runs = [subprocess.Popen([KIT, "--lang", "en", "generate", str(path), "-o", str(out), "--format", "html"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for path in (SCHOOL, other)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in runs]
    assert sorted(code for code, _ in results) == [0, 2], results
    refused = next(err for code, err in results if code == 2)
    assert "another policy-kit run" in refused or "already holds documents of another school" in refused, refused
    school = out / "harunire-es"
    owner = (school / ".school").read_text(encoding="utf-8").strip()
    for page in ("policy.html", "leaflet.html", "program.html", "pupils.html"):
        assert owner in (school / page).read_text(encoding="utf-8")
    assert _no_transients(out) == []


# ============================================================================ 7. input errors: exit 2 with file and line


def _school_with(tmp_path: Path, old: str, new: str) -> Path:
    text = SCHOOL.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "school.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, fragment: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if fragment in line)


@pytest.mark.parametrize("old, new, expect", [
    ("revised: 2026-04-01", "revised: 2025-13-45", "not a valid date (month must be in 1..12)"),
    ("established: 2014-04-01", "established: !!timestamp 2020-02-30", "not a valid date (day is out of range for month)"),
    ("fiscal_year: 2026", "fiscal_year: !!int abc", "not a valid whole number"),
    ("fiscal_year: 2026", "fiscal_year: " + "9" * 5000, "not a valid whole number"),
    ("fiscal_year: 2026", "fiscal_year: !!float nope", "not a valid number"),
    ("fiscal_year: 2026", "fiscal_year: !!bool maybe", "not a valid true/false value"),
], ids=["impossible-date", "timestamp-tag", "int-tag", "huge-integer", "float-tag", "bool-tag"])
def test_impossible_dates_and_numbers_name_the_file_and_line(runner, tmp_path, old, new, expect):
    path = _school_with(tmp_path, old, new)
    bad = new.split(" ")[-1][:20]
    result = run(runner, "generate", path, "--check-only")
    assert_input_error(result, "school.yaml", f"line {_line_of(path, bad)}", expect)


@pytest.mark.parametrize("expires", ["2026-09-30T10:00:00", "2026-09-30 10:00:00+09:00", "10:00:00"])
def test_a_waiver_expiry_with_a_time_is_an_error_with_its_line(runner, tmp_path, expires):
    config = tmp_path / "policy-kit.toml"
    config.write_text(f'checklist = "asahikawa"\n\n[[waivers]]\nid = "police-referral"\nreason = "協議中"\nexpires = {expires}\n', encoding="utf-8")
    assert_input_error(run(runner, "check", INCOMPLETE, "--config", config), "policy-kit.toml", "waivers[0] (police-referral) (line 6)",
                       "expires must be a date without a time")


def test_an_impossible_toml_date_is_an_error_with_its_line(runner, tmp_path):
    config = tmp_path / "policy-kit.toml"
    config.write_text('[[waivers]]\nid = "police-referral"\nreason = "x"\nexpires = 2026-02-30\n', encoding="utf-8")
    assert_input_error(run(runner, "check", INCOMPLETE, "--config", config), "policy-kit.toml", "line 4")


def test_a_file_where_the_school_folder_should_be(runner, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "harunire-es").write_text("not a folder", encoding="utf-8")
    assert_input_error(run(runner, "generate", SCHOOL, "-o", out, "--format", "html"), "harunire-es", "not a folder")
    assert (out / "harunire-es").read_text(encoding="utf-8") == "not a folder"


def test_a_school_folder_that_cannot_be_listed_is_that_school_s_row(runner, tmp_path, monkeypatch):
    folder = school_folder(tmp_path / "in", {"a.md": COMPLETE})
    locked = folder / "locked"
    locked.mkdir()
    shutil.copy(COMPLETE, locked / "policy.md")
    real = Path.iterdir

    def iterdir(self):
        if self == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)  # as root, chmod 000 does not stop reading
    cache = tmp_path / "cache"
    for attempt in range(2):
        result = run(runner, "audit", folder, "-o", tmp_path / "r", "--cache-dir", cache, "--no-pdf")
        assert result.exit_code == 1 and "1 unreadable" in result.output, result.output
        assert "(1 from cache)" in result.output if attempt else "(0 from cache)" in result.output
    school = next(s for s in json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))["schools"] if s["id"] == "locked")
    assert school["reason"] == "cannot list the folder: Permission denied" and "読み取り権限" in school["reason_ja"]


@pytest.mark.parametrize("content, expect", [
    (b'{"schools": [\n  {"id": "a",\n', "JSON syntax error at line 3"),
    (b'{"schools": 5}', "has no list of schools"),
    (b'{"schools": [{"id": "a", "status": "ok", "report": {"requirements": [{"id": "x", "status": "bogus"}]}}]}', "requirements[0] has no id or no known status"),
    (b'{"schools": [{"name": "no id"}]}', "schools[0] has no id"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
], ids=["syntax", "schools-not-a-list", "unknown-status", "no-id", "not-utf8", "deep"])
def test_a_malformed_earlier_summary_is_an_input_error(runner, tmp_path, content, expect):
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "summary.json").write_bytes(content)
    folder = school_folder(tmp_path / "in", {"a.md": COMPLETE})
    result = run(runner, "audit", folder, "-o", tmp_path / "r", "--previous", earlier, "--no-cache", "--no-pdf")
    assert_input_error(result, "summary.json", expect)
    assert listing(tmp_path / "r") == []


@pytest.mark.parametrize("entry", [
    b"{}",
    b'{"status": "ok", "report": {"requirements": [{"id": "x"',
    b'{"status": "ok", "report": {"requirements": [{"id": "police-referral"}], "summary": {}}}',
    b'{"status": "ok", "report": {"requirements": [], "summary": {"required_missing": 0}}}',
    b'[1, 2]',
    b'{"status": "unreadable"}',
], ids=["empty", "truncated", "other-version", "no-key", "list", "no-reason"])
def test_a_bad_cache_entry_is_ignored_and_rewritten(runner, tmp_path, entry):
    folder = school_folder(tmp_path / "in", {"a.md": INCOMPLETE})
    cache = tmp_path / "cache"
    first = run(runner, "audit", folder, "-o", tmp_path / "r1", "--cache-dir", cache, "--no-pdf")
    assert first.exit_code == 1, first.output
    [path] = cache.glob("*.json")
    path.write_bytes(entry)
    for attempt in range(2):
        result = run(runner, "audit", folder, "-o", tmp_path / f"r{attempt + 2}", "--cache-dir", cache, "--no-pdf")
        assert result.exit_code == 1 and "1 miss a required item" in result.output, result.output
        assert f"({attempt} from cache)" in result.output  # the bad entry is a miss, then it is written anew
    assert json.loads(path.read_text(encoding="utf-8"))["key"] == path.stem


# ============================================================================ 8. smaller ones


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom"])
def test_utf16_with_a_byte_order_mark_is_text(runner, tmp_path, encoding):
    text = COMPLETE.read_text(encoding="utf-8")
    data = text.encode("utf-16") if encoding == "utf-16" else b"\xfe\xff" + text.encode("utf-16-be")
    path = tmp_path / "policy.txt"
    path.write_bytes(data)
    plain = tmp_path / "plain.txt"
    plain.write_text(text, encoding="utf-8")
    as_utf16 = json.loads(run(runner, "check", path, "--format", "json").output)
    as_utf8 = json.loads(run(runner, "check", plain, "--format", "json").output)
    assert [(r["id"], r["status"]) for r in as_utf16["requirements"]] == [(r["id"], r["status"]) for r in as_utf8["requirements"]]


def test_a_school_marker_that_is_a_link_is_not_read(runner, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT", encoding="utf-8")
    school = tmp_path / "out" / "harunire-es"
    school.mkdir(parents=True)
    (school / ".school").symlink_to(secret)
    result = run(runner, "generate", SCHOOL, "-o", tmp_path / "out", "--format", "html", "--force")
    assert_input_error(result, ".school is not a file policy-kit wrote")
    assert "SECRET" not in result.output


def test_an_unknown_waiver_id_names_the_configuration_file(runner, tmp_path):
    config = tmp_path / "policy-kit.toml"
    config.write_text('[[waivers]]\nid = "police-refferal"\nreason = "x"\n', encoding="utf-8")
    assert_input_error(run(runner, "check", INCOMPLETE, "--config", config), f"{config}: waivers: unknown requirement id 'police-refferal'",
                       "did you mean 'police-referral'")


def test_an_escaped_lone_surrogate_in_yaml_names_its_line(runner, tmp_path):
    """「"\\ud800"」 in a double-quoted YAML string is a character no UTF-8 output can hold (found by
    the fuzzing of test_fuzz.py): refused with its line, in Japanese by default."""
    text = SCHOOL.read_text(encoding="utf-8").replace("fiscal_year: 2026", 'fiscal_year: "\\ud800\\udc00"', 1)
    assert '"\\ud800' in text
    path = tmp_path / "school.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "ud800" in l)
    result = _run(runner, "generate", path, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{line}行目: 「\\u…」の書き方で、文字として使えない値（サロゲート）が書かれています" in result.output
    assert not (tmp_path / "out").exists()
