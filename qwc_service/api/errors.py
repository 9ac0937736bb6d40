"""A service's plain ValueError about one input, told to the client as a 400 naming it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from qwc_service.failures import known_failure, message_of
from qwc_service.http.errors import HttpError

__all__ = ["field_errors"]


@contextmanager
def field_errors(field: str, code: str = "invalid_field") -> Iterator[None]:
    """Turn a service's plain ValueError about one input into a 400 naming ``field``.

    Exceptions the failure table knows keep their own status and code.
    """
    try:
        yield
    except ValueError as exc:
        if known_failure(exc) is not None:
            raise
        raise HttpError(400, code, message_of(exc), field=field) from None
