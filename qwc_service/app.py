"""The composition root: ``create_app(settings)`` builds everything the server needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from qwc_service import models
from qwc_service.admin.app import build_admin
from qwc_service.api.app import ApiApp, build_api
from qwc_service.config import Settings
from qwc_service.connections.credentials import PasswordHashing
from qwc_service.db import check_schema, make_engine, make_session_factory
from qwc_service.http.reply import StartResponse, WsgiApp, text_reply
from qwc_service.http.request import Request
from qwc_service.http.routing import ANY, NotFound, Route, Router
from qwc_service.logs import configure_logging
from qwc_service.qbwc.exchange import WebConnectorExchange
from qwc_service.qbwc.kinds import build_handlers
from qwc_service.setup.pages import build_setup_pages
from qwc_service.soap.application import build_soap_app
from qwc_service.soap.direct import direct_answers
from qwc_service.soap.guard import guard_soap
from qwc_service.status.metrics import metrics_page
from qwc_service.status.pages import health_page, support_page


def _plain(status: int, message: str) -> WsgiApp:
    reply = text_reply(status, message)

    def handle(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return reply.send(start_response)

    return handle


_NOT_FOUND = text_reply(404, "not found")


def mount(path: str, app: WsgiApp, *, subtree: bool = False) -> Route[WsgiApp]:
    """``app`` answers ``path`` whatever the method, and with ``subtree`` every path below."""
    return Route(ANY, path, app, subtree=subtree)


@dataclass
class QwcApp:
    """The WSGI application with the parts it was built from (tests and the CLI use them)."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    hashing: PasswordHashing
    exchange: WebConnectorExchange
    routes: tuple[Route[WsgiApp], ...]
    router: Router[Route[WsgiApp]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.router = Router(self.routes)

    def mounted(self, path: str) -> WsgiApp | None:
        """The application mounted at ``path``, if any."""
        return next((route.handler for route in self.routes if route.path == path), None)

    def fit_to_threads(self, threads: int) -> None:
        """Size what depends on how many threads serve this process (gunicorn's worker
        tells, after the fork): how many API requests may wait for a job at once."""
        api = self.mounted("/api")
        if isinstance(api, ApiApp):
            api.waits.resize(self.settings.waits_per_worker(threads))

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            match = self.router.match(request.method, request.path)
        except NotFound:
            return _NOT_FOUND.send(start_response)
        return match.route.handler(environ, start_response)


def create_app(settings: Settings, *, check_database: bool = True) -> QwcApp:
    """Build the server from settings: engine, services, SOAP endpoint and pages.

    With ``check_database`` (the default) the database must be at the newest schema
    revision, or SchemaOutOfDate names the command to run.
    """
    models.register()
    configure_logging(settings.log_format, settings.log_level)
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    if check_database:
        check_schema(engine)
    session_factory = make_session_factory(engine)
    hashing = PasswordHashing(settings)
    exchange = WebConnectorExchange(settings, session_factory, build_handlers(), hashing)
    soap = guard_soap(
        build_soap_app(exchange, settings.soap_url),
        max_body_bytes=settings.max_body_bytes,
        direct=direct_answers(exchange),
    )
    # A machine's setup page and a connection's installation page, one application.
    setup_pages = build_setup_pages(settings, session_factory, hashing)
    routes = (
        mount("/qbwc", soap),
        mount("/support", support_page(settings.brand)),
        mount("/health", health_page(engine, session_factory)),
        mount("/metrics", metrics_page(engine, session_factory)),
        # These applications answer every path under their prefix themselves.
        mount("/api", build_api(settings, session_factory, hashing), subtree=True),
        mount("/admin", build_admin(settings, session_factory, hashing), subtree=True),
        mount("/setup", setup_pages, subtree=True),
        mount("/install", setup_pages, subtree=True),
        mount("/", _plain(200, f"{settings.app_name}: the Web Connector endpoint is /qbwc")),
    )
    return QwcApp(settings, engine, session_factory, hashing, exchange, routes)
