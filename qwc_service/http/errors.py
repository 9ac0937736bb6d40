"""A failure a client is told about: an HTTP status, a stable code and a sentence.

Each application decides how to show one (the API as a JSON error document, the admin
pages as an error page); the message is written for a person and never carries internals.
"""

from __future__ import annotations

__all__ = ["HttpError", "invalid"]


class HttpError(Exception):
    """A failure with its status, code and message.

    ``field`` names the input (body field, query or path parameter, header) at fault, when
    there is one; ``headers`` go with the reply (``Allow`` on a 405, ``WWW-Authenticate``).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers


def invalid(field_name: str, message: str, code: str = "invalid_field") -> HttpError:
    """A 400 naming the input at fault."""
    return HttpError(400, code, message, field=field_name)
