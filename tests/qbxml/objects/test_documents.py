"""The document schemas: every simulated record of every object, as a stored document,
validates against its object's schema, and a document that breaks the rules does not."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from lxml import etree

from qwc_service.qbxml.objects.documents import LEAF_SCHEMAS, document_schema, document_schemas
from qwc_service.qbxml.objects.registry import all_objects, object_for_ret, object_named
from qwc_service.qbxml.objects.specs import ElementSpec, ObjectSpec, ValueType
from qwc_service.simulator.dataset import EVERY_TYPE, generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.simulator.registry_queries import everything, message_set, query

QUERIED = [spec for spec in all_objects() if spec.read_through is None]


def to_document(element: etree._Element, children: tuple[ElementSpec, ...]) -> dict[str, Any]:
    """A ``…Ret`` as the store keeps it: qbXML names, aggregates as objects, elements that may
    repeat as lists, leaves as their text, unknown elements as sent."""
    known = {child.name: child for child in children}
    document: dict[str, Any] = {}
    for node in element:
        spec = known.get(node.tag)
        if spec is None:
            value: Any = to_document(node, ()) if len(node) else node.text or ""
            document[node.tag] = value
            continue
        value = node.text or "" if spec.type.is_leaf else to_document(node, spec.children)
        if spec.repeats:
            document.setdefault(node.tag, []).append(value)
        else:
            document[node.tag] = value
    return document


@cache
def validator(name: str) -> Draft202012Validator:
    """The validator of one object's documents, built once."""
    return Draft202012Validator(document_schema(name))


def rets_of(qb: FakeQuickBooks, spec: ObjectSpec) -> list[etree._Element]:
    """Every ``…Ret`` the object's full query answers with."""
    answer = qb.process(message_set(query(spec, everything(spec))))
    (rs,) = etree.fromstring(answer.encode("utf-8")).find("QBXMLMsgsRs")
    assert rs.get("statusCode") == "0", rs.get("statusMessage")
    return list(rs)


@pytest.fixture(scope="module")
def quickbooks() -> FakeQuickBooks:
    """A company holding a few records of every object."""
    return FakeQuickBooks(generate_company(counts=EVERY_TYPE, seed=5))


@pytest.mark.parametrize("spec", QUERIED, ids=lambda spec: spec.name)
def test_every_simulated_record_validates(spec: ObjectSpec, quickbooks: FakeQuickBooks) -> None:
    """Each record the fake QuickBooks returns, as a document, is valid for its object and,
    for an item, for Item too."""
    rets = rets_of(quickbooks, spec)
    assert rets
    for ret in rets:
        kind = object_for_ret(ret.tag)
        document = to_document(ret, kind.ret.elements)
        names = {kind.name, spec.name}
        for name in names:
            errors = list(validator(name).iter_errors(document))
            assert not errors, (name, ret.tag, [e.message for e in errors[:3]])


def test_every_object_has_a_valid_document_schema() -> None:
    """Each object of the registry has a schema that is itself valid JSON Schema 2020-12."""
    Draft202012Validator.check_schema(document_schema("Item"))  # every kind is in its $defs
    names = set(document_schemas())
    assert {f"{spec.name}Document" for spec in all_objects()} <= names


def test_shared_groups_are_references() -> None:
    """Refs, addresses and custom fields are one named schema each, referred to by $ref."""
    schemas = document_schemas()
    invoice = schemas["InvoiceDocument"]["properties"]
    assert invoice["CustomerRef"] == {"$ref": "#/components/schemas/CustomerListRef"}
    assert invoice["BillAddress"] == {"$ref": "#/components/schemas/AddressData"}
    assert invoice["DataExtRet"]["items"] == {"$ref": "#/components/schemas/DataExtRet"}
    assert set(schemas["CustomerListRef"]["properties"]) == {"ListID", "FullName"}


def test_item_is_any_of_its_kinds() -> None:
    """Item's document is the document of one of its kinds."""
    item = document_schemas()["ItemDocument"]
    kinds = [f"#/components/schemas/{kind}Document" for kind in object_named("Item").kinds]
    assert [option["$ref"] for option in item["anyOf"]] == kinds


def invoice() -> dict[str, Any]:
    """A small valid invoice document."""
    return {
        "TxnID": "1-1",
        "TxnDate": "2026-01-31",
        "Subtotal": "100.00",
        "CustomerRef": {"ListID": "8-1", "FullName": "Acme"},
        "InvoiceLineRet": [{"TxnLineID": "1-2", "Quantity": "2.5", "Amount": "100.00"}],
        "Unknown": {"Kept": "as sent"},
    }


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"Subtotal": 100.0}, "an amount as a number"),
        ({"Subtotal": "100.001"}, "an amount with three decimals"),
        ({"TxnDate": "31/01/2026"}, "a date in another format"),
        ({"IsPending": "yes"}, "a boolean that is not true or false"),
        ({"RefNumber": "X" * 12}, "text longer than its maxLength"),
        ({"InvoiceLineRet": {"TxnLineID": "1-2"}}, "a repeating element not in a list"),
        ({"CustomerRef": "Acme"}, "a reference that is not an object"),
        ({"DataExtRet": [{"DataExtName": "Color"}]}, "a custom field without its value"),
    ],
)
def test_documents_that_break_the_rules_are_refused(change: dict[str, Any], why: str) -> None:
    """A valid invoice passes; changed in one way qbXML forbids, it fails."""
    validator = Draft202012Validator(document_schema("Invoice"))
    assert not list(validator.iter_errors(invoice()))
    assert list(validator.iter_errors({**invoice(), **change})), why


# The qbXML simple type behind each leaf type whose XSD restriction carries a pattern.
PATTERNED = {
    ValueType.AMOUNT: "AMTTYPE",
    ValueType.PRICE: "PRICETYPE",
    ValueType.QUANTITY: "QUANTYPE",
    ValueType.PERCENT: "PERCENTTYPE",
    ValueType.GUID: "GUIDTYPE",
    ValueType.DATETIME: "DATETIMETYPE",
    ValueType.DURATION: "TIMEINTERVALTYPE",
}
SAMPLES = [
    "",
    "0",
    "12",
    "-12.50",
    "+1234567890123.45",
    "12345678901234.00",
    "1.5",
    "1.23456",
    "1.234567",
    "12345678901",
    "abc",
    "0x",
    "{5A3E9D2C-1B4F-4C6D-8E7F-0A1B2C3D4E5F}",
    "5A3E9D2C-1B4F-4C6D-8E7F-0A1B2C3D4E5F",
    "2026-01-31",
    "2026-1-3T9",
    "2026-01-31T09:30:00",
    "2026-01-31T09:30:00-08:00",
    "2026-01-31T09:30:00Z",
    "PT1H30M",
    "-PT15M",
    "P1D",
]


def test_leaf_patterns_accept_what_the_xsd_accepts(qbxml_schema_dir: Path) -> None:
    """Each patterned leaf type accepts exactly the samples its qbXML type's pattern does."""
    types = etree.parse(str(qbxml_schema_dir / "qbxmltypes130.xsd"))
    for value_type, name in PATTERNED.items():
        (pattern,) = types.xpath(
            f"//xsd:simpleType[@name='{name}']//xsd:pattern/@value",
            namespaces={"xsd": "http://www.w3.org/2001/XMLSchema"},
        )
        mine = re.compile(LEAF_SCHEMAS[value_type]["pattern"])
        for sample in SAMPLES:
            # XSD patterns match the whole value; a type that is a union with "" allows it.
            expected = re.fullmatch(pattern, sample) is not None or (
                sample == "" and value_type in (ValueType.DATETIME, ValueType.DURATION)
            )
            assert (mine.search(sample) is not None) == expected, (name, sample)
