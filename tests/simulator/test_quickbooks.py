"""The fake QuickBooks as a whole: message sets, onError, parse errors, HCP, sessions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import (
    CONNECT_HRESULT,
    FakeQuickBooks,
    FileIdConflict,
    QbxmlParseError,
    QuickBooksNotRunning,
    SessionAlreadyOpen,
)
from qwc_service.simulator.quickbooks.program import HANDLERS
from qwc_service.simulator.quickbooks.status import PARSE_ERROR_HRESULT, PARSE_ERROR_MESSAGE
from tests.reference_files import PREMIER_HCP

OWNER = "{57F3B9B1-86F1-4fcc-B1EE-566DE1813D20}"
FILE_ID = "{90A44FB7-33D9-4815-AC85-BC87A7E7D1EB}"
BAD_MOD = (
    '<CustomerModRq requestID="1"><CustomerMod><ListID>8000FFFF-1234567890</ListID>'
    "<EditSequence>1</EditSequence></CustomerMod></CustomerModRq>"
)
GOOD_QUERY = '<CustomerQueryRq requestID="2"><MaxReturned>1</MaxReturned></CustomerQueryRq>'


@pytest.fixture
def qb(schema: etree.XMLSchema) -> FakeQuickBooks:
    """A fake QuickBooks with the default company, checking requests against the schema."""
    return FakeQuickBooks(generate_company(), schema=schema)


def message_set(*bodies: str, on_error: str = "stopOnError", version: str = "13.0") -> str:
    """A request message set holding ``bodies``."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="{version}"?>\n'
        f'<QBXML><QBXMLMsgsRq onError="{on_error}">{"".join(bodies)}</QBXMLMsgsRq></QBXML>'
    )


def answers(
    qb: FakeQuickBooks, schema: etree.XMLSchema, *bodies: str, on_error: str = "stopOnError"
) -> list[etree._Element]:
    """The validated *Rs elements answering ``bodies``."""
    root = etree.fromstring(qb.process(message_set(*bodies, on_error=on_error)).encode())
    assert schema.validate(root), schema.error_log
    return list(root.find("QBXMLMsgsRs"))


# Minimal requests for every request type the fake carries out (deletions before the
# queries that report them).
MINIMAL_REQUESTS = {
    "HostQueryRq": "<HostQueryRq/>",
    "CompanyQueryRq": "<CompanyQueryRq><OwnerID>{owner}</OwnerID></CompanyQueryRq>",
    "PreferencesQueryRq": "<PreferencesQueryRq/>",
    "CustomerQueryRq": "<CustomerQueryRq><MaxReturned>2</MaxReturned></CustomerQueryRq>",
    "ItemQueryRq": "<ItemQueryRq/>",
    "ItemServiceQueryRq": "<ItemServiceQueryRq/>",
    "ItemNonInventoryQueryRq": "<ItemNonInventoryQueryRq/>",
    "ItemInventoryQueryRq": "<ItemInventoryQueryRq/>",
    "InvoiceQueryRq": "<InvoiceQueryRq><MaxReturned>2</MaxReturned>"
    "<IncludeLineItems>true</IncludeLineItems><IncludeLinkedTxns>true</IncludeLinkedTxns>"
    "</InvoiceQueryRq>",
    "ReceivePaymentQueryRq": "<ReceivePaymentQueryRq><MaxReturned>2</MaxReturned>"
    "<IncludeLineItems>true</IncludeLineItems></ReceivePaymentQueryRq>",
    "CustomerAddRq": "<CustomerAddRq><CustomerAdd><Name>Minimal</Name></CustomerAdd>"
    "</CustomerAddRq>",
    "CustomerModRq": "<CustomerModRq><CustomerMod><ListID>{customer}</ListID>"
    "<EditSequence>{edit_sequence}</EditSequence><Email>x@example.com</Email></CustomerMod>"
    "</CustomerModRq>",
    "InvoiceAddRq": "<InvoiceAddRq><InvoiceAdd><CustomerRef><ListID>{customer}</ListID>"
    "</CustomerRef><InvoiceLineAdd><ItemRef><ListID>{item}</ListID></ItemRef>"
    "<Quantity>1</Quantity></InvoiceLineAdd></InvoiceAdd></InvoiceAddRq>",
    "InvoiceModRq": "<InvoiceModRq><InvoiceMod><TxnID>{invoice}</TxnID><EditSequence>"
    "{invoice_edit_sequence}</EditSequence><Memo>Changed</Memo></InvoiceMod></InvoiceModRq>",
    "TxnVoidRq": "<TxnVoidRq><TxnVoidType>Invoice</TxnVoidType><TxnID>{unpaid}</TxnID></TxnVoidRq>",
    "CreditMemoAddRq": "<CreditMemoAddRq><CreditMemoAdd><CustomerRef><ListID>{customer}</ListID>"
    "</CustomerRef><CreditMemoLineAdd><Desc>Goodwill</Desc><Amount>5.00</Amount>"
    "</CreditMemoLineAdd></CreditMemoAdd></CreditMemoAddRq>",
    "ARRefundCreditCardAddRq": "<ARRefundCreditCardAddRq><ARRefundCreditCardAdd><CustomerRef>"
    "<ListID>{customer}</ListID></CustomerRef><RefundAppliedToTxnAdd><TxnID>{credit}</TxnID>"
    "<RefundAmount>1.00</RefundAmount></RefundAppliedToTxnAdd></ARRefundCreditCardAdd>"
    "</ARRefundCreditCardAddRq>",
    "DepositAddRq": "<DepositAddRq><DepositAdd><DepositToAccountRef><FullName>Checking</FullName>"
    "</DepositToAccountRef><DepositLineAdd><AccountRef><FullName>Sales</FullName></AccountRef>"
    "<Amount>5.00</Amount></DepositLineAdd></DepositAdd></DepositAddRq>",
    "ReceivePaymentAddRq": "<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><ListID>"
    "{customer}</ListID></CustomerRef><TotalAmount>1.00</TotalAmount><IsAutoApply>true"
    "</IsAutoApply></ReceivePaymentAdd></ReceivePaymentAddRq>",
    "ListDelRq": "<ListDelRq><ListDelType>Customer</ListDelType><ListID>{spare}</ListID>"
    "</ListDelRq>",
    "TxnDelRq": "<TxnDelRq><TxnDelType>ReceivePayment</TxnDelType><TxnID>{payment}</TxnID>"
    "</TxnDelRq>",
    "ListDeletedQueryRq": "<ListDeletedQueryRq><ListDelType>Customer</ListDelType>"
    "</ListDeletedQueryRq>",
    "TxnDeletedQueryRq": "<TxnDeletedQueryRq><TxnDelType>ReceivePayment</TxnDelType>"
    "</TxnDeletedQueryRq>",
}


def test_every_supported_request_answers_schema_valid(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """Each request type the fake handles gets a successful, schema-valid response."""
    assert set(MINIMAL_REQUESTS) == set(HANDLERS)
    qb.stamp_file_id(OWNER, FILE_ID)
    company = qb.company
    customer = next(c for c in company.customers.values() if c.balance > 0)
    values = {
        "customer": customer.list_id,
        "edit_sequence": customer.edit_sequence,
        "item": next(iter(company.items)),
        "spare": company.add_customer("Spare").list_id,
        "payment": next(iter(company.payments)),
        "owner": OWNER,
    }
    invoice = next(iter(company.invoices.values()))
    unpaid = next(i for i in company.invoices.values() if not i.linked_txns and i is not invoice)
    values |= {
        "invoice": invoice.txn_id,
        "invoice_edit_sequence": invoice.edit_sequence,
        "unpaid": unpaid.txn_id,
    }
    for tag, body in MINIMAL_REQUESTS.items():
        (rs,) = answers(qb, schema, body.format(**values))
        assert rs.tag == tag[:-2] + "Rs"
        assert rs.get("statusCode") == "0", (tag, rs.get("statusMessage"))
        if tag == "CreditMemoAddRq":
            values["credit"] = rs.findtext("CreditMemoRet/TxnID") or ""


def test_response_prolog_is_quickbooks_style(qb: FakeQuickBooks) -> None:
    """Responses start with <?xml version="1.0" ?> and one element per line."""
    text = qb.process(message_set(GOOD_QUERY))
    assert text.startswith('<?xml version="1.0" ?>\n<QBXML>\n<QBXMLMsgsRs>\n<CustomerQueryRs ')
    assert text.rstrip().endswith("</QBXMLMsgsRs>\n</QBXML>")


def test_request_id_is_echoed_and_absent_when_not_sent(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """Each Rs echoes its Rq's requestID; without one the attribute is absent."""
    first, second = answers(qb, schema, GOOD_QUERY, "<HostQueryRq/>")
    assert first.get("requestID") == "2"
    assert "requestID" not in second.attrib


def test_request_id_over_50_chars_is_1060(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """A requestID longer than 50 characters answers 1060."""
    (rs,) = answers(qb, schema, f'<HostQueryRq requestID="{"x" * 51}"/>')
    assert (rs.get("statusCode"), rs.get("statusSeverity")) == ("1060", "Error")


def test_stop_on_error_stops_after_first_error(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """With stopOnError, requests after an Error get no response."""
    responses = answers(qb, schema, BAD_MOD, GOOD_QUERY, on_error="stopOnError")
    assert [rs.get("statusCode") for rs in responses] == ["3120"]


def test_continue_on_error_answers_every_request(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """With continueOnError, every request gets its own response."""
    responses = answers(qb, schema, BAD_MOD, GOOD_QUERY, on_error="continueOnError")
    assert [rs.get("statusCode") for rs in responses] == ["3120", "0"]
    assert [rs.get("requestID") for rs in responses] == ["1", "2"]


def test_warnings_do_not_stop(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """A 500 warning does not stop a stopOnError message set."""
    missing = "<CustomerQueryRq><FullName>No Such Customer</FullName></CustomerQueryRq>"
    responses = answers(qb, schema, missing, GOOD_QUERY)
    assert [rs.get("statusCode") for rs in responses] == ["500", "0"]


def test_unsupported_request_is_1030(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """A valid qbXML request the fake does not carry out answers 1030, the rest still run."""
    responses = answers(
        qb, schema, '<ToDoQueryRq requestID="v"/>', GOOD_QUERY, on_error="continueOnError"
    )
    assert responses[0].tag == "ToDoQueryRs"
    assert (responses[0].get("statusCode"), responses[0].get("statusSeverity")) == ("1030", "Error")
    assert (
        responses[0].get("statusMessage") == "This request is not supported by this implementation."
    )
    assert responses[1].get("statusCode") == "0"


def test_include_none_returns_status_only(qb: FakeQuickBooks) -> None:
    """responseData="includeNone" answers status attributes without records."""
    request = message_set(GOOD_QUERY).replace(
        'onError="stopOnError"', 'onError="stopOnError" responseData="includeNone"'
    )
    root = etree.fromstring(qb.process(request).encode())
    rs = root.find("QBXMLMsgsRs/CustomerQueryRs")
    assert rs is not None and rs.get("statusCode") == "0" and len(rs) == 0


@pytest.mark.parametrize(
    "request_xml",
    [
        "<QBXML><QBXMLMsgsRq onError='stopOnError'><CustomerQueryRq></QBXMLMsgsRq>",
        "not xml at all",
        '<?xml version="1.0"?><!DOCTYPE QBXML [<!ENTITY x "y">]><?qbxml version="13.0"?>'
        '<QBXML><QBXMLMsgsRq onError="stopOnError"><HostQueryRq/></QBXMLMsgsRq></QBXML>',
        '<QBXML><QBXMLMsgsRq onError="stopOnError"><HostQueryRq/></QBXMLMsgsRq></QBXML>',
        message_set("<HostQueryRq/>", version="14.0"),
        message_set("<HostQueryRq/>", on_error="rollbackOnError"),
        message_set("<FrobnicateRq/>"),
        message_set(
            '<ListDeletedQueryRq iterator="Start"><ListDelType>Customer</ListDelType>'
            "</ListDeletedQueryRq>"
        ),
        message_set(
            "<CustomerAddRq><CustomerAdd><Name>"
            + "N" * 42
            + "</Name></CustomerAdd></CustomerAddRq>"
        ),
    ],
    ids=[
        "not-well-formed",
        "garbage",
        "doctype",
        "no-qbxml-version",
        "unsupported-version",
        "rollback-on-error",
        "unknown-request",
        "iterator-on-non-iterable",
        "name-too-long",
    ],
)
def test_rejected_message_sets_raise_parse_error(request_xml: str) -> None:
    """Message sets QuickBooks cannot take raise QbxmlParseError with HRESULT 0x80040400."""
    qb = FakeQuickBooks(generate_company())
    with pytest.raises(QbxmlParseError) as caught:
        qb.process(request_xml)
    assert caught.value.hresult == PARSE_ERROR_HRESULT == "0x80040400"
    assert caught.value.message == PARSE_ERROR_MESSAGE
    assert (
        PARSE_ERROR_MESSAGE
        == "QuickBooks found an error when parsing the provided XML text stream."
    )


def test_parse_error_changes_nothing(qb: FakeQuickBooks) -> None:
    """A rejected set runs none of its requests, not even the valid ones before the fault."""
    count = len(qb.company.customers)
    bad = message_set(
        "<CustomerAddRq><CustomerAdd><Name>Early Bird</Name></CustomerAdd></CustomerAddRq>",
        "<CustomerAddRq><CustomerAdd><Name>" + "N" * 42 + "</Name></CustomerAdd></CustomerAddRq>",
    )
    with pytest.raises(QbxmlParseError):
        qb.process(bad)
    assert len(qb.company.customers) == count


def test_schema_rejects_wrong_element_order(qb: FakeQuickBooks) -> None:
    """With the schema, elements out of qbXML order fail the set; without it they pass."""
    out_of_order = message_set(
        "<CustomerQueryRq><FromModifiedDate>2014-01-01</FromModifiedDate>"
        "<MaxReturned>1</MaxReturned></CustomerQueryRq>"
    )
    with pytest.raises(QbxmlParseError):
        qb.process(out_of_order)
    lenient = FakeQuickBooks(qb.company)
    assert "<CustomerQueryRs" in lenient.process(out_of_order)


def test_hcp_response_is_valid_and_shaped_like_the_real_one(
    qb: FakeQuickBooks, schema: etree.XMLSchema, qbxml_sample: Callable[[str], bytes]
) -> None:
    """strHCPResponse validates and has the real capture's Rs order and HostRet fields."""
    qb.stamp_file_id(OWNER, FILE_ID)
    text = qb.hcp_response()
    assert text.startswith('<?xml version="1.0" ?>\n<QBXML>\n<QBXMLMsgsRs>\n')
    ours = etree.fromstring(text.encode())
    assert schema.validate(ours), schema.error_log
    real = etree.fromstring(qbxml_sample(PREMIER_HCP))
    shape = [(rs.tag, rs.get("requestID"), rs[0].tag) for rs in ours.find("QBXMLMsgsRs")]
    assert shape == [(rs.tag, rs.get("requestID"), rs[0].tag) for rs in real.find("QBXMLMsgsRs")]
    assert {e.tag for e in ours.find(".//HostRet")} == {e.tag for e in real.find(".//HostRet")}
    versions = [e.text for e in ours.findall(".//HostRet/SupportedQBXMLVersion")]
    assert versions[-1] == "13.0" and "1.0" in versions
    assert ours.findtext(".//HostRet/ProductName") == "QuickBooks Pro 2014"


def test_hcp_carries_file_id_under_owner_id(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """After stamp_file_id the CompanyRet has a FileID DataExtRet under the OwnerID."""
    root = etree.fromstring(qb.hcp_response().encode())
    assert root.find(".//DataExtRet") is None
    qb.stamp_file_id(OWNER, FILE_ID)
    root = etree.fromstring(qb.hcp_response().encode())
    (ext,) = root.findall(".//CompanyRet/DataExtRet")
    assert [(e.tag, e.text) for e in ext] == [
        ("OwnerID", OWNER),
        ("DataExtName", "FileID"),
        ("DataExtType", "STR255TYPE"),
        ("DataExtValue", FILE_ID),
    ]
    assert qb.file_id_for(OWNER.lower()) == FILE_ID


def test_app_lock_follows_the_session(qb: FakeQuickBooks) -> None:
    """begin_session writes LOCKED:<machine>:<ticks>, end_session UNLOCKED:<machine>."""
    qb.stamp_file_id(OWNER, FILE_ID)
    qb.begin_session("FLAMESCA-9A420E")
    lock = qb.company.data_ext(OWNER, "AppLock") or ""
    prefix, machine, ticks = lock.split(":")
    assert (prefix, machine) == ("LOCKED", "FLAMESCA-9A420E") and ticks.isdigit()
    assert len(ticks) == 18
    hcp = etree.fromstring(qb.hcp_response(OWNER).encode())
    names = [e.findtext("DataExtName") for e in hcp.findall(".//CompanyRet/DataExtRet")]
    assert names == ["AppLock", "FileID"]
    qb.end_session()
    assert qb.company.data_ext(OWNER, "AppLock") == "UNLOCKED:FLAMESCA-9A420E"


def test_hcp_for_one_owner_hides_other_owners(qb: FakeQuickBooks) -> None:
    """hcp_response(owner_id) shows only that application's data extensions."""
    other = "{11111111-2222-3333-4444-555555555555}"
    qb.stamp_file_id(OWNER, FILE_ID)
    qb.stamp_file_id(other, "{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}")
    root = etree.fromstring(qb.hcp_response(other).encode())
    assert {e.text for e in root.iter("OwnerID")} == {other}


def test_company_query_returns_data_ext_only_for_asked_owner(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """CompanyQueryRq returns private DataExtRet only for the OwnerIDs it names."""
    qb.stamp_file_id(OWNER, FILE_ID)
    plain, owned = answers(
        qb,
        schema,
        "<CompanyQueryRq/>",
        f"<CompanyQueryRq><OwnerID>{OWNER}</OwnerID></CompanyQueryRq>",
    )
    assert plain.find(".//DataExtRet") is None
    assert owned.findtext(".//DataExtRet/DataExtValue") == FILE_ID


def test_stamping_a_different_file_id_conflicts(qb: FakeQuickBooks) -> None:
    """Another FileID under the same OwnerID is refused; the same one is accepted again."""
    qb.stamp_file_id(OWNER, FILE_ID)
    qb.stamp_file_id(OWNER, FILE_ID.lower())
    with pytest.raises(FileIdConflict):
        qb.stamp_file_id(OWNER, "{00000000-1111-2222-3333-444444444444}")
    qb.remove_file_id(OWNER)
    assert qb.file_id_for(OWNER) is None


def test_not_running_quickbooks_refuses(qb: FakeQuickBooks) -> None:
    """With running False, sessions and requests fail with HRESULT 0x80040408."""
    qb.running = False
    with pytest.raises(QuickBooksNotRunning) as caught:
        qb.begin_session("TESTBOX")
    assert caught.value.hresult == CONNECT_HRESULT == FakeQuickBooks.CONNECT_HRESULT == "0x80040408"
    with pytest.raises(QuickBooksNotRunning):
        qb.process(message_set(GOOD_QUERY))


def test_sessions_run_one_after_another_on_the_same_company(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """What one session writes the next one reads; two sessions at once are refused."""
    qb.begin_session("PC-1")
    with pytest.raises(SessionAlreadyOpen):
        qb.begin_session("PC-2")
    (added,) = answers(
        qb,
        schema,
        "<CustomerAddRq><CustomerAdd><Name>Persisted</Name></CustomerAdd></CustomerAddRq>",
    )
    qb.end_session()
    qb.begin_session("PC-2")
    (found,) = answers(
        qb, schema, "<CustomerQueryRq><FullName>Persisted</FullName></CustomerQueryRq>"
    )
    assert found.findtext("CustomerRet/ListID") == added.findtext("CustomerRet/ListID")
    qb.end_session()
    assert not qb.session_open


def test_qbwc_facing_properties(qb: FakeQuickBooks) -> None:
    """The company file, country and qbXML version QBWC reports come from the company."""
    assert qb.company_file.endswith("\\Acme Widgets.QBW")
    assert qb.company_file.startswith("C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\")
    assert qb.qbxml_version == (13, 0)
    assert qb.country == "US"


def test_app_lock_reuses_the_stamped_owner_spelling(qb: FakeQuickBooks) -> None:
    """An OwnerID in another letter case is the same owner: one AppLock, one FileID."""
    qb.stamp_file_id(OWNER, FILE_ID)
    qb.begin_session("PC-1", OWNER.lower())
    owners = {owner for owner, _ in qb.company.data_extensions}
    assert owners == {OWNER}
    qb.end_session()
