"""Analysis with GiNZA (spaCy): dictionary forms and normalised forms of every sentence.

Only the GiNZA model's tokenizer (SudachiPy, split mode C) runs over the whole text: it gives lemmas
(守り通し → 守る通す) and Sudachi's normalised forms (ヶ月/か月/箇月 → 箇月, 打合せ → 打ち合わせ)
at tens of thousands of characters per second. The statistical components (tagger, parser, NER)
are excluded: the checklist rules do not need them and they are 40x slower (see benchmarks/).
Texts are fed in chunks well below SudachiPy's 49,149-byte input limit."""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

    from .normalise import Sentence

MODEL = "ja_ginza"
CHUNK_BYTES = 8000
_EXCLUDE = ["tok2vec", "parser", "ner", "morphologizer", "compound_splitter", "bunsetu_recognizer", "attribute_ruler"]


@functools.lru_cache(maxsize=1)
def load_model() -> "Language":
    """Load ja_ginza once per process (the only global state policy-kit keeps)."""
    import spacy

    try:
        return spacy.load(MODEL, exclude=_EXCLUDE)
    except OSError as exc:
        from ..errors import PolicyKitError

        raise PolicyKitError(f"the GiNZA model {MODEL} is not installed ({exc}); run `make install`") from None


def lemma_and_norm(texts: list[str]) -> list[tuple[str, str]]:
    """For each text, its tokens' dictionary forms and normalised forms, concatenated (lower-case).

    Uses the ja_ginza model's own SudachiPy tokenizer (same dictionary and split mode as the
    model's spaCy tokenizer, identical forms) without building spaCy Docs, which is ~10x faster."""
    tokenizer = load_model().tokenizer
    sudachi = getattr(tokenizer, "tokenizer", None)
    lem: list[list[str]] = [[] for _ in texts]
    nor: list[list[str]] = [[] for _ in texts]
    for batch in _batches(texts):
        joined = "\n".join(texts[i] for i in batch)
        ends, pos = [], 0
        for i in batch:
            pos += len(texts[i])
            ends.append(pos)
            pos += 1
        b = 0
        for start, surface, lemma, norm in _tokens(tokenizer, sudachi, joined):
            while b < len(ends) and start >= ends[b]:
                b += 1
            if b >= len(ends):
                break
            if surface.isspace():
                continue
            lem[batch[b]].append(lemma.lower())
            nor[batch[b]].append(norm.lower())
    return [("".join(l), "".join(n)) for l, n in zip(lem, nor)]


def _tokens(tokenizer, sudachi, text: str):
    """(start offset, surface, dictionary form, normalised form) for each token of ``text``."""
    if sudachi is not None and hasattr(sudachi, "tokenize"):
        for m in sudachi.tokenize(text):
            yield m.begin(), m.surface(), m.dictionary_form(), m.normalized_form()
    else:  # another spaCy tokenizer: use its Doc
        for token in tokenizer(text):
            yield token.idx, token.text, token.lemma_, token.norm_


def analyse(sentences: "list[Sentence]") -> None:
    """Fill ``lemmas`` and ``norms`` of each sentence in place."""
    for sentence, (lemmas, norms) in zip(sentences, lemma_and_norm([s.text for s in sentences])):
        sentence.lemmas, sentence.norms = lemmas, norms


def _batches(texts: list[str]) -> Iterable[list[int]]:
    batch: list[int] = []
    size = 0
    for i, text in enumerate(texts):
        n = len(text.encode("utf-8")) + 1
        if batch and size + n > CHUNK_BYTES:
            yield batch
            batch, size = [], 0
        batch.append(i)
        size += n
    if batch:
        yield batch
