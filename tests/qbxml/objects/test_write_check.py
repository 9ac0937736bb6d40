"""Invalid write fields are refused before anything is built, each problem named by path."""

from __future__ import annotations

from typing import Any

import pytest

from qwc_service.qbxml.objects.write_check import InvalidWrite, ProblemKind, validate_write
from qwc_service.qbxml.objects.write_request import build_write

_PAYMENT: dict[str, Any] = {
    "CustomerRef": {"ListID": "80000001-1"},
    "AppliedToTxnAdd": [{"TxnID": "INV-1", "PaymentAmount": "10.00"}],
}


def _with(**changes: Any) -> dict[str, Any]:
    return {**_PAYMENT, **changes}


def _problems(request: str, fields: dict[str, Any]) -> dict[str, tuple[ProblemKind, str]]:
    return {p.path: (p.kind, p.message) for p in validate_write(request, fields)}


def test_valid_fields_have_no_problems() -> None:
    """The baseline payment is valid, so each case below fails for its one reason."""
    assert validate_write("ReceivePaymentAdd", _PAYMENT) == []


@pytest.mark.parametrize(
    ("fields", "path", "kind", "words"),
    [
        (_with(Memoo="x"), "Memoo", ProblemKind.UNKNOWN_ELEMENT, "did you mean Memo"),
        (
            _with(ListID="1"),
            "ListID",
            ProblemKind.UNKNOWN_ELEMENT,
            "belongs inside CustomerRef",
        ),
        (
            {"AppliedToTxnAdd": _PAYMENT["AppliedToTxnAdd"]},
            "CustomerRef",
            ProblemKind.MISSING,
            "required",
        ),
        (
            _with(AppliedToTxnAdd=[{"PaymentAmount": "1.00"}]),
            "AppliedToTxnAdd[0].TxnID",
            ProblemKind.MISSING,
            "TxnID is required in AppliedToTxnAdd[0]",
        ),
        (
            {"CustomerRef": {"ListID": "1"}},
            "",
            ProblemKind.MISSING,
            "needs IsAutoApply or AppliedToTxnAdd",
        ),
        (_with(CustomerRef={}), "CustomerRef", ProblemKind.MISSING, "ListID or FullName"),
        (
            _with(IsAutoApply=True),
            "",
            ProblemKind.TWO_ALTERNATIVES,
            "IsAutoApply and AppliedToTxnAdd are alternatives",
        ),
        (_with(Memo=["a", "b"]), "Memo", ProblemKind.REPEATED, "only once"),
        (_with(RefNumber="R" * 21), "RefNumber", ProblemKind.TOO_LONG, "more than the 20"),
        (
            _with(AppliedToTxnAdd=[{"TxnID": "1", "PaymentAmount": "1.234"}]),
            "AppliedToTxnAdd[0].PaymentAmount",
            ProblemKind.BAD_VALUE,
            "at most 2 decimal places",
        ),
        (_with(TotalAmount="ten"), "TotalAmount", ProblemKind.BAD_VALUE, "not an amount"),
        (_with(TxnDate="2026-02-30"), "TxnDate", ProblemKind.BAD_VALUE, "not a date"),
        (_with(IsAutoApply="yes"), "IsAutoApply", ProblemKind.BAD_VALUE, "not a boolean"),
        (_with(ExternalGUID="abc"), "ExternalGUID", ProblemKind.BAD_VALUE, "not a GUID"),
        (_with(Memo={"Text": "x"}), "Memo", ProblemKind.WRONG_NESTING, "holds a value"),
        (_with(CustomerRef="Ada"), "CustomerRef", ProblemKind.WRONG_NESTING, "give an object"),
        (_with(Memo=12.5), "Memo", ProblemKind.BAD_VALUE, "expected text"),
        (_with(**{"@useMacro": "x"}), "@useMacro", ProblemKind.UNKNOWN_ELEMENT, "no attribute"),
    ],
)
def test_each_problem_is_named_by_its_path(
    fields: dict[str, Any], path: str, kind: ProblemKind, words: str
) -> None:
    """A bad field is reported at its path, with its kind and a reason a person can act on."""
    problems = _problems("ReceivePaymentAdd", fields)
    assert path in problems, problems
    assert problems[path][0] is kind
    assert words in problems[path][1]


def test_enumerations_integers_and_repeat_limits() -> None:
    """Values outside an enumeration, non-integers, and too many repeats are refused."""
    problems = _problems("TxnVoid", {"TxnVoidType": "Customer", "TxnID": "1"})
    assert problems["TxnVoidType"][0] is ProblemKind.NOT_IN_ENUMERATION
    assert "Invoice" in problems["TxnVoidType"][1]
    contacts = [{"ContactName": f"c{i}", "ContactValue": "v"} for i in range(9)]
    customer = {"Name": "Ada", "AdditionalContactRef": contacts}
    problems = _problems("CustomerAdd", customer)
    assert problems["AdditionalContactRef"][0] is ProblemKind.REPEATED
    assert "at most 8 times" in problems["AdditionalContactRef"][1]


def test_a_deposit_line_is_one_kind_or_the_other() -> None:
    """A deposit line naming a payment and an account mixes two alternatives."""
    line = {"PaymentTxnID": "P-1", "AccountRef": {"FullName": "Fees"}, "Amount": "-1"}
    problems = _problems(
        "DepositAdd", {"DepositToAccountRef": {"FullName": "Bank"}, "DepositLineAdd": [line]}
    )
    assert problems["DepositLineAdd[0]"][0] is ProblemKind.TWO_ALTERNATIVES
    fee_only = {"Amount": "-1"}
    problems = _problems(
        "DepositAdd", {"DepositToAccountRef": {"FullName": "Bank"}, "DepositLineAdd": [fee_only]}
    )
    assert problems["DepositLineAdd[0].AccountRef"][0] is ProblemKind.MISSING


def test_a_mods_edit_sequence_may_be_left_to_the_server() -> None:
    """Without EditSequence a Mod is incomplete, unless the caller says it fills it in."""
    fields = {"ListID": "1", "Email": "a@example.com"}
    assert _problems("CustomerMod", fields)["EditSequence"][0] is ProblemKind.MISSING
    assert validate_write("CustomerMod", fields, allow_missing={"EditSequence"}) == []


def test_an_unknown_request_is_one_problem() -> None:
    """A request qbXML does not have is reported, with the closest names, not raised."""
    (problem,) = validate_write("CustomerAddd", {})
    assert problem.kind is ProblemKind.UNKNOWN_REQUEST
    assert "CustomerAdd" in problem.message
    assert problem.to_payload()["kind"] == "unknown_request"


def test_building_invalid_fields_raises_with_every_problem() -> None:
    """build_write refuses invalid fields with InvalidWrite listing each problem."""
    with pytest.raises(InvalidWrite) as raised:
        build_write("ReceivePaymentAdd", _with(Memoo="x", TotalAmount="ten"))
    paths = [p.path for p in raised.value.problems]
    assert paths == ["Memoo", "TotalAmount"]
    assert "Memoo" in str(raised.value)
    with pytest.raises(InvalidWrite, match="requestID"):
        build_write("ReceivePaymentAdd", _PAYMENT, request_id="x" * 51)


def test_integers_outside_the_schemas_bounds_are_refused() -> None:
    """DayOfMonthDue takes 1 to 31, as the schema says; 32 and 'x' are refused."""
    terms = {"Name": "Net 10th", "DayOfMonthDue": 32, "DueNextMonthDays": "x"}
    problems = _problems("DateDrivenTermsAdd", terms)
    assert problems["DayOfMonthDue"] == (
        ProblemKind.BAD_VALUE,
        "32 is out of range: it must be at least 1 and at most 31",
    )
    assert "not a whole number" in problems["DueNextMonthDays"][1]
    assert (
        validate_write("DateDrivenTermsAdd", {**terms, "DayOfMonthDue": 31, "DueNextMonthDays": 5})
        == []
    )


def test_characters_xml_cannot_carry_are_refused() -> None:
    """A control character in text is a problem at its field, not a crash while building."""
    problems = _problems("ReceivePaymentAdd", _with(Memo="tab\tok, bell\x07 not"))
    assert problems["Memo"] == (ProblemKind.BAD_VALUE, "character U+0007 cannot be written in XML")


def test_a_leaf_object_takes_only_its_value_and_attributes() -> None:
    """``{"value": ..., "@useMacro": ...}`` is a TxnID; any other key makes it an object."""
    good = [{"TxnID": {"value": "1", "@useMacro": "m"}}]
    assert validate_write("ReceivePaymentAdd", _with(AppliedToTxnAdd=good)) == []
    bad = [{"TxnID": {"value": "1", "xuseMacro": "m"}}]
    problems = _problems("ReceivePaymentAdd", _with(AppliedToTxnAdd=bad))
    assert problems["AppliedToTxnAdd[0].TxnID"][0] is ProblemKind.WRONG_NESTING


def test_the_refusal_as_json() -> None:
    """InvalidWrite gives the API and CLI one JSON shape: request, then field/kind/message."""
    with pytest.raises(InvalidWrite) as raised:
        build_write("ReceivePaymentAdd", _with(TotalAmount="ten"))
    assert raised.value.to_payload() == {
        "request": "ReceivePaymentAdd",
        "problems": [
            {
                "field": "TotalAmount",
                "kind": "bad_value",
                "message": "'ten' is not an amount",
            }
        ],
    }
