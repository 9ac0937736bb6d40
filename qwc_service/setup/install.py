"""The installation pages: ``GET`` and ``POST /install/<token>``, no sign-in.

A connection's installation link lets the customer's people add their own machines: the
page names the company and its locked company file, asks who or which computer this is,
and the form adds a machine and sends the browser on to that machine's setup page
(``303`` to ``/setup/<token>``), which shows its .qwc file and password. Before the
Admin's first computer has synced, or while the connection is disabled or unlocked, the
page says why no machine can be added, and a form sent then adds none.

Like the setup pages, every answer is marked not to be cached, framed or passed on as a
referrer, and nothing logged here carries the token.
"""

from __future__ import annotations

from datetime import UTC
from urllib.parse import parse_qs, quote

import structlog

from qwc_service.config import Settings
from qwc_service.connections.credentials import PasswordHashing
from qwc_service.connections.install_links import (
    LABEL_MAX,
    InstallLinkExpired,
    InstallLinkNotFound,
    InstallLinkRevoked,
    InstallLinkUsedUp,
    InvalidLabel,
)
from qwc_service.db import SessionFactory, unit_of_work
from qwc_service.http.errors import HttpError
from qwc_service.http.html import new_nonce
from qwc_service.http.reply import HTML_TYPE, Headers, Reply
from qwc_service.http.request import Request
from qwc_service.qbwc.installs import (
    FormAlreadyUsed,
    FormOutOfDate,
    InstallOffer,
    InstallsClosed,
    install_machine,
    open_install_page,
)
from qwc_service.setup.replies import render, secret_reply

__all__ = ["INSTALL_METHODS", "InstallPages", "is_install_path"]

log = structlog.get_logger("qwc_service.setup.install")

INSTALL_METHODS = ("GET", "HEAD", "POST")
FORM_TYPE = "application/x-www-form-urlencoded"
# The form holds a label and a one-time value: a few hundred bytes.
MAX_FORM_BYTES = 16 * 1024
_MAX_FIELDS = 10
_LINK_ERRORS = (InstallLinkNotFound, InstallLinkExpired, InstallLinkRevoked, InstallLinkUsedUp)

#: What to do when a link no longer works: only the company that sent it can help.
ASK_FOR_NEW_LINK = (
    "Ask the company that sent you this link for a new installation link. One link can add "
    "a computer for each person who needs one."
)
# Why the page cannot help, as the person holding the link is told:
# (status, title, message, what to do).
_REFUSALS: dict[str, tuple[int, str, str, str]] = {
    "unknown": (
        404,
        "This installation link is not valid",
        "The link may have been copied incompletely, or it never existed.",
        "Check that you opened the whole link. " + ASK_FOR_NEW_LINK,
    ),
    "expired": (
        410,
        "This installation link has expired",
        "Installation links work for a limited time, and this one's time is up.",
        ASK_FOR_NEW_LINK,
    ),
    "revoked": (
        410,
        "This installation link was replaced or revoked",
        "A newer link was issued for this company, or the link was withdrawn.",
        ASK_FOR_NEW_LINK,
    ),
    "used_up": (
        410,
        "This installation link has been used up",
        "It has added as many computers as it was issued for.",
        ASK_FOR_NEW_LINK,
    ),
    "method": (405, "Open this link in a web browser", "This page is a web page and its form.", ""),
    "bad_form": (
        400,
        "This form could not be read",
        "The form did not arrive as this page sends it.",
        "Open the installation link again and fill in the form there.",
    ),
    "error": (
        500,
        "This page could not be shown",
        "The server could not show this installation page right now.",
        "Try again in a few minutes; nothing was added in the meantime.",
    ),
}


def is_install_path(path: str) -> bool:
    """Whether ``path`` is under ``/install`` (else it is a setup path)."""
    return path == "/install" or path.startswith("/install/")


def _reason(exc: Exception) -> str:
    if isinstance(exc, InstallLinkExpired):
        return "expired"
    if isinstance(exc, InstallLinkRevoked):
        return "revoked"
    if isinstance(exc, InstallLinkUsedUp):
        return "used_up"
    return "unknown"


def _client_address(request: Request) -> str:
    environ = request.environ
    return str(environ.get("qwc.client_address") or environ.get("REMOTE_ADDR") or "")


class InstallPages:
    """The installation page of a link and the form it sends."""

    def __init__(
        self, settings: Settings, session_factory: SessionFactory, hashing: PasswordHashing
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.hashing = hashing

    def page(self, request: Request, token: str) -> Reply:
        """The page of a working link: the form, or why no machine can be added yet."""
        return self.offer_page(token)

    def submit(self, request: Request, token: str) -> Reply:
        """Add the machine the form asks for and send the browser to its setup page."""
        try:
            form = _read_form(request)
        except HttpError as exc:
            log.info("install_form_unreadable", status=exc.status)
            return self.refusal("bad_form")
        label, value = form.get("label", ""), form.get("form", "")
        try:
            with unit_of_work(self.session_factory) as db:
                installed = install_machine(
                    db,
                    self.settings,
                    self.hashing,
                    token,
                    form_value=value,
                    label=label,
                    client_address=_client_address(request),
                )
        except _LINK_ERRORS as exc:
            return self.refused(exc)
        except InvalidLabel as exc:
            return self.offer_page(token, status=400, form_value=value, label=label, error=str(exc))
        except FormOutOfDate:
            error = "This form was out of date. Check it and send it again."
            return self.offer_page(token, status=400, label=label, error=error)
        except InstallsClosed:
            return self.offer_page(token, status=409)
        except FormAlreadyUsed as exc:
            return self.form_used(exc.label)
        log.info(
            "machine_installed" if not installed.again else "install_form_sent_again",
            username=installed.username,
        )
        return secret_reply(
            self.settings, 303, b"", HTML_TYPE, headers=_location(installed.setup_token)
        )

    def offer_page(
        self,
        token: str,
        *,
        status: int = 200,
        form_value: str | None = None,
        label: str = "",
        error: str | None = None,
    ) -> Reply:
        """The page for a working link, with ``label`` and ``error`` when shown again."""
        nonce = new_nonce()
        try:
            with unit_of_work(self.session_factory) as db:
                offer = open_install_page(db, token, form_value=form_value)
                body = self._render_offer(offer, token, nonce, label=label, error=error)
        except _LINK_ERRORS as exc:
            return self.refused(exc)
        log.info("install_page_shown", readiness=offer.readiness.value, status=status)
        return secret_reply(self.settings, status, body, HTML_TYPE, nonce=nonce)

    def _render_offer(
        self, offer: InstallOffer, token: str, nonce: str, *, label: str, error: str | None
    ) -> bytes:
        expires_at = offer.expires_at.astimezone(UTC)
        return render(
            "install.html",
            nonce=nonce,
            app_name=self.settings.app_name,
            brand=self.settings.brand,
            offer=offer,
            readiness=offer.readiness.value,
            action=f"/install/{quote(token)}",
            label=label,
            error=error,
            label_max=LABEL_MAX,
            expires_at_iso=expires_at.isoformat(timespec="seconds"),
            expires_at_text=f"{expires_at:%Y-%m-%d %H:%M} UTC",
            support_url=self.settings.support_url,
        )

    def form_used(self, label: str | None) -> Reply:
        """The page for a form sent again whose machine's setup page no longer works."""
        body = render(
            "install_used.html",
            app_name=self.settings.app_name,
            brand=self.settings.brand,
            label=label,
            support_url=self.settings.support_url,
        )
        log.info("install_form_already_used")
        return secret_reply(self.settings, 409, body, HTML_TYPE)

    def refused(self, exc: Exception) -> Reply:
        """The refusal page for a link that does not work, logged without the token."""
        reason = _reason(exc)
        log.info("install_link_refused", reason=reason)
        return self.refusal(reason)

    def refusal(self, reason: str, headers: Headers = ()) -> Reply:
        """One page shape for every refusal: a title, a sentence and what to do."""
        status, title, message, advice = _REFUSALS[reason]
        body = render(
            "install_error.html",
            app_name=self.settings.app_name,
            brand=self.settings.brand,
            title=title,
            message=message,
            advice=advice,
            support_url=self.settings.support_url,
        )
        return secret_reply(self.settings, status, body, HTML_TYPE, headers=headers)


def _location(setup_token: str) -> Headers:
    # After a POST the browser GETs the new machine's setup page (303 See Other).
    return (("Location", f"/setup/{quote(setup_token)}"),)


def _read_form(request: Request) -> dict[str, str]:
    """The urlencoded form (first value of each field); HttpError when it is not one."""
    raw = request.read_body(MAX_FORM_BYTES)
    if raw and request.media_type() != FORM_TYPE:
        raise HttpError(415, "unsupported_media_type", "not a form")
    try:
        text = raw.decode("utf-8")
        parsed = parse_qs(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise HttpError(400, "invalid_form", "not a readable form") from None
    return {key: values[0] for key, values in parsed.items() if values}
