"""Generated records of every registry object: how many, what they look like, and that the
same seed makes them again byte for byte."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree

from qwc_service.qbxml.objects.registry import all_objects, object_named
from qwc_service.qbxml.objects.schema import SchemaReader
from qwc_service.qbxml.objects.specs import Category
from qwc_service.simulator.dataset import EVERY_TYPE, ObjectRecord, generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.quickbooks.choices import CHOICES
from qwc_service.simulator.quickbooks.objects import generated_objects
from qwc_service.simulator.quickbooks.store import STANDARD_ACCOUNTS
from tests.simulator.registry_queries import ask, everything, message_set, query

LIST_ID = re.compile(r"^8[0-9A-F]{7}-\d{10}$")
TXN_ID = re.compile(r"^[0-9A-F]+-\d{10}$")


def responses(seed: int) -> str:
    """The answers to a full query of every object, from a company of every type."""
    qb = FakeQuickBooks(generate_company(counts=EVERY_TYPE, seed=seed))
    bodies = [query(spec, everything(spec)) for spec in all_objects() if not spec.read_through]
    return qb.process(message_set(*bodies))


def test_same_seed_answers_byte_for_byte_the_same() -> None:
    """Two companies from one seed answer every query identically; another seed differs."""
    assert responses(5) == responses(5)
    assert responses(5) != responses(6)


def test_a_default_company_generates_nothing_new() -> None:
    """Without counts a company holds what it always did, plus records of the standard
    accounts and payment methods its customers, items and payments already named."""
    company = generate_company()
    assert {name for name, records in company.objects.items() if records} == {
        "Account",
        "PaymentMethod",
    }
    assert {r.full_name: r.id for r in company.objects["Account"].values()} == company.accounts
    methods = company.objects["PaymentMethod"].values()
    assert {r.full_name: r.id for r in methods} == company.payment_methods
    assert set(company.accounts) >= set(STANDARD_ACCOUNTS)


def test_account_query_lists_the_accounts_records_name(qbxml_schema: etree.XMLSchema) -> None:
    """The accounts an item or invoice names come back from AccountQuery with that ListID."""
    qb = FakeQuickBooks(generate_company())
    rs = ask(qb, qbxml_schema, query(object_named("Account")))
    by_name = {ret.findtext("FullName"): ret for ret in rs}
    assert (
        by_name["Accounts Receivable"].findtext("ListID")
        == qb.company.accounts["Accounts Receivable"]
    )
    assert by_name["Accounts Receivable"].findtext("AccountType") == "AccountsReceivable"
    assert by_name["Checking"].findtext("AccountType") == "Bank"


def test_every_type_adds_a_few_of_every_object_and_keeps_the_rest() -> None:
    """EVERY_TYPE asks for three of each generated object; customers and invoices stay as
    the other arguments say."""
    company = generate_company(counts=EVERY_TYPE)
    assert len(company.customers) == 25 and len(company.invoices) == 50
    for spec in generated_objects():
        assert len(company.objects[spec.name]) >= 3, spec.name


def test_counts_take_names_and_plurals() -> None:
    """Counts are keyed by object name or plural; the hand-built objects' counts replace
    the arguments, and a hand-built item kind adds items of that kind."""
    company = generate_company(
        counts={"bills": 4, "Vendor": 2, "customers": 3, "ItemService": 2, "items": 0},
        invoices=0,
        payments=0,
    )
    assert len(company.objects["Bill"]) == 4
    assert len(company.objects["Vendor"]) == 2
    assert len(company.customers) == 3
    assert [item.kind for item in company.items.values()] == ["Service", "Service"]


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({"Widgets": 1}, "unknown object"),
        ({"Company": 1}, "single document"),
        ({"bills": -1}, "cannot make"),
    ],
)
def test_bad_counts_are_refused(counts: dict[str, int], message: str) -> None:
    """An unknown object, a single document or a negative count is a ValueError."""
    with pytest.raises(ValueError, match=message):
        generate_company(counts=counts)


def test_a_bill_names_a_vendor_made_for_it() -> None:
    """Asked for bills alone, the company gets a vendor for them to name."""
    company = generate_company(counts={"Bill": 3})
    vendors = company.objects["Vendor"]
    assert vendors
    for bill in company.objects["Bill"].values():
        assert bill.entity_id in vendors
        (vendor_ref,) = [xml for tag, xml in bill.parts if tag == "VendorRef"]
        assert vendors[bill.entity_id].full_name in vendor_ref


def test_ids_edit_sequences_and_times_look_like_quickbooks() -> None:
    """ListIDs, TxnIDs and EditSequences have QuickBooks' shapes; an edit moves
    TimeModified on and never back; items of every kind share one ListID sequence."""
    company = generate_company(counts=EVERY_TYPE)
    for spec in generated_objects():
        pattern = LIST_ID if spec.identity == "ListID" else TXN_ID
        for record in company.objects[spec.name].values():
            assert pattern.match(record.id), (spec.name, record.id)
            assert record.edit_sequence.isdigit()
            assert record.time_modified >= record.time_created
    item_ids = [
        *company.items,
        *(i for k in object_named("Item").kinds for i in company.objects.get(k, {})),
    ]
    assert len({i.split("-")[0] for i in item_ids}) == len(item_ids)
    edited = [
        r
        for records in company.objects.values()
        for r in records.values()
        if r.time_modified > r.time_created
    ]
    assert edited


def test_touch_moves_time_modified_and_edit_sequence() -> None:
    """touch saves any record again: a later TimeModified and a new EditSequence."""
    company = generate_company(counts={"Vendor": 1})
    vendor: ObjectRecord = next(iter(company.objects["Vendor"].values()))
    before = vendor.edit_sequence
    at = company.clock.now() + timedelta(hours=1)
    company.touch("vendors", vendor.id, at=at)
    assert vendor.time_modified == at and vendor.edit_sequence != before


def test_list_names_are_unique_and_fit() -> None:
    """Generated list elements have names unique in their list (items across kinds) that
    fit the schema's maxLength."""
    company = generate_company(counts={name: 12 for name in EVERY_TYPE})
    for spec in generated_objects():
        if spec.identity != "ListID":
            continue
        names = [r.full_name.casefold() for r in company.objects[spec.name].values()]
        assert len(set(names)) == len(names), spec.name
    item_names = [i.name.casefold() for i in company.items.values()] + [
        r.full_name.casefold()
        for spec in generated_objects()
        if spec.category is Category.ITEM_KIND
        for r in company.objects[spec.name].values()
    ]
    assert len(set(item_names)) == len(item_names)


def _choices(
    reader: SchemaReader, declaration: object, where: str, seen: set[str]
) -> list[tuple[str, tuple[str, ...]]]:
    """``(parent, names)`` of every choice among non-repeating alternatives below a Ret."""
    found: list[tuple[str, tuple[str, ...]]] = []
    groups: dict[int, list[str]] = {}
    repeating: dict[int, bool] = {}
    for particle in reader.children(declaration):
        if particle.choice is not None:
            groups.setdefault(particle.choice, []).append(particle.name)
            once = particle.max_occurs == 1
            repeating[particle.choice] = repeating.get(particle.choice, True) and not once
        key = f"{where}/{particle.name}"
        if key not in seen and not reader.is_leaf(particle.declaration):
            seen.add(key)
            found += _choices(reader, particle.declaration, particle.name, seen)
    found += [(where, tuple(names)) for c, names in groups.items() if not repeating[c]]
    return found


def test_the_choices_table_covers_the_schema(qbxml_schema_dir: Path) -> None:
    """Every choice of the schema's Rets between alternatives that do not repeat is in the
    table the generator takes one alternative of each from."""
    reader = SchemaReader(qbxml_schema_dir)
    missing = []
    for spec in generated_objects():
        response = reader.message(spec.query.response)
        ret = next(p for p in reader.children(response) if p.name == spec.ret.element)
        for parent, names in _choices(reader, ret.declaration, ret.name, set()):
            covered = any(
                choice.parent in (None, parent)
                and set(names) <= {n for alt in choice.alternatives for n in alt}
                for choice in CHOICES
            )
            if not covered:
                missing.append((parent, names))
    assert missing == []
