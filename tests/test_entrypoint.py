"""One checker behind every command: `check`, `diff` and `audit` give the same statuses for the same
files and configuration — a waiver from policy-kit.toml and an inline suppression included."""
from __future__ import annotations

import json
import shutil

from conftest import CORPUS, run

POLICY = CORPUS / "policies" / "missing-police-and-pdca.md"


def test_check_diff_and_audit_agree_on_waivers_and_inline_suppressions(runner, tmp_path, monkeypatch):
    school = tmp_path / "schools" / "shiraume"
    school.mkdir(parents=True)
    text = POLICY.read_text(encoding="utf-8")
    text += "\n<!-- policy-kit: ignore pdca-review -- 令和8年度の職員会議で見直しの手順を決める -->\n"
    (school / "policy.md").write_text(text, encoding="utf-8")
    (tmp_path / "policy-kit.toml").write_text(
        '[[waivers]]\nid = "police-referral"\nreason = "警察署と協議中（7月に追記）"\nexpires = 2099-03-31\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the configuration is found from the current directory, by every command

    checked = json.loads(run(runner, "check", school, "--format", "json").output)
    by_check = {r["id"]: ("waived" if r["waived"] else r["status"]) for r in checked["requirements"]}
    assert by_check["police-referral"] == "waived" and by_check["pdca-review"] == "waived"
    assert checked["summary"]["waived"] == 2

    audited = run(runner, "audit", tmp_path / "schools", "-o", tmp_path / "report", "--no-pdf", "--no-cache")
    summary = json.loads((tmp_path / "report" / "summary.json").read_text(encoding="utf-8"))
    report = summary["schools"][0]["report"]
    by_audit = {r["id"]: ("waived" if r["waived"] else r["status"]) for r in report["requirements"]}
    assert by_audit == by_check
    assert "免除" in (tmp_path / "report" / "summary.csv").read_text(encoding="utf-8-sig")
    assert audited.exit_code == (1 if checked["summary"]["required_missing"] else 0)

    old = tmp_path / "old"
    shutil.copytree(school, old)
    diffed = json.loads(run(runner, "diff", old, school, "--format", "json").output)
    by_diff = {r["id"]: r["after"] for r in diffed["requirements"]}
    assert by_diff == by_check
    assert all(r["change"] == "unchanged" for r in diffed["requirements"])
