"""The check flow: read → normalise → analyse → match → report, behind one entry point.

    extract.py    read PDF/DOCX/text/HTML into pages of lines (limits, clear errors)
    normalise.py  lines → positioned sentences and headings (layout repair)
    analyse.py    GiNZA/SudachiPy forms of each sentence
    checklist.py  the checklist YAML: concepts and requirements, validated
    matcher.py    requirement clauses over sentences → present / partial / missing + evidence
    config.py     policy-kit.toml: ignore, fail-on, waivers; inline suppressions
    checker.py    Checker: the one entry point every command uses
    report.py     text, JSON, SARIF, JUnit, GitHub annotations
    diff.py       two versions of one policy compared"""
from .checker import Checker, CheckResult

__all__ = ["Checker", "CheckResult"]
