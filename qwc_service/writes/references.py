"""Checking the lists a write names (customers, items...) against the stored records.

A reference given by FullName or ListID that the stored records do not hold is refused
before anything is queued, with the closest names, so a typo never reaches QuickBooks as a
3140. Lists the server does not store are left for QuickBooks to check.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from qwc_service.writes.shapes import refused
from qwc_service.writes.stored import ref_kind, stored_names

__all__ = ["check_references"]


def check_references(db: Session, connection_id: str, fields: dict[str, Any]) -> None:
    """Raise :class:`InvalidWrite` for the first reference no stored record answers to."""
    cache: dict[str, list[tuple[str, str]]] = {}
    for path, name, ref in _refs(fields, ""):
        kind = ref_kind(name)
        if kind is None:
            continue
        known = cache.get(kind)
        if known is None:
            known = cache[kind] = stored_names(db, connection_id, kind)
        if not known:
            continue  # this list was never synced: nothing to check against
        list_id, full_name = ref.get("ListID"), ref.get("FullName")
        if isinstance(list_id, str) and list_id:
            if any(row_id == list_id for row_id, _ in known):
                continue
            raise refused(f"{path}.ListID", f"no stored {kind} has ListID {list_id!r}")
        if isinstance(full_name, str) and full_name:
            names = [n for _, n in known]
            if any(n.lower() == full_name.lower() for n in names):
                continue
            close = difflib.get_close_matches(full_name, names, n=3, cutoff=0.5)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise refused(f"{path}.FullName", f"no stored {kind} is named {full_name!r}{hint}")


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
