"""Every job handler, by kind: assembled once by the composition root."""

from __future__ import annotations

from collections.abc import Mapping

from qwc_service.qbwc.handlers.payment import PaymentHandler
from qwc_service.qbwc.handlers.raw import RawHandler
from qwc_service.qbwc.handlers.sync import SyncHandler
from qwc_service.qbwc.jobs import JobHandler
from qwc_service.queue.models import JobKind


def build_handlers() -> Mapping[str, JobHandler]:
    """The handler for each job kind."""
    return {
        JobKind.RAW: RawHandler(),
        JobKind.SYNC: SyncHandler(),
        JobKind.PAYMENT: PaymentHandler(),
    }
