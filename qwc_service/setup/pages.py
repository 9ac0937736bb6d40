"""The setup pages: ``GET /setup/<token>`` and ``GET /setup/<token>/qwc``, no sign-in.

The link's token is the credential, so these pages are public: whoever holds the link
sees the machine's steps, its .qwc file and its password. Every answer is marked not to be
cached, framed or passed on as a referrer, and nothing logged here carries the token.
A link that does not work gets one page shape: 404 when it never existed (or is not
shaped like a link), 410 when it expired or was replaced, with no other detail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import structlog

from qwc_service.config import Settings
from qwc_service.connections.service import qwc_document
from qwc_service.connections.setup_links import (
    SetupLinkExpired,
    SetupLinkNotFound,
    SetupLinkRevoked,
    open_setup_link,
)
from qwc_service.db import SessionFactory, unit_of_work
from qwc_service.http.html import new_nonce, page_headers, template_environment
from qwc_service.http.reply import HTML_TYPE, Headers, Reply, StartResponse
from qwc_service.http.request import Request
from qwc_service.http.routing import NotFound, Route, Router
from qwc_service.setup.content import setup_context

__all__ = ["SetupPages", "build_setup_pages"]

log = structlog.get_logger("qwc_service.setup.pages")

# Built once per process: the templates are read once.
_TEMPLATES = template_environment("setup/templates")


def render(template: str, **context: Any) -> bytes:
    """One of the setup templates rendered with ``context``, as UTF-8."""
    return _TEMPLATES.get_template(template).render(**context).encode("utf-8")


QWC_TYPE = "application/xml; charset=utf-8"
# Every path here can only be viewed: any other method is refused wherever it is sent.
VIEW_METHODS = ("GET", "HEAD")
ALLOWED = ", ".join(VIEW_METHODS)
Page = Callable[[str], Reply]


def _secret(
    status: int,
    body: bytes,
    content_type: str,
    *,
    nonce: str | None = None,
    headers: Headers = (),
) -> Reply:
    """Every answer here: never cached, framed or sent on as a referrer; no script runs
    but one carrying ``nonce``."""
    return Reply(status, body, content_type, (*page_headers(nonce), *headers))


# Why a link does not work, as the person holding it is told: (status, title, message).
# Only the links that no longer work end with "ask for a new link".
_ASK_AGAIN = frozenset({"unknown", "expired", "revoked"})
_REFUSALS: dict[str, tuple[int, str, str]] = {
    "unknown": (
        404,
        "This setup link is not valid",
        "The link may have been copied incompletely, or it never existed.",
    ),
    "expired": (
        410,
        "This setup link has expired",
        "Setup links work for a limited time, and this one's time is up.",
    ),
    "revoked": (
        410,
        "This setup link was replaced or revoked",
        "A newer link was issued for this computer, or the link was withdrawn.",
    ),
    "method": (405, "Open this link in a web browser", "This page can only be viewed."),
    "error": (
        500,
        "This page could not be shown",
        "The server could not show this setup page right now. Try again in a few minutes.",
    ),
}


class SetupPages:
    """The WSGI application for every path under ``/setup``."""

    def __init__(self, settings: Settings, session_factory: SessionFactory) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.router: Router[Route[Page]] = Router(
            [
                Route("GET", "/setup/{token}", self.page),
                Route("GET", "/setup/{token}/qwc", self.qwc_file),
            ]
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            reply = self.answer(request.method, request.path)
        except Exception:
            # The path holds the token: it stays out of the log, like everything here.
            log.exception("setup_page_failed", method=request.method)
            reply = self.refusal("error")
        return reply.send(start_response, head=request.method == "HEAD")

    def answer(self, method: str, path: str) -> Reply:
        """The reply to one request (a refusal page for anything but a working link)."""
        if method not in VIEW_METHODS:
            return self.refusal("method", (("Allow", ALLOWED),))
        try:
            match = self.router.match("GET", path)
        except NotFound:
            return self.refusal("unknown")
        return match.route.handler(match.params["token"])

    def page(self, token: str) -> Reply:
        """The setup page of a working link; opening it is recorded on the link."""
        nonce = new_nonce()
        try:
            with unit_of_work(self.session_factory) as db:
                opened = open_setup_link(db, token)
                context = setup_context(self.settings, opened, token)
                body = render("setup.html", nonce=nonce, **context)
                log.info(
                    "setup_page_opened",
                    connection_id=opened.connection.id,
                    username=opened.machine.username,
                )
        except (SetupLinkNotFound, SetupLinkExpired, SetupLinkRevoked) as exc:
            return self.refused(exc)
        return _secret(200, body, HTML_TYPE, nonce=nonce)

    def qwc_file(self, token: str) -> Reply:
        """The machine's .qwc file, as an attachment named after its username."""
        try:
            with unit_of_work(self.session_factory) as db:
                opened = open_setup_link(db, token)
                document = qwc_document(self.settings, opened.connection, opened.machine)
                username = opened.machine.username
                log.info(
                    "setup_qwc_downloaded",
                    connection_id=opened.connection.id,
                    username=username,
                )
        except (SetupLinkNotFound, SetupLinkExpired, SetupLinkRevoked) as exc:
            return self.refused(exc)
        disposition = ("Content-Disposition", f'attachment; filename="{username}.qwc"')
        return _secret(200, document.encode("utf-8"), QWC_TYPE, headers=(disposition,))

    def refused(self, exc: LookupError) -> Reply:
        """The refusal page for a link that does not work, logged without the token."""
        reason = (
            "expired"
            if isinstance(exc, SetupLinkExpired)
            else "revoked"
            if isinstance(exc, SetupLinkRevoked)
            else "unknown"
        )
        log.info("setup_link_refused", reason=reason)
        return self.refusal(reason)

    def refusal(self, reason: str, headers: Headers = ()) -> Reply:
        """One page shape for every refusal: a title and a sentence, nothing more."""
        status, title, message = _REFUSALS[reason]
        body = render(
            "setup_error.html",
            app_name=self.settings.app_name,
            title=title,
            message=message,
            ask_again=reason in _ASK_AGAIN,
            support_url=self.settings.support_url,
        )
        return _secret(status, body, HTML_TYPE, headers=headers)


def build_setup_pages(settings: Settings, session_factory: SessionFactory) -> SetupPages:
    """The setup pages; mount them at ``/setup`` with PATH_INFO left as it came."""
    return SetupPages(settings, session_factory)
