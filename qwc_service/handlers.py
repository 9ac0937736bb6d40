"""Every job handler, by kind: assembled once by the composition root."""

from __future__ import annotations

from collections.abc import Mapping

from qwc_service.payments.handler import PaymentHandler
from qwc_service.queue.handlers import JobHandler
from qwc_service.queue.models import JobKind
from qwc_service.queue.raw import RawHandler
from qwc_service.sync.handler import SyncHandler


def build_handlers() -> Mapping[str, JobHandler]:
    """The handler for each job kind."""
    return {
        JobKind.RAW: RawHandler(),
        JobKind.SYNC: SyncHandler(),
        JobKind.PAYMENT: PaymentHandler(),
    }
