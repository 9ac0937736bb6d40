"""Checking a write request's fields against the schema before anything is queued.

Fields are a JSON object named as in qbXML: objects for aggregates, lists for repeating
elements, strings, numbers and booleans for leaves, and ``"@name"`` keys for an element's
attributes (``defMacro``). Each problem names its field by path, ``AppliedToTxnAdd[0].
PaymentAmount`` (list indexes count from 0, as in the JSON), and says what is wrong.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from qwc_service.qbxml.objects.specs import ValueType
from qwc_service.qbxml.objects.write_values import BadValue, leaf_text
from qwc_service.qbxml.objects.writes import write_spec
from qwc_service.qbxml.objects.writespecs import FieldSpec, Group, GroupKind, WriteSpec

__all__ = [
    "VALUE_KEY",
    "InvalidWrite",
    "Problem",
    "ProblemKind",
    "checked_spec",
    "given",
    "validate_write",
]

# A leaf with attributes may be given as {"value": ..., "@attribute": ...}.
VALUE_KEY = "value"


class ProblemKind(enum.StrEnum):
    """What is wrong with a field."""

    UNKNOWN_REQUEST = "unknown_request"
    UNKNOWN_ELEMENT = "unknown_element"
    MISSING = "missing"
    TWO_ALTERNATIVES = "two_alternatives"  # more than one alternative of a choice
    REPEATED = "repeated"  # a list where one value, or more values than allowed
    TOO_LONG = "too_long"
    NOT_IN_ENUMERATION = "not_in_enumeration"
    BAD_VALUE = "bad_value"  # not a valid amount, date, boolean, number, GUID
    WRONG_NESTING = "wrong_nesting"  # an object where a value belongs, or the reverse
    OUT_OF_ORDER = "out_of_order"  # in XML read back: not in the schema's order


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a write's fields: where, what kind, and why."""

    path: str
    kind: ProblemKind
    message: str

    def to_payload(self) -> dict[str, str]:
        """The problem as JSON: ``{"field", "kind", "message"}``."""
        return {"field": self.path, "kind": self.kind.value, "message": self.message}

    def __str__(self) -> str:
        return f"{self.path or 'request'}: {self.message}"


class InvalidWrite(ValueError):
    """Fields that do not make a valid write request; ``problems`` says each thing wrong."""

    def __init__(self, request: str, problems: list[Problem]) -> None:
        super().__init__(f"invalid {request}: " + "; ".join(str(p) for p in problems))
        self.request = request
        self.problems = problems

    def to_payload(self) -> dict[str, object]:
        """The refusal as JSON: the request and each problem's field, kind and message."""
        return {"request": self.request, "problems": [p.to_payload() for p in self.problems]}


def validate_write(
    request_name: str, fields: Mapping[str, Any], *, allow_missing: Collection[str] = ()
) -> list[Problem]:
    """Every problem of ``fields`` as the write request ``request_name``; [] when valid.

    ``allow_missing`` names top-level elements the caller fills in later (a Mod's
    EditSequence, taken from the stored record), so their absence is not a problem.
    """
    try:
        spec = write_spec(request_name)
    except KeyError as error:
        return [Problem("", ProblemKind.UNKNOWN_REQUEST, str(error.args[0]))]
    problems: list[Problem] = []
    _check_aggregate(spec.body, fields, "", problems, allow_missing)
    return problems


def checked_spec(request_name: str, fields: Mapping[str, Any]) -> WriteSpec:
    """The spec of a write whose fields are valid; InvalidWrite otherwise."""
    problems = validate_write(request_name, fields)
    if problems:
        raise InvalidWrite(request_name, problems)
    return write_spec(request_name)


def given(fields: Mapping[str, Any], name: str) -> list[Any]:
    """The values given for ``name``: none, one, or a list's items (nulls count as absent)."""
    value = fields.get(name)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [item for item in value if item is not None]
    return [value]


def _check_aggregate(
    field: FieldSpec,
    value: Any,
    path: str,
    out: list[Problem],
    allow_missing: Collection[str] = (),
) -> None:
    content = field.content
    assert content is not None
    if not isinstance(value, Mapping):
        out.append(
            Problem(path, ProblemKind.WRONG_NESTING, f"{field.name} holds elements: give an object")
        )
        return
    prefix = f"{path}." if path else ""
    for key in value:
        if str(key).startswith("@"):
            _check_attribute(field, key, value[key], f"{prefix}{key}", out)
        elif not content.has(key):
            out.append(Problem(f"{prefix}{key}", ProblemKind.UNKNOWN_ELEMENT, _unknown(field, key)))
    present = {key for key in value if content.has(key) and given(value, key)}
    _check_group(content, present | set(allow_missing), True, path, path or field.name, out)
    for child, _, high in content.fields():
        values = given(value, child.name)
        where = f"{prefix}{child.name}"
        if isinstance(value.get(child.name), (list, tuple)) and high == 1:
            out.append(Problem(where, ProblemKind.REPEATED, f"{child.name} may appear only once"))
        elif high is not None and len(values) > high:
            out.append(
                Problem(
                    where, ProblemKind.REPEATED, f"{child.name} may appear at most {high} times"
                )
            )
        listed = isinstance(value.get(child.name), (list, tuple))
        for index, item in enumerate(values):
            _check_value(child, item, f"{where}[{index}]" if listed else where, out)
    if field.type is ValueType.REF and not present:
        out.append(Problem(path, ProblemKind.MISSING, f"{field.name} needs a ListID or FullName"))


def _check_value(field: FieldSpec, value: Any, path: str, out: list[Problem]) -> None:
    if field.content is not None:
        _check_aggregate(field, value, path, out)
        return
    if isinstance(value, Mapping):
        extra = [k for k in value if k != VALUE_KEY and not _is_attribute(field, k)]
        if extra or VALUE_KEY not in value:
            out.append(
                Problem(
                    path, ProblemKind.WRONG_NESTING, f"{field.name} holds a value, not elements"
                )
            )
            return
        for key in value:
            if key != VALUE_KEY:
                _check_attribute(field, key, value[key], f"{path}.{key}", out)
        value = value[VALUE_KEY]
    if isinstance(value, (list, tuple)):
        out.append(Problem(path, ProblemKind.WRONG_NESTING, f"{field.name} holds one value"))
        return
    try:
        leaf_text(field, value)
    except BadValue as error:
        out.append(Problem(path, ProblemKind(error.kind), error.reason))


def _is_attribute(field: FieldSpec, key: Any) -> bool:
    return str(key).startswith("@") and str(key)[1:] in field.attributes


def _check_attribute(field: FieldSpec, key: str, value: Any, path: str, out: list[Problem]) -> None:
    if key[1:] not in field.attributes:
        allowed = ", ".join(f"@{a}" for a in field.attributes) or "none"
        message = f"{field.name} has no attribute {key[1:]} (attributes: {allowed})"
        out.append(Problem(path, ProblemKind.UNKNOWN_ELEMENT, message))
    elif not isinstance(value, str):
        out.append(Problem(path, ProblemKind.BAD_VALUE, f"{key} takes text"))


def _check_group(
    group: Group, present: set[str], active: bool, path: str, where: str, out: list[Problem]
) -> None:
    """Required elements, and one alternative per choice, among the names given."""
    if group.kind is GroupKind.CHOICE and len(group.items) > 1:
        chosen = [item for item in group.items if _present(item, present)]
        if len(chosen) > 1 and not group.repeats:
            names = " and ".join(_label(item, present) for item in chosen)
            out.append(
                Problem(
                    path,
                    ProblemKind.TWO_ALTERNATIVES,
                    f"{names} are alternatives in {where}: give only one",
                )
            )
        elif not chosen and active and group.min_occurs > 0:
            options = " or ".join(_label(item, None) for item in group.items)
            out.append(Problem(path, ProblemKind.MISSING, f"{where} needs {options}"))
        for item in chosen:
            if isinstance(item, Group):
                _check_group(item, present, True, path, where, out)
        return
    active = (active and group.min_occurs > 0) or _present(group, present)
    for item in group.items:
        if isinstance(item, Group):
            _check_group(item, present, active, path, where, out)
        elif active and item.min_occurs > 0 and item.name not in present:
            prefix = f"{path}." if path else ""
            message = f"{item.name} is required in {where}"
            out.append(Problem(f"{prefix}{item.name}", ProblemKind.MISSING, message))


def _present(item: FieldSpec | Group, present: set[str]) -> bool:
    if isinstance(item, FieldSpec):
        return item.name in present
    return any(field.name in present for field in item.elements)


def _label(item: FieldSpec | Group, present: set[str] | None) -> str:
    """An alternative as the caller knows it: its element, or the elements it was given."""
    if isinstance(item, FieldSpec):
        return item.name
    names = [f.name for f in item.elements if present is None or f.name in present]
    if present is None:
        names = [f.name for f in item.elements if f.min_occurs > 0] or names[:1]
    return "(" + ", ".join(names) + ")" if len(names) > 1 else names[0]


def _unknown(field: FieldSpec, key: Any) -> str:
    names = [f.name for f in field.children]
    message = f"{field.name} has no element {key}"
    inside = [f.name for f in field.children if f.content is not None and f.content.has(key)]
    if inside:
        return f"{message}; it belongs inside {' or '.join(inside)}"
    close = difflib.get_close_matches(str(key), names, n=3, cutoff=0.6)
    if close:
        return f"{message}; did you mean {', '.join(close)}?"
    return f"{message}; it takes {', '.join(names)}"
