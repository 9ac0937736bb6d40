"""A write request's leaf values: checked against their qbXML type and written canonically.

A caller gives JSON values (strings, numbers, booleans) or Python ones (Decimal, date,
datetime). Each is written as QuickBooks reads it: amounts with two decimals, prices,
quantities and percents with at most five, booleans ``true``/``false``, dates
``YYYY-MM-DD``. A value that would need rounding is refused rather than rounded: a payment
is never written for a different amount than the one asked for.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from qwc_service.qbxml.objects.specs import ValueType
from qwc_service.qbxml.objects.writespecs import FieldSpec

__all__ = ["BadValue", "leaf_text"]

# Decimal places and integer digits each numeric type allows (the XSD's patterns).
_DECIMALS = {
    ValueType.AMOUNT: (2, 13, "an amount"),
    ValueType.PRICE: (5, 10, "a price"),
    ValueType.QUANTITY: (5, 10, "a quantity"),
    ValueType.PERCENT: (5, 10, "a percent"),
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(T[0-9]{1,2}(:[0-9]{1,2}(:[0-9]{1,2}([+-][0-9]{1,2}:[0-9]{1,2})?)?)?)?"
)
_DURATION = re.compile(r"[+-]?PT([0-9]+H)?([0-9]+M)?([0-9]+S)?")
_GUID = re.compile(r"0|\{[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\}")
_INT = re.compile(r"[+-]?[0-9]+")
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class BadValue(ValueError):
    """A value its element's type cannot hold; the message says why."""

    def __init__(self, reason: str, *, kind: str = "bad_value") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


def leaf_text(field: FieldSpec, value: Any) -> str:
    """``value`` as the text of the leaf element ``field``; BadValue when it cannot be."""
    kind = field.type
    if kind in _DECIMALS:
        return _decimal_text(value, *_DECIMALS[kind])
    if kind is ValueType.FLOAT:
        return _format(_to_decimal(value, "a number"))
    if kind is ValueType.INT:
        return _bounded(field, _int_text(value))
    if kind is ValueType.BOOLEAN:
        return _bool_text(value)
    if kind is ValueType.DATE:
        return _date_text(value)
    if kind is ValueType.DATETIME:
        return _datetime_text(value)
    if kind is ValueType.ENUM:
        text = _text(value)
        if field.values and text not in field.values:
            raise BadValue(
                f"{text!r} is not one of {', '.join(field.values)}", kind="not_in_enumeration"
            )
        return text
    text = _text(value)
    if kind is ValueType.DURATION and not _DURATION.fullmatch(text):
        raise BadValue(f"{text!r} is not a duration such as PT1H30M")
    if kind is ValueType.GUID and not _GUID.fullmatch(text):
        raise BadValue(
            f"{text!r} is not a GUID in braces such as {{3F2504E0-4F89-41D3-9A0C-0305E82C3301}}"
        )
    if field.max_length is not None and len(text) > field.max_length:
        raise BadValue(
            f"{len(text)} characters, more than the {field.max_length} allowed", kind="too_long"
        )
    return text


def _text(value: Any) -> str:
    # Whole numbers are fine as text (a RefNumber of 1001); anything else is a mistake.
    if isinstance(value, str):
        bad = _NOT_XML.search(value)
        if bad:
            raise BadValue(f"character U+{ord(bad.group()):04X} cannot be written in XML")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise BadValue(f"expected text, got {_json_type(value)}")


def _to_decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise BadValue(f"not {what}: got {_json_type(value)}")
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise BadValue(f"{value!r} is not {what}") from None
    if not number.is_finite():
        raise BadValue(f"{value!r} is not {what}")
    return number


def _decimal_text(value: Any, places: int, digits: int, what: str) -> str:
    number = _to_decimal(value, what)
    exponent = number.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > places:
        raise BadValue(f"{value!r} is not {what}: at most {places} decimal places")
    if places == 2:
        text = _format(number.quantize(Decimal("0.01")))
    else:
        text = _format(number.normalize() if exponent < 0 else number.quantize(Decimal(1)))
    whole = text.lstrip("+-").split(".")[0]
    if len(whole) > digits:
        raise BadValue(f"{value!r} is not {what}: at most {digits} digits before the point")
    return text


def _format(number: Decimal) -> str:
    """A Decimal in plain notation, never with an exponent."""
    return f"{number:f}"


def _int_text(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and _INT.fullmatch(value.strip()):
        return str(int(value))
    raise BadValue(f"{value!r} is not a whole number")


def _bounded(field: FieldSpec, text: str) -> str:
    number = int(text)
    low, high = field.minimum, field.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        low_text = "" if low is None else f" at least {low}"
        high_text = "" if high is None else f" at most {high}"
        joined = " and".join(t for t in (low_text, high_text) if t)
        raise BadValue(f"{number} is out of range: it must be{joined}")
    return text


def _bool_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower()
    raise BadValue(f"{value!r} is not a boolean: use true or false")


def _date_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        raise BadValue(f"{value!r} is a date and time; give a date YYYY-MM-DD")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise BadValue(f"{value!r} is not a date YYYY-MM-DD")


def _datetime_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, str) and _DATETIME.fullmatch(value):
        return value
    raise BadValue(f"{value!r} is not a date and time such as 2026-05-01T09:30:00-05:00")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__
