"""Reading QuickBooks' answer to a write, or to the query that looks for one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qwc_service.qbxml.errors import QbxmlError
from qwc_service.qbxml.responses import severity_for_code
from qwc_service.qbxml.xmlsafe import parse_document
from qwc_service.records.documents import document_of as ret_document

__all__ = ["WriteAnswer", "read_rets", "read_write_answer"]

#: The identity elements of a Ret, in the order they are looked for.
ID_ELEMENTS = ("TxnID", "ListID")


@dataclass(frozen=True)
class WriteAnswer:
    """One ``…Rs``: its status, and its Ret as a document when it carries one."""

    status_code: int
    severity: str
    message: str
    ret: dict[str, Any] | None

    @property
    def is_error(self) -> bool:
        """QuickBooks refused the request."""
        return self.severity == "Error"

    @property
    def qb_id(self) -> str | None:
        """The TxnID or ListID of the record the Ret describes."""
        return record_id(self.ret)


def record_id(ret: dict[str, Any] | None) -> str | None:
    """The TxnID or ListID of a Ret document."""
    if ret is None:
        return None
    for name in ID_ELEMENTS:
        value = ret.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def read_write_answer(response: str, rs_name: str) -> WriteAnswer | None:
    """The ``rs_name`` answer in ``response``, None when the set holds none.

    Raises :class:`~qwc_service.qbxml.errors.QbxmlError` when ``response`` is not qbXML.
    """
    for rs in _responses(response):
        if rs.tag != rs_name:
            continue
        code_text = rs.get("statusCode") or "0"
        try:
            code = int(code_text)
        except ValueError:
            raise QbxmlError(f"statusCode {code_text[:20]!r} is not a number") from None
        severity = _severity(rs.get("statusSeverity"), code)
        ret = next(
            (ret_document(c) for c in rs if isinstance(c.tag, str) and c.tag.endswith("Ret")),
            None,
        )
        return WriteAnswer(code, severity, (rs.get("statusMessage") or "").strip(), ret)
    return None


def read_rets(response: str, rs_name: str) -> tuple[int, list[dict[str, Any]]]:
    """The status code of the ``rs_name`` answer and each of its Rets as a document."""
    for rs in _responses(response):
        if rs.tag == rs_name:
            rets = [ret_document(c) for c in rs if isinstance(c.tag, str) and c.tag.endswith("Ret")]
            try:
                return int(rs.get("statusCode") or "0"), rets
            except ValueError:
                raise QbxmlError("statusCode is not a number") from None
    raise QbxmlError(f"the answer holds no {rs_name}")


def _responses(response: str) -> list[Any]:
    root = parse_document(response)
    messages = root.find("QBXMLMsgsRs")
    if messages is None:
        raise QbxmlError("the answer holds no <QBXMLMsgsRs>")
    return [child for child in messages if isinstance(child.tag, str)]


def _severity(given: str | None, code: int) -> str:
    text = (given or "").strip().lower()
    if text.startswith("err"):
        return "Error"
    if text.startswith("warn"):
        return "Warn"
    if text.startswith("info"):
        return "Info"
    return severity_for_code(code)
