"""PDFs from Jinja HTML templates with print CSS (WeasyPrint).

Rendering never fetches a URL: the URL fetcher only reads files under the project's `static/`
folder, so a document cannot be made to reach the network or the rest of the disk, whatever
text it contains.
"""

import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from portal import PROJECT_ROOT

STATIC = (PROJECT_ROOT / "static").resolve()
# One font configuration per thread, kept across documents: WeasyPrint otherwise builds a new
# one (and finds and loads the fonts again) for every PDF, a tenth of a letter's time. The
# documents load no fonts of their own (no @font-face), so what it holds never grows, and the
# PDFs are byte for byte the same. Per thread, as Pango's font maps are not shared safely.
_fonts = threading.local()


class FetchRefused(ValueError):
    """A document asked for something other than one of the portal's own static files."""


class LocalFilesOnly(URLFetcher):
    """WeasyPrint URL fetcher: file: URLs inside static/ only; everything else is refused."""

    def __init__(self):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)

    def fetch(self, url: str, headers=None):
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve()
        if parts.scheme != "file" or not path.is_relative_to(STATIC):
            raise FetchRefused(url)
        return super().fetch(path.as_uri(), headers)


def render_pdf(template: str, **context) -> bytes:
    """Render `template` with plain data (not live database objects) into PDF bytes."""
    context.setdefault("council_name", current_app.config["COUNCIL_NAME"])
    context.setdefault("service_name", current_app.config["SERVICE_NAME"])
    html = render_template(template, **context)
    return HTML(string=html, base_url=STATIC.as_uri() + "/",
                url_fetcher=LocalFilesOnly()).write_pdf(font_config=_font_config())


def _font_config() -> FontConfiguration:
    if not hasattr(_fonts, "config"):
        _fonts.config = FontConfiguration()
    return _fonts.config
