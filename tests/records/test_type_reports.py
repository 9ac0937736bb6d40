"""The record type reports and the README's table of record types, from the registry.

``python -c "from qwc_service.records.type_reports import types_table; print(types_table())"``
prints the table to paste into the README.
"""

from __future__ import annotations

from pathlib import Path

from qwc_service.qbxml.objects.registry import all_objects
from qwc_service.records.type_reports import record_type_reports, types_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_table_is_the_generated_one() -> None:
    """The README lists the record types exactly as the registry gives them."""
    assert types_table() in README.read_text(), (
        'run `python -c "from qwc_service.records.type_reports import types_table; '
        'print(types_table())"` and paste its output into the README'
    )


def test_table_has_a_row_per_object() -> None:
    """One row per object of the registry, each naming it and its plural."""
    rows = types_table().splitlines()[2:]
    assert len(rows) == len(all_objects())
    for row, spec in zip(rows, all_objects(), strict=True):
        assert row.startswith(f"| `{spec.name}` | `{spec.plural}` |")


def test_item_kinds_are_stored_as_items() -> None:
    """An item kind is stored under Item, whose query reads it; everything else as itself."""
    for report in record_type_reports():
        spec = next(s for s in all_objects() if s.name == report.name)
        assert report.stored_under == (spec.read_through or spec.name)
        assert report.identity == spec.identity
