"""Checklists as data: load, validate and compile `checklists/*.yaml`.

A checklist declares *concepts* (what a phrase means, with its many wordings) and
*requirements* (what must be stated, as clauses over concepts). No domain knowledge lives in
Python: a board writes its own checklist in YAML. See README "Writing a checklist"."""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..resources import data_dir

try:  # Python 3.11+
    import re._parser as _sre_parse  # type: ignore[import-not-found]
    import re._constants as _sre_const  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _sre_const  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

SEVERITIES = ("required", "recommended")
SCOPES = ("sentence", "section", "document")
ROLES = ("heading", "body", "list_item", "table_row", "table_header")
MAX_PATTERN = 300


@dataclass
class Concept:
    name: str
    terms: list[str]
    patterns: list[re.Pattern]
    fuzzy: bool = False
    exclude: list[str] = field(default_factory=list)
    label: str = ""  # what the concept is called in reports (「構成員」); optional
    # filled by compile_terms(): (surface, lemma form, normalised form) per term, and one
    # alternation regex per form so a sentence is searched once per concept, in C
    forms: list[tuple[str, str, str]] = field(default_factory=list)
    surface_re: re.Pattern | None = None
    lemma_re: re.Pattern | None = None
    norm_re: re.Pattern | None = None


@dataclass
class Clause:
    """All groups must be found within ``window`` sentences of each other in one document.

    A group is a list of concepts that must occur together in one sentence."""

    groups: list[list[str]]
    window: int = 0
    context: list[str] = field(default_factory=list)  # concepts that may also be found in the headings above
    distinct: dict[str, int] = field(default_factory=dict)  # concept → distinct matches needed in the document (or section)
    scope: str = "sentence"  # "sentence" (within `window` sentences), "section" (one heading's section), "document"
    roles: list[str] = field(default_factory=list)  # where to look: heading, body, list_item, table_row, table_header (default: all)
    unless: list[str] = field(default_factory=list)  # concepts that put a sentence in another context (交通安全教室, 地震)
    items: int = 0  # the first group must be found in at least this many sentences within the window (a list)
    distinct_in: str = ""  # "matched": `distinct` counts only in the sentences the clause matched
    ordered: bool = False  # each group at or after the first group's sentence (the child named, then what is done)


@dataclass
class Requirement:
    id: str
    title: str
    severity: str
    source: str
    why: str
    fix: str
    example: str
    present: list[Clause]
    partial: list[Clause]
    negation: bool = True
    examples: dict[str, list[str]] = field(default_factory=dict)  # "present"/"absent" → passages (checklist test)
    denied_by: list[str] = field(default_factory=list)  # concepts whose explicit denial makes it missing (「ストレスチェックは実施していない」)
    draft: bool = False  # drafted by `checklist derive`: a person still has to review it


@dataclass
class Checklist:
    id: str
    title: str
    version: str
    source: str
    path: str
    concepts: dict[str, Concept]
    requirements: list[Requirement]
    negation_cues: list[re.Pattern]
    board: str = ""  # the board whose rules these are (sender of audit letters)
    files: tuple[str, ...] = ()  # every file the checklist was read from: itself, then the parents it extends
    # a sentence that leaves the item to another document or body (「…は市教育委員会の定めるところによる」)
    # states nothing the school does, whatever the parse says
    elsewhere_cues: list[re.Pattern] = field(default_factory=list)

    def get(self, requirement_id: str) -> Requirement:
        for req in self.requirements:
            if req.id == requirement_id:
                return req
        hint = difflib.get_close_matches(requirement_id, [r.id for r in self.requirements], n=1)
        raise InputError(f"unknown requirement id {requirement_id!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""), self.path,
                         ja=f"項目「{requirement_id}」はありません。" + (f"「{hint[0]}」のことですか。" if hint else "項目の一覧は policy-kit checklist list で表示できます。"))


def resolve_checklist_path(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise InputError("checklist file not found", path, ja="チェックリストのファイルが見つかりません")
        return path
    if not re.fullmatch(r"[a-z0-9_-]+", name_or_path):
        raise InputError(f"unknown checklist {name_or_path!r}",
                         ja=f"チェックリスト「{name_or_path}」はありません。同梱の名前か .yaml ファイルを指定してください")
    path = data_dir("checklists") / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in data_dir("checklists").glob("*.yaml")))
        raise InputError(f"unknown checklist {name_or_path!r}; bundled: {known}",
                         ja=f"チェックリスト「{name_or_path}」はありません。同梱のチェックリスト：{known}")
    return path


def bundled_checklists() -> list[Checklist]:
    """Every checklist shipped in checklists/, by id."""
    return [load_checklist(p.stem) for p in sorted(data_dir("checklists").glob("*.yaml"))]


def load_checklist(name_or_path: str = "asahikawa") -> Checklist:
    """Load and validate a checklist (bundled name or YAML path); raise InputError on any problem."""
    from .inherit import load_merged

    path = resolve_checklist_path(name_or_path)
    files: list[Path] = []
    data = load_merged(path, resolve_checklist_path, files)  # `extends:` parents merged in, lines remembered
    checklist = parse_checklist(data, path)
    checklist.files = tuple(str(f) for f in files)
    return checklist


def parse_checklist(data: Any, path: str | Path) -> Checklist:
    v = _Validator(path, data)
    root = v.mapping(data, "", {"checklist", "concepts", "requirements"}, required={"checklist", "concepts", "requirements"})
    meta = v.mapping(root["checklist"], "checklist", {"id", "title", "version", "source", "board", "negation_cues", "elsewhere_cues"}, required={"id", "title", "version"})
    concepts: dict[str, Concept] = {}
    for name, spec in v.mapping(root["concepts"], "concepts").items():
        where = f"concepts.{name}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(name)):
            v.fail(where, "concept names use lower-case letters, digits and _")
        spec = v.mapping(spec, where, {"terms", "patterns", "fuzzy", "exclude", "note", "label"})
        terms = [_norm(t) for t in v.strings(spec.get("terms", []), f"{where}.terms")]
        patterns = [v.pattern(p, f"{where}.patterns[{i}]") for i, p in enumerate(v.strings(spec.get("patterns", []), f"{where}.patterns"))]
        if not terms and not patterns:
            v.fail(where, "a concept needs at least one term or pattern")
        concepts[name] = Concept(str(name), terms, patterns, bool(spec.get("fuzzy", False)),
                                 [_norm(t) for t in v.strings(spec.get("exclude", []), f"{where}.exclude")],
                                 v.text(spec.get("label", ""), f"{where}.label", empty=True))
    requirements: list[Requirement] = []
    seen: set[str] = set()
    req_keys = {"id", "title", "severity", "source", "why", "fix", "example", "present", "partial", "negation", "examples", "denied_by", "draft"}
    for i, spec in enumerate(v.sequence(root["requirements"], "requirements")):
        where = f"requirements[{i}]"
        spec = v.mapping(spec, where, req_keys, required={"id", "title", "severity", "source", "why", "fix", "present"})
        rid = str(spec["id"])
        where = f"requirements[{i}] ({rid})"
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rid):
            v.fail(where, "ids are lower-case words joined by hyphens")
        if rid in seen:
            v.fail(where, "duplicate id")
        seen.add(rid)
        if spec["severity"] not in SEVERITIES:
            v.fail(f"{where}.severity", f"must be one of {', '.join(SEVERITIES)}")
        present = [v.clause(c, f"{where}.present[{j}]", concepts) for j, c in enumerate(v.sequence(spec["present"], f"{where}.present"))]
        if not present:
            v.fail(f"{where}.present", "at least one clause is needed")
        partial = [v.clause(c, f"{where}.partial[{j}]", concepts) for j, c in enumerate(v.sequence(spec.get("partial", []), f"{where}.partial"))]
        requirements.append(Requirement(rid, v.text(spec["title"], f"{where}.title"), spec["severity"], v.text(spec["source"], f"{where}.source"),
                                        v.text(spec["why"], f"{where}.why"), v.text(spec["fix"], f"{where}.fix"),
                                        v.text(spec.get("example", ""), f"{where}.example", empty=True), present, partial, bool(spec.get("negation", True)),
                                        v.examples(spec.get("examples", {}), f"{where}.examples"),
                                        v.concept_names(spec.get("denied_by", []), f"{where}.denied_by", concepts),
                                        bool(spec.get("draft", False))))
    cues = [v.pattern(p, f"checklist.negation_cues[{i}]") for i, p in enumerate(v.strings(meta.get("negation_cues", []), "checklist.negation_cues"))]
    elsewhere = [v.pattern(p, f"checklist.elsewhere_cues[{i}]") for i, p in enumerate(v.strings(meta.get("elsewhere_cues", []), "checklist.elsewhere_cues"))]
    return Checklist(str(meta["id"]), str(meta["title"]), str(meta["version"]), str(meta.get("source", "")), str(path), concepts, requirements, cues,
                     str(meta.get("board", "")), elsewhere_cues=elsewhere)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().strip()


def compile_terms(checklist: Checklist) -> None:
    """Give every term its GiNZA dictionary form and normalised form (once per checklist)."""
    from .analyse import lemma_and_norm

    pending = [c for c in checklist.concepts.values() if not c.forms]
    texts = [t for c in pending for t in c.terms]
    forms = iter(lemma_and_norm(texts)) if texts else iter(())
    for concept in pending:
        concept.forms = [(t, *next(forms)) for t in concept.terms]
        concept.surface_re = _alternation([f[0] for f in concept.forms])
        concept.lemma_re = _alternation([f[1] for f in concept.forms if len(f[1]) >= 2])
        concept.norm_re = _alternation([f[2] for f in concept.forms if len(f[2]) >= 2])


def _alternation(words: list[str]) -> re.Pattern | None:
    unique = sorted(set(w for w in words if w), key=len, reverse=True)  # longest first
    return re.compile("|".join(re.escape(w) for w in unique)) if unique else None


class _Validator:
    def __init__(self, path: str | Path, data: Any = None):
        self.path = path
        self.data = data  # marked YAML data (safeyaml): errors name the file and line

    def fail(self, where: str, message: str) -> None:
        from .inherit import locate

        found = locate(self.data, where)
        if found:
            raise InputError(f"line {found[1]}: invalid checklist: {where}: {message}", found[0],
                             ja=f"{found[1]}行目: チェックリストの誤り: {where}: {message}")
        raise InputError(f"invalid checklist: {where}: {message}", self.path, ja=f"チェックリストの誤り: {where}: {message}")

    def mapping(self, value: Any, where: str, allowed: set[str] | None = None, required: set[str] = frozenset()) -> dict:
        if not isinstance(value, dict):
            self.fail(where or "(top level)", "expected a mapping")
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    hint = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                    self.fail(f"{where}.{key}" if where else str(key), "unknown key" + (f" (did you mean {hint[0]!r}?)" if hint else f"; allowed: {', '.join(sorted(allowed))}"))
        for key in sorted(required):
            if key not in value:
                self.fail(f"{where}.{key}" if where else key, "is required")
        return value

    def sequence(self, value: Any, where: str) -> list:
        if not isinstance(value, list):
            self.fail(where, "expected a list")
        return value

    def strings(self, value: Any, where: str) -> list[str]:
        items = self.sequence(value, where)
        for item in items:
            if not isinstance(item, str) or not item.strip():
                self.fail(where, f"expected non-empty strings, got {item!r}")
        return items

    def text(self, value: Any, where: str, empty: bool = False) -> str:
        if not isinstance(value, str) or (not empty and not value.strip()):
            self.fail(where, "expected text")
        return value.strip()

    def pattern(self, source: str, where: str) -> re.Pattern:
        if len(source) > MAX_PATTERN:
            self.fail(where, f"pattern longer than {MAX_PATTERN} characters")
        try:
            parsed = _sre_parse.parse(source)
            compiled = re.compile(source)
        except (re.error, RecursionError, OverflowError) as exc:
            self.fail(where, f"invalid regular expression: {exc}")
        if _nested_repeat(parsed, inside=False):
            self.fail(where, "nested repetition such as (a+)+ can take exponential time; rewrite the pattern")
        if compiled.search(""):
            self.fail(where, "the pattern matches the empty string")
        return compiled

    def clause(self, value: Any, where: str, concepts: dict[str, Concept]) -> Clause:
        spec = self.mapping(value, where, {"all", "window", "context", "distinct", "distinct_in", "scope", "in", "unless", "items", "ordered"}, required={"all"})
        groups = []
        for item in self.sequence(spec["all"], f"{where}.all"):
            group = [item] if isinstance(item, str) else item
            for name in self.strings(group, f"{where}.all"):
                self._concept(name, where, concepts)
            groups.append(list(group))
        window = spec.get("window", 0)
        if not isinstance(window, int) or not 0 <= window <= 10:
            self.fail(f"{where}.window", "must be a whole number from 0 to 10")
        context = self.strings(spec.get("context", []), f"{where}.context")
        for name in context:
            self._concept(name, where, concepts)
        distinct = self.mapping(spec.get("distinct", {}), f"{where}.distinct")
        for name, n in distinct.items():
            self._concept(str(name), where, concepts)
            if not isinstance(n, int) or n < 1:
                self.fail(f"{where}.distinct.{name}", "must be a positive whole number")
        scope = spec.get("scope", "sentence")
        if scope not in SCOPES:
            self.fail(f"{where}.scope", f"must be one of {', '.join(SCOPES)}")
        roles = spec.get("in", [])
        roles = [roles] if isinstance(roles, str) else self.strings(roles, f"{where}.in")
        for role in roles:
            if role not in ROLES:
                self.fail(f"{where}.in", f"unknown place {role!r}; use {', '.join(ROLES)}")
        unless = self.strings(spec.get("unless", []), f"{where}.unless")
        for name in unless:
            self._concept(name, where, concepts)
        items = spec.get("items", 0)
        if not isinstance(items, int) or not 0 <= items <= 20:
            self.fail(f"{where}.items", "must be a whole number from 0 to 20")
        distinct_in = spec.get("distinct_in", "")
        if distinct_in not in ("", "matched"):
            self.fail(f"{where}.distinct_in", "must be 'matched' (count in the matched sentences) or left out")
        if distinct_in and (scope != "sentence" or not distinct):
            self.fail(f"{where}.distinct_in", "needs `distinct` and the sentence scope")
        ordered = spec.get("ordered", False)
        if not isinstance(ordered, bool):
            self.fail(f"{where}.ordered", "must be true or false")
        if ordered and scope != "sentence":
            self.fail(f"{where}.ordered", "needs the sentence scope")
        return Clause(groups, window, list(context), {str(k): int(n) for k, n in distinct.items()}, scope, list(roles), list(unless), items,
                      distinct_in, ordered)

    def concept_names(self, value: Any, where: str, concepts: dict[str, Concept]) -> list[str]:
        names = self.strings(value, where)
        for name in names:
            self._concept(name, where, concepts)
        return names

    def examples(self, value: Any, where: str) -> dict[str, list[str]]:
        spec = self.mapping(value, where, {"present", "absent"})
        return {kind: [p.strip() for p in self.strings(spec.get(kind, []), f"{where}.{kind}")] for kind in ("present", "absent")}

    def _concept(self, name: str, where: str, concepts: dict[str, Concept]) -> None:
        if name not in concepts:
            hint = difflib.get_close_matches(name, list(concepts), n=1)
            self.fail(where, f"unknown concept {name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))


def _nested_repeat(parsed: Any, inside: bool) -> bool:
    """True when an unbounded repeat contains another unbounded repeat: (a+)+, (a*b?)*."""
    for op, arg in parsed:
        if op in (_sre_const.MAX_REPEAT, _sre_const.MIN_REPEAT, getattr(_sre_const, "POSSESSIVE_REPEAT", None)):
            low, high, sub = arg
            unbounded = high == _sre_const.MAXREPEAT or high > 100
            if unbounded and inside:
                return True
            if _nested_repeat(sub, inside or unbounded):
                return True
        elif op == _sre_const.SUBPATTERN:
            if _nested_repeat(arg[-1], inside):
                return True
        elif op == _sre_const.BRANCH:
            if any(_nested_repeat(branch, inside) for branch in arg[1]):
                return True
        elif op in (_sre_const.ASSERT, _sre_const.ASSERT_NOT):
            if _nested_repeat(arg[1], inside):
                return True
    return False
