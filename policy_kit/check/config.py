"""Project configuration for checking drafts: `policy-kit.toml`, or `[tool.policy-kit]` in
pyproject.toml, found in the current directory or its parents.

    checklist = "asahikawa"
    fail-on = "required"
    ignore = ["school-evaluation"]

    [[waivers]]
    id = "stress-check"
    reason = "令和8年度は市の試行校ではないため、2学期から実施"
    expires = 2026-09-30

A waived finding is reported as waived (never hidden) and does not fail the run; an expired
waiver stops applying and the finding fails again, with a note saying the waiver expired."""
from __future__ import annotations

import datetime as _dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..inputfiles import read_limited

MAX_CONFIG_BYTES = 1024 * 1024

_KEYS = {"checklist", "fail-on", "ignore", "waivers"}
_FAIL_ON = ("required", "recommended", "partial")


@dataclass
class Waiver:
    id: str
    reason: str
    expires: _dt.date | None


@dataclass
class Config:
    path: str | None = None
    checklist: str = "asahikawa"
    fail_on: str = "required"
    ignore: list[str] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)


def find_config(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        for name in ("policy-kit.toml", "pyproject.toml"):
            candidate = folder / name
            if not candidate.is_file():
                continue
            if name == "pyproject.toml" and "policy-kit" not in _read_toml(candidate).get("tool", {}):
                continue
            return candidate
    return None


def load_config(path: Path | None = None) -> Config:
    path = path or find_config(Path.cwd())
    if path is None:
        return Config()
    data = _read_toml(path)
    text = _text(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("policy-kit", {})
    unknown = set(data) - _KEYS
    if unknown:
        raise InputError(f"unknown setting(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_KEYS))}", path,
                         ja=f"使えない設定があります：{'、'.join(sorted(unknown))}。使える設定は {'、'.join(sorted(_KEYS))} です")
    config = Config(path=str(path))
    config.checklist = _str(data.get("checklist", config.checklist), "checklist", path)
    config.fail_on = _str(data.get("fail-on", config.fail_on), "fail-on", path)
    if config.fail_on not in _FAIL_ON:
        raise InputError(f"fail-on must be one of {', '.join(_FAIL_ON)}", path,
                         ja=f"fail-on には {'・'.join(_FAIL_ON)} のどれかを書いてください")
    ignore = data.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(i, str) for i in ignore):
        raise InputError("ignore must be a list of requirement ids", path,
                         ja="ignore は項目の id のリストで書いてください（例　ignore = [\"school-evaluation\"]）")
    config.ignore = ignore
    waivers = data.get("waivers", [])
    if not isinstance(waivers, list):
        raise InputError("waivers must be a list of tables ([[waivers]])", path, ja="waivers は [[waivers]] の表を並べて書いてください")
    for i, item in enumerate(waivers):
        config.waivers.append(_waiver(item, i, path, text))
    return config


def _waiver(item: Any, i: int, path: Path, text: str = "") -> Waiver:
    where = f"waivers[{i}]"
    line = _waiver_line(text, i, "expires")
    at = f" (line {line})" if line else ""
    if not isinstance(item, dict):
        raise InputError(f"{where}: expected a table with id, reason and expires", path,
                         ja=f"{where}: 免除は id・reason・expires を持つ表（[[waivers]]）で書いてください")
    unknown = set(item) - {"id", "reason", "expires"}
    if unknown:
        raise InputError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}", path,
                         ja=f"{where}: 使えない項目があります：{'、'.join(sorted(unknown))}（使えるのは id・reason・expires）")
    rid = item.get("id")
    reason = item.get("reason")
    if not isinstance(rid, str) or not rid:
        raise InputError(f"{where}: id is required", path, ja=f"{where}: 免除する項目の id を書いてください")
    if not isinstance(reason, str) or not reason.strip():
        raise InputError(f"{where} ({rid}): a waiver needs a reason", path,
                         ja=f"{where}（{rid}）: 免除には理由（reason）が必要です")
    expires = item.get("expires")
    if expires is not None and (not isinstance(expires, _dt.date) or isinstance(expires, _dt.datetime)):
        raise InputError(f"{where} ({rid}){at}: expires must be a date without a time, such as 2027-03-31 (got {expires!s:.40})", path,
                         ja=f"{where}（{rid}）{f'{line}行目' if line else ''}: expires は 2027-03-31 のような日付で書いてください（時刻は付けません）")
    return Waiver(rid, reason.strip(), expires)


def _waiver_line(text: str, index: int, key: str) -> int | None:
    """The line of ``key`` in the ``index``-th [[waivers]] table (pyproject: [[tool.policy-kit.waivers]])."""
    import re

    header = re.compile(r"^\s*\[\[\s*(?:tool\.(?:\"policy-kit\"|policy-kit)\.)?waivers\s*\]\]")
    assignment = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
    seen = -1
    for number, line in enumerate(text.splitlines(), start=1):
        if header.match(line):
            seen += 1
        elif seen == index and line.lstrip().startswith("["):
            return None
        elif seen == index and assignment.match(line):
            return number
    return None


def apply_waivers(result: Any, config: Config, today: _dt.date | None = None) -> None:
    """Mark findings waived by the config or by inline suppressions in the documents."""
    today = today or _dt.date.today()
    for waiver in config.waivers:
        try:
            result.checklist.get(waiver.id)
        except InputError as exc:  # an unknown id is the config file's mistake: name that file
            raise InputError(f"waivers: {exc.message}", config.path, ja=f"waivers: {exc.message_ja}") from None
    inline: dict[str, str] = {}
    for doc in result.documents:
        for rid, reason in doc.suppressions.items():
            if not reason:
                raise InputError(f"inline suppression of {rid} needs a reason: <!-- policy-kit: ignore {rid} -- reason -->", doc.path,
                                 ja=f"{rid} の免除（文書中の指定）には理由が必要です：<!-- policy-kit: ignore {rid} -- 理由 -->")
            result.checklist.get(rid)
            inline[rid] = reason
    for finding in result.findings:
        if finding.status == "present":
            continue
        rid = finding.requirement.id
        for waiver in config.waivers:
            if waiver.id != rid:
                continue
            if waiver.expires and waiver.expires < today:
                finding.note = (finding.note + "。" if finding.note else "") + f"免除の期限（{waiver.expires}）が切れています"
            else:
                finding.waived = waiver.reason
        if rid in inline and not finding.waived:
            finding.waived = inline[rid]


def _text(path: Path) -> str:
    try:
        return read_limited(path, MAX_CONFIG_BYTES, "configuration file").decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("cannot read: the file is not UTF-8 text", path, ja="設定ファイルを読めません（UTF-8で保存してください）") from None


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"TOML syntax error: {exc}", path, ja=f"設定ファイル（TOML）の書き方に誤りがあります（{exc}）") from None
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. a date the calendar has not: 2026-02-30
        raise InputError(f"TOML error: {exc}", path, ja=f"設定ファイル（TOML）の値に誤りがあります（{exc}）") from None


def _str(value: Any, key: str, path: Path) -> str:
    if not isinstance(value, str):
        raise InputError(f"{key} must be text", path, ja=f"{key} は文字で書いてください")
    return value
