"""The table of indexed columns, checked against every object of the registry."""

from __future__ import annotations

from qwc_service.qbxml.objects.registry import all_objects, object_named
from qwc_service.records.indexed import COLUMNS, columns_of, element_at
from qwc_service.records.models import StoredRecord


def test_every_path_names_an_element_of_some_object() -> None:
    """Each element path of the table is a suitable element of at least one object's Ret."""
    rets = [ret for spec in all_objects() for ret in spec.rets]
    used = {
        (picked.column.column, path)
        for ret in rets
        for picked in columns_of(ret)
        for path in picked.paths
    }
    unused = [
        (column.column, path)
        for column in COLUMNS
        for path in column.paths
        if (column.column, path) not in used
    ]
    assert not unused


def test_every_column_of_the_table_is_a_column_of_records() -> None:
    """The table names real columns, with text limits equal to the columns' lengths."""
    table = StoredRecord.__table__
    for column in COLUMNS:
        assert column.column in table.c
        length = getattr(table.c[column.column].type, "length", None)
        assert column.max_length == length, column.column


def test_the_objects_the_server_filters_on_fill_their_columns() -> None:
    """Customers, invoices, bills and checks fill the columns the API filters them by."""
    filled = {
        name: {p.column.column for ret in object_named(name).rets for p in columns_of(ret)}
        for name in ("Customer", "Invoice", "Bill", "Check", "Vendor")
    }
    assert {"name", "full_name", "is_active", "balance", "total_balance"} <= filled["Customer"]
    assert {"ref_number", "txn_date", "entity_list_id", "balance"} <= filled["Invoice"]
    assert {"entity_list_id", "entity_full_name", "balance"} <= filled["Bill"]
    assert {"entity_list_id", "total_amount"} <= filled["Check"]
    assert "full_name" in filled["Vendor"]


def test_paths_lead_to_leaves_that_appear_once() -> None:
    """A column is filled only from an element that holds text and cannot repeat."""
    for spec in all_objects():
        for ret in spec.rets:
            for picked in columns_of(ret):
                for path in picked.paths:
                    element = element_at(ret.elements, path)
                    assert element is not None and element.type.is_leaf
                    assert not element.repeats
