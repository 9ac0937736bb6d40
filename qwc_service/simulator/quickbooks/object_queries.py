"""Queries of every generated object, driven by the registry, and ItemQuery over every kind.

Each object's ``…QueryRq`` comes from the registry, and so does what it takes: iterators
where the query supports them, ``ActiveStatus`` (absent: active only) where it takes one,
the modified-date range at the path the registry gives (``FromModifiedDate`` of a list,
``ModifiedDateRangeFilter`` of a transaction), the line flag, ``IncludeLinkedTxns`` and
``OwnerID``. Name and RefNumber filters, TxnDate ranges and EntityFilter work as they do for
the hand-built objects; other filters (accounts, classes, currencies…) match everything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from qwc_service.qbxml.objects.catalog import ACTIVE_STATUS_DEFAULT
from qwc_service.qbxml.objects.registry import object_named
from qwc_service.qbxml.objects.specs import Category, ObjectSpec
from qwc_service.simulator.quickbooks.company import Company
from qwc_service.simulator.quickbooks.context import Context
from qwc_service.simulator.quickbooks.documents import El, child, texts_of
from qwc_service.simulator.quickbooks.filters import (
    Filters,
    active_status,
    modified_range,
    name_filters,
    ref_number_filters,
    txn_date_range,
)
from qwc_service.simulator.quickbooks.object_render import asked_of, object_ret
from qwc_service.simulator.quickbooks.objects import generated_objects
from qwc_service.simulator.quickbooks.queries import QuerySpec, ref_lookup
from qwc_service.simulator.quickbooks.records import Item
from qwc_service.simulator.quickbooks.render import item_ret
from qwc_service.simulator.quickbooks.status import RequestFailed, element_not_found

__all__ = ["ITEM_QUERY_SPEC", "OBJECT_ITERABLE_REQUESTS", "OBJECT_QUERY_SPECS"]

# Lists whose elements a transaction's EntityFilter may name.
_ENTITY_LISTS = ("Vendor", "Employee", "OtherName")


def _filters(spec: ObjectSpec) -> Callable[[etree._Element, Company], Filters]:
    query = spec.query
    is_list = spec.identity == "ListID"

    def build(rq: etree._Element, company: Company) -> Filters:
        filters = Filters()
        if query.active_status:
            active_status(rq, filters, ACTIVE_STATUS_DEFAULT)
        if query.modified_since:
            node: etree._Element | None = rq
            for tag in query.modified_since[:-1]:
                node = child(node, tag) if node is not None else None
            if node is not None:
                modified_range(node, company.clock.tz, filters)
        if is_list:
            name_filters(rq, filters)
            return filters
        txn_dates = child(rq, "TxnDateRangeFilter")
        if txn_dates is not None:
            txn_date_range(txn_dates, company.clock.now().date(), filters)
        entity = child(rq, "EntityFilter")
        if entity is not None:
            wanted = _entity_ids(entity, company)
            filters.predicates.append(lambda r: r.entity_id in wanted)
        ref_number_filters(rq, filters)
        return filters

    return build


def _entity_ids(entity: etree._Element, company: Company) -> frozenset[str]:
    # Generated lists are flat, so "WithChildren" matches the element alone.
    found = set()
    for list_id in texts_of(entity, "ListID") + texts_of(entity, "ListIDWithChildren"):
        if list_id not in company.customers and not any(
            list_id in company.objects[name] for name in _ENTITY_LISTS
        ):
            raise RequestFailed(element_not_found(list_id))
        found.add(list_id)
    for name in texts_of(entity, "FullName") + texts_of(entity, "FullNameWithChildren"):
        record = company.customer_by_name(name) or next(
            (r for n in _ENTITY_LISTS if (r := company.object_by_name(n, name))), None
        )
        if record is None:
            raise RequestFailed(element_not_found(name))
        found.add(record.list_id)
    return frozenset(found)


def _render(spec: ObjectSpec) -> Callable[[Context, etree._Element, Any, Any], El]:
    query = spec.query

    def render(ctx: Context, rq: etree._Element, record: Any, include: Any) -> El:
        if isinstance(record, Item):
            return item_ret(record, ctx.company, include)
        return object_ret(record, asked_of(query, rq), include)

    return render


def _name_lookup(object_name: str) -> Callable[[Company, str, str], list[Any]]:
    def lookup(company: Company, tag: str, value: str) -> list[Any]:
        if object_name == "Item":
            item = company.item_by_name(value)
            if item is not None:
                return [item]
        found = company.object_by_name(object_name, value)
        return [found] if found is not None else []

    return lookup


def _object_spec(spec: ObjectSpec, rs_tag: str) -> QuerySpec:
    name = spec.name
    if spec.identity == "ListID":
        lookup_tags: tuple[str, ...] = ("FullName",)
        lookup = _name_lookup(name)
    else:
        lookup_tags = ("RefNumber", "RefNumberCaseSensitive")
        lookup = ref_lookup(lambda company, ref: company.objects_by_ref(name, ref))
    return QuerySpec(
        rs_tag=rs_tag,
        records=lambda company: company.records_of(name),
        id_tag=spec.identity or "ListID",
        lookup_tags=lookup_tags,
        lookup=lookup,
        render=_render(spec),
        is_list=spec.identity == "ListID",
        filters=_filters(spec),
    )


def _specs() -> dict[str, QuerySpec]:
    specs: dict[str, QuerySpec] = {}
    for spec in generated_objects():
        if spec.category is Category.ITEM_KIND:
            # A kind's own query (ItemOtherChargeQueryRq) reads like ItemQuery, one kind only.
            specs[f"{spec.name}QueryRq"] = _object_spec(spec, f"{spec.name}QueryRs")
        else:
            specs[spec.query.request] = _object_spec(spec, spec.query.response)
    return specs


def _iterable(specs: dict[str, QuerySpec]) -> frozenset[str]:
    found = set()
    for request in specs:
        word = request.removesuffix("QueryRq")
        if object_named(word).query.iterator:
            found.add(request)
    return frozenset(found)


_ITEM = object_named("Item")
# ItemQuery returns the hand-built items and the generated kinds together.
ITEM_QUERY_SPEC = _object_spec(_ITEM, _ITEM.query.response)
OBJECT_QUERY_SPECS = _specs()
OBJECT_ITERABLE_REQUESTS = _iterable(OBJECT_QUERY_SPECS)
