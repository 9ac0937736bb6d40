"""QuickBooks' ``…Ret`` as a JSON document, in the shape stored records have.

Element names as qbXML spells them, aggregates as objects, leaves as strings, and the
elements that repeat (lines, applied and linked transactions, data extensions) as lists,
even when only one is present.
"""

from __future__ import annotations

from typing import Any

__all__ = ["REPEATING", "ret_document"]

#: Elements of a Ret that may repeat, so are always lists.
REPEATING_SUFFIXES = ("LineRet", "GroupLineRet")
REPEATING = frozenset(
    {
        "AppliedToTxnRet",
        "LinkedTxn",
        "DataExtRet",
        "RefundAppliedToTxnRet",
        "AdditionalContactRef",
        "ContactsRet",
        "ShipToAddress",
        "AdditionalNotesRet",
    }
)


def ret_document(element: Any) -> dict[str, Any]:
    """``element`` (a ``…Ret``) as a document."""
    document: dict[str, Any] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = child.tag
        value: Any = ret_document(child) if len(child) else (child.text or "").strip()
        if name in REPEATING or name.endswith(REPEATING_SUFFIXES):
            document.setdefault(name, []).append(value)
        elif name in document:
            # Repeated though not known to repeat: keep every occurrence.
            previous = document[name]
            document[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            document[name] = value
    return document
