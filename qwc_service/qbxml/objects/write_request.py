"""Building a write request from its fields, in the schema's element order.

Wrong element order is the most common reason QuickBooks refuses a request as unparseable
(0x80040400), so the order never comes from the caller: children are written as the schema
lists them, whatever order the JSON object has. A repeating choice (an invoice's lines and
line groups) is written alternative by alternative, which the schema allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lxml import etree

from qwc_service.qbxml.objects.write_check import (
    VALUE_KEY,
    InvalidWrite,
    Problem,
    ProblemKind,
    checked_spec,
    given,
)
from qwc_service.qbxml.objects.write_values import leaf_text
from qwc_service.qbxml.objects.writespecs import FieldSpec

__all__ = ["build_write"]

_REQUEST_ID_LIMIT = 50  # QuickBooks answers 1060 beyond it


def build_write(
    request_name: str,
    fields: Mapping[str, Any],
    *,
    request_id: str | None = None,
    include_ret_elements: Sequence[str] = (),
) -> Any:
    """The ``…Rq`` element (lxml) for ``fields``; InvalidWrite, naming each problem, if they
    do not make a valid request. Wrap it in a request set with
    :func:`qwc_service.qbxml.requests.build_request`."""
    spec = checked_spec(request_name, fields)
    _check_request(spec.request, request_id, include_ret_elements, bool(spec.request_fields))
    request = etree.Element(spec.request)
    if request_id is not None:
        request.set("requestID", request_id)
    body = etree.SubElement(request, spec.body.name) if spec.wrapped else request
    _fill(body, spec.body, fields)
    for name in include_ret_elements:
        etree.SubElement(request, "IncludeRetElement").text = name
    return request


def _check_request(
    request: str, request_id: str | None, include: Sequence[str], takes_include: bool
) -> None:
    problems = []
    if request_id is not None and not 0 < len(request_id) <= _REQUEST_ID_LIMIT:
        problems.append(
            Problem(
                "@requestID",
                ProblemKind.TOO_LONG,
                f"a requestID has 1 to {_REQUEST_ID_LIMIT} characters",
            )
        )
    if include and not takes_include:
        problems.append(
            Problem("IncludeRetElement", ProblemKind.UNKNOWN_ELEMENT, f"{request} takes none")
        )
    for index, name in enumerate(include):
        if not 0 < len(name) <= _REQUEST_ID_LIMIT:
            problems.append(
                Problem(f"IncludeRetElement[{index}]", ProblemKind.TOO_LONG, "1 to 50 characters")
            )
    if problems:
        raise InvalidWrite(request, problems)


def _fill(node: Any, field: FieldSpec, value: Mapping[str, Any]) -> None:
    """Attributes, then the children of ``node`` in schema order."""
    _set_attributes(node, value)
    for child in field.children:
        for item in given(value, child.name):
            element = etree.SubElement(node, child.name)
            if child.content is not None:
                _fill(element, child, item)
            elif isinstance(item, Mapping):
                _set_attributes(element, item)
                element.text = leaf_text(child, item[VALUE_KEY])
            else:
                element.text = leaf_text(child, item)


def _set_attributes(node: Any, value: Mapping[str, Any]) -> None:
    for key, text in value.items():
        if str(key).startswith("@"):
            node.set(str(key)[1:], text)
