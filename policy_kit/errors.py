"""Errors users see. Every one names the file and says what is wrong, in English for the command
line and in Japanese (``message_ja``) for the reports that board and school staff read. The
Japanese text is given where the error is raised — never derived later from the English.
The CLI turns them into a message on stderr and a documented exit code, never a traceback."""
from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2


class PolicyKitError(Exception):
    """An error caused by an input, a setting or the environment, not by a bug."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str, path: str | Path | None = None, *, ja: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.ja = ja  # the same problem in Japanese, for people who are not programmers

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    @property
    def message_ja(self) -> str:
        """The Japanese message (the English one when no translation was given)."""
        return self.ja or self.message

    def __reduce__(self):  # keep path and ja across processes (worker → parent)
        return (_rebuild, (type(self), self.message, self.path, self.ja))


def _rebuild(cls: type, message: str, path: str | None, ja: str | None) -> "PolicyKitError":
    return cls(message, path, ja=ja)


class InputError(PolicyKitError):
    """An input file cannot be read or is not valid."""


class UnreadableDocument(InputError):
    """A policy document has no usable text (corrupt, encrypted, scanned, empty, unsupported)."""


class OutputError(PolicyKitError):
    """An output cannot be written."""
