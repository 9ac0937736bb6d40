"""Calling a WSGI page in-process and reading its Prometheus text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client.parser import text_string_to_metric_families


def call(
    page: Callable[..., Iterable[bytes]], method: str = "GET", path: str = "/metrics"
) -> tuple[str, dict[str, str], bytes]:
    """The status line, headers and body of one request."""
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "wsgi.input": None}
    body = b"".join(page(environ, start_response))
    return seen["status"], seen["headers"], body


def families(text: str) -> set[str]:
    """The metric family names in an exposition."""
    return {family.name for family in text_string_to_metric_families(text)}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, keyed by name and sorted labels."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float | None:
    """One sample's value, or None when it is absent."""
    return samples(text).get((name, tuple(sorted(labels.items()))))
