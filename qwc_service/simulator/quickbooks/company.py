"""The simulated company file: records, their indexes, and the changes QuickBooks allows."""

from __future__ import annotations

from qwc_service.simulator.quickbooks.generated import ObjectChanges
from qwc_service.simulator.quickbooks.txns import LineSpec

__all__ = ["Company", "LineSpec"]


class Company(ObjectChanges):
    """One QuickBooks company file, with everything the simulator answers queries from.

    Records live in ``customers``, ``items``, ``invoices`` and ``payments`` (keyed by ListID or
    TxnID), and those of every other registry object in ``objects`` (object name -> ID ->
    ``ObjectRecord``); deletions in ``deleted_list_elements`` and ``deleted_txns``; data
    extensions on the Company object (QBWC's FileID and AppLock) in ``data_extensions``.
    """
