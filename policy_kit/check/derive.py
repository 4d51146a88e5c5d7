"""Draft a checklist from a board's own basic policy (`policy-kit checklist derive`).

A city's or prefecture's いじめ防止基本方針 says, in a part of its own, what every school's policy
must contain and what schools must do. This module

1. reads the document (any format `check` reads) and rebuilds its outline from the numbering at
   the start of lines (第3章, 3, (1), イ, a, (a), ①, ア …), so every sentence knows its section
   (``第3章3(1)イa(b)``);
2. finds the part about schools: sections whose heading names the school's own measures
   (学校が実施する…, 学校の施策, 学校いじめ防止基本方針の策定 …), sentences elsewhere whose
   subject is the school (学校は、…), and the definitions a school policy restates (定義, 解消,
   重大事態の意味);
3. keeps the obligations in it: sentences ending in …こと／…ものとする／…定める／…努める／…必要が
   ある and the plain directive form of a policy (…する。), and the items of a list that an
   obligation introduces (次の内容を盛り込む。 (a) … (b) …);
4. parses only those sentences with GiNZA's dependency parser to find each obligation's object
   (the を-argument of the final verb, or the noun phrase of a verbless item) and the action, and
   proposes a title and matching terms from them.

Every drafted requirement carries ``draft: true``: it is a proposal for a person to review (the
wording of titles, the terms, severity), never a finished checklist."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .analyse import parser
from .document import Document, Limits
from .extract import read_document
from .normalise import normalise_line

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

# ---------------------------------------------------------------------------- outline

_KATA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
_MARKERS: list[tuple[str, re.Pattern]] = [
    ("chapter", re.compile(r"^第([0-9一二三四五六七八九十]+)章\s*")),
    ("part", re.compile(r"^([IVX]{1,4})[\s.．]\s*")),
    ("num", re.compile(r"^([0-9]{1,2})(?:[.．、]\s*|\s+)(?=\S)")),
    ("pnum", re.compile(r"^[(（]([0-9]{1,2})[)）]\s*")),
    ("circled", re.compile(r"^([①-⑳])\s*")),
    ("kata", re.compile(rf"^([{_KATA}])(?:\s+|[.．、]\s*)(?=\S)")),
    ("pkata", re.compile(rf"^[(（]([{_KATA}])[)）]\s*")),
    ("alpha", re.compile(r"^([a-z])(?:\s+|[.．)]\s*)(?=\S)")),
    ("palpha", re.compile(r"^[(（]([a-z])[)）]\s*")),
]
RANK = {kind: rank for rank, (kind, _) in enumerate(_MARKERS)}  # 第1章 > I > 1 > (1) > ① > ア > (ア) > a > (a)
LIST_KINDS = ("alpha", "palpha", "pkata")  # a, (a), (ア): items of a list, never headings
_BULLET = re.compile(r"^([・○◯◆◇●■□※]|-\s)\s*")
_MD = re.compile(r"^(#{1,6}\s*|[-*+]\s+)+|\*\*|__")  # Markdown headings, list bullets, bold
_PAGE = re.compile(r"^[-－―–—\s]*[0-9]{1,3}[-－―–—\s]*$|^[0-9]+\s*/\s*[0-9]+$")
_TOC = re.compile(r"(\.{3,}|…{2,}|・{3,}|\s)[0-9]{1,3}$|\t[0-9]{1,3}$")


@dataclass
class Section:
    """A numbered part of the document: its markers from the outermost, and its heading."""

    path: tuple[tuple[str, str], ...]  # ((kind, label), …) e.g. (("chapter", "3"), ("num", "3"), ("pnum", "1"))
    heading: str = ""
    headings: tuple[str, ...] = ()  # the headings of this section and its parents, outermost first

    @property
    def label(self) -> str:
        return "".join(_label(kind, value) for kind, value in self.path)


def _label(kind: str, value: str) -> str:
    return {"chapter": f"第{value}章", "pnum": f"({value})", "palpha": f"({value})", "pkata": f"({value})"}.get(kind, value)


@dataclass
class Unit:
    """A paragraph or list item of the body, with its section and where it stands in the file."""

    text: str
    section: Section
    line: int  # first line (1-based, within its page)
    page: int
    end_line: int
    marker: str = ""  # the numbering kind that opened it (a list item), "" for running text
    is_heading: bool = False


def outline(document: Document) -> list[Unit]:
    """The document as units (headings, paragraphs, list items), each with its section."""
    stack: list[tuple[str, str, str]] = []  # (kind, label, heading text)
    units: list[Unit] = []
    current: Unit | None = None
    for page_no, page in enumerate(document.pages, 1):
        for line_no, line in enumerate(page, 1):
            text, kind, label, rest = _read_line(line.text)
            if not text:
                continue  # blank lines come between the wrapped lines of PDF text: they end nothing
            if kind:
                while stack and RANK[stack[-1][0]] >= RANK[kind]:
                    stack.pop()
                heading = rest if kind not in LIST_KINDS and _looks_like_heading(rest) else ""
                stack.append((kind, label, heading))
                current = Unit(rest, _section(stack), line_no, page_no, line_no, marker=kind, is_heading=bool(heading))
                units.append(current)
                current = None if heading else current  # the text after a heading starts a new paragraph
                continue
            if re.fullmatch(r"[【\[<＜][^】\]>＞]{1,24}[】\]>＞]", text):  # 【未然防止】, <P11>: a label, not text
                units.append(Unit(text, _section(stack), line_no, page_no, line_no, marker="label", is_heading=True))
                current = None
                continue
            bullet = _BULLET.match(text)
            text = normalise_line(text[bullet.end():] if bullet else text)
            if current is not None and not bullet and not current.is_heading and not current.text.endswith("。"):
                current.text += text  # a line wrapped in the middle of a sentence
                current.end_line = line_no
            else:
                current = Unit(text, _section(stack), line_no, page_no, line_no, marker="bullet" if bullet else "")
                current.is_heading = bool(bullet) and _looks_like_heading(text) and len(text) <= 30  # ○ いじめた児童生徒への対応
                units.append(current)
            if current.text.endswith("。") or current.is_heading:
                current = None
    return units


def _read_line(line: str) -> tuple[str, str, str, str]:
    """(text, numbering kind, its label, the text after the numbering) of one line; text is "" for
    lines that carry nothing (blank, a page number, a table-of-contents entry)."""
    original = _MD.sub("", line.replace("\u3000", " ").strip()).strip()
    text = _MD.sub("", unicodedata.normalize("NFKC", line).replace("\u3000", " ").strip()).strip()
    if not text or _PAGE.match(text) or _TOC.search(text):
        return "", "", "", ""
    circled = re.match(r"^([①-⑳])\s*", original)  # NFKC turns ① into 1: look before it
    if circled:
        return text, "circled", circled.group(1), normalise_line(original[circled.end():])
    kind, label, rest = _marker(text)
    return text, kind, label, normalise_line(rest)


def _marker(text: str) -> tuple[str, str, str]:
    if re.match(r"^第[0-9一二三四五六七八九十]+条", text):  # an article of a statute or by-law: not the outline
        return "", "", text
    for kind, pattern in _MARKERS:
        m = pattern.match(text)
        if m:
            rest = text[m.end():].strip()
            if kind == "num" and (not rest or re.match(r"^[0-9年月日%％]", rest)):
                continue
            return kind, m.group(1), rest
    return "", "", text


def _looks_like_heading(text: str) -> bool:
    """A short title: no sentence end and no comma (the first wrapped line of a paragraph has one)."""
    return bool(text) and len(text) <= 40 and not any(c in text for c in "。、，")


def _section(stack: list[tuple[str, str, str]]) -> Section:
    headings = tuple(h for _, _, h in stack if h)
    return Section(tuple((k, v) for k, v, _ in stack), stack[-1][2] if stack else "", headings)


# ---------------------------------------------------------------------------- scope and obligations

SCHOOL_HEADING = re.compile(r"学校(が|の|で|に|における)?[^、。]{0,12}(実施|施策|取組|措置)|学校いじめ防止基本方針|学校におけるいじめ")
NOT_SCHOOL_HEADING = re.compile(r"(市|県|府|都|道|町|村|国|教育委員会|設置者)(が|の)(実施|施策|取組)|市長|再調査")
DEFINITION_HEADING = re.compile(r"定義|意味")
DEFINED_TOPIC = re.compile(r"いじめの解消|重大事態$|いじめの重大事態")
SCHOOL_SUBJECT = re.compile(r"^([^。]{0,24}、)?(各学校|学校|(市|県|教育委員会)及び学校)(は|では)、")
OTHER_SUBJECT = re.compile(r"^([^。]{0,12}、)?(保護者|市長|市|県|教育委員会|児童生徒|市民等?|地域住民|報道機関)(は|が)、")
SCHOOL_LEVEL = re.compile(r"各学校|校内|学期に[1一]回|児童会|生徒会")  # a board's own measure carried out in every school
BACKGROUND_HEADING = re.compile(r"(意義|趣旨|目的|経緯)$")
OBLIGATION_END = re.compile(
    r"(こと|ものとする|ものとします|定める|定めます|努める|努めます|努めるものとする|必要がある|必要である|必要です|"
    r"なければならない|なければなりません|講ずる|講じる|求める|求められる|位置付ける|"
    r"[うくすつぬぶむるぐ]|ます)[。]?$"
)
INTRO = re.compile(r"次の(とおり|こと|事項|内容|取組|点|ような|ように)|以下の(とおり|こと|事項|内容|取組|ような)")
DESCRIPTIVE = re.compile(r"(である|であった|だ|います|いる|ある|あります|られる|られます|なる|なります|できる|できます|考えられる)。?$")
RECOMMENDED = re.compile(r"努め(る|ます)|望ましい|有効|考えられる")


@dataclass
class Obligation:
    """One sentence (or list item) that says what a school or its policy must do or contain."""

    text: str
    section: str
    headings: tuple[str, ...]
    page: int
    line: int
    end_line: int
    kind: str = "obligation"  # obligation | item | definition
    severity: str = "required"
    title: str = ""
    obj: str = ""  # the obligation's object as the parser found it
    action: str = ""  # the verb (dictionary form)
    terms: list[str] = field(default_factory=list)  # the object's words
    context_terms: list[str] = field(default_factory=list)  # other words of the sentence


def find_obligations(units: list[Unit]) -> list[Obligation]:
    """The obligations in the part of the policy about schools, in document order, deduplicated."""
    out: list[Obligation] = []
    seen: set[str] = set()
    defined: set[str] = set()
    intro_paths: list[tuple] = []  # sections whose list items an obligation introduced
    bullets_of: tuple | None = None
    for i, unit in enumerate(units):
        section = unit.section
        if unit.marker != "bullet" and not unit.is_heading and bullets_of is not None and not INTRO.search(unit.text):
            bullets_of = None  # running text ends the bulleted list
        in_school = _in_school_part(section)
        if unit.is_heading:
            if unit.marker != "label" and _definition_section(section, in_school) and section.label not in defined and _has_body(units, i):
                defined.add(section.label)
                out.append(_definition(unit))
            continue
        for sentence in _sentences(unit.text):
            key = re.sub(r"\s", "", sentence)
            if len(key) < 8 or key in seen:
                continue
            is_intro = bool(INTRO.search(sentence)) and sentence.endswith(("。", "ます", "する", "る"))
            item_of_intro = bool(unit.marker) and (any(section.path[:len(p)] == p and len(section.path) > len(p) for p in intro_paths)
                                                   or (unit.marker == "bullet" and bullets_of == section.path))
            school = in_school or bool(SCHOOL_SUBJECT.search(sentence)) or bool(SCHOOL_LEVEL.search(sentence))
            if not school or OTHER_SUBJECT.search(sentence) or any(BACKGROUND_HEADING.search(h) for h in section.headings[-1:]):
                continue
            if is_intro:
                intro_paths.append(section.path)
                bullets_of = section.path  # bullets (・) right after the intro are its items
                continue
            if item_of_intro or _is_obligation(sentence):
                seen.add(key)
                kind = "item" if item_of_intro and not _is_obligation(sentence) else "obligation"
                out.append(Obligation(sentence, section.label, section.headings, unit.page, unit.line, unit.end_line, kind,
                                      "recommended" if RECOMMENDED.search(sentence) else "required"))
    return out


def _in_school_part(section: Section) -> bool:
    for heading in section.headings:
        if NOT_SCHOOL_HEADING.search(heading):
            return False
        if SCHOOL_HEADING.search(heading):
            return True
    return False


def _definition_section(section: Section, in_school: bool) -> bool:
    """A section that defines what a school policy restates: its heading says 定義 or 意味, or it
    is a direct part of such a section, or a school section on resolution or serious cases."""
    if not section.heading or any(NOT_SCHOOL_HEADING.search(h) for h in section.headings):
        return False
    if DEFINITION_HEADING.search(section.heading):
        return True
    parent = section.headings[-2] if len(section.headings) >= 2 else ""
    return bool(DEFINED_TOPIC.search(section.heading)) and (in_school or "定義" in parent)


def _has_body(units: list[Unit], i: int) -> bool:
    nxt = next((u for u in units[i + 1:] if u.marker != "label"), None)
    return nxt is not None and not nxt.is_heading and nxt.section.path[:len(units[i].section.path)] == units[i].section.path


def _definition(unit: Unit) -> Obligation:
    heading = unit.section.heading
    what = re.sub(r"^(いじめの|「いじめ」等の)", "", heading).strip("「」") or heading
    title = heading if heading.endswith(("定義", "意味", "解消")) else f"{heading}の定義"
    return Obligation(f"{heading}（定義）", unit.section.label, unit.section.headings, unit.page, unit.line, unit.end_line,
                      "definition", "required", title=title, obj=what)


def _sentences(text: str) -> list[str]:
    """Split at 。 outside brackets (…を含む。) does not end a sentence)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "(（「『":
            depth += 1
        elif ch in ")）」』":
            depth = max(0, depth - 1)
        elif ch == "。" and depth == 0:
            out.append(text[start:i + 1].strip())
            start = i + 1
    out.append(text[start:].strip())
    return [s for s in out if s]


def _is_obligation(sentence: str) -> bool:
    body = sentence.rstrip("。")
    if re.search(r"こと(が|は)(必要|重要|大切|求められ)", body):
        return True
    if DESCRIPTIVE.search(sentence) and not re.search(r"(必要がある|必要である|ものとする|こと)。?$", sentence):
        return False
    return bool(OBLIGATION_END.search(body))


# ---------------------------------------------------------------------------- the parse

GENERIC = {
    "学校", "児童", "生徒", "児童生徒", "いじめ", "取組", "こと", "もの", "ため", "場合", "等", "必要", "内容", "全て", "次", "他",
    "各", "関係", "状況", "実施", "活用", "方法", "上", "中", "後", "時", "本市", "市", "当該", "教職員", "防止", "対策", "など",
    "いじめの防止等", "防止等", "それぞれ", "事項", "以下", "当該児童生徒", "自校", "よう", "的確", "適切", "十分", "一層", "充実",
    "推進", "実態", "対応", "組織", "機会", "様々", "全体", "自ら", "日頃", "平素", "日常", "一人一人", "理解", "必要性", "具体",
    "中心", "ほか", "その後", "とき", "対象", "問題", "情報", "行為", "事案", "体制", "観点", "実情", "複数", "個々", "特定", "構成",
    "決定", "はじめ", "上記", "本校", "法第", "当該組織", "関係者", "意見", "在り方", "目的", "規模", "段階", "状態", "程度",
    "うち", "際", "もと", "最優先", "今後", "その他", "以上", "以下",
}
GENERIC_ACTIONS = {"する", "行う", "図る", "進める", "取り組む", "努める", "講ずる", "講じる", "ある", "なる", "できる", "定める",
                   "盛り込む", "位置付ける", "位置づける", "求める", "おく", "いる"}
MAX_TITLE = 36


def analyse_obligations(obligations: list[Obligation]) -> None:
    """Fill title, object, action and terms of every obligation from GiNZA's parse."""
    todo = [o for o in obligations if o.kind != "definition"]
    nlp = parser()
    for ob, doc in zip(todo, nlp.pipe([CONNECTIVE.sub("", _trim(o.text)) for o in todo], batch_size=32)):
        _read_parse(ob, doc)
    for ob in obligations:
        if ob.kind == "definition":
            ob.terms = _unique([t for t in re.split(r"[「」・、の]", ob.obj) if len(t) >= 2 and t not in GENERIC])[:3] or [ob.obj]
            ob.context_terms = ["定義"] if "定義" in ob.title else []


def _trim(text: str) -> str:
    return text[:400]


CONNECTIVE = re.compile(r"^(そのため|このため|また|なお|さらに|あわせて|加えて|特に|ただし|その際)、")
MODAL = {"必要", "重要", "大切", "大事", "有効", "求める", "求められる"}


def _read_parse(ob: Obligation, doc: "Doc") -> None:
    root = next((t for t in doc if t.dep_ == "ROOT"), doc[len(doc) - 1] if len(doc) else None)
    if root is None:
        ob.title = _fallback_title(ob.text)
        return
    verb = _main_verb(root)
    obj = _object_of(verb)
    compounds = _compounds(doc)
    head = obj if obj is not None else (verb if verb.pos_ in ("NOUN", "PROPN") else None)
    if head is not None:
        ob.obj = _phrase(head)
        ob.terms = [c.text for c in _unique([c for c in compounds if _within(c, head)])][:3]
    args = _arguments(verb)  # the nouns the obligation's verbs take (…に相談・通報し、連携して対応する)
    words = [c.text for c in sorted(compounds, key=lambda c: (c.end not in args, c.start))]
    ob.terms = [t for t in ob.terms if t not in GENERIC] or _unique([w for w in words if w not in GENERIC])[:2]
    ob.action = "" if verb.pos_ in ("NOUN", "PROPN") else _predicate(verb)
    action = ob.action if ob.action and ob.action not in GENERIC_ACTIONS and len(ob.action) >= 2 else ""
    others = [w for w in words if w not in ob.terms and w not in GENERIC and w != action]
    ob.context_terms = _unique(([_sahen_noun(verb)] if _sahen_noun(verb) else [action] if action else []) + others)[:4]
    ob.title = _title(ob, verb, obj)


def _arguments(verb: "Token") -> set[int]:
    """Positions of the nouns that the verb and the verbs coordinated with it take as arguments."""
    verbs = [verb] + [c for c in verb.children if c.dep_ in ("advcl", "conj") and c.pos_ in ("VERB", "NOUN")]
    return {a.i for v in verbs for a in v.children if a.dep_ in ("obj", "obl", "nsubj") and a.pos_ in ("NOUN", "PROPN")}


def _main_verb(root: "Token") -> "Token":
    """The verb that carries the obligation: 連携する in 連携することが重要である, 盛り込む in
    盛り込んでおく必要がある; otherwise the sentence's root."""
    if root.lemma_ in MODAL or (root.lemma_ == "ある" and any(c.lemma_ == "必要" for c in root.children)):
        for child in root.children:
            if child.dep_ in ("nsubj", "csubj") and child.lemma_ in ("こと", "必要"):
                inner = [c for c in child.children if c.dep_ == "acl" and c.pos_ in ("VERB", "NOUN")]
                if inner:
                    return inner[-1]
    return root


def _sahen_noun(token: "Token") -> str:
    """連携 of 連携する, 実施 of 実施する (a noun used with する)."""
    nxt = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    return token.text if nxt is not None and nxt.lemma_ == "する" and token.text == token.lemma_ and len(token.text) >= 2 else ""


def _predicate(verb: "Token") -> str:
    """The dictionary form, with a compound verb's second part (位置付ける)."""
    nxt = verb.doc[verb.i + 1] if verb.i + 1 < len(verb.doc) else None
    if nxt is not None and nxt.pos_ == "VERB" and nxt.head.i == verb.i and nxt.dep_ in ("advcl", "compound", "fixed"):
        return verb.text + nxt.lemma_
    return verb.lemma_


def _fallback_title(text: str) -> str:
    body = CONNECTIVE.sub("", text.rstrip("。"))
    body = re.sub(r"(こと(が|は)(必要|重要|大切)(である|です)?|必要がある|ものとする|ものとします)$", "", body)
    if len(body) > MAX_TITLE:
        cut = body.rfind("、", 0, len(body) - 12)
        body = body[cut + 1:] if cut > 0 else body[-MAX_TITLE:]
    return body


def _object_of(verb: "Token") -> "Token | None":
    """The を-argument of the verb; else its last に/と/で-argument or subject; else the を-argument
    of a verb coordinated with it (…を説明し、…提出する)."""
    objs = [c for c in verb.children if c.dep_ == "obj"]
    if objs:
        return objs[-1]
    if verb.pos_ in ("NOUN", "PROPN"):
        return None
    for child in verb.children:
        if child.dep_ in ("advcl", "conj") and child.pos_ == "VERB":
            inner = [c for c in child.children if c.dep_ == "obj"]
            if inner:
                return inner[-1]
    for dep in ("obl", "nsubj"):
        found = [c for c in verb.children if c.dep_ == dep and c.pos_ in ("NOUN", "PROPN") and c.lemma_ not in GENERIC]
        if found:
            return found[-1]
    return None


@dataclass
class _Compound:
    text: str
    start: int
    end: int


def _compounds(doc: "Doc") -> list[_Compound]:
    """Runs of nouns (学校いじめ防止基本方針, 個人面談) with adjectival nouns (包括的)."""
    out: list[_Compound] = []
    run: list["Token"] = []
    for token in [*doc, None]:
        if token is not None and token.pos_ in ("NOUN", "PROPN") and token.text not in ("等", "ため", "こと", "もの", "よう"):
            run.append(token)
            continue
        if token is not None and token.pos_ == "ADJ" and token.text.endswith("的"):
            run.append(token)
            continue
        if run:
            text = "".join(t.text for t in run)
            if len(run) > 3 or len(text) > 8:  # long compounds: keep the head (last two words)
                text = "".join(t.text for t in run[-2:])
            if len(text) >= 2 and not re.fullmatch(r"[0-9０-９]+", text):
                out.append(_Compound(text, run[0].i, run[-1].i))
            run = []
    return out


def _within(compound: _Compound, head: "Token") -> bool:
    left = min(t.i for t in head.subtree)
    return left <= compound.start and compound.end <= head.i


def _phrase(token: "Token", limit: int = 24) -> str:
    """The token's noun phrase, shortened at a word boundary to its last few words (…包括的な取組の方針)."""
    words = [t for t in token.subtree if t.i <= token.i]
    while words and (words[0].pos_ in ("PUNCT", "ADP", "AUX", "SCONJ") or sum(len(t.text) for t in words) > limit):
        # drop leading words, but only up to a boundary after a particle or a comma
        cut = next((k for k in range(1, len(words)) if words[k - 1].pos_ in ("ADP", "PUNCT", "AUX", "SCONJ")
                    and sum(len(t.text) for t in words[k:]) <= limit), None)
        if cut is None:
            words = words[1:]
        else:
            words = words[cut:]
            break
    return "".join(t.text for t in words).strip("、,・ ")


def _title(ob: Obligation, verb: "Token", obj: "Token | None") -> str:
    what = ob.obj
    if verb.pos_ in ("NOUN", "PROPN"):  # a verbless list item: its noun phrase
        title = _phrase(verb, limit=MAX_TITLE)
    elif obj is not None and obj.dep_ == "obj":
        title = f"{what}の{_sahen_noun(verb)}" if _sahen_noun(verb) else f"{what}を{_predicate(verb)}"
    elif obj is not None:
        case = next((c.text for c in obj.children if c.dep_ == "case"), "")
        link = {"に": "への", "へ": "への", "と": "との", "で": "での", "から": "からの"}.get(case, "の")
        title = f"{what}{link}{_sahen_noun(verb)}" if _sahen_noun(verb) else f"{what}{case}{_predicate(verb)}"
    else:
        title = ""
    if len(title) < 6:
        title = _fallback_title(ob.text)
    return title if len(title) <= MAX_TITLE else "…" + title[-(MAX_TITLE - 1):]


def _unique(words: list) -> list:
    out = []
    for w in words:
        key = w.text if hasattr(w, "text") else w
        if key and key not in [x.text if hasattr(x, "text") else x for x in out]:
            out.append(w)
    return out


# ---------------------------------------------------------------------------- the draft


@dataclass
class Draft:
    source: str
    obligations: list[Obligation]
    sections: list[str]  # the school sections found (labels and headings)


def derive(path: str | Path, limits: Limits = Limits()) -> Draft:
    """Read a board's policy and draft its obligations for schools (parsed with GiNZA)."""
    document = read_document(path, limits)
    units = outline(document)
    obligations = find_obligations(units)
    if not obligations:
        raise InputError("found no part that says what schools must do (no section about the school's measures, no "
                         "sentence '学校は、…'); is this a board's basic policy?", path,
                         ja="学校が行うべきことを定めた部分が見つかりません（自治体のいじめ防止基本方針ですか）")
    analyse_obligations(obligations)
    drafted = {ob.section for ob in obligations}
    sections = _unique([f"{u.section.label} {u.section.heading}".strip() for u in units
                        if u.is_heading and u.marker != "label" and _in_school_part(u.section) and len(u.section.path) <= 3
                        and any(d.startswith(u.section.label) for d in drafted)])
    return Draft(str(path), obligations, sections)


def draft_yaml(draft: Draft, checklist_id: str | None = None) -> str:
    """The draft as a checklist YAML that loads with `--checklist` (every requirement draft: true)."""
    import yaml

    stem = re.sub(r"[^a-z0-9]+", "-", Path(draft.source).stem.lower()).strip("-") or "policy"
    cid = checklist_id or f"draft-{stem}"[:60]
    concepts: dict[str, Any] = {}
    requirements = []
    for n, ob in enumerate(draft.obligations, 1):
        rid = f"draft-{n:03d}"
        what, ctx = f"d{n:03d}_what", f"d{n:03d}_also"
        concepts[what] = {"terms": ob.terms or [ob.title[:12]]}
        present: list[dict] = [{"all": [[what]]}]
        partial: list[dict] = []
        if ob.context_terms:
            concepts[ctx] = {"terms": ob.context_terms}
            present = [{"all": [[what, ctx]]}, {"all": [what, ctx], "window": 1}]
            partial = [{"all": [[what]]}]
        where = f"{ob.section}（{'p.' + str(ob.page) + ' ' if ob.page > 1 else ''}{ob.line}行）" if ob.section else f"{ob.line}行"
        requirements.append({
            "id": rid,
            "title": ob.title or ob.text[:MAX_TITLE],
            "severity": ob.severity,
            "source": where,
            "why": f"方針の{ob.section or '本文'}に「{_quote(ob.text)}」とあります。",
            "fix": f"「{ob.title or ob.obj}」について、学校としての取組を方針に書いてください。",
            "present": present,
            **({"partial": partial} if partial else {}),
            "draft": True,
        })
    data = {
        "checklist": {"id": cid, "title": f"（下書き）{Path(draft.source).name} から作成したチェックリスト", "version": "draft",
                      "source": Path(draft.source).name, "negation_cues": _negation_cues()},
        "concepts": concepts,
        "requirements": requirements,
    }
    header = (f"# Drafted by `policy-kit checklist derive` from {Path(draft.source).name}: {len(requirements)} requirements.\n"
              "# Every requirement is a proposal (draft: true). Review the title, severity, terms and rules of each,\n"
              "# merge or delete items, then remove `draft: true`. Sections read as the school's part:\n"
              + "".join(f"#   {s}\n" for s in draft.sections[:20]))
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100, default_flow_style=None)


def _quote(text: str) -> str:
    text = text.rstrip("。")
    return text if len(text) <= 80 else text[:79] + "…"


def _negation_cues() -> list[str]:
    """The bundled national checklist's cues (not done / not applicable / to be considered)."""
    from .. import safeyaml
    from ..resources import data_dir

    data = safeyaml.load_file(data_dir("checklists") / "national.yaml")
    return list(data.get("checklist", {}).get("negation_cues", []))
