"""PDF reader on PDFium (pypdfium2), the engine of Chrome's PDF viewer.

Why PDFium and not pypdf (benchmarks/readers.py prints the comparison): it opens AES- and
RC4-encrypted PDFs that have no open password (the usual "copy/print restricted" Word export)
with no extra package, and it is faster; its text is the same as pypdf's on our samples. On top of
it we put list numbers drawn apart from their item back in front of it, join a title wrapped in
its larger font onto one line, and read ruled tables row
by row with their cells apart (pdfium_worker.py).

Extraction runs in a small server process (started once per process, on the first PDF) that forks
one child per PDF with a memory ceiling (Limits.max_reader_memory): a hostile file costs one clear
error, never the run. Without fork (Windows) it runs in this process, without the ceiling."""
from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
from pathlib import Path

from ...errors import UnreadableDocument
from ..document import Document, Limits, Line
from . import pdfium_worker as worker

NO_TEXT_JA = "文字情報がありません（スキャン画像）。OCR（文字認識）をしてから提出してください"


def read_pdf(path: Path, data: bytes, limits: Limits) -> Document:
    """Read a PDF's text layer page by page (lines in the producer's order, list markers put back,
    ruled tables as rows)."""
    outcome = _extract(data, limits)
    if outcome[0] != "pages":
        _, message, ja = outcome
        raise UnreadableDocument(message, path, ja=ja)
    pages = [[Line(text, role, cells=cells) for text, role, cells in page] for page in outcome[1]]
    if not any(line.text.strip() for page in pages for line in page):
        raise no_text_layer(path)
    return Document(str(path), pages, "pdf")


def no_text_layer(path: Path) -> UnreadableDocument:
    return UnreadableDocument("the PDF has no text layer (a scanned image?); run OCR on it first, e.g. ocrmypdf -l jpn", path, ja=NO_TEXT_JA)


def _extract(data: bytes, limits: Limits) -> tuple:
    request = (data, limits.max_pages, limits.max_text_chars, limits.max_reader_memory)
    if not hasattr(os, "fork"):
        return worker.extract(*request[:3])
    with _lock:
        for _ in range(2):  # a server that died (killed from outside) is started again, once
            server = _server()
            try:
                worker.send(server.stdin, request)
                answer = worker.receive(server.stdout)
            except (BrokenPipeError, OSError):
                answer = None
            if answer is not None:
                return answer
            _stop(server)
    return worker.extract_isolated(*request)  # no server to be had: fork from this process


_lock = threading.Lock()
_servers: dict[int, subprocess.Popen] = {}  # process id → its server (a forked pool worker starts its own)


def _server() -> subprocess.Popen:
    server = _servers.get(os.getpid())
    if server is None or server.poll() is not None:
        server = subprocess.Popen([sys.executable, worker.__file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, close_fds=True)
        if not _servers:
            atexit.register(_stop_all)
        _servers[os.getpid()] = server
    return server


def _stop_all() -> None:
    """At exit: close our server's input (it ends by itself) and wait for it briefly."""
    server = _servers.pop(os.getpid(), None)
    if server is not None:
        try:
            server.stdin.close()
            server.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            server.kill()


def _stop(server: subprocess.Popen) -> None:
    _servers.pop(os.getpid(), None)
    try:
        server.kill()
        server.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        pass
