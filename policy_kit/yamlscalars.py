"""Dates and numbers in YAML that cannot be built are input errors with their line, not crashes.

PyYAML's safe constructors raise plain ValueError (and KeyError, AttributeError) for scalars that
look like dates or numbers but are not: ``2025-13-45``, ``!!timestamp 2020-02-30``, ``!!int abc``,
``!!bool maybe``, an integer of more than 4,300 digits. Those escape as internal errors (exit 3)
without a line. ``install`` wraps the constructors of policy-kit's safe loaders (policy_kit.safeyaml)
so that such a scalar raises a ConstructorError marked with its line and column, which safeyaml
reports as an input error naming the file and the line (exit 2).

The loaders are policy_kit.safeyaml's; ``install`` is run on import by the modules that load YAML
from users (school inputs, profiles, rosters, checklists), and again is harmless."""
from __future__ import annotations

from typing import Any, Callable

import yaml
from yaml.constructor import ConstructorError

_TAGS = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool")
_WHAT = {"timestamp": "date", "int": "whole number", "float": "number", "bool": "true/false value"}
_BAD_SCALAR = (ValueError, OverflowError, KeyError, AttributeError, TypeError, IndexError)


def _checked(tag: str, construct: Callable[..., Any]) -> Callable[..., Any]:
    what = _WHAT[tag.rsplit(":", 1)[1]]

    def build(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except ConstructorError:
            raise
        except _BAD_SCALAR as exc:
            shown = str(getattr(node, "value", ""))
            shown = shown if len(shown) <= 40 else shown[:37] + "…"
            reason = f" ({exc})" if isinstance(exc, ValueError) and len(str(exc)) < 80 else ""
            raise ConstructorError(None, None, f"{shown!r} is not a valid {what}{reason}", node.start_mark) from None

    build.policy_kit_checked = True  # type: ignore[attr-defined]
    return build


def install() -> None:
    """Wrap the date and number constructors of every safe loader of policy_kit.safeyaml."""
    from . import safeyaml

    pending = [safeyaml._NoAliasLoader]
    seen: set[type] = set()
    while pending:
        loader = pending.pop()
        if loader in seen:
            continue
        seen.add(loader)
        pending.extend(loader.__subclasses__())
        for tag in _TAGS:
            construct = loader.yaml_constructors.get(tag)
            if construct is not None and not getattr(construct, "policy_kit_checked", False):
                loader.add_constructor(tag, _checked(tag, construct))


install()
