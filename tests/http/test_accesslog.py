"""The access log's redaction of setup-link tokens."""

from __future__ import annotations

from qwc_service.http.accesslog import redact_link_tokens


def test_setup_tokens_are_cut_from_paths_request_lines_and_referrers() -> None:
    """Whatever follows /setup/ up to the next slash, query or quote is replaced."""
    token = "pBb7x4VwDGp36i3jNP9K5vSer2tlLy4jDyTa3yPeQZo"
    assert redact_link_tokens(f"GET /setup/{token}/qwc HTTP/1.1") == (
        "GET /setup/[redacted]/qwc HTTP/1.1"
    )
    assert redact_link_tokens(f"https://qbwc.example.com/setup/{token}?x=1") == (
        "https://qbwc.example.com/setup/[redacted]?x=1"
    )
    assert redact_link_tokens("GET /api/connections HTTP/1.1") == "GET /api/connections HTTP/1.1"


def test_installation_tokens_are_cut_like_setup_tokens() -> None:
    """Whatever follows /install/ is replaced too, in request lines and referrers alike."""
    token = "Zq1v8dXw0Jm3R6yPz2Hk9tLs4Nc7Bf5Ga1Ue8Wd0Ox3"
    assert redact_link_tokens(f"POST /install/{token} HTTP/1.1") == (
        "POST /install/[redacted] HTTP/1.1"
    )
    assert redact_link_tokens(f"https://qbwc.example.com/install/{token}#form") == (
        "https://qbwc.example.com/install/[redacted]#form"
    )
    assert redact_link_tokens("GET /installer HTTP/1.1") == "GET /installer HTTP/1.1"
