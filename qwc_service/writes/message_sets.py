"""Message-set IDs and the status check that asks QuickBooks about one.

QuickBooks keeps the answer to a request set sent with ``newMessageSetID`` and gives it
back to a status check (``oldMessageSetID`` = ``newMessageSetID`` = that ID, no requests).
It also keeps a checksum, so one ID must never carry other content: every attempt of a
write gets an ID of its own.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from lxml import etree

from qwc_service.qbxml.errors import QbxmlError
from qwc_service.qbxml.requests import serialize_request
from qwc_service.qbxml.xmlsafe import parse_document

__all__ = [
    "MAX_ID_LENGTH",
    "NOTHING_RUN",
    "NO_RECORD",
    "SetAnswer",
    "new_message_set_id",
    "read_set_answer",
    "status_check_request",
]

#: Intuit's attribute table: both IDs are at most 23 characters.
MAX_ID_LENGTH = 23
#: messageSetStatusCode meaning QuickBooks holds no record of the set: 600 (no cleared
#: state), 9002 (no stored response). Whether it never saw the set or forgot it is not said.
NO_RECORD = frozenset({600, 9002})
#: Codes after which QuickBooks ran nothing of the set: 9001 (the ID's checksum differs),
#: 9004 (the ID is too long).
NOTHING_RUN = frozenset({9001, 9004})
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = _DIGITS[digit] + text
        if number == 0:
            return text


def new_message_set_id(write_id: int, attempt: int) -> str:
    """``W<write id>-<attempt>-<random>``: at most 23 characters, never issued twice.

    The write's id and the attempt make it unique within this database; the random tail
    (at least 40 bits) keeps two databases (a restored backup, a second deployment talking
    to the same company file) from ever handing QuickBooks the same ID for other content.
    """
    head = f"W{_base36(write_id)}-{_base36(attempt)}-"
    room = MAX_ID_LENGTH - len(head)
    if room < 8:
        raise ValueError(f"write {write_id} attempt {attempt} leaves no room for a random part")
    tail = "".join(secrets.choice(_DIGITS) for _ in range(room))
    return head + tail


def status_check_request(message_set_id: str, version: str) -> str:
    """The request set asking QuickBooks what became of ``message_set_id``: no requests."""
    root = etree.Element("QBXML")
    etree.SubElement(
        root,
        "QBXMLMsgsRq",
        onError="stopOnError",
        oldMessageSetID=message_set_id,
        newMessageSetID=message_set_id,
    )
    return serialize_request(root, version)


@dataclass(frozen=True)
class SetAnswer:
    """The recovery attributes of a response set, and whether it holds any ``…Rs``."""

    message_set_id: str | None
    status_code: int | None
    has_responses: bool

    @property
    def no_record(self) -> bool:
        """QuickBooks holds no record of the set (it never saw it, or forgot it)."""
        return self.status_code in NO_RECORD

    @property
    def nothing_run(self) -> bool:
        """QuickBooks refused the set as a whole and ran none of it."""
        return self.status_code in NOTHING_RUN


def read_set_answer(response: str) -> SetAnswer:
    """The ``messageSetStatusCode`` and ``newMessageSetID`` of ``response``.

    Raises :class:`~qwc_service.qbxml.errors.QbxmlError` when it is not a qbXML response.
    """
    root = parse_document(response)
    messages = root.find("QBXMLMsgsRs")
    if messages is None:
        raise QbxmlError("the answer holds no <QBXMLMsgsRs>")
    code = messages.get("messageSetStatusCode")
    try:
        status_code = int(code) if code is not None and code.strip() else None
    except ValueError:
        raise QbxmlError(f"messageSetStatusCode {code[:20]!r} is not a number") from None
    has = any(isinstance(child.tag, str) for child in messages)
    return SetAnswer(messages.get("newMessageSetID"), status_code, has)
