"""What a write request is made of: its name, its fields, and the XML they become.

Fields come as a JSON object named as in qbXML: a leaf is a string (or a number or a
boolean), an aggregate an object, a repeated element a list. They are checked against the
write registry generated from the qbXML 13.0 schema (each problem named by its path) and
built in the schema's element order, whatever order the JSON has.
"""

from __future__ import annotations

from typing import Any

from qwc_service.qbxml.objects.write_check import (
    InvalidWrite,
    Problem,
    ProblemKind,
    validate_write,
)
from qwc_service.qbxml.objects.write_request import build_write
from qwc_service.qbxml.objects.writes import all_writes, write_spec
from qwc_service.qbxml.objects.writespecs import WriteKind

__all__ = [
    "EXTERNAL_GUID_REQUESTS",
    "InvalidWrite",
    "WriteKind",
    "build_request_element",
    "canonical",
    "check_fields",
    "field_of",
    "kind_of",
    "object_of",
    "refused",
    "with_external_guid",
]


#: The Adds whose record carries an ExternalGUID: the server writes one of its own into
#: each, to find the record again when QuickBooks' answer is lost.
EXTERNAL_GUID_REQUESTS = frozenset(
    spec.name
    for spec in all_writes()
    if spec.kind is WriteKind.ADD
    and spec.body.content is not None
    and spec.body.content.has("ExternalGUID")
)


def refused(field: str, reason: str, request: str = "write") -> InvalidWrite:
    """The refusal of one field, in the form the write registry reports problems."""
    return InvalidWrite(request, [Problem(field, ProblemKind.BAD_VALUE, reason)])


def field_of(error: InvalidWrite) -> str:
    """The field at fault: the first problem's path (``request`` for the request name)."""
    return error.problems[0].path if error.problems and error.problems[0].path else "request"


def canonical(request: str) -> str:
    """The request's name as qbXML spells it (``customeradd`` -> ``CustomerAdd``)."""
    try:
        return write_spec(request).name
    except KeyError as error:
        raise InvalidWrite(
            request, [Problem("", ProblemKind.UNKNOWN_REQUEST, str(error.args[0]))]
        ) from None


def kind_of(request: str) -> WriteKind:
    """Whether ``request`` adds, modifies, voids or deletes."""
    return write_spec(canonical(request)).kind


def object_of(request: str) -> str:
    """The object an Add or Mod request writes: ``CustomerMod`` -> ``Customer``."""
    return request[:-3]


def check_fields(request: str, fields: Any) -> None:
    """Refuse fields that do not make the request, naming the field and the reason."""
    kind = kind_of(request)
    if not isinstance(fields, dict) or not fields:
        raise refused("fields", "must be a non-empty JSON object named as in qbXML", request)
    # A Mod's EditSequence may come from the stored record.
    allow = ("EditSequence",) if kind is WriteKind.MOD else ()
    problems = validate_write(request, fields, allow_missing=allow)
    if problems:
        raise InvalidWrite(request, problems)


def build_request_element(request: str, fields: dict[str, Any]) -> Any:
    """The ``<…Rq>`` element for ``request`` with ``fields``, in the schema's order."""
    return build_write(request, fields)


def with_external_guid(fields: dict[str, Any], guid: str) -> dict[str, Any]:
    """``fields`` with ``ExternalGUID`` set to ``guid`` (the request is built in schema order)."""
    return {**fields, "ExternalGUID": guid}
