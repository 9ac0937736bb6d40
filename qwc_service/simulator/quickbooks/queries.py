"""Query requests: the engine every query runs on, the hand-built objects' queries (customers,
items by kind, invoices, received payments), and deletions.

Results come sorted by TimeModified, then by ID. Asking for specific records (ListID,
FullName, TxnID, RefNumber) is a lookup, not a filter: if any one of them does not exist the
whole response is statusCode 500 with no records, as QuickBooks answers. ``iterator="Start"``
snapshots the matching IDs; ``Continue`` pages through that snapshot (records deleted since
are skipped, records changed since come back as they are now).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from qwc_service.simulator.quickbooks.company import Company
from qwc_service.simulator.quickbooks.context import Context, QueryIterator, Response
from qwc_service.simulator.quickbooks.documents import El, read_bool, read_int, texts_of
from qwc_service.simulator.quickbooks.filters import (
    Filters,
    deleted_range,
    list_filters,
    txn_filters,
)
from qwc_service.simulator.quickbooks.records import Invoice, Item, Payment, id_sort_key
from qwc_service.simulator.quickbooks.render import (
    customer_ret,
    invoice_ret,
    item_ret,
    list_deleted_ret,
    payment_ret,
    txn_deleted_ret,
)
from qwc_service.simulator.quickbooks.status import (
    NO_MATCH,
    OK,
    RequestFailed,
    element_not_found,
    invalid_iterator,
)

Render = Callable[[Context, etree._Element, Any, Collection[str]], El]


@dataclass(frozen=True)
class QuerySpec:
    """How one ``*QueryRq`` finds, filters and renders its records."""

    rs_tag: str
    records: Callable[[Company], Mapping[str, Any]]
    id_tag: str
    lookup_tags: tuple[str, ...]
    lookup: Callable[[Company, str, str], list[Any]]
    render: Render
    is_list: bool
    item_kind: str | None = None
    paid_status: bool = False
    # The query's own filters (objects generated from the registry); None: the filters of
    # a hand-built list or transaction query.
    filters: Callable[[etree._Element, Company], Filters] | None = None


def _items(company: Company, kind: str | None) -> Mapping[str, Item]:
    if kind is None:
        return company.items
    return {k: v for k, v in company.items.items() if v.kind == kind}


def _lookup_customer(company: Company, tag: str, value: str) -> list[Any]:
    found = company.customer_by_name(value)
    return [found] if found is not None else []


def _lookup_item(kind: str | None) -> Callable[[Company, str, str], list[Any]]:
    def lookup(company: Company, tag: str, value: str) -> list[Any]:
        found = company.item_by_name(value)
        return [found] if found is not None and kind in (None, found.kind) else []

    return lookup


def ref_lookup(
    by_ref: Callable[[Company, str], list[Any]],
) -> Callable[[Company, str, str], list[Any]]:
    def lookup(company: Company, tag: str, value: str) -> list[Any]:
        # The index matches regardless of case, as plain RefNumber does.
        found = by_ref(company, value)
        if tag == "RefNumberCaseSensitive":
            return [r for r in found if r.ref_number == value]
        return found

    return lookup


def _render_invoice(
    ctx: Context, rq: etree._Element, invoice: Invoice, include: Collection[str]
) -> El:
    return invoice_ret(
        invoice,
        ctx.company,
        lines=bool(read_bool(rq, "IncludeLineItems")),
        links=bool(read_bool(rq, "IncludeLinkedTxns")),
        include=include,
    )


def _render_payment(
    ctx: Context, rq: etree._Element, payment: Payment, include: Collection[str]
) -> El:
    # AppliedToTxnRet are a payment's line items: returned with IncludeLineItems.
    applied = bool(read_bool(rq, "IncludeLineItems"))
    return payment_ret(payment, ctx.company, applied=applied, include=include)


def _item_spec(rs_tag: str, kind: str | None) -> QuerySpec:
    return QuerySpec(
        rs_tag=rs_tag,
        records=lambda company: _items(company, kind),
        id_tag="ListID",
        lookup_tags=("FullName",),
        lookup=_lookup_item(kind),
        render=lambda ctx, rq, item, include: item_ret(item, ctx.company, include),
        is_list=True,
        item_kind=kind,
    )


QUERY_SPECS: dict[str, QuerySpec] = {
    "CustomerQueryRq": QuerySpec(
        rs_tag="CustomerQueryRs",
        records=lambda company: company.customers,
        id_tag="ListID",
        lookup_tags=("FullName",),
        lookup=_lookup_customer,
        render=lambda ctx, rq, customer, include: customer_ret(customer, include),
        is_list=True,
    ),
    "ItemServiceQueryRq": _item_spec("ItemServiceQueryRs", "Service"),
    "ItemNonInventoryQueryRq": _item_spec("ItemNonInventoryQueryRs", "NonInventory"),
    "ItemInventoryQueryRq": _item_spec("ItemInventoryQueryRs", "Inventory"),
    "InvoiceQueryRq": QuerySpec(
        rs_tag="InvoiceQueryRs",
        records=lambda company: company.invoices,
        id_tag="TxnID",
        lookup_tags=("RefNumber", "RefNumberCaseSensitive"),
        lookup=ref_lookup(lambda company, ref: company.invoices_by_ref(ref)),
        render=_render_invoice,
        is_list=False,
        paid_status=True,
    ),
    "ReceivePaymentQueryRq": QuerySpec(
        rs_tag="ReceivePaymentQueryRs",
        records=lambda company: company.payments,
        id_tag="TxnID",
        lookup_tags=("RefNumber", "RefNumberCaseSensitive"),
        lookup=ref_lookup(lambda company, ref: company.payments_by_ref(ref)),
        render=_render_payment,
        is_list=False,
    ),
}


def _key(spec: QuerySpec) -> str:
    return "list_id" if spec.is_list else "txn_id"


def _sort_key(spec: QuerySpec) -> Callable[[Any], tuple[Any, ...]]:
    key = _key(spec)
    return lambda record: (record.time_modified, id_sort_key(getattr(record, key)))


def _dedupe(records: Iterable[Any], key: str) -> list[Any]:
    seen: dict[str, Any] = {}
    for record in records:
        seen.setdefault(getattr(record, key), record)
    return list(seen.values())


def _looked_up(ctx: Context, rq: etree._Element, spec: QuerySpec) -> list[Any] | None:
    """Records asked for by ID or name, ``None`` when the query is not a lookup."""
    records = spec.records(ctx.company)
    ids = texts_of(rq, spec.id_tag)
    if ids:
        missing = next((i for i in ids if i not in records), None)
        if missing is not None:
            raise RequestFailed(element_not_found(missing))
        return _dedupe((records[i] for i in ids), _key(spec))
    for tag in spec.lookup_tags:
        values = texts_of(rq, tag)
        if not values:
            continue
        found = []
        for value in values:
            matches = spec.lookup(ctx.company, tag, value)
            if not matches:
                raise RequestFailed(element_not_found(value))
            found.extend(matches)
        return sorted(_dedupe(found, _key(spec)), key=_sort_key(spec))
    return None


def _filtered(ctx: Context, rq: etree._Element, spec: QuerySpec) -> tuple[list[Any], Filters]:
    company = ctx.company
    tz = company.clock.tz
    if spec.filters is not None:
        filters = spec.filters(rq, company)
    elif spec.is_list:
        filters = list_filters(rq, tz, with_balance=spec.rs_tag == "CustomerQueryRs")
    else:
        filters = txn_filters(rq, company, tz, paid_status=spec.paid_status)
    records = spec.records(company)
    if filters.candidates is not None:
        pool: Iterable[Any] = (records[i] for i in filters.candidates if i in records)
    else:
        pool = records.values()
    matched = [r for r in pool if filters.matches(r)]
    matched.sort(key=_sort_key(spec))
    return matched, filters


def run_query(ctx: Context, rq: etree._Element, spec: QuerySpec) -> Response:
    """Answer one list or transaction query, iterators included."""
    mode = rq.get("iterator")
    if mode in ("Continue", "Stop"):
        return _continue(ctx, rq, spec, mode)
    looked_up = _looked_up(ctx, rq, spec)
    warning = None
    if looked_up is None:
        looked_up, filters = _filtered(ctx, rq, spec)
        warning = filters.warning
    max_returned = read_int(rq, "MaxReturned")
    if not looked_up:
        return Response(spec.rs_tag, NO_MATCH, iterator_remaining=0 if mode == "Start" else None)
    if mode == "Start":
        opened = ctx.iterators.start(rq.tag, [getattr(r, _key(spec)) for r in looked_up])
        return _page(ctx, rq, spec, opened, max_returned)
    page = looked_up if max_returned is None else looked_up[:max_returned]
    return Response(spec.rs_tag, warning or OK, _render_all(ctx, rq, spec, page))


def _render_all(ctx: Context, rq: etree._Element, spec: QuerySpec, records: list[Any]) -> list[El]:
    include = frozenset(texts_of(rq, "IncludeRetElement"))
    return [spec.render(ctx, rq, record, include) for record in records]


def _continue(ctx: Context, rq: etree._Element, spec: QuerySpec, mode: str) -> Response:
    iterator_id = rq.get("iteratorID") or ""
    opened = ctx.iterators.get(iterator_id, rq.tag)
    if opened is None:
        raise RequestFailed(invalid_iterator(iterator_id))
    if mode == "Stop":
        ctx.iterators.release(iterator_id)
        return Response(spec.rs_tag, OK, iterator_remaining=0, iterator_id=iterator_id)
    return _page(ctx, rq, spec, opened, read_int(rq, "MaxReturned"))


def _page(
    ctx: Context,
    rq: etree._Element,
    spec: QuerySpec,
    opened: QueryIterator,
    max_returned: int | None,
) -> Response:
    """The next page of an iterator; a finished iterator is released (a later Continue
    answers 3391)."""
    records = spec.records(ctx.company)
    ids = opened.take(max_returned if max_returned is not None else opened.remaining)
    # Records deleted since the iterator started are skipped.
    page = [records[i] for i in ids if i in records]
    if opened.remaining == 0:
        ctx.iterators.release(opened.iterator_id)
    return Response(
        spec.rs_tag,
        OK if page else NO_MATCH,
        _render_all(ctx, rq, spec, page),
        iterator_remaining=opened.remaining,
        iterator_id=opened.iterator_id,
    )


def list_deleted_query(ctx: Context, rq: etree._Element) -> Response:
    """``ListDeletedQueryRq``: deleted list elements of the given ListDelTypes."""
    start, end = deleted_range(rq, ctx.company.clock.tz)
    types = set(texts_of(rq, "ListDelType"))
    found = [
        gone
        for gone in ctx.company.deleted_list_elements
        if gone.list_del_type in types
        and (start is None or gone.time_deleted >= start)
        and (end is None or gone.time_deleted <= end)
    ]
    include = frozenset(texts_of(rq, "IncludeRetElement"))
    rets = [list_deleted_ret(g, include) for g in found]
    return Response("ListDeletedQueryRs", OK if rets else NO_MATCH, rets)


def txn_deleted_query(ctx: Context, rq: etree._Element) -> Response:
    """``TxnDeletedQueryRq``: deleted transactions of the given TxnDelTypes."""
    start, end = deleted_range(rq, ctx.company.clock.tz)
    types = set(texts_of(rq, "TxnDelType"))
    found = [
        gone
        for gone in ctx.company.deleted_txns
        if gone.txn_del_type in types
        and (start is None or gone.time_deleted >= start)
        and (end is None or gone.time_deleted <= end)
    ]
    include = frozenset(texts_of(rq, "IncludeRetElement"))
    rets = [txn_deleted_ret(g, include) for g in found]
    return Response("TxnDeletedQueryRs", OK if rets else NO_MATCH, rets)


def query_handler(spec: QuerySpec) -> Callable[[Context, etree._Element], Response]:
    """A dispatch-table entry for one query spec."""

    def handle(ctx: Context, rq: etree._Element) -> Response:
        return run_query(ctx, rq, spec)

    return handle


ITERABLE_REQUESTS = frozenset(QUERY_SPECS)
__all__ = [
    "ITERABLE_REQUESTS",
    "QUERY_SPECS",
    "QuerySpec",
    "list_deleted_query",
    "query_handler",
    "ref_lookup",
    "txn_deleted_query",
]
