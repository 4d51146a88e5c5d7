"""The parser loaded without the vocabulary's string table gives the same parse as the full load."""
from __future__ import annotations

from pathlib import Path

import spacy

from policy_kit.check import analyse

ROOT = Path(__file__).resolve().parent.parent


def _sentences() -> list[str]:
    text = (ROOT / "corpus" / "realistic" / "b-kawasemi-es-longlines.txt").read_text(encoding="utf-8")
    parts = [p.strip() for p in text.replace("\n", "。").split("。")]
    return [p for p in parts if len(p) > 8][:120]


def _attributes(nlp, sentences: list[str]) -> list[str]:
    return [" ".join(f"{t.text}/{t.lemma_}/{t.norm_}/{t.pos_}/{t.tag_}/{t.dep_}/{t.head.i}/{t.morph}" for t in doc)
            for doc in nlp.pipe(sentences)]


def test_the_parser_without_the_string_table_parses_as_the_full_model():
    sentences = _sentences()
    assert len(sentences) >= 60
    fast = analyse.parser()
    assert len(fast.vocab.strings) < 100_000  # the 17 MB table was not read
    full = spacy.load(analyse.MODEL, exclude=["ner", "compound_splitter"])
    assert len(full.vocab.strings) > 500_000
    assert _attributes(fast, sentences) == _attributes(full, sentences)
