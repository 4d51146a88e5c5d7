"""Safe YAML loading for untrusted inputs and checklists.

yaml.safe_load never constructs Python objects; on top of it we refuse aliases (so no
billion-laughs expansion) and duplicated keys, cap the file size and nesting depth, and report
problems with their line, in English and Japanese. Files typed with a Japanese IME are read as
their writer meant them:

- UTF-8 (with or without BOM), UTF-16 with BOM, Shift_JIS (cp932) and EUC-JP are accepted;
- numbers written with a leading zero (``phone: 0166123456``) and clock times (``13:00``) keep
  their text: YAML 1.1 would read the first as an octal number and the second as base 60;
- a full-width colon after a key (``name：``) and full-width-space indentation are pointed at on
  their own line, instead of a YAML error one line later or a silently wrong structure.

``load_document`` also returns the line of every key and list item, so validation errors can
name the line of the input."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

MAX_YAML_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32

Loc = tuple  # a path into the data: keys and list indices


@dataclass
class YamlDocument:
    """Loaded data and where each part of it was written (1-based line numbers)."""

    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    encoding: str = "utf-8"

    def line_of(self, loc: Loc) -> int | None:
        """The line of ``loc``, or of the nearest enclosing key that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return None


class _Loader(yaml.SafeLoader):
    """SafeLoader without aliases; leading-zero numbers and clock times stay text."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in policy-kit inputs", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node):  # type: ignore[override]
        raw = str(node.value)
        if _KEEP_AS_TEXT.match(raw):
            return raw
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node):  # type: ignore[override]
        if ":" in str(node.value):
            return str(node.value)
        return super().construct_yaml_float(node)


# 0166123456 (a phone number, octal to YAML 1.1), 012 and 13:00 / 1:30:00 (base 60 to YAML 1.1)
_KEEP_AS_TEXT = re.compile(r"^[-+]?(0[0-9_]+|[0-9][0-9_]*(:[0-5]?[0-9])+)$")
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)
_NoAliasLoader = _Loader  # the name yamlscalars.install looks for


Mark = tuple  # (file, line): where a YAML node was written; line counts from 1


class MarkedDict(dict):
    """A mapping from a YAML file that remembers where it and each key were written."""

    mark: Mark = ("", 0)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.key_marks: dict[Any, Mark] = {}


class MarkedList(list):
    """A list from a YAML file that remembers where it and each item were written."""

    mark: Mark = ("", 0)

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.item_marks: list[Mark] = []


class _MarkedLoader(_Loader):
    """The safe loader building MarkedDict/MarkedList instead of dict/list."""

    yaml_file = ""

    def _mark(self, node: yaml.Node) -> Mark:
        return (self.yaml_file, node.start_mark.line + 1)


def _construct_marked_map(loader: _MarkedLoader, node: yaml.MappingNode):
    data = MarkedDict()
    data.mark = loader._mark(node)
    yield data
    data.update(loader.construct_mapping(node))
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, (str, int, float, bool)) or key is None:
            data.key_marks.setdefault(key, loader._mark(key_node))


def _construct_marked_seq(loader: _MarkedLoader, node: yaml.SequenceNode):
    data = MarkedList()
    data.mark = loader._mark(node)
    yield data
    data.extend(loader.construct_sequence(node))
    data.item_marks = [loader._mark(item) for item in node.value]


_MarkedLoader.add_constructor("tag:yaml.org,2002:map", _construct_marked_map)
_MarkedLoader.add_constructor("tag:yaml.org,2002:seq", _construct_marked_seq)


def load_file(path: str | Path, marked: bool = False) -> Any:
    """The data of a YAML file (see ``load_document`` for the lines too). With ``marked``,
    mappings and lists remember the file and line where they and their keys/items were written
    (`MarkedDict`, `MarkedList`), so that errors found later can name the line."""
    return load_document(path, marked=marked).data


def load_document(path: str | Path, marked: bool = False) -> YamlDocument:
    """Read, decode and parse a YAML file; every problem is an InputError naming the file."""
    path = Path(path)
    raw = _read(path)
    text, encoding = decode_yaml(raw, path)
    document = parse(text, path, marked=marked)
    document.encoding = encoding
    return document


def load_text(text: str, path: str | Path = "<string>", marked: bool = False) -> Any:
    return parse(text, path, marked=marked).data


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise InputError(f"file is too large for a YAML input ({size} bytes; limit {MAX_YAML_BYTES})", path,
                             ja=f"ファイルが大きすぎます（{size:,}バイト。上限は{MAX_YAML_BYTES:,}バイト）。入力ファイルを指定しているか確認してください")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path, ja="ファイルが見つかりません。ファイル名と場所を確認してください") from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a YAML file", path,
                         ja="フォルダが指定されています。YAMLファイル（.yaml）を指定してください") from None
    except PermissionError:
        raise InputError("cannot read: permission denied", path, ja="ファイルを読む権限がありません") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path, ja=f"ファイルを読めません（{exc.strerror}）") from None


# ------------------------------------------------------------------------------- encodings


def decode_yaml(raw: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """The text of a YAML file and the encoding it was in: UTF-8 (BOM or not), UTF-16 with a
    BOM, Shift_JIS (cp932) or EUC-JP. When both Japanese encodings decode the bytes, the one
    giving more ordinary Japanese characters wins."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in ("cp932", "euc_jp"):
        try:
            candidates.append((_japanese_score(raw.decode(encoding)), encoding))
        except UnicodeDecodeError:
            continue
    if not candidates:
        raise InputError("unknown text encoding; save the file as UTF-8 (Shift_JIS and EUC-JP are also read)", path,
                         ja="文字コードを判別できません。UTF-8で保存し直してください（Shift_JIS・EUC-JPも読めます）")
    _, best = max(candidates)
    return raw.decode(best), best


_ORDINARY = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e\x20-\x7e\n\r\t]")


def _japanese_score(text: str) -> float:
    """Share of characters that ordinary Japanese text is made of (kana, kanji, ASCII, punctuation)."""
    return len(_ORDINARY.findall(text)) / max(1, len(text))


# ------------------------------------------------------------------------------- parsing


def parse(text: str, path: str | Path = "<string>", marked: bool = False) -> YamlDocument:
    if "\x00" in text:
        raise InputError("the file contains NUL bytes; is it really YAML?", path,
                         ja="ファイルにNUL文字が含まれています。YAMLのテキストファイルではないようです")
    layout = layout_problems(text)
    if layout:  # IME slips (full-width colon, indentation) break the structure: say where
        line, en, ja = layout[0]
        raise InputError(f"line {line}: {en}", path, ja=f"{line}行目: {ja}")
    if _FAST_LOADERS:
        try:
            return _parse(text, path, marked, fast=True)
        except (yaml.YAMLError, _SharedNode):
            pass  # the pure-Python parser finds the same problem and words it as users know it
    return _parse(text, path, marked, fast=False)


class _SharedNode(Exception):
    """An alias (*name): the C composer gives the anchored node again instead of refusing it."""


def _parse(text: str, path: str | Path, marked: bool, fast: bool) -> YamlDocument:
    """Compose with libyaml (``fast``, ten times quicker on a whole checklist) or PyYAML's own
    composer (which refuses aliases as it reads); either way the same constructors build the data."""
    if fast:
        loader = (_FAST_LOADERS[1] if marked else _FAST_LOADERS[0])(text)
    else:
        loader = _MarkedLoader(text) if marked else _Loader(text)
    if marked:
        loader.yaml_file = str(path)
    try:
        node = loader.get_single_node()
        if fast and node is not None and _shares_nodes(node):
            raise _SharedNode()
        lines: dict[Loc, int] = {}
        if node is not None:
            _walk(node, (), lines, path, 0)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        if fast:
            raise  # parse() asks the pure-Python parser, whose messages the hints below read
        raise _syntax_error(exc, text, path) from None
    except yaml.YAMLError as exc:
        if fast:
            raise
        raise InputError(f"YAML error: {exc}", path, ja=f"YAMLとして読めません（{exc}）") from None
    except RecursionError:
        raise InputError("YAML is nested too deeply", path, ja="YAMLの入れ子が深すぎます") from None
    finally:
        loader.dispose()
    return YamlDocument(data, lines)


def _shares_nodes(node: yaml.Node) -> bool:
    """Whether a node occurs twice in the tree (what an alias composes to)."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            return True
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((key, value))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return False


def _fast_loaders() -> tuple[type, type] | tuple[()]:
    """_Loader and _MarkedLoader on libyaml's parser and composer, when PyYAML was built with it."""
    if not getattr(yaml, "__with_libyaml__", False):
        return ()

    def init(self, stream):
        yaml.cyaml.CParser.__init__(self, stream)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    fast = type("_FastLoader", (yaml.cyaml.CParser, _Loader), {"__init__": init})
    fast_marked = type("_FastMarkedLoader", (yaml.cyaml.CParser, _MarkedLoader), {"__init__": init})
    return fast, fast_marked


_FAST_LOADERS = _fast_loaders()

_SURROGATE = re.compile("[\ud800-\udfff]")


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int], path: str | Path, depth: int) -> None:
    """Record the line of every key and list item; refuse duplicated keys and deep nesting."""
    if depth > MAX_DEPTH:
        raise InputError(f"YAML is nested more than {MAX_DEPTH} levels deep", path,
                         ja=f"YAMLの入れ子が{MAX_DEPTH}段より深くなっています")
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            line = key_node.start_mark.line + 1
            if key is None:
                continue
            if key in seen:
                where = ".".join(str(p) for p in (*loc, key))
                raise InputError(
                    f"line {line}: the key {where!r} is written twice (lines {seen[key]} and {line}); keep one of them",
                    path, ja=f"{line}行目: 「{where}」が2回書かれています（{seen[key]}行目と{line}行目）。どちらか一方を消してください")
            seen[key] = line
            lines[(*loc, key)] = line
            _walk(value_node, (*loc, key), lines, path, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*loc, index)] = item.start_mark.line + 1
            _walk(item, (*loc, index), lines, path, depth + 1)
    elif isinstance(node, yaml.ScalarNode) and _SURROGATE.search(node.value):
        # "\ud800" escapes give lone surrogates, which no UTF-8 output (or message) can hold
        line = node.start_mark.line + 1
        raise InputError(f"line {line}: an escape (\\u…) gives a character that is not valid Unicode (a lone surrogate); write the character itself",
                         path, ja=f"{line}行目: 「\\u…」の書き方で、文字として使えない値（サロゲート）が書かれています。文字をそのまま書いてください")


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, path: str | Path) -> InputError:
    """A YAML syntax error with the line the writer has to look at, in English and Japanese."""
    problem = str(exc.problem or exc.context or "")
    if "aliases" in problem:
        return InputError("YAML aliases (*name) are not allowed", path,
                          ja="YAMLのエイリアス（*名前）は使えません。値をそのまま書いてください")
    if isinstance(exc, yaml.constructor.ConstructorError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        bad = re.match(r"^'(.*)' is not a valid (date|whole number|number|true/false value)", problem)  # yamlscalars
        if bad:
            what = {"date": "日付", "whole number": "整数", "number": "数", "true/false value": "true か false の値"}[bad.group(2)]
            hint = "存在しない日付か、書き方の誤りです。2026-04-01 か 令和8年4月1日 のように書いてください" if bad.group(2) == "date" else "値を確かめてください"
            return InputError(f"line {line}: {problem}", path, ja=f"{line}行目: 「{bad.group(1)}」は正しい{what}ではありません。{hint}")
        return InputError(f"line {line}: YAML tag not allowed: {problem}", path,
                          ja=f"{line}行目: 使えないYAMLの型（タグ）があります。「!!」で始まる指定を消してください")
    mark = exc.problem_mark or exc.context_mark
    # "while scanning a simple key … could not find expected ':'": the key is on the context line
    if exc.context_mark is not None and "simple key" in str(exc.context or ""):
        line = exc.context_mark.line + 1
        return InputError(f"line {line}: the line has no ':'; write it as 'key: value'", path,
                          ja=f"{line}行目: この行に「:」がありません。「項目名: 値」の形で、「:」の後に半角スペースを入れて書いてください（例　id: harunire-es）")
    line = mark.line + 1 if mark else 0
    column = mark.column + 1 if mark else 0
    if "mapping values are not allowed" in problem:
        previous = _previous_line(text, line)
        culprit = text.split("\n")[previous - 1].strip() if previous else ""
        if previous and ":" not in culprit and not culprit.startswith("- "):  # `id x`: the colon is missing there
            return InputError(f"line {previous}: the line has no ':'; write it as 'key: value'", path,
                              ja=f"{previous}行目: この行に「:」がありません。「項目名: 値」の形で、「:」の後に半角スペースを入れて書いてください（例　id: harunire-es）")
    hint_en, hint_ja = _syntax_hint(problem, text, line)
    return InputError(f"YAML syntax error at line {line}, column {column}: {problem}" + (f" ({hint_en})" if hint_en else ""), path,
                      ja=f"{line}行目{column}文字目: YAMLの書き方に誤りがあります。{hint_ja}")


def _syntax_hint(problem: str, text: str, line: int) -> tuple[str, str]:
    if "'\\t'" in problem or "\t" in problem:
        return ("indent with spaces, not tabs", "字下げにタブが使われています。半角スペースで字下げしてください")
    if "mapping values are not allowed" in problem:
        previous = _previous_line(text, line)
        if previous:
            return (f"check line {previous} too: a missing ':' or an indentation mistake there shows up here",
                    f"この行か、その前の{previous}行目に「:」の抜けや字下げのずれがないか確認してください")
    if "found character" in problem:
        return ("", "記号の使い方を確認してください。記号で始まる値は「'」で囲んでください（例　motto: '＊思いやり＊'）")
    return ("", "字下げ（行頭の半角スペースの数）と「:」「- 」の位置を確認してください")


def _previous_line(text: str, line: int) -> int | None:
    lines = text.split("\n")
    for number in range(line - 1, 0, -1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            return number
    return None


# ------------------------------------------------------------------------------- IME slips

_BLOCK_SCALAR = re.compile(r"(?::|^\s*-)\s+[|>][+-]?[0-9]?\s*(?:#.*)?$")
_FULLWIDTH_COLON_KEY = re.compile(r"^[ ]*(?:-[ ]+)?([A-Za-z_][A-Za-z0-9_.\-]*)[ \u3000]*：")
_FULLWIDTH_INDENT = re.compile(r"^[ ]*\u3000+[ \u3000]*(?:[-ー－][ \u3000]|[^\s:：#]+[ \u3000]*[:：](?:\s|$))")
_FULLWIDTH_DASH = re.compile(r"^[ ]*[ー－―‐][ \u3000]+\S")


def layout_problems(text: str) -> list[tuple[int, str, str]]:
    """Lines where an IME slip breaks the YAML structure: (line, English, Japanese). Text inside
    block scalars (``|`` / ``>``) and comments is never looked at."""
    problems: list[tuple[int, str, str]] = []
    block_indent: int | None = None
    previous = ""
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        stripped = line.strip(" ")
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        if not stripped or stripped.startswith("#"):
            continue
        if _FULLWIDTH_INDENT.match(line):
            problems.append((number, "the line is indented with full-width spaces; indent with ASCII spaces",
                             "行頭に全角スペースがあります。字下げは半角スペースにしてください"))
        elif match := _FULLWIDTH_COLON_KEY.match(line):
            key = match.group(1)
            problems.append((number, f"a full-width colon '：' follows {key!r}; write '{key}: ' with an ASCII colon",
                             f"「{key}」の後の「：」が全角です。半角の「:」にして、後ろに半角スペースを入れてください（{key}: …）"))
        elif _FULLWIDTH_DASH.match(line) and (previous.endswith(":") or previous.lstrip().startswith("- ")):
            problems.append((number, "a list item starts with a full-width dash; write '- ' with an ASCII hyphen",
                             "リストの行頭の「ー」「－」が全角です。半角の「-」と半角スペースにしてください（- 校長）"))
        if _BLOCK_SCALAR.search(line):
            block_indent = indent
        previous = line.split(" #")[0].rstrip()
    return problems
