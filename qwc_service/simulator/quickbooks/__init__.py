"""A fake QuickBooks Desktop: the company file and request processor the simulator talks to."""

from qwc_service.simulator.quickbooks.faults import EMPTY_SET, Faults, Loss
from qwc_service.simulator.quickbooks.program import (
    FakeQuickBooks,
    FileIdConflict,
    SessionAlreadyOpen,
    load_qbxml_schema,
)
from qwc_service.simulator.quickbooks.recovery import RecoveryOptions, RecoveryScope, SetStatus
from qwc_service.simulator.quickbooks.status import (
    CONNECT_HRESULT,
    CONNECT_MESSAGE,
    PARSE_ERROR_HRESULT,
    PARSE_ERROR_MESSAGE,
    QbxmlParseError,
    QuickBooksNotRunning,
)

__all__ = [
    "CONNECT_HRESULT",
    "CONNECT_MESSAGE",
    "EMPTY_SET",
    "PARSE_ERROR_HRESULT",
    "PARSE_ERROR_MESSAGE",
    "FakeQuickBooks",
    "Faults",
    "FileIdConflict",
    "Loss",
    "QbxmlParseError",
    "QuickBooksNotRunning",
    "RecoveryOptions",
    "RecoveryScope",
    "SessionAlreadyOpen",
    "SetStatus",
    "load_qbxml_schema",
]
