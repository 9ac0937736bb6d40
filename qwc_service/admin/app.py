"""The admin pages as one WSGI application: ``build_admin`` answers every path under ``/admin``.

A request meets these steps in order; the first that fails answers:

1. The path is looked up. Only the sign-in page is public: on any other path a browser
   that is not signed in is sent to ``/admin/login`` (303), before anything else,
   so a stranger learns nothing, not even which paths exist.
2. The method (405, with ``Allow``), then for a POST the form (413, 415) and its CSRF value (403).
3. The page runs inside one unit of work, committed when it returns.

Known domain failures become an error page with their status and sentence; anything else
is logged and answered with a fixed 500 page. Every reply is ``no-store``, cannot be
framed, and runs no script without the page's nonce.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import structlog

from qwc_service.admin import (
    pages_auth,
    pages_connections,
    pages_install_links,
    pages_jobs,
    pages_machines,
    pages_schedules,
)
from qwc_service.admin.context import Ctx, PageError
from qwc_service.admin.http import query_of, read_form
from qwc_service.admin.render import render
from qwc_service.admin.signins import COOKIE_NAME, check_csrf, csrf_for, current_sign_in
from qwc_service.config import Settings
from qwc_service.connections.credentials import PasswordHashing
from qwc_service.db import SessionFactory, unit_of_work
from qwc_service.failures import known_failure
from qwc_service.http.errors import HttpError
from qwc_service.http.html import new_nonce, page_headers
from qwc_service.http.reply import Reply, StartResponse, html_reply, redirect
from qwc_service.http.request import Request
from qwc_service.http.routing import MethodNotAllowed, NotFound, Route, Router

__all__ = ["AdminApp", "build_admin"]

log = structlog.get_logger("qwc_service.admin")

LOGIN_PATH = "/admin/login"
#: The only page served to a browser that is not signed in.
PUBLIC_PATHS = frozenset({LOGIN_PATH})
INTERNAL_MESSAGE = "The server could not show this page. Try again; if it repeats, see the logs."
Handler = Callable[[Ctx], Reply]

C = "/admin/connections/{connection_id}"
M = C + "/machines/{username}"
ROUTES: tuple[Route[Handler], ...] = (
    Route("GET", LOGIN_PATH, pages_auth.login_page),
    Route("POST", LOGIN_PATH, pages_auth.sign_in_form),
    Route("POST", "/admin/logout", pages_auth.sign_out_form),
    Route("GET", "/admin", pages_connections.list_page),
    Route("POST", "/admin/connections", pages_connections.create),
    Route("GET", C, pages_connections.detail_page),
    Route("POST", C + "/unlock", pages_connections.release_lock),
    Route("POST", C + "/install-link", pages_install_links.issue),
    Route("POST", C + "/install-link/revoke", pages_install_links.revoke),
    Route("POST", C + "/machines", pages_machines.add),
    Route("POST", M + "/reset", pages_machines.reset),
    Route("POST", M + "/revoke-link", pages_machines.revoke_link),
    Route("POST", M + "/revoke", pages_machines.revoke),
    Route("POST", C + "/schedules", pages_schedules.add),
    Route("POST", C + "/schedules/pause", pages_schedules.pause),
    Route("POST", C + "/schedules/resume", pages_schedules.resume),
    Route("POST", C + "/schedules/run", pages_schedules.run_now),
    Route("POST", C + "/schedules/remove", pages_schedules.remove),
    Route("GET", C + "/jobs", pages_jobs.jobs_page),
    Route("POST", C + "/jobs/{job_id}/cancel", pages_jobs.cancel),
    Route("POST", C + "/jobs/{job_id}/retry", pages_jobs.retry),
    Route("POST", C + "/jobs/{job_id}/resolve", pages_jobs.resolve),
)


class AdminApp:
    """The admin pages' WSGI callable."""

    def __init__(
        self, settings: Settings, session_factory: SessionFactory, hashing: PasswordHashing
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.hashing = hashing
        self.router: Router[Route[Handler]] = Router(ROUTES)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        nonce = new_nonce()
        try:
            reply = self.handle(request, nonce)
        except Exception:
            log.exception("admin_internal_error", method=request.method, path=request.path)
            reply = _error_page(nonce, PageError(500, INTERNAL_MESSAGE))
        return reply.send(start_response, common=page_headers(nonce))

    def handle(self, request: Request, nonce: str) -> Reply:
        """The reply to one request; raises only for failures no table knows."""
        try:
            return self._dispatch(request, nonce)
        except Exception as exc:
            known = known_failure(exc)
            if known is None:
                raise
            return _error_page(nonce, known)

    def _dispatch(self, request: Request, nonce: str) -> Reply:
        candidates = self.router.routes_at(request.path)
        public = bool(candidates) and all(route.path in PUBLIC_PATHS for route, _ in candidates)
        with unit_of_work(self.session_factory) as db:
            cookie = request.cookie(COOKIE_NAME)
            signed_in = current_sign_in(db, cookie) is not None
            if not public and not signed_in:
                return redirect(LOGIN_PATH)
            csrf = csrf_for(cookie) if signed_in and cookie else ""
            try:
                match = self.router.match(request.method, request.path)
            except NotFound:
                raise PageError(404, "There is no such page.") from None
            except MethodNotAllowed as exc:
                raise PageError(
                    405, "This page does not take that kind of request.", headers=exc.headers
                ) from None
            posted = request.method == "POST"
            form = read_form(request) if posted else {}
            if posted and not public and not check_csrf(cookie or "", form.get("csrf")):
                raise PageError(
                    403,
                    "This form has expired or did not come from these pages. "
                    "Go back, reload the page and try again.",
                )
            ctx = Ctx(
                db,
                self.settings,
                self.hashing,
                request,
                match.params,
                nonce,
                csrf,
                query=query_of(request),
                form=form,
            )
            return match.route.handler(ctx)


def _error_page(nonce: str, error: HttpError) -> Reply:
    html = render(
        "error.html",
        nonce=nonce,
        csrf="",
        signed_in=False,
        status=error.status,
        message=error.message,
    )
    return html_reply(error.status, html, error.headers)


def build_admin(
    settings: Settings, session_factory: SessionFactory, hashing: PasswordHashing
) -> AdminApp:
    """The admin pages for every path under ``/admin``; mount them with PATH_INFO as it came."""
    return AdminApp(settings, session_factory, hashing)
