"""The reference notes' facts about qbXML objects, checked against the schema itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qwc_service.qbxml.objects import names
from qwc_service.qbxml.objects.registry import all_objects
from qwc_service.qbxml.objects.schema import SchemaReader
from qwc_service.qbxml.objects.specs import ElementSpec, ValueType


@pytest.fixture(scope="module")
def reader(qbxml_schema_dir: Path) -> SchemaReader:
    """The schema's declarations, read once for this module."""
    return SchemaReader(qbxml_schema_dir)


def test_the_schema_is_version_13(reader: SchemaReader) -> None:
    """The root file's header names qbXML 13.0."""
    assert reader.version == "13.0"


def test_46_queries_take_an_iterator(reader: SchemaReader) -> None:
    """46 of the 99 company queries (102 with the event subscriptions) accept ``iterator``."""
    queries = [n for n in reader.message_names("Rq") if n.endswith("QueryRq")]
    iterable = [n for n in queries if "iterator" in reader.attributes(reader.message(n))]
    assert (len(queries), len(iterable)) == (102, 46)
    assert "EmployeeQueryRq" not in iterable and "OtherNameQueryRq" not in iterable


def test_every_query_is_covered_aggregated_or_left_out(reader: SchemaReader) -> None:
    """Each query of the schema is the registry's, returns objects it reads, or has a reason."""
    queries = {n for n in reader.message_names("Rq") if n.endswith("QueryRq")}
    covered = {spec.query.request for spec in all_objects()}
    kinds_own = {f"{spec.name}QueryRq" for spec in all_objects() if spec.read_through}
    groups = [covered | kinds_own, set(names.AGGREGATE_QUERIES), set(names.LEFT_OUT)]
    assert sum(len(group) for group in groups) == len(queries)
    assert set().union(*groups) == queries


def test_deletion_types_cover_the_lists_and_transactions(reader: SchemaReader) -> None:
    """ListDelType names every list but Template; TxnDelType has 25 values and no Transfer."""
    list_types = reader.simple_facts(reader.element("ListDelType")).values
    txn_types = reader.simple_facts(reader.element("TxnDelType")).values
    assert len(txn_types) == 25 and "Transfer" not in txn_types
    for spec in all_objects():
        if spec.deletions is None:
            assert spec.name in ("Template", "Transfer", "Company", "Preferences"), spec.name
        else:
            expected = list_types if spec.identity == "ListID" else txn_types
            assert set(spec.deletions.types) <= set(expected), spec.name
    assert "Template" not in list_types and "ToDo" in list_types


def _leaves(elements: tuple[ElementSpec, ...]) -> Iterator[ElementSpec]:
    for element in elements:
        if element.children:
            yield from _leaves(element.children)
        else:
            yield element


def test_ret_leaves_have_fourteen_simple_types() -> None:
    """Every leaf of every Ret is one of 14 qbXML simple types, and holds no children."""
    types = {leaf.type for s in all_objects() for r in s.rets for leaf in _leaves(r.elements)}
    assert len(types) == 14
    assert all(t.is_leaf for t in types)
    assert ValueType.ENUM in types and ValueType.DURATION in types


def test_rets_carry_no_attributes_but_journal_lines_macro(reader: SchemaReader) -> None:
    """In Rets only the journal lines (shared with JournalEntryAdd) declare an attribute."""
    seen: set[object] = set()
    with_attributes: set[tuple[str, tuple[str, ...]]] = set()

    def walk(name: str, declaration: object) -> None:
        if declaration in seen:
            return
        seen.add(declaration)
        if attributes := reader.attributes(declaration):
            with_attributes.add((name, attributes))
        for particle in reader.children(declaration):
            walk(particle.name, particle.declaration)

    for spec in all_objects():
        for ret in spec.ret_elements:
            walk(ret, reader.element(ret))
    assert with_attributes == {
        ("JournalDebitLine", ("defMacro",)),
        ("JournalCreditLine", ("defMacro",)),
    }
