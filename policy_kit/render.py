"""Rendering: Jinja2 templates to HTML, and HTML to PDF with WeasyPrint.

Heavy imports (WeasyPrint) happen inside functions so `policy-kit --help` stays fast.
WeasyPrint gets a URL fetcher that refuses everything: the documents are self-contained
(inline CSS, system fonts via fontconfig), so nothing named by an input is ever fetched."""
from __future__ import annotations

import functools
from typing import Any

import jinja2

from .resources import data_dir


class FetchRefused(Exception):
    """Raised by the URL fetcher for every URL: inputs must never make us read files or the network."""


def refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    raise FetchRefused(f"policy-kit does not fetch external resources: {url[:200]}")


@functools.lru_cache(maxsize=1)
def _refusing_fetcher() -> Any:
    """A WeasyPrint URLFetcher whose every fetch is refused (images, stylesheets, fonts by URL)."""
    from weasyprint.urls import URLFetcher

    class RefusingFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            refuse_fetch(url)

    return RefusingFetcher(allowed_protocols=())


@functools.lru_cache(maxsize=4)
def environment(kind: str) -> jinja2.Environment:
    """The Jinja2 environment for ``templates/<kind>/`` (autoescaping on, undefined is an error)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates") / kind)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    return env


def render_html(kind: str, template: str, **context: Any) -> str:
    return environment(kind).get_template(template).render(**context)


def html_to_pdf(html: str, *, pdf_variant: str | None = "pdf/ua-1") -> bytes:
    """Render an HTML string to PDF bytes (fonts embedded and subset by WeasyPrint)."""
    import weasyprint  # heavy: imported on first use

    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_refusing_fetcher())
    options: dict[str, Any] = {"uncompressed_pdf": False}
    if pdf_variant:
        options["pdf_variant"] = pdf_variant
    return document.write_pdf(**options)


def font_subsetter() -> str:
    """Which subsetter WeasyPrint will use: 'harfbuzz' (fast) or 'fonttools' (about 15x slower)."""
    import ctypes.util

    return "harfbuzz" if ctypes.util.find_library("harfbuzz-subset") else "fonttools"
