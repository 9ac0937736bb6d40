"""Stored records as the CLI and the HTTP API show them.

A record is shown as ``{"type", "id", "edit_sequence", "time_modified", "deleted", "data"}``:
``type`` is the object its ``…Ret`` holds (``Invoice``, ``ItemService``), ``id`` its ListID or
TxnID (the object's name for Company and Preferences), ``time_modified`` QuickBooks' own text,
and ``data`` the whole document as QuickBooks sent it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qwc_service.records.models import StoredRecord

__all__ = ["RecordView", "record_view"]


@dataclass(frozen=True)
class RecordView:
    """One stored record, whole."""

    type: str
    id: str
    edit_sequence: str | None
    time_modified: str | None
    deleted: bool
    data: dict[str, Any]
    row_id: int  # the paging cursor; not part of the payload

    def to_payload(self) -> dict[str, Any]:
        """The record as JSON-ready data."""
        return {
            "type": self.type,
            "id": self.id,
            "edit_sequence": self.edit_sequence,
            "time_modified": self.time_modified,
            "deleted": self.deleted,
            "data": self.data,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any], row_id: int = 0) -> RecordView:
        """The view :meth:`to_payload` wrote."""
        return cls(
            type=str(payload["type"]),
            id=str(payload["id"]),
            edit_sequence=payload.get("edit_sequence"),
            time_modified=payload.get("time_modified"),
            deleted=bool(payload.get("deleted")),
            data=dict(payload.get("data") or {}),
            row_id=row_id,
        )


def record_view(row: StoredRecord) -> RecordView:
    """The view of a stored row."""
    return RecordView(
        type=row.object_name,
        id=row.qb_id,
        edit_sequence=row.edit_sequence,
        time_modified=row.time_modified_raw,
        deleted=row.deleted_at is not None,
        data=row.document,
        row_id=row.id,
    )
