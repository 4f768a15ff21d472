"""Printing HTML templates to PDF with WeasyPrint.

One place that turns a Django template into PDF bytes, so registers, reports and letters
print the same way: DejaVu fonts (installed with the system, they cover Indonesian text),
the project's static files reachable under ``STATIC_URL`` and nothing else. The page never
fetches from the network or the file system at large: a URL is either a ``data:`` URL or a
static file found by Django's staticfiles finders.

Templates extend ``print/base_print.html`` (A4 or F4 paper, portrait or landscape).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string

# Relative URLs in the printed HTML (``/static/...``) resolve against this made-up origin;
# the fetcher maps its static paths to files and refuses everything else.
BASE_URL = "https://kampung.invalid/"
PDF_CONTENT_TYPE = "application/pdf"


@dataclass(frozen=True)
class PdfResult:
    content: bytes
    pages: int


def _static_fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):
        """``data:`` URLs and the project's static files only."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            static_url = str(settings.STATIC_URL or "/static/")
            if not static_url.startswith("/"):
                static_url = "/" + static_url
            if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(static_url):
                raise ValueError(f"Alamat tidak diizinkan dalam PDF: {url}")
            relative = unquote(parts.path[len(static_url) :])
            if ".." in relative.split("/"):
                raise ValueError(f"Alamat tidak diizinkan dalam PDF: {url}")
            found = finders.find(relative)
            if not found or isinstance(found, list):
                raise ValueError(f"Berkas statis tidak ditemukan: {relative}")
            mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
            with open(found, "rb") as handle:
                body = handle.read()
            return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})

    return StaticFetcher(allowed_protocols=("data", "https"), allow_redirects=False, timeout=2)


def html_to_pdf(html: str) -> PdfResult:
    """Print an HTML string; returns the PDF bytes and the number of pages."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_static_fetcher()).render()
    pages = len(document.pages)
    content = document.write_pdf()
    return PdfResult(content=bytes(content or b""), pages=pages)


def render_pdf(
    template_name: str, context: Mapping[str, Any], *, request: HttpRequest | None = None
) -> PdfResult:
    """Render ``template_name`` with ``context`` and print it (see :func:`html_to_pdf`)."""
    html = render_to_string(template_name, dict(context), request=request)
    return html_to_pdf(html)


def pdf_filename(*parts: str) -> str:
    """A safe file name from words and codes: ``buku-induk-3510012001-bagian-1.pdf``."""
    words = []
    for part in parts:
        cleaned = "".join(ch if ch.isalnum() else "-" for ch in part.lower())
        words.append("-".join(w for w in cleaned.split("-") if w))
    return "-".join(w for w in words if w) + ".pdf"
