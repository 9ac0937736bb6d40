"""The route table: each route declares its method, path, inputs and reply in one place.

The router dispatches by it and the OpenAPI document is written from it, so the two cannot
disagree. Paths use ``{name}`` segments; a segment matches one path segment, and its value
goes through the parameter's :class:`~qwc_service.api.fields.Field`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from qwc_service.api.fields import Field
from qwc_service.api.http import ApiError
from qwc_service.config import Settings
from qwc_service.connections.credentials import PasswordHashing


@dataclass(frozen=True)
class Reply:
    """A handler's JSON result with a status other than the route's usual one."""

    data: Any
    status: int


@dataclass
class Call:
    """What a handler gets: the unit of work, the server's parts, and the checked inputs.

    ``token_id`` is the id of the API token the request came with (None on public routes).
    """

    db: Session
    settings: Settings
    hashing: PasswordHashing
    params: dict[str, Any]
    query: dict[str, Any]
    body: dict[str, Any]
    token_id: int | None = None


Handler = Callable[[Call], Any]


@dataclass(frozen=True)
class Route:
    """One operation of the API.

    ``body`` is None for operations that take no body. ``response`` is the JSON Schema of a
    successful reply (a ``$ref`` into the document's components), ``status`` its status;
    ``also`` lists other success statuses with their meaning. ``errors`` are the error
    statuses the operation can answer besides 401 and 500, which every operation can.
    ``media_type`` is the reply's type when it is not JSON (a download).
    """

    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    response: dict[str, Any]
    status: int = 200
    also: dict[int, str] = field(default_factory=dict)
    params: tuple[Field, ...] = ()
    query: tuple[Field, ...] = ()
    body: tuple[Field, ...] | None = None
    errors: tuple[int, ...] = ()
    description: str = ""
    media_type: str = "application/json"
    public: bool = False

    @property
    def operation_id(self) -> str:
        """The handler's name: unique across the table."""
        return self.handler.__name__

    def param_names(self) -> list[str]:
        """The ``{name}`` segments of the path, in order."""
        return re.findall(r"{(\w+)}", self.path)


@dataclass(frozen=True)
class Match:
    """A route and its converted path parameters."""

    route: Route
    params: dict[str, Any]


class Router:
    """Finds the route for a method and a path."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes
        self._patterns: list[tuple[re.Pattern[str], Route]] = []
        seen: set[tuple[str, str]] = set()
        for route in routes:
            key = (route.method, route.path)
            if key in seen:
                raise ValueError(f"route {route.method} {route.path} declared twice")
            seen.add(key)
            declared = {p.name for p in route.params}
            if declared != set(route.param_names()):
                raise ValueError(f"route {route.path}: path parameters and fields differ")
            self._patterns.append((_compile(route.path), route))

    def template_of(self, method: str, path: str) -> Route | None:
        """The route whose path pattern and method fit, without converting parameters."""
        path = path.rstrip("/") or "/"
        for pattern, route in self._patterns:
            if route.method == method and pattern.match(path):
                return route
        return None

    def match(self, method: str, path: str) -> Match:
        """The route and parameters for a request; 404 for no such path, 405 for the method."""
        allowed: list[str] = []
        path = path.rstrip("/") or "/"
        for pattern, route in self._patterns:
            found = pattern.match(path)
            if found is None:
                continue
            if route.method != method:
                allowed.append(route.method)
                continue
            params = _convert(route, found.groupdict())
            if params is not None:
                return Match(route, params)
        if allowed:
            raise ApiError(
                405,
                "method_not_allowed",
                f"{method} is not allowed here",
                headers=(("Allow", ", ".join(sorted(set(allowed)))),),
            )
        raise not_found()


def not_found() -> ApiError:
    """The 404 for a path no route answers."""
    return ApiError(404, "not_found", "no such resource")


def _compile(path: str) -> re.Pattern[str]:
    parts = []
    for segment in path.split("/"):
        name = re.fullmatch(r"{(\w+)}", segment)
        parts.append(f"(?P<{name.group(1)}>[^/]+)" if name else re.escape(segment))
    return re.compile("^" + "/".join(parts) + "$")


def _convert(route: Route, raw: dict[str, str]) -> dict[str, Any] | None:
    """The path parameters converted, or None when one does not parse.

    A path that names nothing this server could hold is simply not there (404).
    """
    params: dict[str, Any] = {}
    for spec in route.params:
        try:
            params[spec.name] = spec.parse(raw[spec.name])
        except ApiError:
            return None
    return params
