"""Printable documents as PDF: the same HTML as the printable page, drawn by WeasyPrint.

WeasyPrint needs the Pango library from the operating system (``scripts/setup.sh`` installs
it on Debian). Without it, ``pdf_from_html`` raises ``DocumentUnavailable`` with a message
that says what to install, and the page itself stays printable from the browser.

The documents are rendered from the product's own templates and stylesheet only: WeasyPrint
is given no base URL, and a URL fetcher that refuses everything, so nothing in a document can
make the server fetch a file or an address.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any, NoReturn

PRINT_CSS = files("panelflow").joinpath("static/print.css")


class DocumentUnavailable(RuntimeError):
    """PDF output cannot be produced on this server; the message says why."""


def _refuse(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError("documents fetch nothing")


def pdf_from_html(html: str) -> bytes:
    try:
        import weasyprint
    except OSError as error:  # the Python package is there, the system library is not
        raise DocumentUnavailable(
            "PDF downloads need the Pango library on the server "
            "(on Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
        ) from error
    stylesheet = weasyprint.CSS(string=PRINT_CSS.read_text(encoding="utf-8"))
    document = weasyprint.HTML(string=html, url_fetcher=_refuse)
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet])
    return pdf
