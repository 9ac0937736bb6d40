"""Looking write requests up in the generated writes catalog.

A request is named as qbXML names its aggregate or its request element, in any case:
``ReceivePaymentAdd``, ``ReceivePaymentAddRq`` and ``receivepaymentadd`` are one request,
as are ``TxnVoid`` and ``TxnVoidRq``.
"""

from __future__ import annotations

import difflib

from qwc_service.qbxml.objects.writes_catalog import WRITES
from qwc_service.qbxml.objects.writespecs import WriteKind, WriteSpec

__all__ = [
    "WRITES",
    "WriteKind",
    "all_writes",
    "can_delete",
    "can_void",
    "write_spec",
    "writes_for",
]

_BY_WORD = {spec.name.lower(): spec for spec in WRITES}


def all_writes() -> tuple[WriteSpec, ...]:
    """Every write request: each object's Add and Mod, then TxnVoid, TxnDel and ListDel."""
    return WRITES


def write_spec(request_name: str) -> WriteSpec:
    """The write request ``request_name`` names; KeyError, with the closest names, otherwise."""
    word = request_name.strip().lower()
    spec = _BY_WORD.get(word.removesuffix("rq"))
    if spec is None:
        close = difflib.get_close_matches(word, list(_BY_WORD), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(_BY_WORD[c].name for c in close)}?" if close else ""
        raise KeyError(f"{request_name!r} is not a write request qbXML has{hint}")
    return spec


def writes_for(object_name: str) -> tuple[WriteSpec, ...]:
    """The Add and Mod requests of the registry object ``object_name`` (none for some)."""
    return tuple(spec for spec in WRITES if spec.object == object_name)


def can_void(object_name: str) -> bool:
    """Whether TxnVoidRq takes transactions of ``object_name``."""
    return object_name in write_spec("TxnVoid").types


def can_delete(object_name: str) -> bool:
    """Whether TxnDelRq or ListDelRq takes objects of ``object_name``."""
    return object_name in write_spec("TxnDel").types or object_name in write_spec("ListDel").types
