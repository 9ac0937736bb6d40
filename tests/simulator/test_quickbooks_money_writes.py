"""The writes of a payments connector against the fake QuickBooks: payments with credits and
discounts, deposits with fees, credit memos, card refunds, InvoiceMod and TxnVoid.

Every response is validated against the qbXML 13.0 schema before it is inspected.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from qwc_service.simulator.dataset import Invoice, generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.simulator.test_quickbooks_writes import one, status

GUID = "{6B7F0F2C-0D5E-4C43-9A55-2B0C1D7E9F10}"


@pytest.fixture
def qb(schema: etree.XMLSchema) -> FakeQuickBooks:
    """A company whose first customer owes on two invoices, with a fees and a discounts account."""
    fake = FakeQuickBooks(generate_company(customers=3, invoices=8, payments=0), schema=schema)
    fake.company.account_list_id("Merchant Fees")
    fake.company.account_list_id("Discounts Given")
    fake.begin_session("TESTBOX")
    return fake


def two_invoices(qb: FakeQuickBooks) -> tuple[str, Invoice, Invoice]:
    """A customer and two of its open invoices."""
    for customer_id in qb.company.customers:
        owed = [
            i
            for i in qb.company.invoices.values()
            if i.customer_list_id == customer_id and i.balance_remaining > 10
        ]
        if len(owed) >= 2:
            return customer_id, owed[0], owed[1]
    raise AssertionError("no customer with two open invoices")


def credit_memo(qb: FakeQuickBooks, schema: etree.XMLSchema, customer: str, amount: str) -> str:
    """Add a credit memo of ``amount`` for ``customer``; its TxnID."""
    item = next(iter(qb.company.items.values()))
    rs = one(
        qb,
        schema,
        f"<CreditMemoAddRq><CreditMemoAdd><CustomerRef><ListID>{customer}</ListID></CustomerRef>"
        f"<RefNumber>CM-1</RefNumber><Memo>Refund due</Memo><ExternalGUID>{GUID}</ExternalGUID>"
        f"<CreditMemoLineAdd><ItemRef><ListID>{item.list_id}</ListID></ItemRef>"
        f"<Amount>{amount}</Amount></CreditMemoLineAdd></CreditMemoAdd></CreditMemoAddRq>",
    )
    assert status(rs) == ("0", "Info"), rs.get("statusMessage")
    return rs.findtext("CreditMemoRet/TxnID") or ""


def applied(txn_id: str, amount: str, extra: str = "") -> str:
    """An AppliedToTxnAdd."""
    return (
        f"<AppliedToTxnAdd><TxnID>{txn_id}</TxnID><PaymentAmount>{amount}</PaymentAmount>"
        f"{extra}</AppliedToTxnAdd>"
    )


def payment(customer: str, total: str, *applications: str, head: str = "") -> str:
    """A ReceivePaymentAddRq."""
    return (
        f"<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><ListID>{customer}</ListID>"
        f"</CustomerRef><RefNumber>WEB-1</RefNumber><TotalAmount>{total}</TotalAmount>{head}"
        f"<ExternalGUID>{GUID}</ExternalGUID>{''.join(applications)}"
        "</ReceivePaymentAdd></ReceivePaymentAddRq>"
    )


def money(value: Decimal) -> str:
    """AMTTYPE text."""
    return str(value.quantize(Decimal("0.01")))


def test_payment_on_two_invoices_with_credit_discount_and_overpayment(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """Money, a credit memo and a discount pay one invoice off; the rest pays part of another;
    20.00 over stays as UnusedPayment; balances, credit and TimeModified all follow."""
    customer_id, first, second = two_invoices(qb)
    customer = qb.company.customers[customer_id]
    memo_id = credit_memo(qb, schema, customer_id, "30.00")
    balance_before = customer.balance
    first_sequence = first.edit_sequence
    pay_first = first.balance_remaining - Decimal("35.00")
    pay_second = Decimal("10.00")
    total = pay_first + pay_second + Decimal("20.00")
    credit = (
        f"<SetCredit><CreditTxnID>{memo_id}</CreditTxnID><AppliedAmount>30.00</AppliedAmount>"
        "</SetCredit><DiscountAmount>5.00</DiscountAmount>"
        "<DiscountAccountRef><FullName>Discounts Given</FullName></DiscountAccountRef>"
    )
    head = (
        "<PaymentMethodRef><FullName>Visa</FullName></PaymentMethodRef>"
        "<DepositToAccountRef><FullName>Undeposited Funds</FullName></DepositToAccountRef>"
    )
    second_before = second.balance_remaining
    rs = one(
        qb,
        schema,
        payment(
            customer_id,
            money(total),
            applied(first.txn_id, money(pay_first), credit),
            applied(second.txn_id, money(pay_second)),
            head=head,
        ),
    )
    assert status(rs) == ("0", "Info"), rs.get("statusMessage")
    ret = rs.find("ReceivePaymentRet")
    assert ret is not None
    assert ret.findtext("UnusedPayment") == "20.00"
    assert ret.findtext("ExternalGUID") == GUID
    assert ret.findtext("PaymentMethodRef/FullName") == "Visa"
    assert ret.findtext("DepositToAccountRef/FullName") == "Undeposited Funds"
    first_ret, second_ret = ret.findall("AppliedToTxnRet")
    assert first_ret.findtext("BalanceRemaining") == "0.00"
    assert first_ret.findtext("DiscountAmount") == "5.00"
    assert first_ret.findtext("LinkedTxn/TxnID") == memo_id
    assert second_ret.findtext("BalanceRemaining") == money(second_before - pay_second)
    assert (first.is_paid, first.balance_remaining) == (True, Decimal("0.00"))
    assert first.edit_sequence != first_sequence
    assert customer.balance == balance_before - total - Decimal("5.00")
    memo = one(
        qb,
        schema,
        f"<CreditMemoQueryRq><TxnID>{memo_id}</TxnID>"
        "<IncludeLinkedTxns>true</IncludeLinkedTxns></CreditMemoQueryRq>",
    )
    assert memo.findtext("CreditMemoRet/CreditRemaining") == "0.00"
    assert memo.findtext("CreditMemoRet/LinkedTxn/TxnID") == first.txn_id
    invoice = one(qb, schema, f"<InvoiceQueryRq><TxnID>{first.txn_id}</TxnID></InvoiceQueryRq>")
    assert invoice.findtext("InvoiceRet/IsPaid") == "true"


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("unknown invoice", "3120"),
        ("another customer's invoice", "3120"),
        ("paid invoice", "3120"),
        ("unknown credit memo", "3120"),
        ("unknown payment method", "3140"),
        ("unknown deposit account", "3140"),
        ("unknown discount account", "3140"),
        ("more than owed", "3210"),
        ("more credit than left", "3210"),
        ("applied more than total", "3180"),
    ],
)
def test_refused_payments_change_nothing(
    qb: FakeQuickBooks, schema: etree.XMLSchema, case: str, code: str
) -> None:
    """Each refusal answers its status code, and no payment, balance or credit changes."""
    customer_id, first, _ = two_invoices(qb)
    memo_id = credit_memo(qb, schema, customer_id, "10.00")
    other = next(i for i in qb.company.invoices.values() if i.customer_list_id != customer_id)
    paid_off = qb.company.add_invoice(customer_id, [], memo="nothing owed")
    owed = money(first.balance_remaining)
    discount = "<DiscountAmount>1.00</DiscountAmount><DiscountAccountRef><FullName>{}</FullName>"
    bodies = {
        "unknown invoice": payment(customer_id, "1.00", applied("999-999", "1.00")),
        "another customer's invoice": payment(customer_id, "1.00", applied(other.txn_id, "1.00")),
        "paid invoice": payment(customer_id, "1.00", applied(paid_off.txn_id, "1.00")),
        "unknown credit memo": payment(
            customer_id,
            "1.00",
            applied(
                first.txn_id,
                "1.00",
                "<SetCredit><CreditTxnID>999-9</CreditTxnID><AppliedAmount>1.00</AppliedAmount>"
                "</SetCredit>",
            ),
        ),
        "unknown payment method": payment(
            customer_id,
            "1.00",
            applied(first.txn_id, "1.00"),
            head="<PaymentMethodRef><FullName>Bitcoin</FullName></PaymentMethodRef>",
        ),
        "unknown deposit account": payment(
            customer_id,
            "1.00",
            applied(first.txn_id, "1.00"),
            head="<DepositToAccountRef><FullName>Nowhere</FullName></DepositToAccountRef>",
        ),
        "unknown discount account": payment(
            customer_id,
            "1.00",
            applied(first.txn_id, "1.00", discount.format("Nowhere") + "</DiscountAccountRef>"),
        ),
        "more than owed": payment(
            customer_id,
            owed,
            applied(
                first.txn_id, owed, discount.format("Discounts Given") + "</DiscountAccountRef>"
            ),
        ),
        "more credit than left": payment(
            customer_id,
            "1.00",
            applied(
                first.txn_id,
                "1.00",
                f"<SetCredit><CreditTxnID>{memo_id}</CreditTxnID><AppliedAmount>10.01"
                "</AppliedAmount></SetCredit>",
            ),
        ),
        "applied more than total": payment(customer_id, "1.00", applied(first.txn_id, "2.00")),
    }
    payments = len(qb.company.payments)
    balance = first.balance_remaining
    rs = one(qb, schema, bodies[case])
    assert status(rs) == (code, "Error"), rs.get("statusMessage")
    assert len(rs) == 0
    assert len(qb.company.payments) == payments and first.balance_remaining == balance
    memo = one(qb, schema, f"<CreditMemoQueryRq><TxnID>{memo_id}</TxnID></CreditMemoQueryRq>")
    assert memo.findtext("CreditMemoRet/CreditRemaining") == "10.00"


def paid(qb: FakeQuickBooks, schema: etree.XMLSchema, amount: str, deposit_to: str = "") -> str:
    """Receive a payment of ``amount`` into Undeposited Funds (or ``deposit_to``); its TxnID."""
    customer_id, first, _ = two_invoices(qb)
    head = (
        f"<DepositToAccountRef><FullName>{deposit_to}</FullName></DepositToAccountRef>"
        if deposit_to
        else ""
    )
    rs = one(qb, schema, payment(customer_id, amount, applied(first.txn_id, amount), head=head))
    assert status(rs) == ("0", "Info"), rs.get("statusMessage")
    return rs.findtext("ReceivePaymentRet/TxnID") or ""


def deposit(payments: list[str], fee: str | None, bank: str = "Checking") -> str:
    """A DepositAddRq of ``payments`` into ``bank`` with an optional negative fee line."""
    lines = "".join(
        f"<DepositLineAdd><PaymentTxnID>{txn_id}</PaymentTxnID></DepositLineAdd>"
        for txn_id in payments
    )
    if fee is not None:
        lines += (
            "<DepositLineAdd><AccountRef><FullName>Merchant Fees</FullName></AccountRef>"
            f"<Memo>Processing fee</Memo><Amount>-{fee}</Amount></DepositLineAdd>"
        )
    return (
        "<DepositAddRq><DepositAdd><TxnDate>2014-10-03</TxnDate><DepositToAccountRef>"
        f"<FullName>{bank}</FullName></DepositToAccountRef><Memo>Payout 42</Memo>"
        f"<ExternalGUID>{GUID}</ExternalGUID>{lines}</DepositAdd></DepositAddRq>"
    )


def test_payout_deposit_equals_payments_minus_fee(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """A DepositAdd moves payments out of Undeposited Funds; its total is payments minus fee."""
    first, second = paid(qb, schema, "40.00"), paid(qb, schema, "25.50")
    rs = one(qb, schema, deposit([first, second], "2.15"))
    assert status(rs) == ("0", "Info"), rs.get("statusMessage")
    ret = rs.find("DepositRet")
    assert ret is not None
    assert ret.findtext("DepositTotal") == "63.35"
    assert ret.findtext("DepositToAccountRef/FullName") == "Checking"
    assert ret.findtext("ExternalGUID") == GUID
    lines = ret.findall("DepositLineRet")
    assert [line.findtext("TxnID") for line in lines] == [first, second, None]
    assert [line.findtext("AccountRef/FullName") for line in lines] == [
        "Undeposited Funds",
        "Undeposited Funds",
        "Merchant Fees",
    ]
    assert qb.company.payments[first].deposit_txn_id == ret.findtext("TxnID")
    again = one(qb, schema, deposit([first], None))
    assert status(again) == ("3120", "Error")
    found = one(
        qb, schema, "<DepositQueryRq><IncludeLineItems>true</IncludeLineItems></DepositQueryRq>"
    )
    assert [r.findtext("DepositTotal") for r in found] == ["63.35"]


def test_deposit_refusals(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """Unknown payment or one not in Undeposited Funds: 3120; unknown account: 3140;
    a negative total: 3180; nothing is deposited."""
    in_checking = paid(qb, schema, "5.00", deposit_to="Checking")
    waiting = paid(qb, schema, "5.00")
    cases = [
        (deposit(["999-1"], None), "3120"),
        (deposit([in_checking], None), "3120"),
        (deposit([waiting], None, bank="Nowhere"), "3140"),
        (deposit([waiting], "6.00"), "3180"),
    ]
    for body, code in cases:
        rs = one(qb, schema, body)
        assert status(rs) == (code, "Error"), body
    assert qb.company.payments[waiting].deposit_txn_id is None
    assert not qb.company.objects["Deposit"]


def test_credit_memo_add(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """A credit memo lowers the customer's balance; its whole total is credit remaining."""
    customer_id, _, _ = two_invoices(qb)
    customer = qb.company.customers[customer_id]
    before = customer.balance
    memo_id = credit_memo(qb, schema, customer_id, "12.34")
    rs = one(
        qb,
        schema,
        f"<CreditMemoQueryRq><TxnID>{memo_id}</TxnID><IncludeLineItems>true</IncludeLineItems>"
        "</CreditMemoQueryRq>",
    )
    ret = rs.find("CreditMemoRet")
    assert ret is not None
    assert (ret.findtext("TotalAmount"), ret.findtext("CreditRemaining")) == ("12.34", "12.34")
    assert ret.findtext("ExternalGUID") == GUID
    assert ret.findtext("CreditMemoLineRet/Amount") == "12.34"
    assert customer.balance == before - Decimal("12.34")
    bad = one(
        qb,
        schema,
        f"<CreditMemoAddRq><CreditMemoAdd><CustomerRef><ListID>{customer_id}</ListID>"
        "</CustomerRef><CreditMemoLineAdd><ItemRef><FullName>No Such Item</FullName></ItemRef>"
        "<Amount>1.00</Amount></CreditMemoLineAdd></CreditMemoAdd></CreditMemoAddRq>",
    )
    assert status(bad) == ("3140", "Error")


def refund(customer: str, *targets: tuple[str, str]) -> str:
    """An ARRefundCreditCardAddRq."""
    applied_to = "".join(
        f"<RefundAppliedToTxnAdd><TxnID>{txn_id}</TxnID><RefundAmount>{amount}</RefundAmount>"
        "</RefundAppliedToTxnAdd>"
        for txn_id, amount in targets
    )
    return (
        f"<ARRefundCreditCardAddRq><ARRefundCreditCardAdd><CustomerRef><ListID>{customer}"
        "</ListID></CustomerRef><RefundFromAccountRef><FullName>Checking</FullName>"
        "</RefundFromAccountRef><PaymentMethodRef><FullName>Visa</FullName></PaymentMethodRef>"
        f"<ExternalGUID>{GUID}</ExternalGUID>{applied_to}"
        "</ARRefundCreditCardAdd></ARRefundCreditCardAddRq>"
    )


def test_card_refund_of_credit_memo_and_unused_payment(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """A refund takes credit off a credit memo and unused money off a payment."""
    customer_id, first, _ = two_invoices(qb)
    memo_id = credit_memo(qb, schema, customer_id, "30.00")
    over = one(qb, schema, payment(customer_id, "15.00", applied(first.txn_id, "5.00")))
    payment_id = over.findtext("ReceivePaymentRet/TxnID") or ""
    customer = qb.company.customers[customer_id]
    before = customer.balance
    rs = one(qb, schema, refund(customer_id, (memo_id, "12.00"), (payment_id, "10.00")))
    assert status(rs) == ("0", "Info"), rs.get("statusMessage")
    ret = rs.find("ARRefundCreditCardRet")
    assert ret is not None
    assert ret.findtext("TotalAmount") == "22.00"
    assert [a.findtext("CreditRemaining") for a in ret.findall("RefundAppliedToTxnRet")] == [
        "18.00",
        "0.00",
    ]
    assert customer.balance == before + Decimal("22.00")
    assert qb.company.payments[payment_id].unused_payment == Decimal("0.00")
    too_much = one(qb, schema, refund(customer_id, (memo_id, "18.01")))
    unknown = one(qb, schema, refund(customer_id, ("999-3", "1.00")))
    assert (status(too_much), status(unknown)) == (("3210", "Error"), ("3120", "Error"))


def test_customer_name_shared_with_a_vendor_is_3100(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """Customers and vendors share names: adding or renaming to a vendor's name answers 3100."""
    vendor = qb.company.add_object("Vendor", name="Shared Name Supply")
    rs = one(
        qb,
        schema,
        f"<CustomerAddRq><CustomerAdd><Name>{vendor.full_name}</Name></CustomerAdd>"
        "</CustomerAddRq>",
    )
    assert status(rs) == ("3100", "Error")
    customer = next(iter(qb.company.customers.values()))
    rs = one(
        qb,
        schema,
        f"<CustomerModRq><CustomerMod><ListID>{customer.list_id}</ListID><EditSequence>"
        f"{customer.edit_sequence}</EditSequence><Name>shared name supply</Name></CustomerMod>"
        "</CustomerModRq>",
    )
    assert status(rs) == ("3100", "Error")


def test_customer_add_keeps_external_guid(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """CustomerAdd's ExternalGUID comes back in the Ret and in later queries."""
    rs = one(
        qb,
        schema,
        f"<CustomerAddRq><CustomerAdd><Name>Guid Payer</Name><ExternalGUID>{GUID}</ExternalGUID>"
        "</CustomerAdd></CustomerAddRq>",
    )
    assert rs.findtext("CustomerRet/ExternalGUID") == GUID
    found = one(qb, schema, "<CustomerQueryRq><FullName>Guid Payer</FullName></CustomerQueryRq>")
    assert found.findtext("CustomerRet/ExternalGUID") == GUID


def invoice_mod(invoice: Invoice, edit_sequence: str, lines: str) -> str:
    """An InvoiceModRq."""
    return (
        f"<InvoiceModRq><InvoiceMod><TxnID>{invoice.txn_id}</TxnID><EditSequence>"
        f"{edit_sequence}</EditSequence><Memo>Convenience fee added</Memo>{lines}"
        "</InvoiceMod></InvoiceModRq>"
    )


def fee_line(item_id: str) -> str:
    """An InvoiceLineMod adding a 2.50 fee line."""
    return (
        f"<InvoiceLineMod><TxnLineID>-1</TxnLineID><ItemRef><ListID>{item_id}</ListID></ItemRef>"
        "<Desc>Convenience fee</Desc><Amount>2.50</Amount></InvoiceLineMod>"
    )


def test_invoice_mod_adds_a_line_and_keeps_listed_ones(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """Listing every existing TxnLineID and a -1 line adds a fee and keeps the rest."""
    _, invoice, _ = two_invoices(qb)
    item = next(iter(qb.company.items.values()))
    keep = "".join(
        f"<InvoiceLineMod><TxnLineID>{line.txn_line_id}</TxnLineID></InvoiceLineMod>"
        for line in invoice.lines
    )
    count, subtotal, owed = len(invoice.lines), invoice.subtotal, invoice.balance_remaining
    rs = one(qb, schema, invoice_mod(invoice, invoice.edit_sequence, keep + fee_line(item.list_id)))
    assert status(rs) == ("0", "Info"), rs.get("statusMessage")
    lines = rs.findall("InvoiceRet/InvoiceLineRet")
    assert len(lines) == count + 1 and lines[-1].findtext("Desc") == "Convenience fee"
    assert rs.findtext("InvoiceRet/Subtotal") == money(subtotal + Decimal("2.50"))
    assert invoice.balance_remaining == owed + Decimal("2.50")
    assert invoice.memo == "Convenience fee added"


def test_invoice_mod_deletes_lines_it_does_not_list(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """A Mod that lists only the new line leaves the invoice with that line alone."""
    invoice = next(
        i for i in qb.company.invoices.values() if len(i.lines) > 1 and not i.linked_txns
    )
    item = next(iter(qb.company.items.values()))
    rs = one(qb, schema, invoice_mod(invoice, invoice.edit_sequence, fee_line(item.list_id)))
    assert status(rs) == ("0", "Info"), rs.get("statusMessage")
    assert [line.findtext("Amount") for line in rs.findall("InvoiceRet/InvoiceLineRet")] == ["2.50"]
    assert invoice.subtotal == Decimal("2.50")


def test_invoice_mod_refusals(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """Stale EditSequence: 3200 with the current InvoiceRet; unknown line: 3120."""
    _, invoice, _ = two_invoices(qb)
    current = invoice.edit_sequence
    stale = one(qb, schema, invoice_mod(invoice, "1", ""))
    assert status(stale) == ("3200", "Error")
    assert stale.findtext("InvoiceRet/EditSequence") == current
    unknown = one(
        qb,
        schema,
        invoice_mod(
            invoice, current, "<InvoiceLineMod><TxnLineID>FFFF-1</TxnLineID></InvoiceLineMod>"
        ),
    )
    assert status(unknown) == ("3120", "Error")
    assert invoice.edit_sequence == current


def void(void_type: str, txn_id: str) -> str:
    """A TxnVoidRq."""
    return f"<TxnVoidRq><TxnVoidType>{void_type}</TxnVoidType><TxnID>{txn_id}</TxnID></TxnVoidRq>"


def test_txn_void_deposit_returns_its_payments(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """Voiding a deposit zeroes it and its payments can be deposited again."""
    waiting = paid(qb, schema, "9.00")
    rs = one(qb, schema, deposit([waiting], None))
    deposit_id = rs.findtext("DepositRet/TxnID") or ""
    voided = one(qb, schema, void("Deposit", deposit_id))
    assert status(voided) == ("0", "Info") and voided.findtext("TxnID") == deposit_id
    found = one(qb, schema, f"<DepositQueryRq><TxnID>{deposit_id}</TxnID></DepositQueryRq>")
    assert found.findtext("DepositRet/DepositTotal") == "0.00"
    assert (found.findtext("DepositRet/Memo") or "").startswith("VOID:")
    assert status(one(qb, schema, deposit([waiting], None))) == ("0", "Info")


def test_txn_void_invoice_and_credit_memo(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """An unpaid invoice voids to zero; a used credit memo and an unknown TxnID are refused."""
    customer_id, first, _ = two_invoices(qb)
    unpaid = next(i for i in qb.company.invoices.values() if not i.linked_txns)
    assert status(one(qb, schema, void("Invoice", unpaid.txn_id))) == ("0", "Info")
    assert (unpaid.subtotal, unpaid.balance_remaining) == (Decimal("0.00"), Decimal("0.00"))
    memo_id = credit_memo(qb, schema, customer_id, "3.00")
    credit = (
        f"<SetCredit><CreditTxnID>{memo_id}</CreditTxnID><AppliedAmount>1.00</AppliedAmount>"
        "</SetCredit>"
    )
    one(qb, schema, payment(customer_id, "1.00", applied(first.txn_id, "1.00", credit)))
    assert status(one(qb, schema, void("CreditMemo", memo_id))) == ("3180", "Error")
    assert status(one(qb, schema, void("Invoice", "999-9"))) == ("3120", "Error")


@pytest.mark.parametrize("changes", [True, False])
def test_payment_and_invoice_edit_sequence(
    qb: FakeQuickBooks, schema: etree.XMLSchema, changes: bool
) -> None:
    """A payment moves the invoice's TimeModified; its EditSequence only when the knob says."""
    qb.company.links_change_edit_sequence = changes
    customer_id, first, _ = two_invoices(qb)
    sequence, modified = first.edit_sequence, first.time_modified
    one(qb, schema, payment(customer_id, "1.00", applied(first.txn_id, "1.00")))
    assert first.time_modified > modified
    assert (first.edit_sequence != sequence) is changes


def test_deleting_a_deposit_returns_its_payments(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """TxnDel of a deposit puts its payments back in Undeposited Funds."""
    waiting = paid(qb, schema, "4.00")
    deposit_id = one(qb, schema, deposit([waiting], None)).findtext("DepositRet/TxnID")
    gone = one(
        qb,
        schema,
        f"<TxnDelRq><TxnDelType>Deposit</TxnDelType><TxnID>{deposit_id}</TxnID></TxnDelRq>",
    )
    assert status(gone) == ("0", "Info")
    assert qb.company.payments[waiting].deposit_txn_id is None
