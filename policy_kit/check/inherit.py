"""Checklists that build on another: ``extends: national`` and where a YAML error was written.

A board's checklist can start from another checklist (a bundled name such as ``national``, or a
YAML path relative to the file) and then

- add requirements (a new ``id``) and concepts (a new name);
- tighten a requirement: an entry whose ``id`` the parent has replaces the keys it gives
  (``severity``, ``present``, ``partial``, ``why`` …) and keeps the parent's others and position;
- replace a concept: a concept of the same name replaces the parent's whole;
- drop requirements: ``drop: [id, …]``.

`resolve_extends` merges the chain of parents into one mapping *before* `parse_checklist` validates
it, so an extended checklist is checked exactly like a plain one. Every mapping and list keeps the
file and line it came from (safeyaml's marked loading), so `locate` can turn an error's place
(``requirements[3] (stress-check).present[0]``) into the file and line to fix — the parent's file
for what the parent wrote, the child's for what the child wrote."""
from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from .. import safeyaml, yamlscalars  # noqa: F401 - yamlscalars: impossible dates and numbers are input errors with their line
from ..errors import InputError
from ..safeyaml import MarkedDict, MarkedList

TOP_KEYS = ("extends", "checklist", "concepts", "requirements", "drop")
MAX_CHAIN = 8


def load_merged(path: Path, resolve: Any, files: list[Path] | None = None) -> Any:
    """The checklist at ``path`` with its parents merged in. ``resolve(name)`` turns a bundled
    checklist name into its path (checklist.resolve_checklist_path); ``files`` receives every file
    read, the checklist's own first (what a cache of results must depend on)."""
    return _load(Path(path), resolve, [], files if files is not None else [])


def _load(path: Path, resolve: Any, chain: list[Path], files: list[Path]) -> Any:
    data = safeyaml.load_file(path, marked=True)
    files.append(path)
    if not isinstance(data, dict) or "extends" not in data:
        return data
    where = _key_mark(data, "extends", path)
    parent_path = _parent_path(data["extends"], path, where, resolve)
    here = [*chain, path.resolve()]
    if parent_path.resolve() in here:
        loop = " → ".join(p.name for p in [*here, parent_path.resolve()])
        raise _error(where, f"extends loop: {loop}", f"extends が循環しています: {loop}")
    if len(here) >= MAX_CHAIN:
        raise _error(where, f"extends chain longer than {MAX_CHAIN} checklists", f"extends の連鎖が{MAX_CHAIN}段を超えています")
    parent = _load(parent_path, resolve, here, files)
    if not isinstance(parent, dict):
        raise _error(where, f"the parent checklist {parent_path} is not a mapping", "親のチェックリストの形式が正しくありません")
    return merge(parent, data, path)


def _parent_path(value: Any, path: Path, where: tuple[str, int], resolve: Any) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise _error(where, "extends: expected the name of a bundled checklist or a YAML file path", "extends にはチェックリスト名かファイルを書いてください")
    if value.endswith((".yaml", ".yml")):
        candidate = Path(value) if Path(value).is_absolute() else path.parent / value
        if not candidate.is_file():
            raise _error(where, f"extends: the parent checklist {value!r} was not found (looked for {candidate})",
                         f"extends の親チェックリスト {value} が見つかりません")
        return candidate
    try:
        return resolve(value)
    except InputError as exc:
        raise _error(where, f"extends: {exc.message}", f"extends の親チェックリスト {value} が見つかりません") from None


def merge(parent: dict, child: dict, child_path: Path) -> MarkedDict:
    """The parent's data with the child's additions, replacements and drops applied."""
    for key in child:
        if key not in TOP_KEYS:
            hint = difflib.get_close_matches(str(key), TOP_KEYS, n=1)
            raise _error(_key_mark(child, key, child_path), f"invalid checklist: {key}: unknown key"
                         + (f" (did you mean {hint[0]!r}?)" if hint else f"; allowed: {', '.join(TOP_KEYS)}"),
                         f"チェックリストの不明な項目: {key}")
    merged = _copy_map(parent)
    merged.pop("extends", None)
    merged.pop("drop", None)
    meta = child.get("checklist")
    if not isinstance(meta, dict):
        raise _error(_key_mark(child, "checklist", child_path), "invalid checklist: checklist: an extending checklist needs its own "
                     "checklist: {id, title, version}", "extends するチェックリストにも checklist: {id, title, version} が必要です")
    for key in ("id", "title", "version"):
        if key not in meta:
            raise _error(_key_mark(child, "checklist", child_path), f"invalid checklist: checklist.{key}: is required (an extending "
                         "checklist names itself)", f"checklist.{key} がありません")
    _set(merged, "checklist", _overlay(parent.get("checklist"), meta), child, "checklist")
    if "concepts" in child:
        concepts = child["concepts"]
        if not isinstance(concepts, dict):
            raise _error(_key_mark(child, "concepts", child_path), "invalid checklist: concepts: expected a mapping", "concepts の形式が正しくありません")
        _set(merged, "concepts", _overlay(parent.get("concepts"), concepts), child, "concepts")
    requirements = _merge_requirements(parent.get("requirements"), child, child_path)
    if requirements is not None:
        _set(merged, "requirements", requirements, child, "requirements")
    return merged


def _merge_requirements(parent_reqs: Any, child: dict, child_path: Path) -> MarkedList | None:
    if "requirements" not in child and "drop" not in child:
        return None
    if not isinstance(parent_reqs, list):
        return None  # parse_checklist reports the parent's problem
    own = child.get("requirements", [])
    if not isinstance(own, list):
        raise _error(_key_mark(child, "requirements", child_path), "invalid checklist: requirements: expected a list", "requirements の形式が正しくありません")
    drop = child.get("drop", [])
    if not isinstance(drop, list) or not all(isinstance(d, str) for d in drop):
        raise _error(_key_mark(child, "drop", child_path), "invalid checklist: drop: expected a list of requirement ids", "drop には要件の id を並べてください")
    out = _copy_list(parent_reqs)
    index = {item.get("id"): i for i, item in enumerate(out) if isinstance(item, dict)}
    seen: set[str] = set()
    for i, item in enumerate(own):
        where = _item_mark(own, i, child_path)
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise _error(where, f"invalid checklist: requirements[{i}]: expected a mapping with an id", "要件には id が必要です")
        rid = item["id"]
        if rid in seen:
            raise _error(where, f"invalid checklist: requirements[{i}] ({rid}): duplicate id", f"要件の id {rid} が重複しています")
        if rid in drop:
            raise _error(where, f"invalid checklist: requirements[{i}] ({rid}): both dropped and redefined", f"要件 {rid} が drop と requirements の両方にあります")
        seen.add(rid)
        if rid in index:
            j = index[rid]
            replaced = _overlay(out[j], item)
            out[j] = replaced
            out.item_marks[j] = where
        else:
            index[rid] = len(out)
            out.append(item)
            out.item_marks.append(where)
    for k, rid in enumerate(drop):
        if rid not in index:
            hint = difflib.get_close_matches(rid, [str(r) for r in index], n=1)
            raise _error(_item_mark(drop, k, child_path), f"invalid checklist: drop: the parent has no requirement {rid!r}"
                         + (f" (did you mean {hint[0]!r}?)" if hint else ""), f"drop の {rid} は親のチェックリストにありません")
    keep = [i for i, item in enumerate(out) if not (isinstance(item, dict) and item.get("id") in drop)]
    result = MarkedList([out[i] for i in keep])
    result.mark = out.mark
    result.item_marks = [out.item_marks[i] for i in keep]
    return result


# ---------------------------------------------------------------------------- marks


def locate(data: Any, where: str) -> tuple[str, int] | None:
    """The (file, line) of the place an error message names, e.g. ``requirements[3] (x).present[0]``;
    None when the data carries no marks (a mapping built in Python)."""
    node, mark = data, getattr(data, "mark", None)
    for part in _where_parts(where):
        if isinstance(node, dict) and part in node:
            mark = getattr(node, "key_marks", {}).get(part, mark)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            marks = getattr(node, "item_marks", [])
            mark = marks[part] if part < len(marks) else mark
            node = node[part]
        else:
            break
    if not mark or not mark[0] or not mark[1]:
        return None
    return mark


def _where_parts(where: str) -> list[str | int]:
    where = re.sub(r" \([^()]*\)", "", where)  # "requirements[3] (stress-check)" → "requirements[3]"
    parts: list[str | int] = []
    for piece in where.split("."):
        name, _, rest = piece.partition("[")
        if name:
            parts.append(name)
        parts.extend(int(n) for n in re.findall(r"(\d+)\]", "[" + rest if rest else ""))
    return parts


def _key_mark(data: dict, key: str, path: Path) -> tuple[str, int]:
    return getattr(data, "key_marks", {}).get(key) or getattr(data, "mark", None) or (str(path), 0)


def _item_mark(items: list, i: int, path: Path) -> tuple[str, int]:
    marks = getattr(items, "item_marks", [])
    return marks[i] if i < len(marks) else (getattr(items, "mark", None) or (str(path), 0))


def _error(mark: tuple[str, int], message: str, ja: str) -> InputError:
    file, line = mark
    prefix = f"line {line}: " if line else ""
    return InputError(prefix + message, file, ja=(f"{line}行目: " if line else "") + ja)


def _copy_map(data: dict) -> MarkedDict:
    out = MarkedDict(data)
    out.mark = getattr(data, "mark", ("", 0))
    out.key_marks = dict(getattr(data, "key_marks", {}))
    return out


def _copy_list(data: list) -> MarkedList:
    out = MarkedList(data)
    out.mark = getattr(data, "mark", ("", 0))
    marks = list(getattr(data, "item_marks", []))
    out.item_marks = marks + [out.mark] * (len(out) - len(marks))
    return out


def _overlay(base: Any, top: dict) -> MarkedDict:
    """``base`` updated with ``top``'s keys, each key keeping the mark of the file that gave it."""
    out = _copy_map(base) if isinstance(base, dict) else MarkedDict()
    out.mark = getattr(top, "mark", out.mark)
    for key, value in top.items():
        out[key] = value
        if key in getattr(top, "key_marks", {}):
            out.key_marks[key] = top.key_marks[key]
    return out


def _set(merged: MarkedDict, key: str, value: Any, child: dict, child_key: str) -> None:
    merged[key] = value
    if child_key in getattr(child, "key_marks", {}):
        merged.key_marks[key] = child.key_marks[child_key]
