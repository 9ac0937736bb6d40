"""The setup pages: ``GET /setup/<token>`` and ``GET /setup/<token>/qwc``, no sign-in.

The link's token is the credential, so these pages are public: whoever holds the link
sees the machine's steps, its .qwc file and its password. Every answer is marked not to be
cached, framed or passed on as a referrer, and nothing logged here carries the token.
A link that does not work gets one page shape: 404 when it never existed (or is not
shaped like a link), 410 when it expired or was replaced, with no other detail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
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
from qwc_service.setup.content import setup_context

__all__ = ["SetupPages", "build_setup_pages"]

log = structlog.get_logger("qwc_service.setup.pages")

# Built once per process: the templates are read once.
_TEMPLATES = template_environment("setup/templates")


def render(template: str, **context: Any) -> bytes:
    """One of the setup templates rendered with ``context``, as UTF-8."""
    return _TEMPLATES.get_template(template).render(**context).encode("utf-8")


StartResponse = Callable[..., Any]
HTML_TYPE = "text/html; charset=utf-8"
QWC_TYPE = "application/xml; charset=utf-8"
ALLOWED = "GET, HEAD"


@dataclass(frozen=True)
class Answer:
    """A complete reply: status, content type, body and extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    nonce: str | None = None


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

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD") or "GET").upper()
        try:
            answer = self.answer(method, str(environ.get("PATH_INFO") or "/"))
        except Exception:
            # The path holds the token: it stays out of the log, like everything here.
            log.exception("setup_page_failed", method=method)
            answer = self.refusal("error")
        return self.send(answer, start_response, head=method == "HEAD")

    def answer(self, method: str, path: str) -> Answer:
        """The reply to one request (a refusal page for anything but a working link)."""
        parts = path.strip("/").split("/")
        if method not in ("GET", "HEAD"):
            return self.refusal("method", (("Allow", ALLOWED),))
        if len(parts) == 2 and parts[0] == "setup":
            return self.page(parts[1])
        if len(parts) == 3 and parts[0] == "setup" and parts[2] == "qwc":
            return self.qwc_file(parts[1])
        return self.refusal("unknown")

    def page(self, token: str) -> Answer:
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
        return Answer(200, HTML_TYPE, body, nonce=nonce)

    def qwc_file(self, token: str) -> Answer:
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
        return Answer(200, QWC_TYPE, document.encode("utf-8"), (disposition,))

    def refused(self, exc: LookupError) -> Answer:
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

    def refusal(self, reason: str, headers: tuple[tuple[str, str], ...] = ()) -> Answer:
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
        return Answer(status, HTML_TYPE, body, headers)

    def send(self, answer: Answer, start_response: StartResponse, *, head: bool) -> list[bytes]:
        """Hand the answer to the WSGI server (headers only for HEAD)."""
        phrase = HTTPStatus(answer.status).phrase
        start_response(
            f"{answer.status} {phrase}",
            [
                ("Content-Type", answer.content_type),
                ("Content-Length", str(len(answer.body))),
                *page_headers(answer.nonce),
                *answer.headers,
            ],
        )
        return [] if head else [answer.body]


def build_setup_pages(settings: Settings, session_factory: SessionFactory) -> SetupPages:
    """The setup pages; mount them at ``/setup`` with PATH_INFO left as it came."""
    return SetupPages(settings, session_factory)
