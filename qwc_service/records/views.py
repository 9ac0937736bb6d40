"""Plain dictionaries for stored records (CLI output, the HTTP API).

Money and quantities become strings so no float ever rounds them: amounts keep at least two
decimals (``"10.00"``), finer prices keep theirs (``"1.23456"``). Dates and times are ISO 8601;
``time_modified_raw`` is QuickBooks' own text, offset included.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from qwc_service.clock import isoformat
from qwc_service.records.models import InvoiceLine, PaymentApplication
from qwc_service.records.registry import REGISTRY, StoredRecord

__all__ = ["money_text", "record_view"]

_CENT_EXPONENT = -2
_HIDDEN = frozenset({"id", "connection_id", "invoice_id", "payment_id", "invoice", "payment"})


def money_text(value: Decimal | None) -> str | None:
    """A decimal as text: trailing zeros dropped, but never fewer than two decimals."""
    if value is None:
        return None
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent > _CENT_EXPONENT:
        normal = normal.quantize(Decimal(1).scaleb(_CENT_EXPONENT))
    return format(normal, "f")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return money_text(value)
    if isinstance(value, datetime):
        return isoformat(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _columns(row: Any) -> dict[str, Any]:
    return {
        column.key: _plain(getattr(row, column.key))
        for column in row.__table__.columns
        if column.key not in _HIDDEN
    }


def _line_view(line: InvoiceLine | PaymentApplication) -> dict[str, Any]:
    return _columns(line)


def record_view(row: StoredRecord) -> dict[str, Any]:
    """A stored customer, item, invoice or payment as JSON-ready data.

    ``row_id`` is the cursor for :func:`~qwc_service.records.service.list_records`; invoices
    carry ``lines`` and payments ``applications``, in QuickBooks' order.
    """
    kind = next(k for k in REGISTRY.values() if isinstance(row, k.model))
    view: dict[str, Any] = {"record_type": kind.record_type, "row_id": row.id}
    view.update(_columns(row))
    if kind.children is not None:
        children = getattr(row, kind.children.attribute)
        view[kind.children.attribute] = [_line_view(child) for child in children]
    return view
