"""Checking the lists a write names (customers, items, accounts...) against the stored records.

A reference given by FullName or ListID that the stored records do not hold is refused
before anything is queued, with the closest names, so a typo never reaches QuickBooks as a
3140. Lists the server does not store are left for QuickBooks to check.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from qwc_service.qbxml.objects.registry import object_named
from qwc_service.writes.shapes import refused
from qwc_service.writes.stored import find_reference, has_records, ref_kind, stored_names

__all__ = ["check_references"]


def check_references(db: Session, connection_id: str, fields: dict[str, Any]) -> None:
    """Raise :class:`InvalidWrite` for the first reference no stored record answers to."""
    synced: dict[str, bool] = {}
    for path, name, ref in _refs(fields, ""):
        kind = ref_kind(name)
        if kind is None:
            continue
        if kind not in synced:
            synced[kind] = has_records(db, connection_id, kind)
        if not synced[kind]:
            continue  # this list was never synced: nothing to check against
        list_id, full_name = ref.get("ListID"), ref.get("FullName")
        if isinstance(list_id, str) and list_id:
            if find_reference(db, connection_id, kind, list_id=list_id):
                continue
            raise refused(f"{path}.ListID", f"no stored {_label(kind)} has ListID {list_id!r}")
        if isinstance(full_name, str) and full_name:
            if find_reference(db, connection_id, kind, full_name=full_name):
                continue
            names = stored_names(db, connection_id, kind)
            close = difflib.get_close_matches(full_name, names, n=3, cutoff=0.5)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise refused(
                f"{path}.FullName", f"no stored {_label(kind)} is named {full_name!r}{hint}"
            )


def _label(kind: str) -> str:
    return object_named(kind).label.lower()


def _refs(value: Any, path: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _refs(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for name, item in value.items():
            where = f"{path}.{name}" if path else name
            if name.endswith("Ref") and isinstance(item, dict):
                yield where, name, item
            else:
                yield from _refs(item, where)
