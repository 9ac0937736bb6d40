"""JSON in and out: a request's JSON body, JSON replies and the error document."""

from __future__ import annotations

import json
from typing import Any

from qwc_service.http.errors import HttpError, invalid
from qwc_service.http.reply import Headers, Reply
from qwc_service.http.request import Request

__all__ = ["API_HEADERS", "JSON_TYPE", "error_reply", "json_reply", "read_json"]

JSON_TYPE = "application/json"
#: Every API reply is about one caller's data: never cached, never sniffed as another type.
API_HEADERS: Headers = (("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"))


def json_reply(status: int, data: Any, headers: Headers = ()) -> Reply:
    """``data`` as a JSON reply."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Reply(status, body, JSON_TYPE, headers)


def error_reply(error: HttpError) -> Reply:
    """The JSON reply every failure has: ``{"error": {"code", "message", "field"}}``."""
    document: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.field is not None:
        document["field"] = error.field
    return json_reply(error.status, {"error": document}, error.headers)


def read_json(request: Request, max_bytes: int) -> Any:
    """The request's JSON body ({} when there is none): 413, 415 or 400 when it is not."""
    raw = request.read_body(max_bytes)
    if not raw:
        return {}
    if request.media_type() != JSON_TYPE or request.charset() not in (None, "utf-8"):
        raise HttpError(
            415,
            "unsupported_media_type",
            "the body must be JSON sent as Content-Type: application/json (UTF-8)",
        )
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise invalid("body", "the body is not valid JSON", code="invalid_json") from None
