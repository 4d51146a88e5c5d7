"""Job targets for the web tests (imported by the job process, so kept free of test imports)."""
from __future__ import annotations

import os


def die(spec, messages) -> None:
    """A job process that dies without a word (as if killed or out of memory)."""
    messages.put(("total", 3))
    os._exit(3)


def raise_bug(spec, messages) -> None:
    """A job process whose own code fails outside the audit's error handling."""
    raise RuntimeError("a bug in the job process")
