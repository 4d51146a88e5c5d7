"""Safe YAML loading for untrusted inputs and checklists.

yaml.safe_load never constructs Python objects; on top of it we refuse aliases (so no
billion-laughs expansion), cap the file size and nesting depth, and report syntax errors with
line and column."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

MAX_YAML_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in policy-kit inputs", event.start_mark
            )
        return super().compose_node(parent, index)


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


class _MarkedLoader(_NoAliasLoader):
    """The safe, alias-refusing loader, building MarkedDict/MarkedList instead of dict/list."""

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


def _load_marked(text: str, path: str) -> Any:
    loader = _MarkedLoader(text)
    loader.yaml_file = path
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load_file(path: str | Path, marked: bool = False) -> Any:
    """Load a YAML file safely. With ``marked``, mappings and lists remember the file and line
    where they and their keys/items were written (`MarkedDict`, `MarkedList`), so that errors
    found later can name the line."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise InputError(f"file is too large for a YAML input ({size} bytes; limit {MAX_YAML_BYTES})", path)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a YAML file", path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("YAML files must be UTF-8 encoded", path) from None
    return load_text(text, path, marked=marked)


def load_text(text: str, path: str | Path = "<string>", marked: bool = False) -> Any:
    if "\x00" in text:
        raise InputError("the file contains NUL bytes; is it really YAML?", path)
    try:
        data = _load_marked(text, str(path)) if marked else yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InputError(f"YAML syntax error at {where}{exc.problem or exc.context}", path) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", path) from None
    except RecursionError:
        raise InputError("YAML is nested too deeply", path) from None
    _check_depth(data, path)
    return data


def _check_depth(data: Any, path: str | Path) -> None:
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"YAML is nested more than {MAX_DEPTH} levels deep", path)
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
