"""The route table's entries: each operation declares its method, path, inputs and reply.

The router dispatches by the table and the OpenAPI document is written from it, so the two
cannot disagree. A ``{name}`` path segment's value goes through the parameter's
:class:`~qwc_service.api.fields.Field`; a value that does not parse names nothing this
server could hold, so the path is simply not there (404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from qwc_service.api.fields import Field
from qwc_service.config import Settings
from qwc_service.connections.credentials import PasswordHashing
from qwc_service.http.errors import HttpError
from qwc_service.http.routing import Route

__all__ = ["Call", "Handler", "Operation"]


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


#: A handler returns JSON data (sent with the operation's status) or a complete Reply.
Handler = Callable[[Call], Any]


@dataclass(frozen=True)
class Operation(Route[Handler]):
    """One operation of the API: a route with what the OpenAPI document says of it.

    ``body`` is None for operations that take no body. ``response`` is the JSON Schema of a
    successful reply (a ``$ref`` into the document's components), ``status`` its status;
    ``also`` lists other success statuses with their meaning. ``errors`` are the error
    statuses the operation can answer besides 401 and 500, which every operation can.
    ``media_type`` is the reply's type when it is not JSON (a download).
    """

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

    def __post_init__(self) -> None:
        if {p.name for p in self.params} != set(self.param_names()):
            raise ValueError(f"route {self.path}: path parameters and fields differ")

    @property
    def operation_id(self) -> str:
        """The handler's name: unique across the table."""
        return self.handler.__name__

    def bind(self, raw: dict[str, str]) -> dict[str, Any] | None:
        """The path parameters converted by their fields, or None when one does not parse."""
        params: dict[str, Any] = {}
        for spec in self.params:
            try:
                params[spec.name] = spec.parse(raw[spec.name])
            except HttpError:
                return None
        return params
