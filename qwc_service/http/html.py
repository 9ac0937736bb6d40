"""HTML pages from Jinja2 templates, with the headers every page of ours carries.

Each package that serves pages keeps its own ``templates`` folder; every value is
autoescaped. Pages that hold a
secret in their URL (setup links) must not be cached, framed or sent on as a referrer;
their one inline script runs under a per-response nonce, so the Content-Security-Policy
allows nothing else to run.
"""

from __future__ import annotations

import secrets

from jinja2 import Environment, PackageLoader, StrictUndefined

__all__ = [
    "content_security_policy",
    "new_nonce",
    "page_headers",
    "template_environment",
]


def template_environment(templates: str) -> Environment:
    """A Jinja environment for the package's ``templates`` folder: every value escaped, a
    missing one an error rather than an empty string."""
    return Environment(
        loader=PackageLoader("qwc_service", templates),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def new_nonce() -> str:
    """A fresh nonce for one response's inline script."""
    return secrets.token_urlsafe(18)


def content_security_policy(nonce: str | None) -> str:
    """Only this origin; inline style; inline script only with ``nonce``; never framed."""
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    return (
        "default-src 'self'; "
        f"script-src {script}; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "object-src 'none'; "
        "base-uri 'none'; "
        "form-action 'self'; "
        "frame-ancestors 'none'"
    )


def page_headers(nonce: str | None = None) -> list[tuple[str, str]]:
    """Headers for a page whose URL is a secret: no caching, no referrer, no framing."""
    return [
        ("Cache-Control", "no-store"),
        ("Pragma", "no-cache"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", content_security_policy(nonce)),
    ]
