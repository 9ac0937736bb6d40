"""Routes and the router: a method and a path template lead to a handler.

A template is a path whose ``{name}`` segments each match one non-empty path segment; its
value never holds a ``/``. The path matched is PATH_INFO as the WSGI server decoded it, so
a segment sent percent-encoded arrives decoded, and an encoded ``/`` (``%2F``) separates
segments like any other. A trailing ``/`` is ignored.

A :class:`Route` carries what routing needs; an application that keeps more per route
(the API's OpenAPI description) subclasses it, and may convert path parameters in
:meth:`Route.bind` (a value that does not convert means the path names nothing there).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from qwc_service.http.errors import HttpError

__all__ = ["ANY", "Match", "MethodNotAllowed", "NotFound", "Route", "Router", "compile_path"]

#: The method of a route that answers every method (a whole application mounted there).
ANY = "*"

H = TypeVar("H")
R = TypeVar("R", bound="Route[Any]")

_PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Route(Generic[H]):
    """A method, a path template and the handler that answers them.

    With ``subtree`` the route also answers every path below its template.
    """

    method: str
    path: str
    handler: H
    subtree: bool = field(default=False, kw_only=True)

    def param_names(self) -> list[str]:
        """The ``{name}`` segments of the path, in order."""
        return _PARAM.findall(self.path)

    def bind(self, raw: dict[str, str]) -> dict[str, Any] | None:
        """The path parameters as the handler gets them, or None when they name nothing."""
        return dict(raw)


@dataclass(frozen=True)
class Match(Generic[R]):
    """The route that answers a request, with its path parameters."""

    route: R
    params: dict[str, Any]


class NotFound(HttpError):
    """No route has this path."""

    def __init__(self) -> None:
        super().__init__(404, "not_found", "no such resource")


class MethodNotAllowed(HttpError):
    """Routes have this path, none with this method; ``allowed`` lists theirs."""

    def __init__(self, method: str, allowed: list[str]) -> None:
        super().__init__(
            405,
            "method_not_allowed",
            f"{method} is not allowed here",
            headers=(("Allow", ", ".join(allowed)),),
        )
        self.allowed = allowed


def compile_path(template: str, *, subtree: bool = False) -> re.Pattern[str]:
    """A template as a regular expression for whole paths (``fullmatch``), with a named
    group per ``{name}`` segment."""
    parts = []
    for segment in _normal(template).split("/"):
        name = _PARAM.fullmatch(segment)
        parts.append(f"(?P<{name.group(1)}>[^/]+)" if name else re.escape(segment))
    below = "(?:/.*)?" if subtree else ""
    return re.compile("/".join(parts) + below, re.DOTALL)


def _normal(path: str) -> str:
    return path.rstrip("/") or "/"


class Router(Generic[R]):
    """Finds the route for a method and a path; templates are compiled once, here."""

    def __init__(self, routes: Iterable[R]) -> None:
        self.routes: tuple[R, ...] = tuple(routes)
        seen: set[tuple[str, str]] = set()
        for route in self.routes:
            key = (route.method, _normal(route.path))
            if key in seen:
                raise ValueError(f"route {route.method} {route.path} declared twice")
            seen.add(key)
        self._patterns = [(compile_path(r.path, subtree=r.subtree), r) for r in self.routes]

    def routes_at(self, path: str) -> list[tuple[R, dict[str, str]]]:
        """Every route whose template fits ``path``, whatever its method, with the raw
        parameters (before :meth:`Route.bind`)."""
        path = _normal(path)
        found = []
        for pattern, route in self._patterns:
            hit = pattern.fullmatch(path)
            if hit is not None:
                found.append((route, hit.groupdict()))
        return found

    def match(self, method: str, path: str) -> Match[R]:
        """The first route, in table order, that takes this method and path.

        Raises :class:`NotFound` when no route has the path, or :class:`MethodNotAllowed`
        (with ``Allow``) when some do but none with this method. A route whose parameters
        do not bind does not have the path.
        """
        allowed: set[str] = set()
        for route, raw in self.routes_at(path):
            params = route.bind(raw)
            if params is None:
                continue
            if route.method in (method, ANY):
                return Match(route, params)
            allowed.add(route.method)
        if allowed:
            raise MethodNotAllowed(method, sorted(allowed))
        raise NotFound()
