"""Add, Mod and Del requests: what changes the company file.

ListDel and TxnDel delete a record of any object with a ListDelType or TxnDelType.

Honoured fields — CustomerAdd/Mod: Name, IsActive, CompanyName, BillAddress, Phone, Email
(and CustomerAdd's ExternalGUID); a name in use by any customer, vendor, employee or other
name answers 3100. InvoiceAdd: CustomerRef, TxnDate, RefNumber, DueDate, Memo, InvoiceLineAdd
(ItemRef, Desc, Quantity, Rate, Amount). Other valid fields are accepted and not stored.
ReceivePaymentAdd is in ``payment_writes``; CreditMemoAdd, DepositAdd and
ARRefundCreditCardAdd in ``money_writes``; InvoiceMod and TxnVoid in ``invoice_writes``.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from qwc_service.simulator.quickbooks.company import Company, LineSpec
from qwc_service.simulator.quickbooks.context import Context, Response
from qwc_service.simulator.quickbooks.documents import (
    El,
    child,
    read_bool,
    read_date,
    read_decimal,
    text_of,
    texts_of,
)
from qwc_service.simulator.quickbooks.errors import (
    NameInUse,
    RecordInUse,
)
from qwc_service.simulator.quickbooks.objects import deleted_type_objects
from qwc_service.simulator.quickbooks.records import (
    Address,
    DeletedListElement,
    DeletedTxn,
    format_datetime,
    list_del_type_for_item,
)
from qwc_service.simulator.quickbooks.refs import ref_parts, resolve_customer, resolve_item
from qwc_service.simulator.quickbooks.render import customer_ret, invoice_ret
from qwc_service.simulator.quickbooks.status import (
    OK,
    QbxmlParseError,
    RequestFailed,
    edit_sequence_out_of_date,
    name_in_use,
    object_not_found,
    save_failed,
)
from qwc_service.simulator.quickbooks.store import INVOICE_REF_MAX, NAME_MAX

_ADDRESS_LINES = ("Addr1", "Addr2", "Addr3", "Addr4", "Addr5")


def _aggregate(rq: etree._Element, tag: str) -> etree._Element:
    found = child(rq, tag)
    if found is None:
        raise QbxmlParseError(f"{rq.tag} needs a {tag}")
    return found


def _bounded(node: etree._Element, tag: str, limit: int) -> str | None:
    value = text_of(node, tag)
    if value is not None and len(value) > limit:
        # The schema's maxLength: QuickBooks rejects the whole message set.
        raise QbxmlParseError(f"{tag} is longer than {limit} characters")
    return value


def _address(node: etree._Element | None) -> Address | None:
    if node is None:
        return None
    return Address(
        lines=tuple(line for tag in _ADDRESS_LINES if (line := text_of(node, tag))),
        city=text_of(node, "City") or None,
        state=text_of(node, "State") or None,
        postal_code=text_of(node, "PostalCode") or None,
        country=text_of(node, "Country") or None,
    )


def _customer_fields(node: etree._Element) -> dict[str, Any]:
    """Fields present in a CustomerAdd/CustomerMod; an empty element clears the field."""
    fields: dict[str, Any] = {}
    for tag, key in (("CompanyName", "company_name"), ("Phone", "phone"), ("Email", "email")):
        value = text_of(node, tag)
        if value is not None:
            fields[key] = value or None
    active = read_bool(node, "IsActive")
    if active is not None:
        fields["is_active"] = active
    if child(node, "BillAddress") is not None:
        fields["bill_address"] = _address(child(node, "BillAddress"))
    return fields


def _includes(rq: etree._Element) -> frozenset[str]:
    return frozenset(texts_of(rq, "IncludeRetElement"))


# Customers, vendors, employees and other names share one namespace in QuickBooks (3100).
_NAME_LISTS = ("Vendor", "Employee", "OtherName")


def _claim_entity_name(company: Company, name: str) -> None:
    if any(company.object_by_name(other, name) is not None for other in _NAME_LISTS):
        raise RequestFailed(name_in_use(name))


def customer_add(ctx: Context, rq: etree._Element) -> Response:
    """``CustomerAddRq``."""
    node = _aggregate(rq, "CustomerAdd")
    name = _bounded(node, "Name", NAME_MAX)
    if not name:
        raise QbxmlParseError("CustomerAdd needs a Name")
    _claim_entity_name(ctx.company, name)
    fields = _customer_fields(node)
    address = fields.get("bill_address")
    try:
        customer = ctx.company.add_customer(
            name,
            company_name=_str(fields.get("company_name")),
            email=_str(fields.get("email")),
            phone=_str(fields.get("phone")),
            bill_address=address if isinstance(address, Address) else None,
            is_active=fields.get("is_active", True) is not False,
        )
    except NameInUse:
        raise RequestFailed(name_in_use(name)) from None
    customer.external_guid = text_of(node, "ExternalGUID") or None
    return Response("CustomerAddRs", OK, [customer_ret(customer, _includes(rq))])


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def customer_mod(ctx: Context, rq: etree._Element) -> Response:
    """``CustomerModRq``; a stale EditSequence answers 3200 with the current CustomerRet."""
    node = _aggregate(rq, "CustomerMod")
    list_id = text_of(node, "ListID") or ""
    edit_sequence = text_of(node, "EditSequence") or ""
    customer = ctx.company.customers.get(list_id)
    if customer is None:
        raise RequestFailed(object_not_found(list_id))
    if edit_sequence != customer.edit_sequence:
        ret = customer_ret(customer, _includes(rq))
        return Response("CustomerModRs", edit_sequence_out_of_date(edit_sequence), [ret])
    fields = _customer_fields(node)
    name = _bounded(node, "Name", NAME_MAX)
    if name:
        if name.casefold() != customer.name.casefold():
            _claim_entity_name(ctx.company, name)
        fields["name"] = name
    try:
        ctx.company.update_customer(list_id, **fields)
    except NameInUse:
        raise RequestFailed(name_in_use(name or "")) from None
    return Response("CustomerModRs", OK, [customer_ret(customer, _includes(rq))])


def _named_ref(company_names: dict[str, str], node: etree._Element | None) -> str | None:
    list_id, full_name = ref_parts(node)
    if full_name:
        return full_name
    for name, known_id in company_names.items():
        if known_id == list_id:
            return name
    return None


def invoice_add(ctx: Context, rq: etree._Element) -> Response:
    """``InvoiceAddRq`` (lines with ItemRef, Desc, Quantity, Rate, Amount)."""
    node = _aggregate(rq, "InvoiceAdd")
    company = ctx.company
    customer = resolve_customer(company, child(node, "CustomerRef"), "Invoice")
    specs = []
    for line in node.findall("InvoiceLineAdd"):
        item = resolve_item(company, child(line, "ItemRef"), "Invoice line")
        specs.append(
            LineSpec(
                item.list_id if item else None,
                quantity=read_decimal(line, "Quantity"),
                rate=read_decimal(line, "Rate"),
                amount=read_decimal(line, "Amount"),
                desc=text_of(line, "Desc"),
            )
        )
    invoice = company.add_invoice(
        customer.list_id,
        specs,
        txn_date=read_date(node, "TxnDate"),
        ref_number=_bounded(node, "RefNumber", INVOICE_REF_MAX) or None,
        due_date=read_date(node, "DueDate"),
        memo=text_of(node, "Memo") or None,
    )
    ret = invoice_ret(invoice, company, lines=True, links=False, include=_includes(rq))
    return Response("InvoiceAddRs", OK, [ret])


def _deleted_list_element(company: Company, del_type: str, list_id: str) -> DeletedListElement:
    gone = company.delete(del_type, list_id)
    if not isinstance(gone, DeletedListElement):
        raise RequestFailed(object_not_found(list_id))
    return gone


def _deleted_txn(company: Company, del_type: str, txn_id: str) -> DeletedTxn:
    gone = company.delete(del_type, txn_id)
    if not isinstance(gone, DeletedTxn):
        raise RequestFailed(object_not_found(txn_id))
    return gone


def list_del(ctx: Context, rq: etree._Element) -> Response:
    """``ListDelRq`` for customers, items and every generated list."""
    company = ctx.company
    del_type = text_of(rq, "ListDelType") or ""
    list_id = text_of(rq, "ListID") or ""
    item = company.items.get(list_id)
    try:
        if del_type == "Customer" and list_id in company.customers:
            gone = company.delete_customer(list_id)
        elif item is not None and del_type == list_del_type_for_item(item.kind):
            gone = company.delete_item(list_id)
        elif list_id in company.objects.get(deleted_type_objects().get(del_type, ""), {}):
            gone = _deleted_list_element(company, del_type, list_id)
        else:
            raise RequestFailed(object_not_found(list_id))
    except RecordInUse:
        # No verbatim capture of this refusal exists; 3180 is QuickBooks' generic save error.
        status = save_failed(del_type, "This list element is in use.", action="deleting")
        raise RequestFailed(status) from None
    return Response(
        "ListDelRs",
        OK,
        [
            El("ListDelType", gone.list_del_type),
            El("ListID", gone.list_id),
            El("TimeDeleted", format_datetime(gone.time_deleted)),
            El("FullName", gone.full_name),
        ],
    )


def txn_del(ctx: Context, rq: etree._Element) -> Response:
    """``TxnDelRq`` for invoices, received payments and every generated transaction."""
    company = ctx.company
    del_type = text_of(rq, "TxnDelType") or ""
    txn_id = text_of(rq, "TxnID") or ""
    try:
        if del_type == "Invoice" and txn_id in company.invoices:
            gone = company.delete_invoice(txn_id)
        elif del_type == "ReceivePayment" and txn_id in company.payments:
            gone = company.delete_payment(txn_id)
        elif txn_id in company.objects.get(deleted_type_objects().get(del_type, ""), {}):
            gone = _deleted_txn(company, del_type, txn_id)
            # A deleted deposit's payments wait in Undeposited Funds again.
            for payment in company.payments.values():
                if payment.deposit_txn_id == txn_id:
                    payment.deposit_txn_id = None
        else:
            raise RequestFailed(object_not_found(txn_id))
    except RecordInUse:
        reason = "This transaction has payments applied to it."
        raise RequestFailed(save_failed(del_type, reason, action="deleting")) from None
    children = [
        El("TxnDelType", gone.txn_del_type),
        El("TxnID", gone.txn_id),
        El("TimeDeleted", format_datetime(gone.time_deleted)),
    ]
    if gone.ref_number is not None:
        children.append(El("RefNumber", gone.ref_number))
    return Response("TxnDelRs", OK, children)
