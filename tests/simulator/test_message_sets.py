"""Message-set error recovery in the fake QuickBooks: newMessageSetID, oldMessageSetID and
messageSetStatusCode, with every response validated against the qbXML 13.0 schema."""

from __future__ import annotations

import pytest
from lxml import etree

from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import (
    FakeQuickBooks,
    RecoveryOptions,
    RecoveryScope,
    SetStatus,
)

OWNER = "{57F3B9B6-86F1-4FCC-B1FF-966DE1813D20}"


def document(attrs: str, body: str = "") -> str:
    """A request message set with the given QBXMLMsgsRq attributes."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?>'
        f'<QBXML><QBXMLMsgsRq onError="stopOnError" {attrs}>{body}</QBXMLMsgsRq></QBXML>'
    )


def customer_add(name: str) -> str:
    """A CustomerAddRq for ``name``."""
    return (
        f'<CustomerAddRq requestID="7"><CustomerAdd><Name>{name}</Name></CustomerAdd>'
        "</CustomerAddRq>"
    )


def run(qb: FakeQuickBooks, schema: etree.XMLSchema, text: str) -> etree._Element:
    """Process a set, validate the answer and return its QBXMLMsgsRs."""
    root = etree.fromstring(qb.process(text).encode("utf-8"))
    assert schema.validate(root), schema.error_log
    msgs = root.find("QBXMLMsgsRs")
    assert msgs is not None
    return msgs


def set_code(msgs: etree._Element) -> int | None:
    """messageSetStatusCode as a number, None when absent."""
    code = msgs.get("messageSetStatusCode")
    return None if code is None else int(code)


def make_qb(schema: etree.XMLSchema, **options: object) -> FakeQuickBooks:
    """A small company in a session for application "Shop A"."""
    qb = FakeQuickBooks(
        generate_company(customers=2, invoices=0),
        schema=schema,
        recovery=RecoveryOptions(**options),  # type: ignore[arg-type]
    )
    qb.begin_session("PC-A", OWNER, app_name="Shop A")
    return qb


def customers_named(qb: FakeQuickBooks, name: str) -> int:
    """How many customers carry ``name``."""
    return sum(1 for c in qb.company.customers.values() if c.name == name)


def test_plain_set_carries_no_recovery_attributes(schema: etree.XMLSchema) -> None:
    """Without recovery attributes the response set has neither newMessageSetID nor a code."""
    qb = make_qb(schema)
    msgs = run(qb, schema, document("", customer_add("Plain Co")))
    assert msgs.attrib == {}


def test_write_is_stored_and_the_status_check_returns_it(schema: etree.XMLSchema) -> None:
    """A set sent with newMessageSetID comes back, Ret and all, from the status check."""
    qb = make_qb(schema)
    first = run(qb, schema, document('newMessageSetID="JOB-1-A"', customer_add("Recovered Co")))
    assert (first.get("newMessageSetID"), set_code(first)) == ("JOB-1-A", 0)
    list_id = first.findtext("CustomerAddRs/CustomerRet/ListID")
    check = run(qb, schema, document('oldMessageSetID="JOB-1-A" newMessageSetID="JOB-1-A"'))
    assert (check.get("newMessageSetID"), set_code(check)) == ("JOB-1-A", SetStatus.OK)
    (rs,) = check
    assert (rs.tag, rs.get("statusCode"), rs.get("requestID")) == ("CustomerAddRs", "0", "7")
    assert rs.findtext("CustomerRet/ListID") == list_id
    assert customers_named(qb, "Recovered Co") == 1


def test_same_set_sent_again_is_not_applied_twice(schema: etree.XMLSchema) -> None:
    """The same content under the same newMessageSetID answers the stored response."""
    qb = make_qb(schema)
    text = document('newMessageSetID="JOB-2"', customer_add("Once Co"))
    first = run(qb, schema, text)
    again = run(qb, schema, text)
    assert etree.tostring(again) == etree.tostring(first)
    assert customers_named(qb, "Once Co") == 1


def test_other_content_under_a_stored_id_is_a_checksum_error(schema: etree.XMLSchema) -> None:
    """One ID never carries different content: 9001, and nothing is applied."""
    qb = make_qb(schema)
    run(qb, schema, document('newMessageSetID="JOB-3"', customer_add("First Co")))
    msgs = run(qb, schema, document('newMessageSetID="JOB-3"', customer_add("Second Co")))
    assert set_code(msgs) == SetStatus.INVALID_CHECKSUM and len(msgs) == 0
    assert customers_named(qb, "Second Co") == 0


def test_unknown_set_answers_no_stored_response(schema: etree.XMLSchema) -> None:
    """A status check of a set QuickBooks never saw answers 9002 and no responses."""
    qb = make_qb(schema)
    msgs = run(qb, schema, document('oldMessageSetID="NEVER" newMessageSetID="NEVER"'))
    assert (msgs.get("newMessageSetID"), set_code(msgs), len(msgs)) == ("NEVER", 9002, 0)


def test_forgotten_records_answer_no_stored_response(schema: etree.XMLSchema) -> None:
    """After QuickBooks forgets its records (a restart) the status check answers 9002."""
    qb = make_qb(schema)
    run(qb, schema, document('newMessageSetID="JOB-4"', customer_add("Forgot Co")))
    qb.forget_message_sets()
    msgs = run(qb, schema, document('oldMessageSetID="JOB-4" newMessageSetID="JOB-4"'))
    assert set_code(msgs) == SetStatus.NO_STORED_RESPONSE
    assert customers_named(qb, "Forgot Co") == 1


def test_clear_returns_the_cleared_state_then_600(schema: etree.XMLSchema) -> None:
    """oldMessageSetID alone clears the record: its response once, then 600."""
    qb = make_qb(schema)
    run(qb, schema, document('newMessageSetID="JOB-5"', customer_add("Clear Co")))
    cleared = run(qb, schema, document('oldMessageSetID="JOB-5"'))
    assert (set_code(cleared), cleared.get("newMessageSetID")) == (0, None)
    assert cleared.findtext("CustomerAddRs/CustomerRet/Name") == "Clear Co"
    again = run(qb, schema, document('oldMessageSetID="JOB-5"'))
    assert set_code(again) == SetStatus.NO_CLEARED_STATE and len(again) == 0


def test_clear_all_message_sets(schema: etree.XMLSchema) -> None:
    """ClearAllMessageSets drops every record of the application."""
    qb = make_qb(schema, capacity=5)
    for n in (1, 2):
        run(qb, schema, document(f'newMessageSetID="JOB-6-{n}"', customer_add(f"All {n}")))
    msgs = run(qb, schema, document('oldMessageSetID="ClearAllMessageSets"'))
    assert set_code(msgs) == 0
    assert qb.message_sets.stored_ids(qb.application) == []


def test_a_later_set_replaces_the_only_record(schema: etree.XMLSchema) -> None:
    """With one record per application (the default), the next recovered set evicts it."""
    qb = make_qb(schema)
    run(qb, schema, document('newMessageSetID="JOB-7-1"', customer_add("Seven One")))
    run(qb, schema, document('newMessageSetID="JOB-7-2"', customer_add("Seven Two")))
    lost = run(qb, schema, document('oldMessageSetID="JOB-7-1" newMessageSetID="JOB-7-1"'))
    kept = run(qb, schema, document('oldMessageSetID="JOB-7-2" newMessageSetID="JOB-7-2"'))
    assert (set_code(lost), set_code(kept)) == (9002, 0)


def test_more_records_when_capacity_allows(schema: etree.XMLSchema) -> None:
    """capacity=2 keeps the two latest sets."""
    qb = make_qb(schema, capacity=2)
    for n in (1, 2, 3):
        run(qb, schema, document(f'newMessageSetID="JOB-8-{n}"', customer_add(f"Eight {n}")))
    codes = [
        set_code(
            run(qb, schema, document(f'oldMessageSetID="JOB-8-{n}" newMessageSetID="JOB-8-{n}"'))
        )
        for n in (1, 2, 3)
    ]
    assert codes == [9002, 0, 0]


@pytest.mark.parametrize(
    ("scope", "other_app", "other_owner", "expected"),
    [
        (RecoveryScope.APP_NAME, "Shop B", OWNER, 9002),
        (RecoveryScope.APP_NAME, "Shop A", "{00000000-0000-0000-0000-000000000001}", 0),
        (RecoveryScope.OWNER_ID, "Shop B", OWNER.lower(), 0),
        (RecoveryScope.OWNER_ID, "Shop A", "{00000000-0000-0000-0000-000000000001}", 9002),
        (RecoveryScope.COMPANY, "Shop B", "{00000000-0000-0000-0000-000000000001}", 0),
    ],
)
def test_records_belong_to_the_application(
    schema: etree.XMLSchema, scope: RecoveryScope, other_app: str, other_owner: str, expected: int
) -> None:
    """Another application finds a set only when the scope makes them one application."""
    qb = make_qb(schema, scope=scope)
    run(qb, schema, document('newMessageSetID="JOB-9"', customer_add("Scoped Co")))
    qb.end_session()
    qb.begin_session("PC-B", other_owner, app_name=other_app)
    msgs = run(qb, schema, document('oldMessageSetID="JOB-9" newMessageSetID="JOB-9"'))
    assert set_code(msgs) == expected


def test_stored_response_without_rets(schema: etree.XMLSchema) -> None:
    """keep_rets=False: the status check returns each Rs's status but no Ret."""
    qb = make_qb(schema, keep_rets=False)
    run(qb, schema, document('newMessageSetID="JOB-10"', customer_add("Bare Co")))
    msgs = run(qb, schema, document('oldMessageSetID="JOB-10" newMessageSetID="JOB-10"'))
    (rs,) = msgs
    assert (rs.get("statusCode"), len(rs)) == ("0", 0)


def test_error_response_is_stored_too(schema: etree.XMLSchema) -> None:
    """A write QuickBooks refused is recovered with its error status (3100)."""
    qb = make_qb(schema)
    taken = next(iter(qb.company.customers.values())).name
    run(qb, schema, document('newMessageSetID="JOB-11"', customer_add(taken)))
    msgs = run(qb, schema, document('oldMessageSetID="JOB-11" newMessageSetID="JOB-11"'))
    assert (set_code(msgs), msgs[0].get("statusCode")) == (0, "3100")


def test_too_long_id_is_refused(schema: etree.XMLSchema) -> None:
    """An ID over 23 characters answers 9004 and runs nothing."""
    qb = make_qb(schema)
    long_id = "X" * 24
    msgs = run(qb, schema, document(f'newMessageSetID="{long_id}"', customer_add("Long Co")))
    assert set_code(msgs) == SetStatus.ID_TOO_LONG
    assert customers_named(qb, "Long Co") == 0
    ok = run(qb, schema, document(f'newMessageSetID="{"Y" * 23}"', customer_add("Long Co")))
    assert set_code(ok) == 0
