"""Every model, imported in one place so the metadata is complete (Alembic, tests)."""

from qwc_service.connections.models import Connection, Machine
from qwc_service.db import Base
from qwc_service.queue.models import Job, JobStatus
from qwc_service.sessions.clients import ClientVersion
from qwc_service.sessions.models import WcSession

__all__ = ["Base", "ClientVersion", "Connection", "Job", "JobStatus", "Machine", "WcSession"]
