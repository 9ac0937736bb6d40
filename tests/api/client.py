"""A small JSON client that calls a WSGI application in-process, as HTTP would.

Every reply to a path under /api is checked against the OpenAPI document the server
publishes: its status must be declared for the operation, and its body must validate
against the declared schema. Tests therefore check the document on every call they make.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from jsonschema import Draft202012Validator

from qwc_service.api.app import ApiApp
from qwc_service.qbxml.objects.registry import find_object

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass
class Reply:
    """One HTTP reply: status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def data(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)

    @property
    def error(self) -> dict[str, Any]:
        """The ``error`` member of an error reply."""
        error: dict[str, Any] = self.data["error"]
        return error


@dataclass
class ApiClient:
    """Calls ``app`` with a bearer token (None sends no Authorization header)."""

    app: WsgiApp
    api: ApiApp
    token: str | None = None
    checked: list[tuple[str, str, int]] = field(default_factory=list)

    def with_token(self, token: str | None) -> ApiClient:
        """The same client sending another token."""
        return ApiClient(self.app, self.api, token, self.checked)

    def get(self, path: str, **query: Any) -> Reply:
        """GET with query parameters (None values left out)."""
        return self.request("GET", path, query=query)

    def post(self, path: str, body: Any = None) -> Reply:
        """POST a JSON body (none when ``body`` is None)."""
        return self.request("POST", path, json_body=body)

    def put(self, path: str, body: Any) -> Reply:
        """PUT a JSON body."""
        return self.request("PUT", path, json_body=body)

    def patch(self, path: str, body: Any) -> Reply:
        """PATCH a JSON body."""
        return self.request("PATCH", path, json_body=body)

    def delete(self, path: str) -> Reply:
        """DELETE."""
        return self.request("DELETE", path)

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        json_body: Any = None,
        raw_body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Send one request and check the reply against the OpenAPI document."""
        send_headers: dict[str, str] = {}
        body = b""
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            send_headers["Content-Type"] = "application/json"
        if raw_body is not None:
            body = raw_body
        if self.token is not None:
            send_headers["Authorization"] = f"Bearer {self.token}"
        send_headers.update(headers or {})
        pairs = {k: _text(v) for k, v in (query or {}).items() if v is not None}
        reply = call_wsgi(self.app, method, path, urlencode(pairs), send_headers, body)
        if path.startswith("/api"):
            self._check(method, path, reply)
        return reply

    def _check(self, method: str, path: str, reply: Reply) -> None:
        document = self.api.document
        route = next((r for r, _ in self.api.router.routes_at(path) if r.method == method), None)
        if route is None:
            schema: dict[str, Any] = {"$ref": "#/components/schemas/Error"}
        else:
            operation = document["paths"][route.path][method.lower()]
            declared = operation["responses"]
            assert str(reply.status) in declared, (
                f"{method} {route.path} answered {reply.status}, not in the document: "
                f"{sorted(declared)}; body {reply.body[:300]!r}"
            )
            content = declared[str(reply.status)]["content"]
            media = reply.headers.get("content-type", "").split(";")[0]
            assert media in content, (media, list(content))
            schema = content[media]["schema"]
            self.checked.append((method, route.path, reply.status))
            if media != "application/json":
                return
        self._validate(method, path, reply, schema)
        typed = None if route is None else _typed_schema(document, route.path, method, path, reply)
        if typed is not None:
            self._validate(method, path, reply, typed)

    def _validate(self, method: str, path: str, reply: Reply, schema: dict[str, Any]) -> None:
        validator = Draft202012Validator({**schema, "components": self.api.document["components"]})
        errors = sorted(validator.iter_errors(reply.data), key=lambda e: list(e.path))
        assert not errors, f"{method} {path} {reply.status}: " + "; ".join(
            f"{list(e.path)}: {e.message}" for e in errors[:5]
        )


_RECORDS = "/records/{record_type}"


def _typed_schema(
    document: dict[str, Any], template: str, method: str, path: str, reply: Reply
) -> dict[str, Any] | None:
    """The schema of the record type's own path answering a records request, if documented:
    a reply of the generic route must also be what the type's path promises."""
    if _RECORDS not in template or reply.status >= 300:
        return None
    segment = path.split("?")[0].split("/records/", 1)[1].split("/")[0]
    try:
        plural = find_object(segment).plural
    except KeyError:
        return None
    typed_path = template.replace(_RECORDS, f"/records/{plural}")
    operation = document["paths"][typed_path][method.lower()]
    schema: dict[str, Any] = operation["responses"][str(reply.status)]["content"][
        "application/json"
    ]["schema"]
    return schema


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def call_wsgi(
    app: WsgiApp,
    method: str,
    path: str,
    query: str = "",
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
) -> Reply:
    """Run ``app`` on one request built the way a WSGI server builds it."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "localhost",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        else:
            environ[f"HTTP_{key}"] = value
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None):  # type: ignore[no-untyped-def]
        started.append((status, response_headers))

    result = app(environ, start_response)
    try:
        data = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, response_headers = started[-1]
    return Reply(int(status.split(" ", 1)[0]), {k.lower(): v for k, v in response_headers}, data)
