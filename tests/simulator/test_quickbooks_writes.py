"""Add, Mod and Del requests against the fake QuickBooks, with QuickBooks' error answers.

Every response is validated against the qbXML 13.0 schema before it is inspected.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from lxml import etree

from qwc_service.simulator.dataset import Invoice, generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks


@pytest.fixture
def qb(schema: etree.XMLSchema) -> FakeQuickBooks:
    """A fake QuickBooks with the default company, checking requests against the schema."""
    fake = FakeQuickBooks(generate_company(), schema=schema)
    fake.begin_session("TESTBOX")
    return fake


def one(qb: FakeQuickBooks, schema: etree.XMLSchema, body: str) -> etree._Element:
    """Process one request, validate the response, and return its *Rs."""
    request = (
        '<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?>'
        f'<QBXML><QBXMLMsgsRq onError="stopOnError">{body}</QBXMLMsgsRq></QBXML>'
    )
    root = etree.fromstring(qb.process(request).encode("utf-8"))
    assert schema.validate(root), schema.error_log
    (rs,) = root.find("QBXMLMsgsRs")
    return rs


def status(rs: etree._Element) -> tuple[str, str]:
    """(statusCode, statusSeverity) of an *Rs."""
    return rs.get("statusCode", ""), rs.get("statusSeverity", "")


def open_invoice(qb: FakeQuickBooks) -> Invoice:
    """An invoice that still owes money."""
    return next(i for i in qb.company.invoices.values() if i.balance_remaining > 0)


def payment_body(
    invoice: Invoice, amount: str, ref: str = "PAY-77", total: str | None = None
) -> str:
    """A ReceivePaymentAddRq paying ``amount`` against ``invoice``."""
    return (
        '<ReceivePaymentAddRq requestID="p1"><ReceivePaymentAdd>'
        f"<CustomerRef><ListID>{invoice.customer_list_id}</ListID></CustomerRef>"
        f"<TxnDate>2014-10-01</TxnDate><RefNumber>{ref}</RefNumber>"
        f"<TotalAmount>{total or amount}</TotalAmount>"
        "<PaymentMethodRef><FullName>Check</FullName></PaymentMethodRef>"
        "<Memo>Paid via web</Memo>"
        "<DepositToAccountRef><FullName>Undeposited Funds</FullName></DepositToAccountRef>"
        f"<AppliedToTxnAdd><TxnID>{invoice.txn_id}</TxnID><PaymentAmount>{amount}</PaymentAmount>"
        "</AppliedToTxnAdd></ReceivePaymentAdd></ReceivePaymentAddRq>"
    )


def test_customer_add_creates_customer(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """CustomerAddRq answers the new CustomerRet, which a later query finds."""
    rs = one(
        qb,
        schema,
        '<CustomerAddRq requestID="a1"><CustomerAdd><Name>Zoë &amp; Co &lt;West&gt;</Name>'
        "<CompanyName>Zoë &amp; Co</CompanyName><BillAddress><Addr1>1 Elm St</Addr1>"
        "<City>Eugene</City><State>OR</State><PostalCode>97401</PostalCode></BillAddress>"
        "<Phone>(541) 555-0101</Phone><Email>zoe@example.com</Email></CustomerAdd></CustomerAddRq>",
    )
    assert status(rs) == ("0", "Info") and rs.get("requestID") == "a1"
    assert rs.findtext("CustomerRet/Name") == "Zoë & Co <West>"
    assert rs.findtext("CustomerRet/BillAddressBlock/Addr2") == "Eugene, OR 97401"
    list_id = rs.findtext("CustomerRet/ListID")
    assert list_id in qb.company.customers
    found = one(
        qb,
        schema,
        "<CustomerQueryRq><FullName>zoë &amp; co &lt;west&gt;</FullName></CustomerQueryRq>",
    )
    assert found.findtext("CustomerRet/ListID") == list_id


def test_customer_add_existing_name_is_3100(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """Adding a customer whose name is taken answers 3100 with QuickBooks' wording."""
    count = len(qb.company.customers)
    rs = one(
        qb,
        schema,
        "<CustomerAddRq><CustomerAdd><Name>Café Olé</Name></CustomerAdd></CustomerAddRq>",
    )
    assert status(rs) == ("3100", "Error")
    assert rs.get("statusMessage") == 'The name "Café Olé" of the list element is already in use.'
    assert len(rs) == 0 and len(qb.company.customers) == count


def test_customer_add_3100_matches_real_sample_shape(
    qb: FakeQuickBooks, schema: etree.XMLSchema, qbxml_sample: Callable[[str], bytes]
) -> None:
    """The 3100 answer has the same attributes as the captured QuickBooks response."""
    sample = etree.fromstring(
        qbxml_sample("CustomerAddRs-3100-NameInUse-Error-jwachira-quickbooks-sync.xml")
    )
    real = sample.find(".//CustomerAddRs")
    qb.company.add_customer("abc")
    ours = one(
        qb,
        schema,
        '<CustomerAddRq requestID="0"><CustomerAdd><Name>abc</Name></CustomerAdd></CustomerAddRq>',
    )
    assert dict(ours.attrib) == dict(real.attrib)


def test_customer_mod_changes_fields_and_edit_sequence(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """CustomerModRq with the current EditSequence applies changes and bumps it."""
    customer = next(iter(qb.company.customers.values()))
    invoice = next(
        i for i in qb.company.invoices.values() if i.customer_list_id == customer.list_id
    )
    old = customer.edit_sequence
    rs = one(
        qb,
        schema,
        f"<CustomerModRq><CustomerMod><ListID>{customer.list_id}</ListID><EditSequence>{old}"
        "</EditSequence><Name>Renamed Customer</Name><Phone>(415) 555-0100</Phone>"
        "</CustomerMod></CustomerModRq>",
    )
    assert status(rs) == ("0", "Info")
    assert rs.findtext("CustomerRet/Name") == "Renamed Customer"
    assert int(rs.findtext("CustomerRet/EditSequence") or 0) > int(old)
    inv = one(qb, schema, f"<InvoiceQueryRq><TxnID>{invoice.txn_id}</TxnID></InvoiceQueryRq>")
    assert inv.findtext("InvoiceRet/CustomerRef/FullName") == "Renamed Customer"


def test_customer_mod_stale_edit_sequence_is_3200_with_current_ret(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """A stale EditSequence answers 3200 and still carries the current CustomerRet."""
    customer = next(iter(qb.company.customers.values()))
    stale = customer.edit_sequence
    qb.company.touch_customer(customer.list_id)
    rs = one(
        qb,
        schema,
        f'<CustomerModRq requestID="0"><CustomerMod><ListID>{customer.list_id}</ListID>'
        f"<EditSequence>{stale}</EditSequence><Phone>1</Phone></CustomerMod></CustomerModRq>",
    )
    assert status(rs) == ("3200", "Error")
    assert rs.get("statusMessage") == f'The provided edit sequence "{stale}" is out-of-date. '
    assert rs.findtext("CustomerRet/EditSequence") == customer.edit_sequence
    assert customer.phone != "1"


def test_customer_mod_unknown_list_id_is_3120(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """Modifying a ListID that does not exist answers 3120."""
    rs = one(
        qb,
        schema,
        "<CustomerModRq><CustomerMod><ListID>8000001B-1405768916</ListID>"
        "<EditSequence>1</EditSequence></CustomerMod></CustomerModRq>",
    )
    assert status(rs) == ("3120", "Error")
    assert rs.get("statusMessage") == (
        'Object "8000001B-1405768916" specified in the request cannot be found.  QuickBooks '
        "error message: Invalid argument.  The specified record does not exist in the list."
    )


def test_invoice_add(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """InvoiceAddRq creates the invoice with its lines and raises the customer's balance."""
    customer = next(iter(qb.company.customers.values()))
    service = next(i for i in qb.company.items.values() if i.kind == "Service")
    balance = customer.balance
    rs = one(
        qb,
        schema,
        "<InvoiceAddRq><InvoiceAdd>"
        f"<CustomerRef><ListID>{customer.list_id}</ListID></CustomerRef>"
        "<TxnDate>2014-10-01</TxnDate><RefNumber>W-1001</RefNumber>"
        f"<InvoiceLineAdd><ItemRef><ListID>{service.list_id}</ListID></ItemRef>"
        "<Desc>Setup</Desc><Quantity>2</Quantity><Rate>50.00</Rate></InvoiceLineAdd>"
        f"<InvoiceLineAdd><ItemRef><FullName>{service.full_name}</FullName></ItemRef>"
        "<Amount>25.50</Amount></InvoiceLineAdd></InvoiceAdd></InvoiceAddRq>",
    )
    assert status(rs) == ("0", "Info")
    assert rs.findtext("InvoiceRet/Subtotal") == "125.50"
    assert rs.findtext("InvoiceRet/BalanceRemaining") == "125.50"
    assert [e.text for e in rs.findall("InvoiceRet/InvoiceLineRet/Amount")] == ["100.00", "25.50"]
    assert customer.balance == balance + Decimal("125.50")


def test_invoice_add_unknown_customer_is_3140(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """A CustomerRef to nobody answers 3140 and adds nothing."""
    count = len(qb.company.invoices)
    rs = one(
        qb,
        schema,
        "<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Nobody At All</FullName></CustomerRef>"
        "</InvoiceAdd></InvoiceAddRq>",
    )
    assert status(rs) == ("3140", "Error")
    assert 'QuickBooks Customer "Nobody At All"' in (rs.get("statusMessage") or "")
    assert len(qb.company.invoices) == count


def test_receive_payment_add_updates_invoice_and_balance(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """A payment answers ReceivePaymentRet and the invoice and customer reflect it."""
    invoice = open_invoice(qb)
    customer = qb.company.customers[invoice.customer_list_id]
    owed, balance = invoice.balance_remaining, customer.balance
    amount = f"{owed:.2f}"
    rs = one(qb, schema, payment_body(invoice, amount))
    assert status(rs) == ("0", "Info") and rs.get("requestID") == "p1"
    assert rs.findtext("ReceivePaymentRet/AppliedToTxnRet/TxnID") == invoice.txn_id
    assert rs.findtext("ReceivePaymentRet/AppliedToTxnRet/BalanceRemaining") == "0.00"
    assert rs.findtext("ReceivePaymentRet/PaymentMethodRef/FullName") == "Check"
    assert customer.balance == balance - owed
    inv = one(
        qb,
        schema,
        f"<InvoiceQueryRq><TxnID>{invoice.txn_id}</TxnID><IncludeLinkedTxns>true</IncludeLinkedTxns></InvoiceQueryRq>",
    )
    assert inv.findtext("InvoiceRet/IsPaid") == "true"
    assert inv.findtext("InvoiceRet/BalanceRemaining") == "0.00"
    assert inv.findall("InvoiceRet/LinkedTxn/TxnID")[-1].text == rs.findtext(
        "ReceivePaymentRet/TxnID"
    )


def test_overpaying_is_3210_and_writes_nothing(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """Paying more than is due answers 3210; no payment is recorded."""
    invoice = open_invoice(qb)
    too_much = f"{invoice.balance_remaining + Decimal('0.01'):.2f}"
    rs = one(qb, schema, payment_body(invoice, too_much, ref="OVER-1"))
    assert status(rs) == ("3210", "Error")
    assert rs.get("statusMessage") == (
        f'The "AppliedToTxnAdd payment amount" field has an invalid value "{too_much}".  '
        "QuickBooks error message: You cannot pay more than the amount due."
    )
    query = one(
        qb, schema, "<ReceivePaymentQueryRq><RefNumber>OVER-1</RefNumber></ReceivePaymentQueryRq>"
    )
    assert status(query) == ("500", "Warn")


def test_payment_for_unknown_invoice_is_3120(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """Applying a payment to an invoice that does not exist answers 3120."""
    invoice = open_invoice(qb)
    body = payment_body(invoice, "1.00").replace(invoice.txn_id, "FFFF-1234567890")
    rs = one(qb, schema, body)
    assert status(rs) == ("3120", "Error")
    assert '"FFFF-1234567890"' in (rs.get("statusMessage") or "")


def test_written_payment_is_found_by_ref_number(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """After a payment is written, ReceivePaymentQueryRq by RefNumber finds exactly it."""
    invoice = open_invoice(qb)
    added = one(qb, schema, payment_body(invoice, "1.00", ref="WEB-4242"))
    rs = one(
        qb,
        schema,
        "<ReceivePaymentQueryRq><RefNumber>WEB-4242</RefNumber>"
        "<IncludeLineItems>true</IncludeLineItems></ReceivePaymentQueryRq>",
    )
    assert [e.text for e in rs.findall("ReceivePaymentRet/TxnID")] == [
        added.findtext("ReceivePaymentRet/TxnID")
    ]
    assert rs.findtext("ReceivePaymentRet/AppliedToTxnRet/Amount") == "1.00"


def test_unapplied_remainder_is_unused_payment(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """A payment larger than what it applies keeps the rest as UnusedPayment."""
    invoice = open_invoice(qb)
    rs = one(qb, schema, payment_body(invoice, "1.00", total="5.00"))
    assert rs.findtext("ReceivePaymentRet/UnusedPayment") == "4.00"


def test_list_del_customer(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """ListDelRq deletes a customer without transactions; one with invoices is refused."""
    customer = qb.company.add_customer("Delete Me")
    rs = one(
        qb,
        schema,
        f"<ListDelRq><ListDelType>Customer</ListDelType><ListID>{customer.list_id}</ListID></ListDelRq>",
    )
    assert status(rs) == ("0", "Info")
    assert rs.findtext("FullName") == "Delete Me"
    busy = next(iter(qb.company.invoices.values())).customer_list_id
    refused = one(
        qb,
        schema,
        f"<ListDelRq><ListDelType>Customer</ListDelType><ListID>{busy}</ListID></ListDelRq>",
    )
    assert status(refused) == ("3180", "Error")


def test_txn_del_invoice(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """TxnDelRq deletes an unpaid invoice, which TxnDeletedQueryRq then reports."""
    invoice = next(i for i in qb.company.invoices.values() if not i.linked_txns)
    rs = one(
        qb,
        schema,
        f"<TxnDelRq><TxnDelType>Invoice</TxnDelType><TxnID>{invoice.txn_id}</TxnID></TxnDelRq>",
    )
    assert status(rs) == ("0", "Info") and rs.findtext("TxnID") == invoice.txn_id
    deleted = one(
        qb, schema, "<TxnDeletedQueryRq><TxnDelType>Invoice</TxnDelType></TxnDeletedQueryRq>"
    )
    assert deleted.findtext("TxnDeletedRet/TxnID") == invoice.txn_id


def test_auto_apply_pays_oldest_open_invoice_first(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """IsAutoApply applies the payment to the customer's oldest open invoice."""
    invoice = open_invoice(qb)
    oldest = qb.company.open_invoices_for(invoice.customer_list_id)[0]
    rs = one(
        qb,
        schema,
        "<ReceivePaymentAddRq><ReceivePaymentAdd>"
        f"<CustomerRef><ListID>{invoice.customer_list_id}</ListID></CustomerRef>"
        "<TotalAmount>0.50</TotalAmount><IsAutoApply>true</IsAutoApply>"
        "</ReceivePaymentAdd></ReceivePaymentAddRq>",
    )
    assert status(rs) == ("0", "Info")
    assert rs.findtext("ReceivePaymentRet/AppliedToTxnRet/TxnID") == oldest.txn_id
    assert rs.findtext("ReceivePaymentRet/AppliedToTxnRet/Amount") == "0.50"
