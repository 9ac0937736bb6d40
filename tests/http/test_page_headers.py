"""The headers pages and downloads carry: the Content-Security-Policy and Content-Disposition."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from qwc_service.http.html import content_security_policy, page_headers
from qwc_service.http.reply import attachment


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


def _filename(header: str) -> str:
    """The file name a browser takes from Content-Disposition: filename* when present."""
    extended = re.search(r"filename\*=UTF-8''([^;\s]+)", header)
    if extended:
        return unquote(extended.group(1), encoding="utf-8", errors="strict")
    plain = re.search(r'filename="([^"]*)"', header)
    assert plain is not None, header
    return plain.group(1)


def test_ascii_file_name_is_a_plain_quoted_filename() -> None:
    """An ASCII name is sent as filename="..." alone."""
    name, value = attachment("Acme Payments - Browser Widgets Inc (Front office PC) #2.qwc")
    assert name == "Content-Disposition"
    assert value == (
        'attachment; filename="Acme Payments - Browser Widgets Inc (Front office PC) #2.qwc"'
    )


def test_unicode_file_name_goes_in_filename_star_with_an_ascii_stand_in() -> None:
    """A name beyond ASCII: filename* in UTF-8 reads back exactly, filename is ASCII."""
    original = "Acme - Café Zürich ☕ (Front office PC).qwc"
    _, value = attachment(original)
    assert value.startswith('attachment; filename="Acme - Cafe Zurich _ (Front office PC).qwc"; ')
    assert "filename*=UTF-8''Acme%20-%20Caf%C3%A9%20Z%C3%BCrich%20%E2%98%95%20" in value
    assert _filename(value) == original
    value.encode("ascii")


def test_quotes_and_backslashes_cannot_break_the_header() -> None:
    """A quote or backslash never ends the quoted filename."""
    _, value = attachment('a"b\\c.qwc')
    assert value.startswith('attachment; filename="a_b_c.qwc"; ')
    assert _filename(value) == 'a"b\\c.qwc'
