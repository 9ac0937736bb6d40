"""One HTTP POST of a webhook body, with a short timeout and no redirects."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass
from time import perf_counter
from typing import Any, Protocol

from qwc_service import __version__

# Enough of an error response to tell what went wrong, not a receiver's whole page.
ERROR_BODY_CHARS = 300
READ_LIMIT_BYTES = 64 * 1024


@dataclass(frozen=True)
class AttemptResult:
    """What one POST came back with: a status code, or an error when there was no answer."""

    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        """Whether the receiver accepted the event (any 2xx)."""
        return self.status_code is not None and 200 <= self.status_code < 300


class Sender(Protocol):
    """Something that POSTs a body and reports the outcome (never raises for HTTP failures)."""

    def __call__(
        self, url: str, body: bytes, headers: dict[str, str], timeout: float
    ) -> AttemptResult:
        """POST ``body`` to ``url``."""
        ...


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirected POST would be replayed as a GET without the body; a 3xx is a failure.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> AttemptResult:
    """POST ``body`` as JSON; the timeout bounds connecting and each read."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": f"qwc-service/{__version__} (webhooks)",
            **headers,
        },
    )
    start = perf_counter()
    status: int | None = None
    error: str | None = None
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(READ_LIMIT_BYTES)
            status = int(response.status)
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except urllib.error.HTTPError as exc:
        status = exc.code
        error = f"HTTP {exc.code}{_snippet(exc)}"
        exc.close()
    except urllib.error.URLError as exc:
        error = f"could not connect: {exc.reason}"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return AttemptResult(status, error, round((perf_counter() - start) * 1000))


def _snippet(exc: urllib.error.HTTPError) -> str:
    try:
        text = exc.read(ERROR_BODY_CHARS).decode("utf-8", "replace").strip()
    except (OSError, http.client.HTTPException):
        return ""
    return f": {' '.join(text.split())[:ERROR_BODY_CHARS]}" if text else ""
