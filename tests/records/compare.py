"""Field-by-field comparison of stored documents with the fake QuickBooks' company records.

The expected documents are the fake QuickBooks' own answer to the query the sync sends for
the type, turned into JSON here, independently of the server's reader: every element by its
qbXML name, an element the schema lets repeat in its parent as a list, every leaf as its text.
Each ``assert_*_match`` checks that the connection's live (not deleted) records of a type are
exactly those documents, with their stamps, and lists every difference it finds;
``assert_deletions_match`` checks the rows of deleted records.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from qwc_service.qbxml.objects.registry import find_object, object_for_ret, object_named
from qwc_service.qbxml.objects.specs import ElementSpec
from qwc_service.records.models import StoredRecord
from qwc_service.simulator.dataset import Company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.sync.requests import query_request

_SHOWN_DIFFERENCES = 20


def document_of(element: Any, children: Iterable[ElementSpec]) -> dict[str, Any]:
    """An element as the stored document should hold it, from the schema's repeats."""
    specs = {spec.name: spec for spec in children}
    doc: dict[str, Any] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        spec = specs.get(child.tag)
        if spec is None or spec.type.is_leaf:
            value: Any = child.text or ""
        else:
            value = document_of(child, spec.children)
        if spec is not None and spec.repeats:
            doc.setdefault(child.tag, []).append(value)
        else:
            doc[child.tag] = value
    return doc


def ret_document(ret: Any) -> dict[str, Any]:
    """A complete ``…Ret`` element as its stored document."""
    spec = object_for_ret(ret.tag)
    elements = next(r.elements for r in spec.rets if r.element == ret.tag)
    return document_of(ret, elements)


def expected_documents(company: Company, record_type: str) -> dict[str, tuple[str, Any]]:
    """The company's records of ``record_type`` (a sync type such as ``invoices``) as the
    sync's own query returns them: (object, document) keyed by ListID/TxnID."""
    text = query_request(record_type, version="13.0", max_returned=1_000_000)
    response = FakeQuickBooks(company).process(text)
    root = etree.fromstring(response.encode())
    out: dict[str, tuple[str, Any]] = {}
    for rs in root.iter("*"):
        if not rs.tag.endswith("QueryRs"):
            continue
        for ret in rs:
            doc = ret_document(ret)
            name = ret.tag.removesuffix("Ret")
            out[doc.get("ListID") or doc.get("TxnID") or name] = (name, doc)
    return out


def _live(db: Session, connection_id: str, record_type: str) -> dict[str, StoredRecord]:
    rows = db.scalars(
        select(StoredRecord).where(
            StoredRecord.connection_id == connection_id,
            StoredRecord.record_type == record_type,
            StoredRecord.deleted_at.is_(None),
        )
    )
    return {row.qb_id: row for row in rows}


def _differences(label: str, got: Any, want: Any) -> list[str]:
    if got == want:
        return []
    if isinstance(got, dict) and isinstance(want, dict):
        out = []
        for name in sorted(set(got) | set(want)):
            out += _differences(f"{label}/{name}", got.get(name), want.get(name))
        return out
    return [f"{label}: stored {got!r}, QuickBooks has {want!r}"]


def assert_type_matches(
    db: Session,
    connection_id: str,
    company: Company,
    record_type: str,
    *,
    ignore: tuple[str, ...] = (),
) -> None:
    """The connection's live records of a sync type are exactly the company's documents.

    ``ignore`` names top-level elements (or ``Element/Child`` inside repeated aggregates) left
    out of the comparison.
    """
    expected = expected_documents(company, record_type)
    spec = find_object(record_type)
    stored = _live(db, connection_id, spec.name)
    problems = [f"{record_type} {k} is missing" for k in sorted(set(expected) - set(stored))]
    problems += [
        f"{record_type} {k} is stored but not in QuickBooks"
        for k in stored.keys() - expected.keys()
    ]
    for qb_id in sorted(set(stored) & set(expected)):
        object_name, doc = expected[qb_id]
        row, want = stored[qb_id], _without(doc, ignore)
        got = _without(row.document, ignore)
        problems += _differences(f"{record_type} {qb_id}", got, want)
        if row.time_modified_raw != want.get("TimeModified"):
            problems.append(f"{record_type} {qb_id}: time_modified_raw {row.time_modified_raw!r}")
        if row.edit_sequence != want.get("EditSequence"):
            problems.append(f"{record_type} {qb_id}: edit_sequence {row.edit_sequence!r}")
        if row.object_name != object_name:
            problems.append(f"{record_type} {qb_id}: stored as {row.object_name}")
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(
        problems[:_SHOWN_DIFFERENCES]
    )


def _without(doc: dict[str, Any], ignore: tuple[str, ...]) -> dict[str, Any]:
    if not ignore:
        return doc
    out = {k: v for k, v in doc.items() if k not in ignore}
    for path in ignore:
        head, _, tail = path.partition("/")
        if tail and isinstance(out.get(head), list):
            out[head] = [
                {k: v for k, v in entry.items() if k != tail} if isinstance(entry, dict) else entry
                for entry in out[head]
            ]
    return out


def assert_customers_match(db: Session, connection_id: str, company: Company) -> None:
    """The connection's live customers are exactly the company's, field by field."""
    assert_type_matches(db, connection_id, company, "customers")


def assert_items_match(db: Session, connection_id: str, company: Company) -> None:
    """The connection's live items are exactly the company's, field by field."""
    assert_type_matches(db, connection_id, company, "items")


def assert_invoices_match(db: Session, connection_id: str, company: Company) -> None:
    """The connection's live invoices and their lines are exactly the company's."""
    assert_type_matches(db, connection_id, company, "invoices")


def assert_payments_match(
    db: Session, connection_id: str, company: Company, *, application_balances: bool = True
) -> None:
    """The connection's live payments and their applications are exactly the company's.

    An application's ``BalanceRemaining`` is the invoice's balance when the payment was read;
    pass ``application_balances=False`` when later payments may have changed it since.
    """
    ignore = () if application_balances else ("AppliedToTxnRet/BalanceRemaining",)
    assert_type_matches(db, connection_id, company, "payments", ignore=ignore)


def assert_deletions_match(db: Session, connection_id: str, company: Company) -> None:
    """Every stored row of a record deleted in QuickBooks is marked with its TimeDeleted."""
    wanted: list[tuple[str, str, Any]] = []
    for gone in company.deleted_list_elements:
        spec = object_named(gone.list_del_type)
        wanted.append((spec.read_through or spec.name, gone.list_id, gone.time_deleted))
    for txn in company.deleted_txns:
        wanted.append((txn.txn_del_type, txn.txn_id, txn.time_deleted))
    problems = []
    for record_type, qb_id, time_deleted in wanted:
        row = db.scalar(
            select(StoredRecord).where(
                StoredRecord.connection_id == connection_id,
                StoredRecord.record_type == record_type,
                StoredRecord.qb_id == qb_id,
            )
        )
        if row is not None and row.deleted_at != time_deleted:
            problems.append(
                f"{record_type} {qb_id}: deleted_at {row.deleted_at!r}, not {time_deleted!r}"
            )
    assert not problems, "\n".join(problems[:_SHOWN_DIFFERENCES])


def assert_company_matches(db: Session, connection_id: str, company: Company) -> None:
    """Customers, items, invoices and payments all match (see the functions above)."""
    assert_customers_match(db, connection_id, company)
    assert_items_match(db, connection_id, company)
    assert_invoices_match(db, connection_id, company)
    assert_payments_match(db, connection_id, company)
