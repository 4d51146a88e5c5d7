"""CI use: config file, waivers (valid, missing reason, expired), inline suppression, pre-commit hook."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, run

DRAFT = CORPUS / "policies" / "police-no-parent-explanation.txt"


def write_config(folder: Path, body: str) -> Path:
    path = folder / "policy-kit.toml"
    path.write_text(body, encoding="utf-8")
    return path


BASE_IGNORES = 'ignore = ["annual-program", "response-manual", "training-plan", "staff-checklist"]\n'


def test_valid_waiver_is_reported_not_hidden(runner, tmp_path):
    config = write_config(tmp_path, BASE_IGNORES + '[[waivers]]\nid = "police-explanation-to-parents"\nreason = "リーフレットを改訂中"\nexpires = 2099-03-31\n')
    result = run(runner, "check", DRAFT, "--config", config, "--format", "json")
    assert result.exit_code == 0, result.output
    finding = next(r for r in json.loads(result.output)["requirements"] if r["id"] == "police-explanation-to-parents")
    assert finding["status"] == "missing" and finding["waived"] == "リーフレットを改訂中"
    text = run(runner, "check", DRAFT, "--config", config).output
    assert "免除: リーフレットを改訂中" in text


def test_expired_waiver_fails_again_and_says_so(runner, tmp_path):
    config = write_config(tmp_path, BASE_IGNORES + '[[waivers]]\nid = "police-explanation-to-parents"\nreason = "改訂中"\nexpires = 2020-03-31\n')
    result = run(runner, "check", DRAFT, "--config", config)
    assert result.exit_code == 1
    assert "期限（2020-03-31）が切れています" in result.output


def test_waiver_without_reason_is_an_error(runner, tmp_path):
    config = write_config(tmp_path, '[[waivers]]\nid = "police-referral"\n')
    result = run(runner, "check", DRAFT, "--config", config)
    assert result.exit_code == 2 and "waivers[0]（police-referral）: 免除には理由（reason）が必要です" in result.output
    assert "needs a reason" in run(runner, "check", DRAFT, "--config", config, "--lang", "en").output


def test_pyproject_section_is_found_from_cwd(runner, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.policy-kit]\nfail-on = "recommended"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run(runner, "check", CORPUS / "policies" / "paraphrase-junior-high.md", "--ignore", "annual-program").exit_code == 1


def test_inline_suppression_in_markdown(runner, tmp_path):
    draft = tmp_path / "draft.md"
    draft.write_text((CORPUS / "policies" / "complete-elementary.md").read_text(encoding="utf-8").replace(
        "## 第6章 重大事態への対応", "<!-- policy-kit: ignore serious-case-definition -- 市の様式を待って追記 -->\n## 第6章"
    ).replace("いじめにより児童の生命、心身又は財産に重大な被害が生じた疑いがあるとき、またはいじめにより相当の期間（年間30日が目安）欠席を余儀なくされている疑いがあるときは、重大事態として扱う。", ""), encoding="utf-8")
    data = json.loads(run(runner, "check", draft, "--format", "json").output)
    finding = next(r for r in data["requirements"] if r["id"] == "serious-case-definition")
    assert finding["waived"] == "市の様式を待って追記"
    no_reason = tmp_path / "noreason.md"
    no_reason.write_text("<!-- policy-kit: ignore stress-check -->\n" + draft.read_text(encoding="utf-8"), encoding="utf-8")
    assert run(runner, "check", no_reason).exit_code == 2


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed")
def test_pre_commit_runs_the_hook_on_staged_files(tmp_path):
    """A real `pre-commit run` in a temporary git repository, with our hook's definition.

    The hook is declared `repo: local, language: system` pointing at the installed command, so
    pre-commit does not build an environment (that would download every dependency)."""
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = dict(next(h for h in hooks if h["id"] == "policy-kit-check"))
    hook.update(language="system", entry=str(Path(sys.executable).parent / hook["entry"]))
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-cache"), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    git = lambda *args: subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)  # noqa: E731
    git("init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}), encoding="utf-8")
    shutil.copy(CORPUS / "policies" / "missing-police-and-pdca.md", repo / "policy.md")
    (repo / "notes.py").write_text("print('not a policy')\n", encoding="utf-8")
    git("add", ".pre-commit-config.yaml", "policy.md", "notes.py")
    pre_commit = [sys.executable, "-m", "pre_commit", "run"]
    failing = subprocess.run(pre_commit, cwd=repo, capture_output=True, text=True, env=env)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "policy-kit check" in failing.stdout and "police-referral" in failing.stdout
    assert "notes.py" not in failing.stdout  # the files pattern keeps other files out
    shutil.copy(CORPUS / "policies" / "complete-elementary.md", repo / "policy.md")
    git("add", "policy.md")
    passing = subprocess.run(pre_commit, cwd=repo, capture_output=True, text=True, env=env)
    assert passing.returncode == 0, passing.stdout + passing.stderr
