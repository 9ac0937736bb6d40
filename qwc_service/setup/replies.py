"""What every answer under /setup and /install shares: the templates and the secret headers."""

from __future__ import annotations

from typing import Any

from qwc_service.config import Settings
from qwc_service.http.html import page_headers, template_environment
from qwc_service.http.reply import Headers, Reply

__all__ = ["render", "secret_reply"]

# Built once per process: the templates are read once.
_TEMPLATES = template_environment("setup/templates")


def render(template: str, **context: Any) -> bytes:
    """One of the setup templates rendered with ``context``, as UTF-8."""
    return _TEMPLATES.get_template(template).render(**context).encode("utf-8")


def secret_reply(
    settings: Settings,
    status: int,
    body: bytes,
    content_type: str,
    *,
    nonce: str | None = None,
    headers: Headers = (),
) -> Reply:
    """Every answer here: never cached, framed or sent on as a referrer; no script runs
    but one carrying ``nonce``; images only from here and the brand's logo origin."""
    common = page_headers(nonce, image_origin=settings.brand.logo_origin)
    return Reply(status, body, content_type, (*common, *headers))
