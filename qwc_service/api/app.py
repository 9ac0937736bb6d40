"""The JSON API as one WSGI application: ``build_api`` answers every path under ``/api``.

A request meets these steps in order; the first that fails answers:

1. Unless the route is public (only ``GET /api/openapi.json`` is), the bearer token is
   checked: 401, the same for a missing, unknown or revoked token, and before anything
   else, so a client without a token learns nothing, not even which paths exist.
2. The route is found (404, or 405 with ``Allow``).
3. Query parameters, then the body: size (413), media type (415), JSON (400), members (400).
4. A request asking to ``wait`` takes one of the process's wait slots (429 when none is free).
5. The handler runs inside one unit of work, committed when it returns. When it answers
   with a :class:`~qwc_service.api.waits.JobWait`, the job is then waited for, outside
   that unit of work.

Known domain failures become their status and code (:mod:`qwc_service.failures`); any
other exception is logged and answered with a bare 500.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import ExitStack
from typing import Any

import structlog
from sqlalchemy.orm import Session

from qwc_service.api import (
    routes_connections,
    routes_install_links,
    routes_jobs,
    routes_machines,
    routes_payments,
    routes_records,
    routes_schedules,
    routes_types,
    routes_webhooks,
    routes_writes,
)
from qwc_service.api.fields import check_object, check_query
from qwc_service.api.http import API_HEADERS, error_reply, json_reply, read_json
from qwc_service.api.openapi import build_document
from qwc_service.api.routing import Call, Operation
from qwc_service.api.waits import WAIT, JobWait, WaitSlots
from qwc_service.config import Settings
from qwc_service.connections.credentials import PasswordHashing
from qwc_service.db import SessionFactory, unit_of_work
from qwc_service.failures import known_failure
from qwc_service.http.errors import HttpError
from qwc_service.http.reply import Reply, StartResponse
from qwc_service.http.request import Request
from qwc_service.http.routing import Match, Router
from qwc_service.queue.service import get_job
from qwc_service.queue.waiting import wait_for_job
from qwc_service.tokens.models import ApiToken
from qwc_service.tokens.service import authenticate

__all__ = ["API_MAX_BODY_BYTES", "ApiApp", "build_api"]

log = structlog.get_logger("qwc_service.api")

PREFIX = "/api"
OPENAPI_PATH = "/api/openapi.json"
# JSON bodies are small but for queued qbXML; this bounds what one request can make us parse.
API_MAX_BODY_BYTES = 16 * 1024 * 1024

UNAUTHORIZED = HttpError(
    401,
    "unauthorized",
    "a valid API token is required: Authorization: Bearer <token>",
    headers=(("WWW-Authenticate", 'Bearer realm="api"'),),
)
INTERNAL = HttpError(500, "internal", "the server could not process this request")


class ApiApp:
    """The API's WSGI callable, with its route table and OpenAPI document."""

    def __init__(
        self,
        settings: Settings,
        session_factory: SessionFactory,
        hashing: PasswordHashing,
        routes: list[Operation],
        document: dict[str, Any],
        max_body_bytes: int,
        waits: WaitSlots | None = None,
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.hashing = hashing
        self.router: Router[Operation] = Router(routes)
        self.document = document
        self.max_body_bytes = max_body_bytes
        # Sized for gunicorn_conf's default of 4 threads until the worker tells its own
        # (QwcApp.fit_to_threads).
        self.waits = waits or WaitSlots(settings.waits_per_worker(threads=4))

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            reply = self.handle(request)
        except Exception:
            log.exception("api_internal_error", method=request.method, path=request.path)
            reply = error_reply(INTERNAL)
        return reply.send(start_response, common=API_HEADERS)

    def handle(self, request: Request) -> Reply:
        """The reply to one request; raises only for failures no table knows."""
        try:
            return self._dispatch(request)
        except Exception as exc:
            known = known_failure(exc)
            if known is None:
                raise
            return error_reply(known)

    def _dispatch(self, request: Request) -> Reply:
        with ExitStack() as slot:
            with unit_of_work(self.session_factory) as db:
                public = any(
                    route.public and route.method == request.method
                    for route, _ in self.router.routes_at(request.path)
                )
                token = None if public else authenticate(db, request.header("Authorization"))
                if not public and token is None:
                    raise UNAUTHORIZED
                match = self.router.match(request.method, request.path)
                call = self._call(db, request, match, token)
                if call.query.get(WAIT.name):
                    slot.enter_context(self.waits.hold(call.query[WAIT.name]))
                result = match.route.handler(call)
            if isinstance(result, JobWait):
                wait_for_job(
                    self.session_factory, result.connection_id, result.job_id, result.seconds
                )
                # Read again in a unit of work: the reply may read what the job carries.
                with unit_of_work(self.session_factory) as db:
                    result = result.reply(get_job(db, result.connection_id, result.job_id))
        if isinstance(result, Reply):
            return result
        return json_reply(match.route.status, result)

    def _call(
        self, db: Session, request: Request, match: Match[Operation], token: ApiToken | None
    ) -> Call:
        route = match.route
        query = check_query(route.query, request.query)
        body: dict[str, Any] = {}
        if route.body is not None:
            body = check_object(route.body, read_json(request, self.max_body_bytes))
        token_id = None if token is None else token.id
        return Call(db, self.settings, self.hashing, match.params, query, body, token_id)


def build_api(
    settings: Settings,
    session_factory: SessionFactory,
    hashing: PasswordHashing,
    *,
    max_body_bytes: int | None = None,
) -> ApiApp:
    """The API for every path under ``/api``; mount it with PATH_INFO left as it came.

    ``hashing`` is the server's password hashing (machine passwords are set through the
    API). Bodies are capped at ``max_body_bytes``: by default the smaller of
    :data:`API_MAX_BODY_BYTES` and ``QWC_MAX_BODY_BYTES``.
    """
    holder: dict[str, Any] = {}

    def get_openapi(call: Call) -> Any:
        """This document: every operation, its inputs and its replies."""
        return holder["reply"]

    openapi = Operation(
        "GET",
        OPENAPI_PATH,
        get_openapi,
        "The OpenAPI 3.1 document of this API (no token needed)",
        "meta",
        {"type": "object"},
        public=True,
    )
    routes = [
        openapi,
        *routes_connections.ROUTES,
        *routes_install_links.ROUTES,
        *routes_machines.ROUTES,
        *routes_jobs.ROUTES,
        *routes_payments.ROUTES,
        *routes_schedules.ROUTES,
        *routes_records.ROUTES,
        *routes_types.ROUTES,
        *routes_webhooks.ROUTES,
        *routes_writes.ROUTES,
    ]
    document = build_document(routes, title=settings.app_name, server_url=settings.public_url)
    # Written once: with a schema and paths per record type, the document is large.
    holder["reply"] = json_reply(200, document)
    cap = max_body_bytes or min(API_MAX_BODY_BYTES, settings.max_body_bytes)
    return ApiApp(settings, session_factory, hashing, routes, document, cap)
