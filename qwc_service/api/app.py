"""The JSON API as one WSGI application: ``build_api`` answers every path under ``/api``.

A request meets these steps in order; the first that fails answers:

1. Unless the route is public (only ``GET /api/openapi.json`` is), the bearer token is
   checked: 401, the same for a missing, unknown or revoked token, and before anything
   else, so a client without a token learns nothing, not even which paths exist.
2. The route is found (404, or 405 with ``Allow``).
3. Query parameters, then the body: size (413), media type (415), JSON (400), members (400).
4. The handler runs inside one unit of work, committed when it returns.

Known domain failures become their status and code (:mod:`qwc_service.api.errors`); any
other exception is logged and answered with a bare 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import structlog
from sqlalchemy.orm import Session

from qwc_service.api import (
    routes_connections,
    routes_jobs,
    routes_machines,
    routes_payments,
    routes_records,
    routes_schedules,
    routes_webhooks,
)
from qwc_service.api.errors import as_api_error
from qwc_service.api.fields import check_object, check_query
from qwc_service.api.http import (
    JSON_TYPE,
    ApiError,
    Request,
    Response,
    StartResponse,
    error_response,
    invalid,
    json_response,
)
from qwc_service.api.openapi import build_document
from qwc_service.api.routing import Call, Match, Reply, Route, Router
from qwc_service.config import Settings
from qwc_service.connections.credentials import PasswordHashing
from qwc_service.db import SessionFactory, unit_of_work
from qwc_service.tokens.models import ApiToken
from qwc_service.tokens.service import authenticate

__all__ = ["API_MAX_BODY_BYTES", "ApiApp", "build_api"]

log = structlog.get_logger("qwc_service.api")

PREFIX = "/api"
OPENAPI_PATH = "/api/openapi.json"
# JSON bodies are small but for queued qbXML; this bounds what one request can make us parse.
API_MAX_BODY_BYTES = 16 * 1024 * 1024

UNAUTHORIZED = ApiError(
    401,
    "unauthorized",
    "a valid API token is required: Authorization: Bearer <token>",
    headers=(("WWW-Authenticate", 'Bearer realm="api"'),),
)
INTERNAL = ApiError(500, "internal", "the server could not process this request")


class ApiApp:
    """The API's WSGI callable, with its route table and OpenAPI document."""

    def __init__(
        self,
        settings: Settings,
        session_factory: SessionFactory,
        hashing: PasswordHashing,
        routes: list[Route],
        document: dict[str, Any],
        max_body_bytes: int,
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.hashing = hashing
        self.router = Router(routes)
        self.document = document
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.handle(request)
        except Exception:
            log.exception("api_internal_error", method=request.method, path=request.path)
            response = error_response(INTERNAL)
        return response.send(start_response)

    def handle(self, request: Request) -> Response:
        """The reply to one request; raises only for failures no table knows."""
        try:
            return self._dispatch(request)
        except ApiError as exc:
            return error_response(exc)
        except Exception as exc:
            known = as_api_error(exc)
            if known is None:
                raise
            return error_response(known)

    def _dispatch(self, request: Request) -> Response:
        with unit_of_work(self.session_factory) as db:
            route = self.router.template_of(request.method, request.path)
            public = route is not None and route.public
            token = None if public else authenticate(db, request.header("Authorization"))
            if not public and token is None:
                raise UNAUTHORIZED
            match = self.router.match(request.method, request.path)
            call = self._call(db, request, match, token)
            result = match.route.handler(call)
        if isinstance(result, Response):
            return result
        if isinstance(result, Reply):
            return json_response(result.status, result.data)
        return json_response(match.route.status, result)

    def _call(self, db: Session, request: Request, match: Match, token: ApiToken | None) -> Call:
        route = match.route
        query = check_query(route.query, request.query)
        body: dict[str, Any] = {}
        if route.body is not None:
            body = check_object(route.body, self._json_body(request))
        token_id = None if token is None else token.id
        return Call(db, self.settings, self.hashing, match.params, query, body, token_id)

    def _json_body(self, request: Request) -> Any:
        raw = request.read_body(self.max_body_bytes)
        if not raw:
            return {}
        if request.media_type() != JSON_TYPE or request.charset() not in (None, "utf-8"):
            raise ApiError(
                415,
                "unsupported_media_type",
                "the body must be JSON sent as Content-Type: application/json (UTF-8)",
            )
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise invalid("body", "the body is not valid JSON", code="invalid_json") from None


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
        return holder["document"]

    openapi = Route(
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
        *routes_machines.ROUTES,
        *routes_jobs.ROUTES,
        *routes_payments.ROUTES,
        *routes_schedules.ROUTES,
        *routes_records.ROUTES,
        *routes_webhooks.ROUTES,
    ]
    document = build_document(routes, title=settings.app_name, server_url=settings.public_url)
    holder["document"] = document
    cap = max_body_bytes or min(API_MAX_BODY_BYTES, settings.max_body_bytes)
    return ApiApp(settings, session_factory, hashing, routes, document, cap)
