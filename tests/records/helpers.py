"""Requests for the fake QuickBooks and hand-written responses for the record tests."""

from __future__ import annotations

from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.sync.requests import query_request


def message_set(*bodies: str) -> str:
    """A qbXML 13.0 request message set holding ``bodies``."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
        f'<QBXML><QBXMLMsgsRq onError="stopOnError">{"".join(bodies)}</QBXMLMsgsRq></QBXML>'
    )


def fetch(qb: FakeQuickBooks, record_type: str) -> str:
    """The fake QuickBooks' answer to the query a sync sends for ``record_type``, all in one
    page: every record, with everything the sync asks for (lines, linked transactions)."""
    return qb.process(query_request(record_type, version="13.0", max_returned=1_000_000))


def response(*rs: str) -> str:
    """A response document holding the given ``*Rs`` elements."""
    return (
        f'<?xml version="1.0" ?>\n<QBXML>\n<QBXMLMsgsRs>\n{"".join(rs)}</QBXMLMsgsRs>\n</QBXML>\n'
    )


def query_rs(name: str, *rets: str, attrs: str = "") -> str:
    """A successful ``<name>`` response element holding ``rets``."""
    return (
        f'<{name} statusCode="0" statusSeverity="Info" statusMessage="Status OK"{attrs}>'
        f"{''.join(rets)}</{name}>\n"
    )


def customer_ret(
    list_id: str = "80000001-1400000000",
    name: str = "Ann",
    modified: str = "2014-05-01T10:00:00-08:00",
    edit_sequence: str = "1400000000",
    balance: str = "10.00",
) -> str:
    """A CustomerRet with the fields the store keeps."""
    return (
        f"<CustomerRet><ListID>{list_id}</ListID>"
        "<TimeCreated>2014-01-06T08:00:00-08:00</TimeCreated>"
        f"<TimeModified>{modified}</TimeModified><EditSequence>{edit_sequence}</EditSequence>"
        f"<Name>{name}</Name><FullName>{name}</FullName><IsActive>true</IsActive>"
        f"<Balance>{balance}</Balance><TotalBalance>{balance}</TotalBalance></CustomerRet>"
    )


def invoice_ret(
    txn_id: str = "1A-1400000000",
    modified: str = "2014-05-01T10:00:00-08:00",
    memo: str = "",
    lines: tuple[tuple[str, str], ...] = (("Consulting", "100.00"),),
    edit_sequence: str = "1400000000",
) -> str:
    """An InvoiceRet with one line per (item name, amount)."""
    body = "".join(
        f"<InvoiceLineRet><TxnLineID>{txn_id}-{n}</TxnLineID>"
        f"<ItemRef><ListID>80000009-1400000000</ListID><FullName>{item}</FullName></ItemRef>"
        f"<Quantity>1</Quantity><Rate>{amount}</Rate><Amount>{amount}</Amount></InvoiceLineRet>"
        for n, (item, amount) in enumerate(lines)
    )
    total = sum((float(amount) for _, amount in lines), 0.0)
    memo_xml = f"<Memo>{memo}</Memo>" if memo else ""
    return (
        f"<InvoiceRet><TxnID>{txn_id}</TxnID>"
        "<TimeCreated>2014-01-06T08:00:00-08:00</TimeCreated>"
        f"<TimeModified>{modified}</TimeModified><EditSequence>{edit_sequence}</EditSequence>"
        "<TxnNumber>7</TxnNumber>"
        "<CustomerRef><ListID>80000001-1400000000</ListID><FullName>Ann</FullName></CustomerRef>"
        "<TxnDate>2014-05-01</TxnDate><RefNumber>1007</RefNumber>"
        f"<Subtotal>{total:.2f}</Subtotal><AppliedAmount>0.00</AppliedAmount>"
        f"<BalanceRemaining>{total:.2f}</BalanceRemaining>{memo_xml}<IsPaid>false</IsPaid>"
        f"{body}</InvoiceRet>"
    )
