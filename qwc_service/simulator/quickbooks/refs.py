"""Resolving the ``…Ref`` aggregates of a write, with QuickBooks' 3140 for a name it lacks."""

from __future__ import annotations

from lxml import etree

from qwc_service.simulator.quickbooks.company import Company
from qwc_service.simulator.quickbooks.documents import text_of
from qwc_service.simulator.quickbooks.objects import ObjectRecord
from qwc_service.simulator.quickbooks.records import Customer, Item
from qwc_service.simulator.quickbooks.status import RequestFailed, invalid_reference

__all__ = ["ref_parts", "resolve_customer", "resolve_item", "resolve_list"]


def ref_parts(node: etree._Element | None) -> tuple[str | None, str | None]:
    """``(ListID, FullName)`` of a ref, either may be None."""
    if node is None:
        return None, None
    return text_of(node, "ListID"), text_of(node, "FullName")


def resolve_customer(company: Company, node: etree._Element | None, where: str) -> Customer:
    """The customer a CustomerRef names (ListID first, as QuickBooks reads it)."""
    list_id, full_name = ref_parts(node)
    found = company.customers.get(list_id) if list_id else None
    if found is None and full_name and not list_id:
        found = company.customer_by_name(full_name)
    if found is None:
        raise RequestFailed(invalid_reference("Customer", list_id or full_name or "", where))
    return found


def resolve_item(company: Company, node: etree._Element | None, where: str) -> Item | None:
    """The item an ItemRef names; None when the line has no ItemRef."""
    list_id, full_name = ref_parts(node)
    if node is None or not (list_id or full_name):
        return None
    found = company.items.get(list_id) if list_id else company.item_by_name(full_name or "")
    if found is None:
        raise RequestFailed(invalid_reference("Item", list_id or full_name or "", where))
    return found


def resolve_list(
    company: Company, object_name: str, node: etree._Element | None, where: str
) -> ObjectRecord | None:
    """The Account, PaymentMethod or other list element a ref names; None without a ref."""
    list_id, full_name = ref_parts(node)
    if node is None or not (list_id or full_name):
        return None
    if list_id:
        found = company.objects.get(object_name, {}).get(list_id)
    else:
        found = company.object_by_name(object_name, full_name or "")
    if found is None:
        raise RequestFailed(invalid_reference(object_name, list_id or full_name or "", where))
    return found
