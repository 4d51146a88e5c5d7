"""A guard against checklist patterns that backtrack catastrophically on a short sentence.

The checklist loader refuses nested unbounded repetition such as ``(a+)+``. Other patterns still
explode without it: overlapping alternatives inside a repeat (``(a|ab)+``, ``(い|いじ)*め``),
bounded repeats inside bounded repeats (``(a{0,20}){0,20}``) and chains of unbounded repeats
(``.*X.*Y.*Z``), which try a number of ways that grows exponentially or as a high power of the
sentence length. Python's ``re`` has no time limit, so such a pattern is refused before any
document is read.

``ways`` estimates, from the parsed pattern, how many ways the engine may try at one start
position on a hostile sentence of ``LINE`` characters (the normaliser cuts sentences at 400):
sequences multiply, alternatives add (unless they cannot match at the same place: literal words
none of which begins another, or alternatives that start with different characters), a repeat
adds up the ways of each number of repetitions. A pattern over ``BUDGET`` is refused with a
message that says how to rewrite it (a bounded gap such as ``[^。]{0,20}``)."""
from __future__ import annotations

from typing import Any

from ..errors import InputError

try:  # Python 3.11+
    import re._constants as _c  # type: ignore[import-not-found]
    import re._parser as _p  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

LINE = 400  # an unbounded repeat is taken to run the length of a sentence
BUDGET = 30_000  # ways per start position: tens of milliseconds for a hostile 400-character sentence at worst
_CAP = 10**30
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}
_POSSESSIVE = {getattr(_c, "POSSESSIVE_REPEAT", None), getattr(_c, "ATOMIC_GROUP", None)} - {None}


def ways(source: str) -> int:
    """The estimated number of ways the engine may try at one start position."""
    return _seq(_p.parse(source))


def problem(source: str) -> str | None:
    """Why the pattern may backtrack catastrophically, or None when it is safe."""
    try:
        estimate = ways(source)
    except Exception:  # noqa: BLE001 - the loader reports patterns that do not parse
        return None
    if estimate <= BUDGET:
        return None
    shown = "more than 10^30" if estimate >= _CAP else f"about {estimate:,}"
    return (f"the pattern can try {shown} ways on one sentence (overlapping alternatives or repeats inside a repeat, "
            "or several unbounded repeats such as .*X.*Y): use a bounded gap such as [^。]{0,20} and words that do not "
            "overlap")


def guard_checklist(checklist: Any) -> None:
    """Refuse a checklist whose concept patterns or negation cues may backtrack catastrophically."""
    for name, concept in checklist.concepts.items():
        for i, pattern in enumerate(concept.patterns):
            _check(pattern.pattern, f"concepts.{name}.patterns[{i}]", checklist.path)
    for key in ("negation_cues", "elsewhere_cues"):
        for i, cue in enumerate(getattr(checklist, key)):
            _check(cue.pattern, f"checklist.{key}[{i}]", checklist.path)


def _check(source: str, where: str, path: str) -> None:
    why = problem(source)
    if why:
        raise InputError(f"invalid checklist: {where}: {why}", path,
                         ja=f"チェックリストの {where} の正規表現は、文によっては照合に非常に長い時間がかかります。"
                            "[^。]{0,20} のような上限のある書き方にしてください")


def _seq(items: Any) -> int:
    total = 1
    for op, arg in items:
        total = min(_CAP, total * _item(op, arg))
    return total


def _item(op: Any, arg: Any) -> int:
    if op in _REPEATS:
        low, high, body = arg
        high = min(high, LINE) if high != _c.MAXREPEAT else LINE
        inner = _seq(body)
        if inner <= 1:
            return max(1, high - low + 1)
        total = 0
        for count in range(low, high + 1):
            total = min(_CAP, total + min(_CAP, inner ** min(count, 200)))
            if total >= _CAP:
                break
        return max(1, total)
    if op in _POSSESSIVE:
        return 1  # no backtracking into it
    if op == _c.SUBPATTERN:
        return _seq(arg[-1])
    if op == _c.BRANCH:
        return _branch(arg[1])
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return _seq(arg[1])
    if op == getattr(_c, "GROUPREF_EXISTS", None):
        _, yes, no = arg
        return _seq(yes) + (_seq(no) if no else 1)
    return 1


def _branch(alternatives: list) -> int:
    counts = [_seq(alt) for alt in alternatives]
    words = [_literal(alt) for alt in alternatives]
    if all(w is not None for w in words) and not any(a != b and b.startswith(a) for a in words for b in words):
        return max(counts)  # words none of which begins another: at most one matches at a place
    firsts = [_first(alt) for alt in alternatives]
    if all(f is not None for f in firsts) and sum(len(f) for f in firsts) == len(set().union(*firsts)):
        return max(counts)  # they start with different characters
    return min(_CAP, sum(counts))


def _literal(items: Any) -> str | None:
    """The word a sequence of plain characters matches, or None."""
    chars = []
    for op, arg in items:
        if op != _c.LITERAL:
            return None
        chars.append(chr(arg))
    return "".join(chars) if chars else None


def _first(items: Any) -> set[int] | None:
    """The characters a sequence can start with, when they are few and known; None otherwise."""
    for op, arg in items:
        if op == _c.LITERAL:
            return {arg}
        if op == _c.IN:
            chars = set()
            for kind, value in arg:
                if kind == _c.LITERAL:
                    chars.add(value)
                elif kind == _c.RANGE and value[1] - value[0] < 256:
                    chars.update(range(value[0], value[1] + 1))
                else:
                    return None  # negated sets, categories, wide ranges
            return chars
        if op == _c.SUBPATTERN:
            return _first(arg[-1])
        if op in (_c.ASSERT, _c.ASSERT_NOT, _c.AT):
            continue  # takes no character
        return None
    return None
