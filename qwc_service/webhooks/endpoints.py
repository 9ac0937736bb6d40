"""Webhook endpoints: where events go, for one connection or for everything an API token sees."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qwc_service.clock import utcnow
from qwc_service.connections.queries import get_connection
from qwc_service.tokens.models import ApiToken
from qwc_service.webhooks.events import list_events
from qwc_service.webhooks.models import WebhookEndpoint, WebhookEvent

SECRET_PREFIX = "whsec_"


class EndpointNotFound(LookupError):
    """No active webhook endpoint has this id."""

    def __init__(self, endpoint_id: int) -> None:
        super().__init__(f"no webhook endpoint {endpoint_id}")


class ApiTokenNotFound(LookupError):
    """No live (unrevoked) API token has this id."""

    def __init__(self, token_id: int) -> None:
        super().__init__(f"no API token {token_id}")


class InvalidWebhookUrl(ValueError):
    """The URL is not an absolute http(s) URL a POST can be sent to."""


@dataclass(frozen=True)
class CreatedEndpoint:
    """A new endpoint and its signing secret (shown once, to give to the receiver)."""

    endpoint: WebhookEndpoint
    secret: str


def new_secret() -> str:
    """A fresh signing secret: 256 random bits, URL-safe, with a recognisable prefix."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def check_url(url: str) -> str:
    """``url`` stripped, or InvalidWebhookUrl when it is not absolute http(s) with a host."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidWebhookUrl(f"a webhook URL must be an absolute http(s) URL, not {url!r}")
    if parts.username or parts.password:
        raise InvalidWebhookUrl("a webhook URL must not carry credentials; events are signed")
    if len(url) > 2000:
        raise InvalidWebhookUrl("a webhook URL must be at most 2000 characters")
    return url


def add_endpoint(
    db: Session,
    url: str,
    *,
    connection_id: str | None = None,
    api_token_id: int | None = None,
) -> CreatedEndpoint:
    """Register ``url`` for one connection's events, or for every event an API token sees.

    Exactly one of ``connection_id`` and ``api_token_id`` is given. The secret is returned
    here and is readable later only from the database.
    """
    if (connection_id is None) == (api_token_id is None):
        raise ValueError("give exactly one of a connection and an API token")
    url = check_url(url)
    if connection_id is not None:
        get_connection(db, connection_id)
    if api_token_id is not None:
        token = db.get(ApiToken, api_token_id)
        if token is None or token.revoked_at is not None:
            raise ApiTokenNotFound(api_token_id)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        url=url, secret=secret, connection_id=connection_id, api_token_id=api_token_id
    )
    db.add(endpoint)
    db.flush()
    return CreatedEndpoint(endpoint, secret)


def list_endpoints(db: Session, *, include_removed: bool = False) -> list[WebhookEndpoint]:
    """Endpoints in the order they were added; removed ones only when asked."""
    query = select(WebhookEndpoint).order_by(WebhookEndpoint.id)
    if not include_removed:
        query = query.where(WebhookEndpoint.disabled_at.is_(None))
    return list(db.scalars(query))


def get_endpoint(
    db: Session, endpoint_id: int, *, include_removed: bool = False
) -> WebhookEndpoint:
    """An active endpoint (or a removed one too, when asked), or EndpointNotFound."""
    endpoint = db.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or (endpoint.disabled_at is not None and not include_removed):
        raise EndpointNotFound(endpoint_id)
    return endpoint


def endpoint_events(
    db: Session,
    endpoint_id: int,
    *,
    status: str | None = None,
    before: int | None = None,
    limit: int = 100,
) -> tuple[list[WebhookEvent], int | None]:
    """A page of an endpoint's events, newest first, and the cursor of the next page.

    ``before`` is the cursor: only events with a smaller id. The cursor returned is None on
    the last page. The endpoint may have been removed; its history stays readable.
    """
    get_endpoint(db, endpoint_id, include_removed=True)
    rows = list_events(db, endpoint_id=endpoint_id, status=status, before=before, limit=limit + 1)
    page = rows[:limit]
    return page, (page[-1].id if len(rows) > limit else None)


def remove_endpoint(db: Session, endpoint_id: int, now: datetime | None = None) -> WebhookEndpoint:
    """Stop sending to an endpoint: it gets no new events and its pending ones are failed.

    The row and its delivery history stay for the record.
    """
    endpoint = get_endpoint(db, endpoint_id)
    endpoint.disabled_at = now or utcnow()
    db.execute(
        update(WebhookEvent)
        .where(WebhookEvent.endpoint_id == endpoint.id, WebhookEvent.status == "pending")
        .values(status="failed", leased_until=None)
    )
    db.flush()
    return endpoint
