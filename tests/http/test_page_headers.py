"""The Content-Security-Policy pages carry, with and without a logo's origin."""

from __future__ import annotations

import pytest

from qwc_service.http.html import content_security_policy, page_headers


def _directives(policy: str) -> dict[str, str]:
    pairs = (part.strip().split(" ", 1) for part in policy.split(";"))
    return {name: value for name, value in pairs}


def test_images_come_from_this_origin_and_data_urls_only_by_default() -> None:
    """Without another origin, img-src is 'self' and data: only."""
    assert _directives(content_security_policy("n"))["img-src"] == "'self' data:"


def test_an_image_origin_is_allowed_in_img_src_alone() -> None:
    """The logo's origin joins img-src, and no other directive."""
    policy = dict(page_headers("n", image_origin="https://cdn.acme.example:8443"))[
        "Content-Security-Policy"
    ]
    directives = _directives(policy)
    assert directives["img-src"] == "'self' data: https://cdn.acme.example:8443"
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'nonce-n'"
    assert policy.count("cdn.acme.example") == 1


@pytest.mark.parametrize(
    "origin",
    [
        "https://cdn.acme.example; script-src *",
        "https://cdn.acme.example/logo.png",
        "https://a.example,https://b.example",
        "cdn.acme.example",
        "'unsafe-inline'",
    ],
)
def test_anything_but_one_origin_is_refused(origin: str) -> None:
    """A value that would end the source list or add a directive raises ValueError."""
    with pytest.raises(ValueError, match="not an origin"):
        content_security_policy(None, origin)
