"""A fake QuickBooks Desktop: the company file and request processor the simulator talks to."""

from qwc_service.simulator.quickbooks.program import (
    FakeQuickBooks,
    FileIdConflict,
    SessionAlreadyOpen,
    load_qbxml_schema,
)
from qwc_service.simulator.quickbooks.status import (
    CONNECT_HRESULT,
    CONNECT_MESSAGE,
    QbxmlParseError,
    QuickBooksNotRunning,
)

__all__ = [
    "CONNECT_HRESULT",
    "CONNECT_MESSAGE",
    "FakeQuickBooks",
    "FileIdConflict",
    "QbxmlParseError",
    "QuickBooksNotRunning",
    "SessionAlreadyOpen",
    "load_qbxml_schema",
]
