"""What reading a response yields: whole records, deletions, and problems.

A :class:`RecordDocument` is one ``…Ret`` as a JSON-ready document with the values of its
columns in ``records`` worked out; a :class:`DeletedRecord` one deletion QuickBooks
reported; a :class:`ParseProblem` something in the response that is reported rather than
dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from qwc_service.qbxml.objects.registry import object_named

__all__ = ["DeletedRecord", "ParseProblem", "RecordDocument"]


@dataclass(frozen=True)
class ParseProblem:
    """Something in a record that is reported, never dropped silently.

    ``record_kind`` is the element name (``InvoiceRet``); ``identity`` is its ListID/TxnID when
    it has one, else its position (``InvoiceQueryRs #3``).
    """

    record_kind: str
    identity: str
    message: str

    def __str__(self) -> str:
        return f"{self.record_kind} {self.identity}: {self.message}"


@dataclass(frozen=True, slots=True)
class RecordDocument:
    """One record read from a ``…Ret``: where it is stored, its stamps and its document.

    ``columns`` holds the values of every indexed column (None where the Ret has no such
    element); ``document`` every element as sent.
    """

    record_type: str
    object_name: str
    qb_id: str
    edit_sequence: str | None
    time_created: datetime | None
    time_modified: datetime | None
    time_modified_raw: str | None
    columns: dict[str, Any]
    document: dict[str, Any]

    @property
    def ret_name(self) -> str:
        """The element the record was read from."""
        return f"{self.object_name}Ret"


@dataclass(frozen=True, kw_only=True)
class DeletedRecord:
    """A deleted list element or transaction (``ListDeletedRet``, ``TxnDeletedRet``, or the
    answer to a ``ListDelRq`` / ``TxnDelRq``)."""

    del_type: str
    qb_id: str
    is_txn: bool
    time_deleted: datetime | None = None
    time_deleted_raw: str | None = None
    time_created: datetime | None = None
    full_name: str | None = None
    ref_number: str | None = None

    @property
    def record_type(self) -> str | None:
        """The record type this deletion concerns (every item kind is ``Item``), or None
        for a type the registry does not know."""
        try:
            spec = object_named(self.del_type)
        except KeyError:
            return None
        return spec.read_through or spec.name
