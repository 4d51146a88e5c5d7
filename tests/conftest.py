"""Shared fixtures. The GiNZA model is loaded once per test session (analyse.load_model is cached);
PDFs are rendered once per session and shared by the tests that need them."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

# CI runs the property-based tests with a fixed seed (reproducible); developers get fresh examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("thorough", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))

from policy_kit.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def runner() -> CliRunner:
    return CliRunner()


# Messages are Japanese unless --lang en or an English locale: tests run without a locale so the
# machine's LANG cannot change what they see.
NO_LOCALE = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": None}


def run(runner: CliRunner, *args: str, env: dict | None = None):
    """Invoke the CLI; tests assert exit codes and output."""
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False, env={**NO_LOCALE, **(env or {})})


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Path:
    """The elementary sample school's three documents (PDF + HTML), rendered once."""
    out = tmp_path_factory.mktemp("generated")
    result = run(CliRunner(), "generate", CORPUS / "schools" / "harunire-es.yaml", "-o", out)
    assert result.exit_code == 0, result.output
    return out / "harunire-es"


@pytest.fixture
def school_yaml(tmp_path) -> Path:
    """A writable copy of a valid school input."""
    dest = tmp_path / "school.yaml"
    shutil.copy(CORPUS / "schools" / "harunire-es.yaml", dest)
    return dest


SAMPLE_SCHOOLS = sorted(p.stem for p in (CORPUS / "schools").glob("*.yaml"))


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> Path:
    """Every document of every sample school (corpus/schools/*.yaml) as PDF and HTML, rendered once."""
    out = tmp_path_factory.mktemp("samples")
    result = run(CliRunner(), "generate", *sorted((CORPUS / "schools").glob("*.yaml")), "-o", out)
    assert result.exit_code == 0, result.output
    return out


def browser(tmp_path: Path, width: int = 1400, height: int = 1000):
    """Headless Debian Chromium (policy_kit.web.devserver.chrome, as the web tests and scripts use);
    the test is skipped where chromium and chromium-driver are not installed (make install installs them)."""
    from policy_kit.web.devserver import browser_available, chrome

    if not browser_available():
        pytest.skip("Debian's chromium and chromium-driver are not installed (make install installs them as root)")
    return chrome(tmp_path / "profile", width=width, height=height)
