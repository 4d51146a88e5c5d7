"""Analysis with GiNZA (spaCy): dictionary forms and normalised forms of every sentence.

Only the GiNZA tokenizer (SudachiPy, split mode C) runs over the whole text: it gives lemmas
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
    """For each text, its tokens' dictionary forms and normalised forms, concatenated."""
    tokenizer = load_model().tokenizer
    out: list[tuple[str, str]] = [("", "")] * len(texts)
    for batch in _batches(texts):
        joined = "\n".join(texts[i] for i in batch)
        doc = tokenizer(joined)
        bounds = []
        pos = 0
        for i in batch:
            bounds.append((pos, pos + len(texts[i]), i))
            pos += len(texts[i]) + 1
        lem: dict[int, list[str]] = {i: [] for i in batch}
        nor: dict[int, list[str]] = {i: [] for i in batch}
        b = 0
        for token in doc:
            while b < len(bounds) and token.idx >= bounds[b][1] + 1:
                b += 1
            if b >= len(bounds):
                break
            if token.idx < bounds[b][1] and not token.is_space:
                lem[bounds[b][2]].append(token.lemma_.lower())
                nor[bounds[b][2]].append(token.norm_.lower())
        for i in batch:
            out[i] = ("".join(lem[i]), "".join(nor[i]))
    return out


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
