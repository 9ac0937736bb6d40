"""Small plain-HTTP pages: the AppSupport page and the health check."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from sqlalchemy import Engine

from qwc_service import __version__
from qwc_service.config import Brand
from qwc_service.reporting.status import full_status

StartResponse = Callable[..., Any]

SUPPORT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{name}: QuickBooks Web Connector support</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;line-height:1.5}}
</style>
</head><body>
<h1>{name}</h1>
<p>This server exchanges data with QuickBooks Desktop through the QuickBooks Web Connector.</p>
<h2>Setting up a computer</h2>
<ol>
<li>Open QuickBooks Desktop and the company file on the computer that runs the Web Connector.</li>
<li>In the Web Connector choose <em>Add an application</em> and pick the .qwc file you were given
for this computer.</li>
<li>Allow the application in QuickBooks when asked, then enter the password you were given
and tick the application's box to start the first update.</li>
</ol>
<h2>Common messages</h2>
<ul>
<li><strong>QBWC1039</strong>: this company file already belongs to another application with the
same owner; use the .qwc made for this company file.</li>
<li><strong>QBWC1012</strong>: the Web Connector could not log in; check the password and that
this server is reachable over https.</li>
<li><strong>0x80040408</strong>: QuickBooks could not be started; open QuickBooks with the company
file and update again.</li>
</ul>
<h2>Need help?</h2>
<p id="brand-contact">{contact}</p>
<p>Server version {version}.</p>
</body></html>
"""


def _contact(brand: Brand) -> str:
    """The brand's contact line: its links, or who to ask when none is set."""
    name = escape(brand.name)
    if not brand.contact_links:
        return f"Contact {name}, the company that gave you the .qwc file."
    links = " / ".join(
        f'<a href="{escape(link.href)}">{escape(link.text)}</a>' for link in brand.contact_links
    )
    return f"Contact {name}: {links}"


def support_page(brand: Brand) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The AppSupport page: the Web Connector will not add an application without a 200 here.

    It names the brand and how to reach its support (the .qwc's AppSupport must stay on
    this server's host, so the brand's own help page is linked from here).
    """
    body = SUPPORT_PAGE.format(
        name=escape(brand.name), contact=_contact(brand), version=escape(__version__)
    ).encode()

    def handle(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
        )
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    return handle


def health_page(
    engine: Engine, session_factory: Any
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """``GET /health``: 200 with a small JSON body when the database answers, 503 otherwise."""

    def handle(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            ok, document = full_status(engine, session_factory)
        except Exception:
            ok, document = False, {"status": "error", "database": "unreachable"}
        body = json.dumps(document).encode()
        start_response(
            "200 OK" if ok else "503 Service Unavailable",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]

    return handle
