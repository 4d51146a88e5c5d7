"""Property-based fuzzing (hypothesis) of the readers, the YAML and TOML loaders and the checklist
pattern guard. Examples are bounded so that the suite stays quick; HYPOTHESIS_PROFILE=thorough
(tests/conftest.py) runs thousands. The property everywhere: a value, or our own error naming the
file — never another exception."""
from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import CORPUS
from policy_kit import safeyaml, yamlscalars  # noqa: F401 - every YAML user of policy-kit loads with the checked scalars
from policy_kit.check.document import Limits
from policy_kit.errors import InputError, UnreadableDocument

COMPLETE = CORPUS / "policies" / "complete-elementary.md"
SCHOOL = CORPUS / "schools" / "harunire-es.yaml"
SMALL = Limits(max_pages=50, max_text_chars=200_000)
EXAMPLES = max(80, settings.default.max_examples) if settings.default.max_examples >= 1000 else 80  # the "thorough" profile: thousands
QUICK = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("いじめ防止基本方針", 1)
    for line in COMPLETE.read_text(encoding="utf-8").splitlines()[:40]:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "4月"
    table.cell(0, 1).text = "学級開き"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


DOCX = _docx()
MEMBERS = {name: zipfile.ZipFile(io.BytesIO(DOCX)).read(name) for name in zipfile.ZipFile(io.BytesIO(DOCX)).namelist()}


def mutate(data: bytes, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    raw = bytearray(data)
    for position, value in edits:
        raw[position % len(raw)] = value
    return bytes(raw[:cut] if cut else raw)


edits = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=24)


@QUICK
@given(edits=edits, cut=st.none() | st.integers(1, len(DOCX)))
def test_docx_reader_on_damaged_archives(edits, cut):
    from policy_kit.check.readers.docx import read_docx

    try:
        read_docx(Path("x.docx"), mutate(DOCX, edits, cut), SMALL)
    except UnreadableDocument as exc:
        assert exc.path == "x.docx"


@QUICK
@given(edits=edits, member=st.sampled_from(sorted(MEMBERS)))
def test_docx_reader_on_damaged_xml_in_a_sound_archive(edits, member):
    """The zip is sound; one part's XML is damaged (what a broken Word export does)."""
    from policy_kit.check.readers.docx import read_docx

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in MEMBERS.items():
            archive.writestr(name, mutate(data, edits, None) if name == member else data)
    try:
        read_docx(Path("x.docx"), buffer.getvalue(), SMALL)
    except UnreadableDocument as exc:
        assert exc.path == "x.docx"


html_fragments = st.lists(st.sampled_from(["<html>", "<body>", "<main>", "</main>", "<h1>", "</h1>", "<p>", "</p>", "<table><tr><td>",
                                           "</td></tr></table>", "<ol><li>", "</li></ol>", "<script>", "</script>", "<!--", "-->",
                                           "<meta charset='shift_jis'>", "<meta charset='nope'>", "&#0;", "&#xD800;", "&bogus;", "<![CDATA[",
                                           "いじめ防止の方針。", "警察に相談する。", "\x00", "\ufeff", "<br>", "<div>" * 50]), max_size=40)


@QUICK
@given(parts=html_fragments, encoding=st.sampled_from(["utf-8", "cp932", "utf-16"]))
def test_html_reader_on_broken_markup(parts, encoding):
    from policy_kit.check.readers.html import read_html

    data = "".join(parts).encode(encoding, errors="replace")
    try:
        read_html(Path("x.html"), data)
    except UnreadableDocument as exc:
        assert exc.path == "x.html"


@QUICK
@given(data=st.binary(max_size=4000) | st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")),
       suffix=st.sampled_from([".txt", ".md"]))
def test_text_reader_on_any_bytes(data, suffix):
    from policy_kit.check.readers.text import read_text

    try:
        read_text(Path("x" + suffix), data, SMALL)
    except UnreadableDocument as exc:
        assert exc.path == "x" + suffix


@pytest.fixture(scope="module")
def small_pdf() -> bytes:
    from policy_kit.render import html_to_pdf

    return html_to_pdf("<html lang=ja><body><h1>いじめ防止基本方針</h1><p>本校は警察と連携する。</p></body></html>", pdf_variant=None)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(edits=edits, cut=st.none() | st.integers(1, 20_000))
def test_pdf_reader_on_damaged_files(small_pdf, edits, cut):
    from policy_kit.check.readers import read_bytes

    try:
        read_bytes(mutate(small_pdf, edits, cut), "x.pdf", SMALL)
    except UnreadableDocument as exc:
        assert exc.path == "x.pdf"


# ----------------------------------------------------------------------------- YAML


yaml_tokens = st.sampled_from(["a: ", "b:\n", "  - ", "- ", "\n", "  ", "!!int ", "!!float ", "!!bool ", "!!timestamp ", "!!binary ",
                               "!!set ", "!!omap ", "!!str ", "!!null ", "!!python/object:os.system ", "!<tag:x> ", "&x ", "*x ",
                               "2025-13-45", "2020-02-30", "2026-04-01", "2026-04-01T25:61:00", "9" * 30, "1e400", "0x", "0o9", "abc",
                               "[", "]", "{", "}", ",", "'", '"', "? ", "|\n", ">\n", "---\n", "...\n", "%YAML 1.1\n", "#", "\t",
                               "いじめ", "：", "\u3000", "\x85", "\ufeff"])


@QUICK
@given(st.lists(yaml_tokens, max_size=40).map("".join))
def test_yaml_loader_on_hostile_text(text):
    for marked in (False, True):
        try:
            safeyaml.load_text(text, "x.yaml", marked=marked)
        except InputError as exc:
            assert exc.path == "x.yaml"


scalars = st.one_of(st.text(max_size=30), st.integers(-10**30, 10**30), st.booleans(), st.none(), st.floats(allow_nan=True),
                    st.sampled_from(["!!int abc", "!!timestamp 2020-02-30", "2025-13-45", "!!float x", "!!bool maybe", "9" * 5000,
                                     "[1, 2", "{a: 1}", "&a 1", "*a", "!!binary ====", "[]", "{}", "''", "~"]))
FIELDS = ["fiscal_year", "revised", "established", "school.id", "school.name", "school.kind", "school.phone", "organisation.members",
          "team.leader", "schedule.survey_months", "schedule.activities", "police.station", "contacts", "profile", "pupils_version"]


@QUICK
@given(field=st.sampled_from(FIELDS), value=scalars)
def test_school_input_with_any_value_in_any_field(tmp_path, field, value):
    """The sample school with one field replaced (raw YAML text where the value is a string)."""
    from policy_kit.generate.school import load_school

    data = safeyaml.load_file(SCHOOL)
    *parents, key = field.split(".")
    node = data
    for parent in parents:
        node = node[parent]
    node[key] = "__VALUE__"
    text = json.dumps(data, ensure_ascii=False, default=str)  # JSON is YAML
    raw = value if isinstance(value, str) and value.startswith(("!!", "[", "{", "&", "*", "'", "~")) or value == "9" * 5000 else json.dumps(value)
    path = tmp_path / "school.yaml"
    path.write_text(text.replace('"__VALUE__"', raw), encoding="utf-8")
    try:
        load_school(path)
    except InputError as exc:
        assert exc.path == str(path)


# ----------------------------------------------------------------------------- TOML


toml_tokens = st.sampled_from(['checklist = "asahikawa"\n', 'fail-on = "partial"\n', "fail-on = 3\n", 'ignore = ["x"]\n', "ignore = 1\n",
                               "[[waivers]]\n", 'id = "police-referral"\n', 'reason = "協議中"\n', 'reason = ""\n', "expires = 2026-09-30\n",
                               "expires = 2026-09-30T10:00:00\n", "expires = 10:00:00\n", "expires = 2026-02-30\n", "expires = 1979-05-27 07:32:00Z\n",
                               "expires = 1\n", "waivers = 5\n", "waivers = [1, 2]\n", "[tool.policy-kit]\n", "x = [[[[\n", '"\\u0000"\n',
                               "unknown = 1\n", "= =\n", "[waivers]\n", "\ufeff", "\x00"])


@QUICK
@given(st.lists(toml_tokens, max_size=16).map("".join))
def test_config_loader_on_hostile_toml(tmp_path, text):
    from policy_kit.check.config import load_config

    path = tmp_path / "policy-kit.toml"
    path.write_text(text, encoding="utf-8")
    try:
        config = load_config(path)
    except InputError as exc:
        assert exc.path == str(path)
        return
    for waiver in config.waivers:  # what loads is what the checker can use
        assert isinstance(waiver.reason, str) and waiver.reason
        assert waiver.expires is None or (isinstance(waiver.expires, dt.date) and not isinstance(waiver.expires, dt.datetime))


# ----------------------------------------------------------------------------- checklist patterns


def patterns(depth: int = 3) -> st.SearchStrategy[str]:
    atoms = st.sampled_from(["a", "b", "aa", "ab", ".", "[ab]", "[^b]", r"\w", "い", "いい"])
    quantifiers = st.sampled_from(["", "", "*", "+", "?", "{0,3}", "{1,20}", "{2,}"])

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        group = st.tuples(inner, quantifiers).map(lambda t: f"(?:{t[0]}){t[1]}")
        branch = st.tuples(inner, inner).map(lambda t: f"(?:{t[0]}|{t[1]})")
        sequence = st.lists(inner, min_size=2, max_size=3).map("".join)
        return group | branch | sequence

    return st.recursive(st.tuples(atoms, quantifiers).map("".join), extend, max_leaves=8)


TIMER = r"""
import json, re, sys, time
worst = []
for p in json.load(sys.stdin):
    r = re.compile(p)
    start = time.perf_counter()
    for line in ("a" * 400 + "!", "ab" * 200 + "!", "b" * 399 + "a", "い" * 400 + "!", "aab" * 133 + "!"):
        r.search(line)
    worst.append((time.perf_counter() - start, p))
print(json.dumps(max(worst)))
"""


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(st.lists(patterns(), min_size=200, max_size=200, unique=True))
def test_no_pattern_the_guard_accepts_backtracks_catastrophically(sources):
    """Hundreds of random patterns: those the checklist loader and the guard accept are searched
    over hostile 400-character lines (a sentence's most) in a separate process, which must finish
    every one quickly — a catastrophic one would take minutes."""
    from policy_kit.check.checklist import parse_checklist
    from policy_kit.check.regexguard import problem

    accepted = []
    for source in sources:
        try:
            parse_checklist({"checklist": {"id": "t", "title": "t", "version": "1"}, "concepts": {"c": {"patterns": [source]}},
                             "requirements": [{"id": "r", "title": "t", "severity": "required", "source": "s", "why": "w", "fix": "f",
                                               "present": [{"all": ["c"]}]}]}, "c.yaml")
        except InputError:
            continue
        if problem(source) is None:
            accepted.append(source)
    assume(len(accepted) >= 30)
    done = subprocess.run([sys.executable, "-c", TIMER], input=json.dumps(accepted), capture_output=True, text=True, timeout=120)
    seconds, slowest = json.loads(done.stdout)
    assert seconds < 1.0, (seconds, slowest)
