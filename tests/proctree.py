"""Processes of a command under test, from /proc: its descendants, and which of them still live."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

KIT = str(Path(sys.executable).parent / "policy-kit")


def _parent_and_state(pid: int) -> tuple[int, str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), fields[0]


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` now."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            info = _parent_and_state(int(entry))
            if info:
                children.setdefault(info[0], []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to reap it is not running)."""
    info = _parent_and_state(pid)
    return info is not None and info[1] != "Z"


class Watched:
    """A policy-kit command in its own process group; every process it starts is remembered."""

    def __init__(self, *args: str, env: dict | None = None):
        self.proc = subprocess.Popen([KIT, "--lang", "en", *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True, env={**os.environ, **(env or {})})
        self.seen: set[int] = set()

    def wait_until(self, condition, timeout: float = 120.0) -> None:
        """Poll (remembering descendants) until ``condition()`` holds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.seen |= descendants(self.proc.pid)
            if condition():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"the command ended early ({self.proc.returncode}): {self.proc.stderr.read().decode()}")
            time.sleep(0.05)
        raise AssertionError("timed out waiting for the command to get going")

    def signal(self, signum: int, group: bool = False) -> tuple[int, float, str]:
        """Send ``signum`` (to the whole process group, as a terminal's Ctrl-C does, with ``group``);
        return exit code, seconds until exit, stderr."""
        self.seen |= descendants(self.proc.pid)
        start = time.monotonic()
        if group:
            os.killpg(self.proc.pid, signum)
        else:
            self.proc.send_signal(signum)
        _, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, time.monotonic() - start, err.decode("utf-8", "replace")

    def survivors(self, grace: float = 2.0) -> list[str]:
        """Descendants still running ``grace`` seconds after the command ended (their command lines)."""
        end = time.monotonic() + grace
        while time.monotonic() < end and any(alive(p) for p in self.seen):
            time.sleep(0.1)
        out = []
        for pid in self.seen:
            if alive(pid):
                try:
                    out.append(Path(f"/proc/{pid}/cmdline").read_text(errors="replace").replace("\0", " ")[:120])
                except OSError:
                    continue
        return out

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
