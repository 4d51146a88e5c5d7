"""libyaml composes checklists and inputs quickly; the pure-Python parser gives the same data, the
same lines and every error message."""
from __future__ import annotations

from pathlib import Path

import pytest

from policy_kit import safeyaml
from policy_kit.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("checklists/*.yaml"), *ROOT.glob("profiles/*.yaml"), *ROOT.glob("corpus/schools/*.yaml")])


def _with_marks(value):
    if isinstance(value, dict):
        return value.mark, dict(value.key_marks), {k: _with_marks(v) for k, v in value.items()}
    if isinstance(value, list):
        return value.mark, list(value.item_marks), [_with_marks(v) for v in value]
    return value


def test_libyaml_is_in_use():
    assert safeyaml._FAST_LOADERS, "PyYAML without libyaml: checklists load several times slower"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_both_parsers_give_the_same_data_and_lines(path):
    assert len(FILES) >= 5
    text, _ = safeyaml.decode_yaml(path.read_bytes(), path)
    fast, slow = (safeyaml._parse(text, path, True, fast=f) for f in (True, False))
    assert fast.lines == slow.lines
    assert _with_marks(fast.data) == _with_marks(slow.data)


@pytest.mark.parametrize("text,message", [
    ("a: &x 1\nb: *x\n", "YAMLのエイリアス（*名前）は使えません"),
    ("a: [1, 2\n", "2行目1文字目: YAMLの書き方に誤りがあります"),
    ("a: 1\na: 2\n", "2行目: 「a」が2回書かれています"),
])
def test_errors_read_as_the_pure_python_parser_words_them(text, message):
    with pytest.raises(InputError) as caught:
        safeyaml.load_text(text)
    assert message in caught.value.ja
