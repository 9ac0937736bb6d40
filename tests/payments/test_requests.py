"""The ReceivePaymentAdd and its check query: valid qbXML 13.0, escaped, as the fake reads it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from qwc_service.payments.models import PaymentWrite
from qwc_service.payments.requests import (
    format_amount,
    payment_add_request,
    payment_check_request,
)
from qwc_service.qbxml.requests import schema_errors, validate_request
from qwc_service.qbxml.xmlsafe import parse_document
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.quickbooks.payments import receive_payment


def _write(**changes: object) -> PaymentWrite:
    values: dict[str, object] = {
        "connection_id": "c1",
        "idempotency_key": "key-1",
        "invoice_txn_id": "6-1402052425",
        "customer_list_id": "80000001-1396138263",
        "amount": Decimal("125.50"),
        "txn_date": date(2024, 3, 1),
        "payment_method": "Check",
        "deposit_to_account": "Undeposited Funds",
        "ref_number": "QWCABCDEFGHIJKLM",
        "memo": "Recorded by qwc-service [qwc:0123456789abcdef]",
    }
    values.update(changes)
    return PaymentWrite(**values)


HOSTILE_NAMES = {
    "payment_method": "Cr\u00e9dit & <Caf\u00e9>",
    "deposit_to_account": 'Banque "Soci\u00e9t\u00e9" & Fils <\u00e9pargne>',
    "ref_number": "R&D<1>\u00fc",
    "memo": "Pay\u00e9 \u2014 50% & more <qwc:x> \U0001f600",
}


@pytest.mark.parametrize("changes", [{}, HOSTILE_NAMES, {"payment_method": None, "memo": None}])
def test_add_request_is_valid_qbxml(qbxml_schema: etree.XMLSchema, changes: dict) -> None:
    """The ReceivePaymentAddRq validates against the 13.0 schema, odd names included."""
    text = payment_add_request(_write(**changes))
    assert schema_errors(text, qbxml_schema) == []
    assert validate_request(text).request_names == ("ReceivePaymentAddRq",)


@pytest.mark.parametrize("changes", [{}, {"ref_number": "R&D<1>\u00fc"}])
def test_check_request_is_valid_qbxml(qbxml_schema: etree.XMLSchema, changes: dict) -> None:
    """The ReceivePaymentQueryRq validates against the 13.0 schema."""
    text = payment_check_request(_write(**changes))
    assert schema_errors(text, qbxml_schema) == []
    assert validate_request(text).request_names == ("ReceivePaymentQueryRq",)


def test_names_survive_escaping_as_ascii() -> None:
    """Special and non-ASCII characters travel as references and read back unchanged."""
    text = payment_add_request(_write(**HOSTILE_NAMES))
    assert text.isascii()
    add = parse_document(text).find("QBXMLMsgsRq/ReceivePaymentAddRq/ReceivePaymentAdd")
    assert add.findtext("PaymentMethodRef/FullName") == HOSTILE_NAMES["payment_method"]
    assert add.findtext("DepositToAccountRef/FullName") == HOSTILE_NAMES["deposit_to_account"]
    assert add.findtext("RefNumber") == HOSTILE_NAMES["ref_number"]
    assert add.findtext("Memo") == HOSTILE_NAMES["memo"]


def test_add_request_pays_exactly_the_invoice() -> None:
    """Customer, date, reference, total and the one application carry the write's values."""
    add = parse_document(payment_add_request(_write())).find(
        "QBXMLMsgsRq/ReceivePaymentAddRq/ReceivePaymentAdd"
    )
    assert add.findtext("CustomerRef/ListID") == "80000001-1396138263"
    assert add.findtext("TxnDate") == "2024-03-01"
    assert add.findtext("TotalAmount") == "125.50"
    [applied] = add.findall("AppliedToTxnAdd")
    assert applied.findtext("TxnID") == "6-1402052425"
    assert applied.findtext("PaymentAmount") == "125.50"


def test_requests_are_written_at_the_session_version() -> None:
    """The qbxml processing instruction names the version asked for."""
    assert '<?qbxml version="8.0"?>' in payment_add_request(_write(), version="8.0")
    assert '<?qbxml version="12.0"?>' in payment_check_request(_write(), version="12.0")


def test_amounts_have_two_decimals() -> None:
    """AMTTYPE: two decimals, no exponent."""
    assert format_amount(Decimal("5")) == "5.00"
    assert format_amount(Decimal("1E+3")) == "1000.00"
    assert format_amount(Decimal("0.10")) == "0.10"


def test_fake_quickbooks_records_the_add_and_the_check_finds_it() -> None:
    """Run through the fake QuickBooks, the add records one payment the check then returns."""
    company = generate_company(customers=5, invoices=8, payments=2)
    # QuickBooks refuses a payment method or account it does not have (3140).
    company.payment_method_list_id(HOSTILE_NAMES["payment_method"])
    company.account_list_id(HOSTILE_NAMES["deposit_to_account"])
    quickbooks = FakeQuickBooks(company)
    invoice = next(i for i in company.invoices.values() if i.balance_remaining > 100)
    write = _write(
        invoice_txn_id=invoice.txn_id,
        customer_list_id=invoice.customer_list_id,
        amount=Decimal("100.00"),
        **HOSTILE_NAMES,
    )
    before = invoice.balance_remaining
    assert 'statusCode="1"' in quickbooks.process(payment_check_request(write))
    answer = parse_document(quickbooks.process(payment_add_request(write)))
    assert answer.find(".//ReceivePaymentAddRs").get("statusCode") == "0"
    assert invoice.balance_remaining == before - Decimal("100.00")
    [payment] = company.payments_by_ref(HOSTILE_NAMES["ref_number"])
    assert payment.memo == HOSTILE_NAMES["memo"]
    found = parse_document(quickbooks.process(payment_check_request(write)))
    rets = found.findall(".//ReceivePaymentRet")
    assert [r.findtext("TxnID") for r in rets] == [payment.txn_id]
    assert rets[0].findtext("AppliedToTxnRet/TxnID") == invoice.txn_id


def test_check_ignores_other_customers_payments_with_the_same_reference() -> None:
    """The EntityFilter keeps another customer's payment with our reference out."""
    company = generate_company(customers=5, invoices=8, payments=0)
    quickbooks = FakeQuickBooks(company)
    first, other = list(company.customers)[:2]
    receive_payment(company, other, total_amount=Decimal("1.00"), ref_number="QWCABCDEFGHIJKLM")
    write = _write(customer_list_id=first)
    assert 'statusCode="1"' in quickbooks.process(payment_check_request(write))
