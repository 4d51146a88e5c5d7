"""Errors users see. Every one names the file and says what is wrong; the CLI turns them into
a message on stderr and a documented exit code, never a traceback."""
from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2


class PolicyKitError(Exception):
    """An error caused by an input, a setting or the environment, not by a bug."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str, path: str | Path | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InputError(PolicyKitError):
    """An input file cannot be read or is not valid."""


class UnreadableDocument(InputError):
    """A policy document has no usable text (corrupt, encrypted, scanned, empty, unsupported)."""


class OutputError(PolicyKitError):
    """An output cannot be written."""
