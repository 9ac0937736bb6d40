"""Webhooks: endpoints, events written in the same transaction as their cause, deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from qwc_service.clock import utcnow
from qwc_service.db import Base, UTCDateTime


class WebhookEndpoint(Base):
    """Where events are POSTed, for one API token (all its connections) or one connection."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    # The signing secret is needed in the clear to compute signatures.
    secret: Mapped[str] = mapped_column(String(200))
    api_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE")
    )
    connection_id: Mapped[str | None] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


#: Delivered events, the ones that pile up. A query counting them must use this very text
#: (not a bound parameter) for the planners to match the partial index below.
DELIVERED = text("status = 'delivered'")


class WebhookEvent(Base):
    """The outbox: one event, written with the change that caused it, sent later."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        Index("ix_webhook_events_pending", "status", "next_attempt_at"),
        # A narrow index of delivered events only: /metrics counts them from it alone.
        Index(
            "ix_webhook_events_delivered",
            "id",
            postgresql_where=DELIVERED,
            sqlite_where=DELIVERED,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    connection_id: Mapped[str | None] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker that takes the event leases it, so two senders never post it at once.
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookDelivery(Base):
    """One attempt to deliver an event: what was sent where and what came back."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
