"""HTML pages from Jinja2 templates, with the headers every page of ours carries.

Each package that serves pages keeps its own ``templates`` folder; every value is
autoescaped. Pages that hold a
secret in their URL (setup links) must not be cached, framed or sent on as a referrer;
their one inline script runs under a per-response nonce, so the Content-Security-Policy
allows nothing else to run.
"""

from __future__ import annotations

import re
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


# A CSP source expression of one origin: nothing that could end it or start a directive.
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^\s;,'\"/]+")


def content_security_policy(nonce: str | None, image_origin: str | None = None) -> str:
    """Only this origin; inline style; inline script only with ``nonce``; never framed.

    ``image_origin`` (scheme://host[:port], e.g. where a brand's logo is) may serve images.
    """
    if image_origin is not None and not _ORIGIN.fullmatch(image_origin):
        raise ValueError(f"not an origin: {image_origin!r}")
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    images = f"'self' data: {image_origin}" if image_origin else "'self' data:"
    return (
        "default-src 'self'; "
        f"script-src {script}; "
        "style-src 'self' 'unsafe-inline'; "
        f"img-src {images}; "
        "object-src 'none'; "
        "base-uri 'none'; "
        "form-action 'self'; "
        "frame-ancestors 'none'"
    )


def page_headers(
    nonce: str | None = None, *, image_origin: str | None = None
) -> list[tuple[str, str]]:
    """Headers for a page whose URL is a secret: no caching, no referrer, no framing.

    ``image_origin``: another origin the page shows images from (a brand's logo).
    """
    return [
        ("Cache-Control", "no-store"),
        ("Pragma", "no-cache"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", content_security_policy(nonce, image_origin)),
    ]
