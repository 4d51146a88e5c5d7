"""Where the bundled data lives: templates, checklists and jurisdiction profiles.

In a source checkout (editable install) they sit at the repository root next to the package."""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent


def data_dir(name: str) -> Path:
    """Return the bundled directory ``name`` (templates, checklists, profiles, data)."""
    for candidate in (ROOT / name, PACKAGE_DIR / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"policy-kit data directory {name!r} is missing from the installation")
