"""The setup pages: ``GET /setup/<token>`` and ``GET /setup/<token>/qwc``, no sign-in;
and beside them the installation pages, ``/install/<token>`` (:mod:`.install`).

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
from qwc_service.connections.credentials import PasswordHashing
from qwc_service.connections.service import machine_qwc_names, qwc_document
from qwc_service.connections.setup_links import (
    SetupLinkExpired,
    SetupLinkNotFound,
    SetupLinkRevoked,
    open_setup_link,
)
from qwc_service.db import SessionFactory, unit_of_work
from qwc_service.http.html import new_nonce
from qwc_service.http.reply import HTML_TYPE, Headers, Reply, StartResponse, attachment
from qwc_service.http.request import Request
from qwc_service.http.routing import NotFound, Route, Router
from qwc_service.setup.content import setup_context
from qwc_service.setup.install import INSTALL_METHODS, InstallPages, is_install_path
from qwc_service.setup.replies import render, secret_reply

__all__ = ["SetupPages", "build_setup_pages"]

log = structlog.get_logger("qwc_service.setup.pages")

QWC_TYPE = "application/xml; charset=utf-8"
# Every setup path can only be viewed: any other method is refused wherever it is sent.
VIEW_METHODS = ("GET", "HEAD")
ALLOWED = ", ".join(VIEW_METHODS)
Page = Callable[[Request, str], Reply]


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
    """The WSGI application for every path under ``/setup`` and ``/install``."""

    def __init__(
        self, settings: Settings, session_factory: SessionFactory, hashing: PasswordHashing
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.install = InstallPages(settings, session_factory, hashing)
        self.router: Router[Route[Page]] = Router(
            [
                Route("GET", "/setup/{token}", self.page),
                Route("GET", "/setup/{token}/qwc", self.qwc_file),
                Route("GET", "/install/{token}", self.install.page),
                Route("POST", "/install/{token}", self.install.submit),
            ]
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            reply = self.answer(request)
        except Exception:
            # The path holds the token: it stays out of the log, like everything here.
            log.exception("setup_page_failed", method=request.method)
            failed = self.install.refusal if is_install_path(request.path) else self.refusal
            reply = failed("error")
        return reply.send(start_response, head=request.method == "HEAD")

    def answer(self, request: Request) -> Reply:
        """The reply to one request (a refusal page for anything but a working link)."""
        install = is_install_path(request.path)
        allowed = INSTALL_METHODS if install else VIEW_METHODS
        refuse = self.install.refusal if install else self.refusal
        if request.method not in allowed:
            return refuse("method", (("Allow", ", ".join(allowed)),))
        method = "GET" if request.method == "HEAD" else request.method
        try:
            match = self.router.match(method, request.path)
        except NotFound:
            return refuse("unknown")
        return match.route.handler(request, match.params["token"])

    def page(self, request: Request, token: str) -> Reply:
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
        return secret_reply(self.settings, 200, body, HTML_TYPE, nonce=nonce)

    def qwc_file(self, request: Request, token: str) -> Reply:
        """The machine's .qwc file, as an attachment named like its AppName."""
        try:
            with unit_of_work(self.session_factory) as db:
                opened = open_setup_link(db, token)
                connection, machine = opened.connection, opened.machine
                document = qwc_document(self.settings, connection, machine)
                file_name = machine_qwc_names(self.settings, connection, machine).file_name
                log.info(
                    "setup_qwc_downloaded",
                    connection_id=connection.id,
                    username=machine.username,
                )
        except (SetupLinkNotFound, SetupLinkExpired, SetupLinkRevoked) as exc:
            return self.refused(exc)
        return secret_reply(
            self.settings, 200, document.encode("utf-8"), QWC_TYPE, headers=(attachment(file_name),)
        )

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
            brand=self.settings.brand,
            title=title,
            message=message,
            ask_again=reason in _ASK_AGAIN,
            support_url=self.settings.support_url,
        )
        return secret_reply(self.settings, status, body, HTML_TYPE, headers=headers)


def build_setup_pages(
    settings: Settings, session_factory: SessionFactory, hashing: PasswordHashing
) -> SetupPages:
    """The setup and installation pages; mount them at ``/setup`` and ``/install`` with
    PATH_INFO left as it came (``hashing`` sets the passwords of installed machines)."""
    return SetupPages(settings, session_factory, hashing)
