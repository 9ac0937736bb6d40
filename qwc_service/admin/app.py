"""The admin pages as one WSGI application: ``build_admin`` answers every path under ``/admin``.

A request meets these steps in order; the first that fails answers:

1. The path is looked up. Only the sign-in page is public: on any other path a browser
   without a live admin session is sent to ``/admin/login`` (303), before anything else,
   so a stranger learns nothing, not even which paths exist.
2. The method (405), then for a POST the form (413, 415) and its CSRF value (403).
3. The page runs inside one unit of work, committed when it returns.

Known domain failures become an error page with their status and sentence; anything else
is logged and answered with a fixed 500 page. Every reply is ``no-store``, cannot be
framed, and runs no script without the page's nonce.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import structlog

from qwc_service.admin import (
    views_auth,
    views_connections,
    views_jobs,
    views_machines,
    views_schedules,
)
from qwc_service.admin.context import Ctx, PageError, as_page_error
from qwc_service.admin.http import AdminRequest, FormRefused, Reply, StartResponse, redirect, send
from qwc_service.admin.render import render
from qwc_service.admin.sessions import COOKIE_NAME, check_csrf, csrf_for, current_session
from qwc_service.config import Settings
from qwc_service.connections.credentials import PasswordHashing
from qwc_service.db import SessionFactory, unit_of_work
from qwc_service.http.html import new_nonce

__all__ = ["AdminApp", "build_admin"]

log = structlog.get_logger("qwc_service.admin")

LOGIN_PATH = "/admin/login"
INTERNAL_MESSAGE = "The server could not show this page. Try again; if it repeats, see the logs."
Handler = Callable[[Ctx], Reply]


@dataclass(frozen=True)
class Route:
    """One page: its method, path template (``{name}`` is one path segment) and handler."""

    method: str
    template: str
    handler: Handler
    public: bool = False

    @property
    def pattern(self) -> re.Pattern[str]:
        """The template as a regular expression with a named group per ``{name}``."""
        return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template) + "$")


C = "/admin/connections/{connection_id}"
M = C + "/machines/{username}"
ROUTES = (
    Route("GET", LOGIN_PATH, views_auth.login_page, public=True),
    Route("POST", LOGIN_PATH, views_auth.sign_in_form, public=True),
    Route("POST", "/admin/logout", views_auth.sign_out_form),
    Route("GET", "/admin", views_connections.list_page),
    Route("POST", "/admin/connections", views_connections.create),
    Route("GET", C, views_connections.detail_page),
    Route("POST", C + "/unlock", views_connections.release_lock),
    Route("POST", C + "/machines", views_machines.add),
    Route("POST", M + "/reset", views_machines.reset),
    Route("POST", M + "/revoke-link", views_machines.revoke_link),
    Route("POST", M + "/revoke", views_machines.revoke),
    Route("POST", C + "/schedules", views_schedules.add),
    Route("POST", C + "/schedules/pause", views_schedules.pause),
    Route("POST", C + "/schedules/resume", views_schedules.resume),
    Route("POST", C + "/schedules/run", views_schedules.run_now),
    Route("POST", C + "/schedules/remove", views_schedules.remove),
    Route("GET", C + "/jobs", views_jobs.jobs_page),
    Route("POST", C + "/jobs/{job_id}/cancel", views_jobs.cancel),
    Route("POST", C + "/jobs/{job_id}/retry", views_jobs.retry),
)


class AdminApp:
    """The admin pages' WSGI callable."""

    def __init__(
        self, settings: Settings, session_factory: SessionFactory, hashing: PasswordHashing
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.hashing = hashing
        self.routes = [(route, route.pattern) for route in ROUTES]

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = AdminRequest(environ)
        nonce = new_nonce()
        try:
            reply = self.handle(request, nonce)
        except Exception:
            log.exception("admin_internal_error", method=request.method, path=request.path)
            reply = _error_page(nonce, 500, INTERNAL_MESSAGE)
        return send(reply, start_response, nonce)

    def handle(self, request: AdminRequest, nonce: str) -> Reply:
        """The reply to one request; raises only for failures no table knows."""
        try:
            return self._dispatch(request, nonce)
        except FormRefused as exc:
            return _error_page(nonce, exc.status, exc.message)
        except Exception as exc:
            known = as_page_error(exc)
            if known is None:
                raise
            return _error_page(nonce, known.status, known.message)

    def _find(self, request: AdminRequest) -> tuple[list[Route], dict[str, str]]:
        """The routes of the request's path (one per method) and the path's parameters."""
        for route, pattern in self.routes:
            match = pattern.match(request.path)
            if match is not None:
                same = [other for other, _ in self.routes if other.template == route.template]
                return same, match.groupdict()
        return [], {}

    def _dispatch(self, request: AdminRequest, nonce: str) -> Reply:
        candidates, params = self._find(request)
        public = bool(candidates) and all(route.public for route in candidates)
        with unit_of_work(self.session_factory) as db:
            cookie = request.cookie(COOKIE_NAME)
            signed_in = current_session(db, cookie) is not None
            if not public and not signed_in:
                return redirect(LOGIN_PATH)
            csrf = csrf_for(cookie) if signed_in and cookie else ""
            if not candidates:
                raise PageError(404, "There is no such page.")
            route = next((r for r in candidates if r.method == request.method), None)
            if route is None:
                raise PageError(405, "This page does not take that kind of request.")
            posted = request.method == "POST" and not public
            if posted and not check_csrf(cookie or "", request.form().get("csrf")):
                raise PageError(
                    403,
                    "This form has expired or did not come from these pages. "
                    "Go back, reload the page and try again.",
                )
            ctx = Ctx(db, self.settings, self.hashing, request, params, nonce, csrf)
            return route.handler(ctx)


def _error_page(nonce: str, status: int, message: str) -> Reply:
    html = render(
        "error.html", nonce=nonce, csrf="", signed_in=False, status=status, message=message
    )
    return Reply(status, html)


def build_admin(
    settings: Settings, session_factory: SessionFactory, hashing: PasswordHashing
) -> AdminApp:
    """The admin pages for every path under ``/admin``; mount them with PATH_INFO as it came."""
    return AdminApp(settings, session_factory, hashing)
