"""Status codes and HRESULTs the fake QuickBooks answers with, worded as QuickBooks words them.

Messages come from real captures where one exists (3100, 3120, 3200, 3210, 3391, 500, 1) and
from Intuit's status-code table otherwise (1030, 1060, 3020, 3030, 531); the few without any
verbatim source (3140 for items, 3180) follow the pattern of the captured ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from qwc_service.simulator.quickbooks.records import format_amount

PARSE_ERROR_HRESULT = "0x80040400"
PARSE_ERROR_MESSAGE = "QuickBooks found an error when parsing the provided XML text stream."
# What connectionError carries when QuickBooks is not running / the file is not open.
CONNECT_HRESULT = "0x80040408"
CONNECT_MESSAGE = "Could not start QuickBooks."

NOT_IN_LIST = (
    "QuickBooks error message: Invalid argument.  The specified record does not exist in the list."
)


@dataclass(frozen=True)
class Status:
    """The three status attributes of one ``*Rs`` element."""

    code: int
    severity: str
    message: str

    @property
    def is_error(self) -> bool:
        """Whether ``stopOnError`` stops after this response (warnings do not)."""
        return self.severity == "Error"


class QbxmlParseError(Exception):
    """The request message set was rejected as a whole (receiveResponseXML gets an HRESULT)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{PARSE_ERROR_MESSAGE} ({detail})")
        self.hresult = PARSE_ERROR_HRESULT
        self.message = PARSE_ERROR_MESSAGE
        self.detail = detail


class QuickBooksNotRunning(Exception):
    """QuickBooks is not running or has no company file open."""

    def __init__(self) -> None:
        super().__init__(CONNECT_MESSAGE)
        self.hresult = CONNECT_HRESULT
        self.message = CONNECT_MESSAGE


class RequestFailed(Exception):
    """Raised inside a request handler: the request gets ``status`` (and maybe a Ret)."""

    def __init__(self, status: Status) -> None:
        super().__init__(status.message)
        self.status = status


OK = Status(0, "Info", "Status OK")
NO_MATCH = Status(1, "Info", "A query request did not find a matching object in QuickBooks")
# Intuit's table: 1030 "Unsupported message". This is the code for a well-formed request
# this implementation does not carry out; 2000-2999 are QBOE sign-on codes and 3250 means a
# feature switched off in the company file, neither of which describes it.
UNSUPPORTED_REQUEST = Status(1030, "Error", "This request is not supported by this implementation.")
INVALID_DATE_RANGE = Status(3030, "Error", "Invalid date range: From date is greater than To date.")


def element_not_found(value: str) -> Status:
    """500: a ListID/FullName/TxnID/RefNumber asked for does not exist (the whole Rs fails)."""
    return Status(
        500,
        "Warn",
        "The query request has not been fully completed. There was a required element "
        f'("{value}") that could not be found in QuickBooks.',
    )


def unsupported_enum(value: str, field: str) -> Status:
    """531: the request is processed but one enum value was ignored."""
    return Status(
        531,
        "Warn",
        f'The enum value "{value}" in the field "{field}" is not supported by this implementation.',
    )


def invalid_request_id(request_id: str) -> Status:
    """1060: requestID longer than 50 characters."""
    return Status(
        1060,
        "Error",
        f'The request ID "{request_id}" is invalid, possibly too long, max 50 chars.',
    )


def invalid_date(value: str, field: str) -> Status:
    """3020: a date that matches the schema's pattern but is not a date."""
    return Status(
        3020,
        "Error",
        f'There was an error when converting the date value "{value}" in the field "{field}".',
    )


def name_in_use(name: str) -> Status:
    """3100: another list element has this name."""
    return Status(3100, "Error", f'The name "{name}" of the list element is already in use.')


def object_not_found(ref: str) -> Status:
    """3120: the ListID/TxnID a Mod, Del or payment refers to does not exist."""
    return Status(
        3120, "Error", f'Object "{ref}" specified in the request cannot be found.  {NOT_IN_LIST}'
    )


def invalid_reference(kind: str, ref: str, where: str) -> Status:
    """3140: a reference (CustomerRef, ItemRef) names a record that does not exist."""
    return Status(
        3140,
        "Error",
        f'There is an invalid reference to QuickBooks {kind} "{ref}" in the {where}.'
        f"  {NOT_IN_LIST}",
    )


def save_failed(obj: str, reason: str, action: str = "saving") -> Status:
    """3180: QuickBooks refused to save or delete an object for a business reason."""
    return Status(
        3180,
        "Error",
        f"There was an error when {action} a {obj}.  QuickBooks error message: {reason}",
    )


def edit_sequence_out_of_date(edit_sequence: str) -> Status:
    """3200: stale EditSequence (the trailing space is in the real message)."""
    return Status(3200, "Error", f'The provided edit sequence "{edit_sequence}" is out-of-date. ')


def payment_exceeds_due(amount: Decimal) -> Status:
    """3210: more applied to an invoice than it still owes."""
    return Status(
        3210,
        "Error",
        'The "AppliedToTxnAdd payment amount" field has an invalid value '
        f'"{format_amount(amount)}".  '
        "QuickBooks error message: You cannot pay more than the amount due.",
    )


def invalid_iterator(iterator_id: str) -> Status:
    """3391: unknown, finished or expired iteratorID."""
    return Status(3391, "Error", f'The iteratorID "{iterator_id}" is not valid.')


def invalid_field_value(field: str, value: str, reason: str) -> Status:
    """3210: a field's value QuickBooks refuses, with its reason (3210's general form)."""
    return Status(
        3210,
        "Error",
        f'The "{field}" field has an invalid value "{value}".  QuickBooks error message: {reason}',
    )


def record_locked(code: int, request: str) -> Status:
    """3170/3175/3180: the record is in use or locked by another user; nothing was saved.

    No verbatim capture exists; the wording follows the captured "error when saving" messages.
    """
    action = "modifying" if request.endswith("Mod") else "saving"
    reasons = {
        3170: "This record is in use by another user.",
        3175: "This record is locked by another user.",
        3180: "Cannot save because another user is editing this record.",
    }
    obj = request.removesuffix("Add").removesuffix("Mod").removesuffix("Del")
    return Status(
        code,
        "Error",
        f"There was an error when {action} a {obj}.  QuickBooks error message: {reasons[code]}",
    )


def feature_disabled(request: str) -> Status:
    """3250: the feature the request needs is switched off in this company file."""
    return Status(
        3250,
        "Error",
        f"This feature is not enabled or not available in this version of QuickBooks. ({request})",
    )
