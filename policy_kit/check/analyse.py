"""Language analysis, in two stages of very different cost.

1. **Forms of every sentence** (cheap, whole document): SudachiPy — the tokenizer inside GiNZA,
   same dictionary (SudachiDict core) and split mode C — gives each token's dictionary form
   (守り通し → 守る通す) and normalised form (ヶ月/か月/箇月 → 箇月, 打合せ → 打ち合わせ). Called directly it
   loads in ~0.1 s and reads tens of thousands of characters per second.
2. **Dependency parse of candidate sentences only** (costly, a few sentences): the GiNZA pipeline
   (ja_ginza: tok2vec, morphologizer, parser, bunsetu recognizer; NER and the compound splitter
   are not loaded) tells which predicate a matched phrase belongs to and whether that predicate is
   negated or only planned (警察には相談しない, 面談は行わず, 実施を今後検討する). It is loaded on
   first use, once per process.

Texts are fed to SudachiPy in chunks well below its 49,149-byte input limit."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

    from .normalise import Sentence

MODEL = "ja_ginza"
CHUNK_BYTES = 8000
_EXCLUDE_FOR_PARSE = ["ner", "compound_splitter"]  # bunsetu_recognizer gives plain UD labels
_EXCLUDE_ALL = ["tok2vec", "parser", "ner", "morphologizer", "compound_splitter", "bunsetu_recognizer", "attribute_ruler"]


def _model_error(exc: Exception):
    from ..errors import PolicyKitError

    return PolicyKitError(f"the GiNZA model {MODEL} is not installed ({exc}); run `make install`",
                          ja="GiNZA のモデル（ja_ginza）がインストールされていません。make install を実行してください")


@functools.lru_cache(maxsize=1)
def sudachi():
    """GiNZA's SudachiPy tokenizer (SudachiDict core, split mode C), loaded once per process."""
    try:
        from sudachipy import Dictionary, SplitMode

        return Dictionary(dict="core").create(SplitMode.C)
    except Exception as exc:  # no dictionary package, broken install
        raise _model_error(exc) from None


@functools.lru_cache(maxsize=1)
def parser() -> "Language":
    """The GiNZA pipeline with the dependency parser, loaded on first use, once per process."""
    return _load(_EXCLUDE_FOR_PARSE)


@functools.lru_cache(maxsize=1)
def load_model() -> "Language":
    """ja_ginza with only its tokenizer (for callers that want spaCy tokens, e.g. readings)."""
    return _load(_EXCLUDE_ALL)


def _load(exclude: list[str]) -> "Language":
    import spacy

    try:
        # "strings" skips the vocabulary's 17 MB string table (1.2 s of the load): hashes are what the
        # tokenizer, the static vectors and the parser use, and the strings a parse produces are added
        # as it runs, so every token attribute is the same (tests/test_analyse.py compares both loads).
        return spacy.load(MODEL, exclude=[*exclude, "strings"])
    except OSError as exc:
        raise _model_error(exc) from None


def lemma_and_norm(texts: list[str]) -> list[tuple[str, str]]:
    """For each text, its tokens' dictionary forms and normalised forms, concatenated (lower-case)."""
    tokenizer = sudachi()
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
        for m in tokenizer.tokenize(joined):
            while b < len(ends) and m.begin() >= ends[b]:
                b += 1
            if b >= len(ends):
                break
            if m.surface().isspace():
                continue
            lem[batch[b]].append(m.dictionary_form().lower())
            nor[batch[b]].append(m.normalized_form().lower())
    return [("".join(l), "".join(n)) for l, n in zip(lem, nor)]


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


# --------------------------------------------------------------------------- scope of a phrase

NEGATING_AUX = {"ない", "ず", "ぬ", "ん", "無い"}
NEGATING_PREDICATES = {"ない", "無い", "なし", "無し"}
# 「実施を検討する」「導入を検討中」: considering an act is not doing it (but 「対応を検討する」 is a task)
CONSIDERING = "検討"
ACT_NOUNS = {"実施", "導入", "作成", "設置", "整備", "策定", "配置", "活用", "実行", "開催", "取組", "取り組み", "見直し"}
# 「今後作成する予定」「次年度から実施する」: an act put off to the future
FUTURE = {"今後", "将来", "将来的", "いずれ", "次年度", "来年度"}
# 「検討を進めている」: still considering; 「実施することを検討」: the act considered; 「次年度の課題とする」: put off
_PURSUING = {"進める", "続ける", "重ねる", "始める"}
_ACT_VERBS = {"行う", "設ける", "作る", "取り入れる", "始める", "置く", "開く"}
_TASK_NOUNS = {"課題", "目標", "宿題"}
_RESOLVE = {"努める", "願う", "目指す"}  # 「努めたい」「願いたい」: a resolve, said softly
# 「作成中」「準備中」: not made yet (but 「実施中」「開催中」 are being done)
_PREPARING = {"作成", "策定", "整備", "準備", CONSIDERING}
_PROHIBITING = {"いける", "なる", "駄目", "だめ"}  # 「てはいけない」「てはならない」「てはだめ」
# 「ためらわず相談する」「迷わず通報する」「叱って終わりにせず」「学校だけで判断せず」: the negation belongs to
# the manner, not to the act — judge the predicate above instead
NEGATED_MANNER = {"ためらう", "躊躇う", "躊躇", "迷う", "終わる", "終わらせる", "済ませる", "済む", "とどめる", "止める", "怠る", "欠かす",
                  # commitments said in the negative: 「見逃さない」「生まない」「許さない」「放置しない」
                  "見逃す", "見過ごす", "見落とす", "生む", "許す", "放置", "放置する", "抱え込む", "傍観"}
_ALONE = {"一人", "ひとり", "独り"}  # 「一人にしない」: nobody left alone
# acts a policy does or does not do: one that closes a sentence denied or deferred says the act is
# not done (「ネットパトロール等は実施していない」「今後…検討していきます」); a closing 見逃さない is a commitment
MAIN_ACTS = {"実施", "行う", "行く", "設ける", "置く", "設置", "作成", "策定", "定める", "相談", "通報", "連携", "報告",
             "配付", "配布", "公表", "開催", "導入", "整備", "検討", "予定", "計画", "取り組む"}
MAX_PARSE_CHARS = 300  # longer "sentences" (flattened tables) are cut before parsing
_EMBEDDED = {"acl", "obj", "nsubj", "obl", "ccomp", "xcomp", "nmod", "compound", "csubj"}


@dataclass(frozen=True)
class Scope:
    """What the parse says about a phrase: is the act it belongs to denied or only considered?"""

    negated: bool
    planned: bool
    predicate: str  # the lemma of the predicate the phrase belongs to ("" when none found)
    main: bool = False  # that predicate closes the sentence (its root), or governs the one that does

    @property
    def affirmed(self) -> bool:
        return not (self.negated or self.planned)

    @property
    def withholds_sentence(self) -> bool:
        """The sentence's main act, denied or only considered: nothing else in it is stated as done."""
        return self.main and self.predicate in MAIN_ACTS and not self.affirmed


def phrase_scopes(requests: list[tuple[str, list[tuple[int, int]]]]) -> list[list[Scope]]:
    """For each (sentence text, [character spans of matched phrases]), the scope of each phrase.

    All sentences are parsed in one batch by the GiNZA pipeline."""
    nlp = parser()
    texts = [text[:MAX_PARSE_CHARS] for text, _ in requests]
    out: list[list[Scope]] = []
    for doc, (_, spans) in zip(nlp.pipe(texts, batch_size=32), requests):
        out.append([_scope(doc, start, end) for start, end in spans])
    return out


def _scope(doc, start: int, end: int) -> Scope:
    inside = [t for t in doc if t.idx < end and t.idx + len(t.text) > start]
    if not inside:
        return Scope(False, False, "")
    span_ids = {t.i for t in inside}
    # the phrase's head: a token of the phrase whose head lies outside it (or the root)
    head = next((t for t in inside if t.head.i not in span_ids or t.head.i == t.i), inside[-1])
    node, below, steps = head, None, 0
    while steps < 8:  # climb to the predicate the phrase belongs to
        if _is_predicate(node) and node.head.i == node.i and _manner(node, span_ids):
            return Scope(False, False, node.lemma_)  # 「…だけで終わらせない」 closes the sentence
        if _is_predicate(node) and not _manner(node, span_ids):
            break
        if node.head.i == node.i:
            if _is_predicate(node) and _manner(node, span_ids):
                return Scope(False, False, node.lemma_)  # 「…だけで終わらせない」 closes the sentence
            if _is_predicate(node):
                break
            return Scope(False, False, "")
        node, below, steps = node.head, node, steps + 1
    else:
        return Scope(False, False, "")
    # the phrase may be the predicate itself (相談する, 実施しない): its own auxiliaries count only when
    # the negation is not part of what was matched (抱え込まない is matched whole)
    negated = _has_negation(node, span_ids) or (node.lemma_ in NEGATING_PREDICATES and node.i not in span_ids)
    planned = (_considering(node, below, span_ids) or _future(node, span_ids) or _in_progress(node) or _to_be_made(node)
               or _wished(node) or _a_task(node))
    # 「実施する予定はない」「行うことはない」「実施を検討している」: predicates that govern this one
    # (through a noun such as 予定・こと・計画) can deny or defer it too
    governor, hops = node, 0
    while hops < 2 and governor.head.i != governor.i and governor.dep_ in _EMBEDDED:
        below, governor = governor, governor.head
        hops += 1
        negated = negated or governor.lemma_ in NEGATING_PREDICATES or (
            _is_predicate(governor) and _has_negation(governor, span_ids) and not _manner(governor, span_ids))
        planned = (planned or _considering(governor, below, span_ids) or _future(governor, span_ids) or _to_be_made(governor)
                   or _wished(governor) or _a_task(governor))
    return Scope(negated, planned, node.lemma_, governor.head.i == governor.i)


def _manner(predicate, span_ids: set[int]) -> bool:
    """A negated predicate that only says how the act is done: 「ためらわず」「だけで終わらせず」."""
    if predicate.lemma_ in NEGATING_PREDICATES and any(c.lemma_ in NEGATED_MANNER for c in predicate.children):
        return True  # 「見逃さない」 parsed with ない above the verb
    if not _has_negation(predicate, span_ids):
        return False
    if predicate.lemma_ in NEGATED_MANNER:
        return True
    if predicate.lemma_ == "する" and any(c.lemma_ in _ALONE for c in predicate.children):
        return True
    return any(g.lemma_ == "だけ" or g.lemma_ == "終わり" for c in predicate.children for g in (c, *c.children))


def _considering(predicate, below, span_ids: set[int]) -> bool:
    """「Xの実施を検討する」「検討中」「Xについては作成に向けて検討を進めている」 — not 「対応を検討する」
    (considering a case is a task)."""
    if predicate.i in span_ids:
        return False
    if predicate.lemma_ in _PURSUING and predicate.dep_ == "ROOT" \
            and any(c.dep_ == "obj" and c.lemma_ == CONSIDERING for c in predicate.children):
        # 「検討を進めている」 closing the sentence: still being considered when it is about the thing itself
        # (Xについては) or an act on its way (作成に向けて) — not 「検討を重ね、毎月実施している」
        return _act_on_its_way(predicate) or (below is not None and _is_topic(below))
    if predicate.lemma_ != CONSIDERING:
        return False
    if any(c.text == "中" or c.lemma_ == "中" for c in predicate.children):
        return True
    if predicate.dep_ == "ROOT" and below is not None and _is_topic(below) and _going_on(predicate):
        return True  # 「ネット上のいじめへの対応については、状況を見ながら検討していきます」: left for later
    if any(c.dep_ == "obj" and c.lemma_ in ACT_NOUNS for c in predicate.children) or _act_on_its_way(predicate):
        return True  # 「導入を検討しており」
    if any(c.dep_ == "obj" and c.lemma_ == "こと" and any(g.lemma_ in ACT_NOUNS or g.lemma_ in _ACT_VERBS for g in c.children)
           for c in predicate.children):
        return True  # 「外部講師を招いて実施することを検討している」
    return below is not None and below.lemma_ in ACT_NOUNS


def _going_on(predicate) -> bool:
    """「検討していく」: consideration still to come, not a decision (「検討したい」 is `_wished`)."""
    return any(g.lemma_ == "いく" and g.dep_ == "fixed" for c in predicate.children for g in (c, *c.children))


def _wished(predicate) -> bool:
    """「作成したい」「策定を急ぎたい」「作成したいと考えている」: an act wished for, not done — but
    「未然防止に努めたい」 is the school's resolve."""
    def wants(token) -> bool:
        return token.lemma_ not in _RESOLVE and any(c.dep_ == "aux" and c.lemma_ == "たい" for c in token.children)

    return wants(predicate) or (predicate.lemma_ in ("考える", "思う") and any(c.dep_ == "ccomp" and wants(c) for c in predicate.children))


def _a_task(predicate) -> bool:
    """「チェックリストの整備が今後の課題である」「研修の充実が課題となっている」: still to be done."""
    if predicate.lemma_ in _TASK_NOUNS:
        return any(c.dep_ == "cop" for c in predicate.children)  # 「…が課題である」, not 「背景にある課題」
    return predicate.lemma_ == "なる" and any(c.lemma_ in _TASK_NOUNS and c.dep_ == "obl" for c in predicate.children)


def _in_progress(predicate) -> bool:
    """「現在作成中である」「準備中です」: the act is still being prepared, not done."""
    if predicate.lemma_.endswith("中") and predicate.lemma_[:-1] in _PREPARING:
        return True
    return predicate.lemma_ == "中" and any(c.lemma_ in _PREPARING for c in predicate.children)


def _to_be_made(predicate) -> bool:
    """「今年度中に作成する予定である」: a document still to be made (but 「６月に実施する予定である」
    schedules an act the policy does every year)."""
    return predicate.lemma_ == "予定" and any(c.dep_ == "acl" and (c.lemma_ in _PREPARING or c.lemma_ == "作る")
                                                for c in predicate.children)


def _act_on_its_way(predicate) -> bool:
    """「作成に向けて」「導入を目指して」 among the predicate's clauses: the act is not done yet."""
    return any(c.dep_ == "advcl" and c.lemma_ in ("向ける", "目指す") and any(g.lemma_ in ACT_NOUNS for g in c.children)
               for c in predicate.children)


def _is_topic(token) -> bool:
    """「Xについては」「Xは」: what the sentence is about."""
    return any(c.lemma_ == "は" for c in token.children)


def _future(predicate, span_ids: set[int]) -> bool:
    """An adverb of the future (今後, 次年度) among the predicate's dependents — not 「今後も」
    (from now on, as well: a commitment)."""
    def future(token) -> bool:
        return token.lemma_ in FUTURE and not any(c.lemma_ in ("も", "とも") for c in token.children)

    for child in predicate.children:
        if child.i in span_ids:
            continue
        if future(child) or (child.dep_ in ("acl", "advcl") and any(future(g) for g in child.children)):
            return True
        if child.lemma_ in _TASK_NOUNS and any(future(g) for g in child.children):
            return True  # 「作成は次年度の課題とする」
    return False


def _has_negation(predicate, span_ids: set[int]) -> bool:
    """ない・ず・ません among the predicate's auxiliaries, or 「ことはない」 hanging from it."""
    for child in predicate.children:
        if child.i in span_ids:
            continue
        if child.dep_ == "aux" and child.lemma_ in NEGATING_AUX and not _obligation(child):
            return True
        if child.dep_ in ("compound", "fixed", "mark") and any(
                g.lemma_ in NEGATING_AUX | NEGATING_PREDICATES and g.dep_ in ("fixed", "aux") for g in child.children) \
                and not _prohibition(child):
            return True
    return False


def _obligation(negation) -> bool:
    """「報告しなければならない」「しなくてはいけない」: a duty, not a denial."""
    return any(g.dep_ == "fixed" and g.lemma_ in _PROHIBITING for g in negation.children)


def _prohibition(marker) -> bool:
    """「してはいけない」「してはならない」: a rule the policy sets, not an act it denies."""
    return marker.lemma_ in ("て", "で") and any(g.lemma_ in _PROHIBITING for g in marker.children)


def _is_predicate(token) -> bool:
    if token.lemma_ in ("いじめ", "いじめる") and token.i + 1 < len(token.doc) and token.doc[token.i + 1].pos_ == "NOUN":
        return False  # 「いじめ防止の取組」: the noun いじめ in a compound, sometimes tagged as a verb
    if token.pos_ in ("VERB", "ADJ"):
        return True
    if token.dep_ == "ROOT":
        return True
    # サ変 nouns used as predicates (実施し, 相談し) carry auxiliaries
    return any(c.dep_ == "aux" for c in token.children)
