"""Reading a write request back from its XML, as QuickBooks would: order first, then fields.

:func:`read_write` is the inverse of :func:`~.write_request.build_write`. It turns a
``…AddRq``, ``…ModRq``, ``TxnVoidRq``, ``TxnDelRq`` or ``ListDelRq`` element into the fields
(the JSON shape ``build_write`` takes, with every leaf as its text) and lists each problem:
an element out of the schema's order, an unknown or repeated one, and everything
:func:`~.write_check.validate_write` finds. A fake QuickBooks refuses a request with any
problem the way QuickBooks does (0x80040400), and applies the fields of one without.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qwc_service.qbxml.objects.write_check import VALUE_KEY, Problem, ProblemKind, validate_write
from qwc_service.qbxml.objects.writes import write_spec
from qwc_service.qbxml.objects.writespecs import FieldSpec, Group, WriteSpec

__all__ = ["ReadWrite", "read_write"]


@dataclass(frozen=True)
class ReadWrite:
    """A write request read from XML: its spec, its fields, and what is wrong with it."""

    spec: WriteSpec
    fields: dict[str, Any]
    problems: tuple[Problem, ...]
    request_id: str | None = None


def read_write(request: Any) -> ReadWrite:
    """The write request ``request`` (an lxml ``…Rq`` element); KeyError if it is none."""
    spec = write_spec(str(request.tag))
    problems: list[Problem] = []
    body = request
    if spec.wrapped:
        body = request.find(spec.body.name)
        if body is None or request[0] is not body:
            message = f"{spec.request} must start with {spec.body.name}"
            return ReadWrite(spec, {}, (Problem("", ProblemKind.MISSING, message),))
        for extra in request[1:]:
            if not any(f.name == extra.tag for f in spec.request_fields):
                message = f"{spec.request} takes no {extra.tag} after {spec.body.name}"
                problems.append(Problem(str(extra.tag), ProblemKind.UNKNOWN_ELEMENT, message))
    fields = _fields(spec.body, body, "", problems)
    if not problems:
        problems.extend(validate_write(spec.name, fields))
    return ReadWrite(spec, fields, tuple(problems), request.get("requestID"))


def _fields(field: FieldSpec, node: Any, path: str, problems: list[Problem]) -> dict[str, Any]:
    content = field.content
    assert content is not None
    fields: dict[str, Any] = {f"@{k}": v for k, v in node.attrib.items() if k in field.attributes}
    ranks = _ranks(content)
    repeats = {f.name for f, _, high in content.fields() if high is None or high > 1}
    last: tuple[int, str] | None = None
    prefix = f"{path}." if path else ""
    for child in node:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions carry no fields
        name = child.tag
        if name not in ranks:
            message = f"{field.name} has no element {name}"
            problems.append(Problem(f"{prefix}{name}", ProblemKind.UNKNOWN_ELEMENT, message))
            continue
        if last is not None and ranks[name] < last[0]:
            message = f"{name} must come before {last[1]} in {field.name}"
            problems.append(Problem(f"{prefix}{name}", ProblemKind.OUT_OF_ORDER, message))
        last = (ranks[name], name) if last is None or ranks[name] >= last[0] else last
        spec = content.element(name)
        where = f"{prefix}{name}"
        if name in repeats:
            items = fields.setdefault(name, [])
            where = f"{where}[{len(items)}]"
        elif name in fields:
            message = f"{name} may appear only once in {field.name}"
            problems.append(Problem(where, ProblemKind.REPEATED, message))
            continue
        value = _value(spec, child, where, problems)
        if name in repeats:
            fields[name].append(value)
        else:
            fields[name] = value
    return fields


def _value(field: FieldSpec, node: Any, path: str, problems: list[Problem]) -> Any:
    if field.content is not None:
        return _fields(field, node, path, problems)
    text = node.text or ""
    attributes = {f"@{k}": v for k, v in node.attrib.items() if k in field.attributes}
    return {VALUE_KEY: text, **attributes} if attributes else text


def _ranks(content: Group) -> dict[str, int]:
    """Each element's place in schema order; the alternatives of a repeating choice share
    one, since they may come in any mix."""
    ranks: dict[str, int] = {}

    def walk(group: Group, shared: int | None) -> None:
        for item in group.items:
            if isinstance(item, Group):
                walk(item, len(ranks) if shared is None and item.repeats else shared)
            else:
                ranks[item.name] = len(ranks) if shared is None else shared

    walk(content, None)
    return ranks
