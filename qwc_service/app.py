"""The composition root: ``create_app(settings)`` builds everything the server needs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from qwc_service import models
from qwc_service.admin.app import build_admin
from qwc_service.api.app import build_api
from qwc_service.config import Settings
from qwc_service.db import check_schema, make_engine, make_session_factory
from qwc_service.logs import configure_logging
from qwc_service.qbwc.exchange import WebConnectorExchange
from qwc_service.qbwc.kinds import build_handlers
from qwc_service.setup.pages import build_setup_pages
from qwc_service.soap.application import build_soap_app
from qwc_service.soap.guard import guard_soap
from qwc_service.status.metrics import metrics_page
from qwc_service.status.pages import health_page, support_page

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _plain(status: str, message: str) -> WsgiApp:
    body = (message + "\n").encode()

    def handle(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response(
            status,
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
        )
        return [body]

    return handle


PREFIX_ROUTES = frozenset({"/api", "/admin", "/setup"})


@dataclass
class QwcApp:
    """The WSGI application with the parts it was built from (tests and the CLI use them)."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    exchange: WebConnectorExchange
    routes: dict[str, WsgiApp]

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        prefix = "/" + path.lstrip("/").split("/", 1)[0]
        if prefix in PREFIX_ROUTES:
            # These applications answer every path under their prefix themselves.
            handler = self.routes.get(prefix)
        else:
            handler = self.routes.get(path.rstrip("/") or "/")
        if handler is None:
            return _plain("404 Not Found", "not found")(environ, start_response)
        return handler(environ, start_response)


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
    exchange = WebConnectorExchange(settings, session_factory, build_handlers())
    soap = guard_soap(build_soap_app(exchange), max_body_bytes=settings.max_body_bytes)
    routes: dict[str, WsgiApp] = {
        "/qbwc": soap,
        "/support": support_page(settings.app_name),
        "/health": health_page(engine, session_factory),
        "/metrics": metrics_page(engine, session_factory),
        "/api": build_api(settings, session_factory, exchange.hashing),
        "/admin": build_admin(settings, session_factory, exchange.hashing),
        "/setup": build_setup_pages(settings, session_factory),
        "/": _plain("200 OK", f"{settings.app_name}: the Web Connector endpoint is /qbwc"),
    }
    return QwcApp(settings, engine, session_factory, exchange, routes)
