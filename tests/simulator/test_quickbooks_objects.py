"""Every object of the registry, queried the way a sync queries it, from a company that has
a few records of each: full queries, iterator pages, changes since a time, ActiveStatus,
lines, custom fields and deletions. Every response is validated against the qbXML schema.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import etree

from qwc_service.qbxml.objects.registry import all_objects, object_named
from qwc_service.qbxml.objects.specs import Category, ObjectSpec
from qwc_service.simulator.dataset import EVERY_TYPE, Company, generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.quickbooks.objects import (
    HAND_BUILT_ITEM_KINDS,
    generated_objects,
    line_tags,
    ref_targets,
)
from qwc_service.simulator.quickbooks.records import format_datetime
from tests.simulator.registry_queries import ask, everything, ids, query

# Item kinds are read through ItemQuery, so each query is asked once, through Item.
QUERIED = [spec for spec in all_objects() if spec.read_through is None]
RECORDS = [spec for spec in QUERIED if spec.category is not Category.SINGLETON]
ACTIVE_LISTS = [
    spec for spec in generated_objects() if spec.query.active_status and spec.ret.has("IsActive")
]
WITH_LINES = [spec for spec in QUERIED if spec.query.line_items_flag]
WITH_CUSTOM_FIELDS = [spec for spec in generated_objects() if spec.custom_fields]
DELETABLE = [spec for spec in all_objects() if spec.deletions and not spec.kinds]


def name_of(spec: ObjectSpec) -> str:
    """The test id of an object."""
    return spec.name


def every_type() -> Company:
    """The default company plus three records of every object it does not have."""
    return generate_company(counts=EVERY_TYPE, seed=3)


@pytest.fixture(scope="module")
def shared(qbxml_schema: etree.XMLSchema) -> FakeQuickBooks:
    """One QuickBooks for the tests that only read (checking requests against the schema)."""
    return FakeQuickBooks(every_type(), schema=qbxml_schema)


@pytest.fixture
def qb(qbxml_schema: etree.XMLSchema) -> FakeQuickBooks:
    """A QuickBooks of its own, for a test that changes the company."""
    return FakeQuickBooks(every_type(), schema=qbxml_schema)


def later(company: Company, days: int = 1) -> str:
    """A time after everything in the company, as FromModifiedDate takes it."""
    return format_datetime(company.clock.now() + timedelta(days=days))


@pytest.mark.parametrize("spec", QUERIED, ids=name_of)
def test_a_full_query_answers_schema_valid_records(
    spec: ObjectSpec, shared: FakeQuickBooks, qbxml_schema: etree.XMLSchema
) -> None:
    """Each object's query, asking for everything, returns valid records of that object."""
    rs = ask(shared, qbxml_schema, query(spec, everything(spec)))
    assert rs.tag == spec.query.response
    assert rs.get("statusCode") == "0", rs.get("statusMessage")
    assert len(rs) >= 1
    assert {ret.tag for ret in rs} <= set(spec.ret_elements)
    if spec.identity is not None:
        found = ids(rs, spec)
        assert len(set(found)) == len(found) == len(shared.company.records_of(spec.name))


def test_item_query_returns_every_kind(
    shared: FakeQuickBooks, qbxml_schema: etree.XMLSchema
) -> None:
    """ItemQuery answers the hand-built kinds and every generated kind together."""
    item = object_named("Item")
    rs = ask(shared, qbxml_schema, query(item, everything(item)))
    assert {ret.tag for ret in rs} == set(item.ret_elements)


@pytest.mark.parametrize(
    "spec",
    [spec for spec in generated_objects() if spec.category is Category.ITEM_KIND],
    ids=name_of,
)
def test_a_kinds_own_query_returns_that_kind(
    spec: ObjectSpec, shared: FakeQuickBooks, qbxml_schema: etree.XMLSchema
) -> None:
    """ItemOtherChargeQueryRq and the like return their kind only."""
    body = f"<{spec.name}QueryRq><ActiveStatus>All</ActiveStatus></{spec.name}QueryRq>"
    rs = ask(shared, qbxml_schema, body)
    assert rs.tag == f"{spec.name}QueryRs"
    assert [ret.tag for ret in rs] == [spec.ret.element] * len(shared.company.objects[spec.name])


@pytest.mark.parametrize("spec", [s for s in QUERIED if s.query.iterator], ids=name_of)
def test_an_iterator_pages_through_every_record(
    spec: ObjectSpec, shared: FakeQuickBooks, qbxml_schema: etree.XMLSchema
) -> None:
    """Start and Continue with MaxReturned 2 hand out what a full query returns, in order,
    counting down iteratorRemainingCount; a finished iterator answers 3391."""
    everything_at_once = ids(ask(shared, qbxml_schema, query(spec, everything(spec))), spec)
    values = {**everything(spec), "MaxReturned": "2"}
    rs = ask(shared, qbxml_schema, query(spec, values, iterator="Start"))
    iterator_id = rs.get("iteratorID")
    paged = ids(rs, spec)
    remaining = int(rs.get("iteratorRemainingCount", ""))
    assert remaining == len(everything_at_once) - len(paged)
    while remaining:
        rs = ask(
            shared, qbxml_schema, query(spec, values, iterator="Continue", iterator_id=iterator_id)
        )
        assert rs.get("iteratorID") == iterator_id and len(rs) <= 2
        paged += ids(rs, spec)
        remaining = int(rs.get("iteratorRemainingCount", ""))
    assert paged == everything_at_once
    rs = ask(
        shared, qbxml_schema, query(spec, values, iterator="Continue", iterator_id=iterator_id)
    )
    assert (rs.get("statusCode"), rs.get("statusSeverity")) == ("3391", "Error")


@pytest.mark.parametrize("spec", [s for s in RECORDS if s.query.modified_since], ids=name_of)
def test_a_changed_since_query_returns_what_changed(
    spec: ObjectSpec, qb: FakeQuickBooks, qbxml_schema: etree.XMLSchema
) -> None:
    """A record saved after a time is all a query from that time returns, whichever the
    path to FromModifiedDate; from before every change, everything comes back."""
    company = qb.company
    record_id = list(company.records_of(spec.name))[-1]
    since = later(company)
    company.touch(spec.name, record_id, at=company.clock.now() + timedelta(days=1, seconds=5))
    rs = ask(qb, qbxml_schema, query(spec, everything(spec), since=since))
    assert rs.get("statusCode") == "0"
    assert ids(rs, spec) == [record_id]
    rs = ask(qb, qbxml_schema, query(spec, everything(spec), since="2000-01-01"))
    assert len(rs) == len(company.records_of(spec.name))
    rs = ask(qb, qbxml_schema, query(spec, everything(spec), since=later(company, days=2)))
    assert (rs.get("statusCode"), len(rs)) == ("1", 0)


@pytest.mark.parametrize("spec", ACTIVE_LISTS, ids=name_of)
def test_active_status_defaults_to_active_only(
    spec: ObjectSpec, qb: FakeQuickBooks, qbxml_schema: etree.XMLSchema
) -> None:
    """Without ActiveStatus a list query returns active elements only; All and InactiveOnly
    return the inactive one too, or it alone."""
    company = qb.company
    record_id = next(iter(company.objects[spec.name]))
    company.set_active(spec.name, record_id, False)
    default = ask(qb, qbxml_schema, query(spec))
    assert record_id not in ids(default, spec)
    assert {ret.findtext("IsActive") for ret in default} <= {"true"}
    assert record_id in ids(ask(qb, qbxml_schema, query(spec, {"ActiveStatus": "All"})), spec)
    inactive = ask(qb, qbxml_schema, query(spec, {"ActiveStatus": "InactiveOnly"}))
    assert record_id in ids(inactive, spec)
    assert {ret.findtext("IsActive") for ret in inactive} == {"false"}


@pytest.mark.parametrize("spec", WITH_LINES, ids=name_of)
def test_lines_come_only_when_asked_for(
    spec: ObjectSpec, shared: FakeQuickBooks, qbxml_schema: etree.XMLSchema
) -> None:
    """A transaction's lines come back with its query's line flag, and only then."""
    flag = spec.query.line_items_flag
    assert flag is not None
    tags = line_tags(spec.ret.element)
    plain = ask(shared, qbxml_schema, query(spec))
    assert not [node for ret in plain for node in ret if node.tag in tags]
    asked = ask(shared, qbxml_schema, query(spec, {flag: "true"}))
    assert [node for ret in asked for node in ret if node.tag in tags]


def test_linked_transactions_come_only_when_asked_for(
    shared: FakeQuickBooks, qbxml_schema: etree.XMLSchema
) -> None:
    """LinkedTxn of generated transactions comes back with IncludeLinkedTxns only."""
    found = 0
    for spec in generated_objects():
        if not spec.query.include_linked_txns:
            continue
        assert not ask(shared, qbxml_schema, query(spec)).findall("*/LinkedTxn")
        asked = {"IncludeLinkedTxns": "true"}
        found += len(ask(shared, qbxml_schema, query(spec, asked)).findall("*/LinkedTxn"))
    assert found


@pytest.mark.parametrize("spec", WITH_CUSTOM_FIELDS, ids=name_of)
def test_owner_id_zero_returns_custom_fields(
    spec: ObjectSpec, qb: FakeQuickBooks, qbxml_schema: etree.XMLSchema
) -> None:
    """Public custom fields (DataExtRet, OwnerID 0) come back when OwnerID 0 is asked for."""
    record = qb.company.add_object(
        spec.name, custom_fields=[("0", "Region", "STR255TYPE", "West & North")]
    )
    plain = ask(
        qb, qbxml_schema, query(spec, {"ActiveStatus": "All"} if spec.query.active_status else {})
    )
    assert not plain.findall("*/DataExtRet")
    values = {**everything(spec), "OwnerID": "0"}
    asked = ask(qb, qbxml_schema, query(spec, values))
    (ret,) = [r for r in asked if r.findtext(spec.identity or "") == record.id]
    fields = [(f.findtext("OwnerID"), f.findtext("DataExtName"), f.findtext("DataExtValue"))
              for f in ret.findall("DataExtRet")]  # fmt: skip
    assert fields == [("0", "Region", "West & North")]
    other = {**values, "OwnerID": "{57F3B9B1-86F1-4fcc-B1EE-566DE1813D20}"}
    assert not ask(qb, qbxml_schema, query(spec, other)).findall("*/DataExtRet")


def test_some_generated_records_carry_custom_fields(shared: FakeQuickBooks) -> None:
    """The generator gives some records public custom fields for a sync to find."""
    company = shared.company
    carrying = {
        spec.name
        for spec in WITH_CUSTOM_FIELDS
        if any(r.custom_fields for r in company.objects[spec.name].values())
    }
    assert len(carrying) >= len(WITH_CUSTOM_FIELDS) // 2


def _deletable(company: Company, spec: ObjectSpec) -> str:
    """A record of ``spec`` QuickBooks lets a user delete (nothing depends on it)."""
    if spec.name == "Customer":
        return company.add_customer("Nobody Yet").list_id
    if spec.name in HAND_BUILT_ITEM_KINDS:
        return company.add_item("Unused", HAND_BUILT_ITEM_KINDS[spec.name]).list_id
    if spec.name == "Invoice":
        return next(i.txn_id for i in company.invoices.values() if not i.linked_txns)
    return next(iter(company.records_of(spec.name)))


@pytest.mark.parametrize("spec", DELETABLE, ids=name_of)
def test_deletions_are_reported_by_type_and_date(
    spec: ObjectSpec, qb: FakeQuickBooks, qbxml_schema: etree.XMLSchema
) -> None:
    """A deleted record is gone from its query, and ListDeletedQuery or TxnDeletedQuery
    reports it under its type from the time it was deleted, not before."""
    assert spec.deletions is not None
    company = qb.company
    record_id = _deletable(company, spec)
    since = later(company)
    company.delete(spec.name, record_id, at=company.clock.now() + timedelta(days=1, seconds=5))
    assert record_id not in ids(ask(qb, qbxml_schema, query(spec, everything(spec))), spec)
    deletions = spec.deletions
    del_type = deletions.types[0]

    def deleted(bound: str) -> etree._Element:
        body = (
            f"<{deletions.request}><{deletions.type_element}>{del_type}</{deletions.type_element}>"
            f"<DeletedDateRangeFilter>{bound}</DeletedDateRangeFilter></{deletions.request}>"
        )
        return ask(qb, qbxml_schema, body)

    rs = deleted(f"<FromDeletedDate>{since}</FromDeletedDate>")
    assert [ret.tag for ret in rs] == [deletions.ret]
    assert rs[0].findtext(deletions.type_element) == del_type
    assert rs[0].findtext(spec.identity or "") == record_id
    assert len(deleted(f"<ToDeletedDate>{since}</ToDeletedDate>")) == 0


def test_list_del_and_txn_del_delete_generated_records(
    qb: FakeQuickBooks, qbxml_schema: etree.XMLSchema
) -> None:
    """ListDelRq and TxnDelRq delete a vendor and a bill, as they do customers and invoices."""
    company = qb.company
    vendor = next(iter(company.objects["Vendor"].values()))
    bill = next(iter(company.objects["Bill"].values()))
    rs = ask(
        qb,
        qbxml_schema,
        f"<ListDelRq><ListDelType>Vendor</ListDelType><ListID>{vendor.id}</ListID></ListDelRq>",
    )
    assert rs.get("statusCode") == "0" and rs.findtext("FullName") == vendor.full_name
    rs = ask(
        qb,
        qbxml_schema,
        f"<TxnDelRq><TxnDelType>Bill</TxnDelType><TxnID>{bill.id}</TxnID></TxnDelRq>",
    )
    assert rs.get("statusCode") == "0" and rs.findtext("RefNumber") == bill.ref_number
    assert vendor.id not in company.objects["Vendor"] and bill.id not in company.objects["Bill"]
    again = f"<TxnDelRq><TxnDelType>Bill</TxnDelType><TxnID>{bill.id}</TxnID></TxnDelRq>"
    assert ask(qb, qbxml_schema, again).get("statusCode") == "3120"


def test_lookups_by_name_and_ref_number(
    shared: FakeQuickBooks, qbxml_schema: etree.XMLSchema
) -> None:
    """FullName finds a generated list element, RefNumber a generated transaction; a name
    that does not exist fails the whole query with 500."""
    vendor = next(iter(shared.company.objects["Vendor"].values()))
    spec = object_named("Vendor")
    rs = ask(shared, qbxml_schema, query(spec, {"FullName": vendor.full_name}))
    assert ids(rs, spec) == [vendor.id]
    bill = next(iter(shared.company.objects["Bill"].values()))
    rs = ask(
        shared, qbxml_schema, f"<BillQueryRq><RefNumber>{bill.ref_number}</RefNumber></BillQueryRq>"
    )
    assert ids(rs, object_named("Bill")) == [bill.id]
    rs = ask(shared, qbxml_schema, query(spec, {"FullName": "Nobody At All"}))
    assert rs.get("statusCode") == "500"


def test_entity_filter_finds_a_vendors_bills(
    shared: FakeQuickBooks, qbxml_schema: etree.XMLSchema
) -> None:
    """EntityFilter on a generated transaction matches the vendor its VendorRef names."""
    bill = next(iter(shared.company.objects["Bill"].values()))
    body = (
        f"<BillQueryRq><EntityFilter><ListID>{bill.entity_id}</ListID></EntityFilter></BillQueryRq>"
    )
    rs = ask(shared, qbxml_schema, body)
    assert bill.id in ids(rs, object_named("Bill"))
    assert {ret.findtext("VendorRef/ListID") for ret in rs} == {bill.entity_id}


def test_every_ref_names_a_record_of_the_company(
    shared: FakeQuickBooks, qbxml_schema: etree.XMLSchema
) -> None:
    """Every ListID in a …Ref of every record names a record the company has, of an object
    the ref may name (a Bill's VendorRef a Vendor, an ItemRef an item of any kind)."""
    company = shared.company
    checked = 0
    for spec in RECORDS:
        rs = ask(shared, qbxml_schema, query(spec, everything(spec)))
        for ref in rs.iter():
            targets = ref_targets(str(ref.tag)) if str(ref.tag).endswith("Ref") else ()
            list_id = ref.findtext("ListID")
            if not targets or list_id is None:
                continue
            assert any(list_id in company.records_of(t) for t in targets), (spec.name, ref.tag)
            checked += 1
    assert checked > 500


def test_company_and_preferences_are_single_documents(
    shared: FakeQuickBooks, qbxml_schema: etree.XMLSchema
) -> None:
    """CompanyQuery and PreferencesQuery each answer their one Ret."""
    for name in ("Company", "Preferences"):
        spec = object_named(name)
        rs = ask(shared, qbxml_schema, query(spec))
        assert [ret.tag for ret in rs] == [spec.ret.element]
