"""Settings: declared once, read from and written to QWC_* variables, documented in the README."""

from __future__ import annotations

import re
from dataclasses import Field, fields
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qwc_service.config import Setting, Settings, SettingsError, settings_table

README = Path(__file__).resolve().parents[1] / "README.md"

FIELDS = fields(Settings)
DECLARED: list[Setting] = [f.metadata["setting"] for f in FIELDS]

# Every value differs from the default; integers sit on their minimum where they can.
CUSTOM = Settings(
    database_url="postgresql://qwc:secret@db.internal/qwc",
    public_url="https://qbwc.example.com",
    files_dir=Path("/var/lib/qwc/files"),
    ticket_ttl_seconds=1,
    min_qbwc_version="2.3.0.36",
    run_every_minutes=1,
    max_body_bytes=1024,
    credential_key="k" * 32 + ",earlier-key-" + "e" * 20,
    log_format="json",
    log_level="debug",
    db_pool_size=20,
    max_waits_per_worker=2,
    app_name="Acme Sync",
    setup_link_hours=1,
    install_link_hours=2,
    admin_sign_in_hours=1,
    brand_name="Acme Payments",
    brand_support_url="https://help.acme.example/qbwc",
    brand_support_email="support@acme.example",
    brand_support_phone="+1 (555) 010-2000",
    brand_logo_url="https://cdn.acme.example/logo.png",
)


def test_defaults_round_trip() -> None:
    """The defaults written with to_env read back equal."""
    assert Settings.from_env(Settings().to_env()) == Settings()
    assert Settings.from_env({}) == Settings()


def test_custom_settings_round_trip() -> None:
    """Settings with every value changed read back equal, app_name included."""
    assert all(getattr(CUSTOM, f.name) != f.default for f in FIELDS)
    assert Settings.from_env(CUSTOM.to_env()) == CUSTOM
    assert CUSTOM.to_env()["QWC_APP_NAME"] == "Acme Sync"


def _candidate_text(f: Field[Any]) -> st.SearchStrategy[str]:
    """Text for one variable: often a value it accepts, sometimes one it refuses."""
    default = str(f.default)
    if isinstance(f.default, int):
        return st.integers(min_value=-1, max_value=2**40).map(str) | st.sampled_from(["", " ", "x"])
    return (
        st.text()
        | st.just(default.upper())
        | st.builds(lambda tail: f"{default}/{tail}", st.text())
        | st.builds(lambda tail: f"HTTPS://{tail}", st.text())
    )


ENVIRONMENTS = st.fixed_dictionaries(
    {}, optional={s.env: _candidate_text(f) for f, s in zip(FIELDS, DECLARED, strict=True)}
)


@given(ENVIRONMENTS)
def test_whatever_from_env_accepts_round_trips(env: dict[str, str]) -> None:
    """Whatever from_env accepts survives to_env unchanged; a refusal names a variable set."""
    try:
        settings = Settings.from_env(env)
    except SettingsError as exc:
        assert str(exc).split()[0] in env
        return
    assert Settings.from_env(settings.to_env()) == settings


def test_every_field_is_declared() -> None:
    """Every field has an environment variable and a one-line meaning."""
    for f, setting in zip(FIELDS, DECLARED, strict=True):
        assert isinstance(setting, Setting), f.name
        assert setting.env, f.name
        assert setting.doc and "\n" not in setting.doc, f.name


def test_env_names_are_unique_and_prefixed() -> None:
    """No two settings share a variable, and every variable starts with QWC_."""
    names = [s.env for s in DECLARED]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"QWC_[A-Z0-9_]+", name) for name in names)


def test_to_env_writes_every_setting() -> None:
    """to_env writes exactly the declared variables."""
    assert list(Settings().to_env()) == [s.env for s in DECLARED]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"QWC_TICKET_TTL_SECONDS": "x"},
            "QWC_TICKET_TTL_SECONDS must be an integer, not 'x'",
        ),
        ({"QWC_MAX_BODY_BYTES": "1023"}, "QWC_MAX_BODY_BYTES must be at least 1024, not 1023"),
        ({"QWC_DB_POOL_SIZE": "0"}, "QWC_DB_POOL_SIZE must be at least 1, not 0"),
        ({"QWC_LOG_FORMAT": "xml"}, "QWC_LOG_FORMAT must be auto, json or console"),
        (
            {"QWC_PUBLIC_URL": "qbwc.example.com"},
            "QWC_PUBLIC_URL must start with http:// or https://",
        ),
        ({"QWC_PUBLIC_URL": ""}, "QWC_PUBLIC_URL must start with http:// or https://"),
    ],
)
def test_bad_values_are_refused(env: dict[str, str], message: str) -> None:
    """A value the server cannot use is a SettingsError that names the variable."""
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    assert str(caught.value) == message


def test_every_integer_setting_refuses_text() -> None:
    """Each integer setting refuses text that is not a number, naming its variable."""
    integers = [s.env for f, s in zip(FIELDS, DECLARED, strict=True) if isinstance(f.default, int)]
    assert integers
    for name in integers:
        with pytest.raises(SettingsError) as caught:
            Settings.from_env({name: "ten"})
        assert str(caught.value) == f"{name} must be an integer, not 'ten'"


def test_blank_integer_means_default() -> None:
    """An integer variable set but left blank keeps its default."""
    assert Settings.from_env({"QWC_DB_POOL_SIZE": " ", "QWC_SETUP_LINK_HOURS": ""}) == Settings()


def test_values_are_normalised() -> None:
    """The public URL loses its trailing slashes; log format and level are lowercased."""
    env = {
        "QWC_PUBLIC_URL": "https://qbwc.example.com//",
        "QWC_LOG_FORMAT": "JSON",
        "QWC_LOG_LEVEL": "DEBUG",
    }
    settings = Settings.from_env(env)
    assert settings.public_url == "https://qbwc.example.com"
    assert settings.soap_url == "https://qbwc.example.com/qbwc"
    assert settings.support_url == "https://qbwc.example.com/support"
    assert (settings.log_format, settings.log_level) == ("json", "debug")


def test_from_env_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an argument, from_env reads os.environ."""
    monkeypatch.setenv("QWC_APP_NAME", "Acme Sync")
    monkeypatch.setenv("QWC_FILES_DIR", "/tmp/qwc")
    settings = Settings.from_env()
    assert (settings.app_name, settings.files_dir) == ("Acme Sync", Path("/tmp/qwc"))


def test_with_overrides_refuses_unknown_names() -> None:
    """with_overrides changes known settings and names the unknown ones it refuses."""
    assert Settings().with_overrides(app_name="Acme Sync").app_name == "Acme Sync"
    with pytest.raises(SettingsError) as caught:
        Settings().with_overrides(size=1, colour="red")
    assert str(caught.value) == "unknown settings: colour, size"


def test_readme_table_is_generated() -> None:
    """The README's settings table is exactly settings_table(), so the two cannot drift."""
    section = README.read_text().split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    table = "".join(line + "\n" for line in section.splitlines() if line.startswith("|"))
    hint = "regenerate it from qwc_service.config.settings_table()"
    assert table == settings_table(), hint
    assert f"\n\n{settings_table()}\n" in section, hint


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"QWC_BRAND_SUPPORT_URL": "http://help.acme.example"},
            "QWC_BRAND_SUPPORT_URL must be an https URL (http only for localhost), "
            "not 'http://help.acme.example'",
        ),
        (
            {"QWC_BRAND_LOGO_URL": "javascript:alert(1)"},
            "QWC_BRAND_LOGO_URL must be an https URL (http only for localhost), "
            "not 'javascript:alert(1)'",
        ),
        (
            {"QWC_BRAND_LOGO_URL": "https://cdn.acme.example;script-src/logo.png"},
            "QWC_BRAND_LOGO_URL must be an https URL (http only for localhost), "
            "not 'https://cdn.acme.example;script-src/logo.png'",
        ),
        (
            {"QWC_BRAND_LOGO_URL": "https://user:secret@cdn.acme.example/logo.png"},
            "QWC_BRAND_LOGO_URL must not carry a user name or password",
        ),
        (
            {"QWC_BRAND_SUPPORT_EMAIL": "support at acme"},
            "QWC_BRAND_SUPPORT_EMAIL must be an e-mail address like support@example.com, "
            "not 'support at acme'",
        ),
        (
            {"QWC_BRAND_SUPPORT_EMAIL": "a@b"},
            "QWC_BRAND_SUPPORT_EMAIL must be an e-mail address like support@example.com, not 'a@b'",
        ),
        (
            {"QWC_BRAND_SUPPORT_PHONE": "call us"},
            "QWC_BRAND_SUPPORT_PHONE must be a phone number like +1 555 010 2000 "
            "(at most 40 characters), not 'call us'",
        ),
        (
            {"QWC_BRAND_NAME": "A" * 41},
            "QWC_BRAND_NAME must be at most 40 characters, not 41",
        ),
        ({"QWC_BRAND_NAME": "Acme\x07"}, "QWC_BRAND_NAME must not contain control characters"),
    ],
)
def test_bad_brand_values_are_refused(env: dict[str, str], message: str) -> None:
    """A brand URL that is not https, an e-mail that is not one, a phone without digits,
    or a long brand name is a SettingsError naming the variable."""
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    assert str(caught.value) == message


def test_brand_is_read_from_its_variables() -> None:
    """QWC_BRAND_* make the brand, with its contact links and the logo's origin."""
    brand = Settings.from_env(
        {
            "QWC_BRAND_NAME": " Acme Payments ",
            "QWC_BRAND_SUPPORT_URL": "https://help.acme.example/qbwc",
            "QWC_BRAND_SUPPORT_EMAIL": "support@acme.example",
            "QWC_BRAND_SUPPORT_PHONE": "+1 (555) 010-2000",
            "QWC_BRAND_LOGO_URL": "https://CDN.acme.example:8443/brand/logo.svg",
        }
    ).brand
    assert brand.name == "Acme Payments"
    assert [(link.kind, link.href, link.text) for link in brand.contact_links] == [
        ("url", "https://help.acme.example/qbwc", "https://help.acme.example/qbwc"),
        ("email", "mailto:support@acme.example", "support@acme.example"),
        ("phone", "tel:+15550102000", "+1 (555) 010-2000"),
    ]
    assert brand.logo_origin == "https://cdn.acme.example:8443"


def test_brand_defaults_to_the_app_name_and_blank_means_unset() -> None:
    """Unset or blank brand variables: the brand is QWC_APP_NAME, with no contact or logo."""
    env = {name: " " for name in ("QWC_BRAND_NAME", "QWC_BRAND_LOGO_URL")}
    brand = Settings.from_env({**env, "QWC_APP_NAME": "Acme Sync"}).brand
    assert (brand.name, brand.contact_links, brand.logo_origin) == ("Acme Sync", (), None)
    assert Settings.from_env(env) == Settings()


def test_http_brand_urls_are_accepted_for_localhost_only() -> None:
    """Plain http is for a server on this computer: localhost or a loopback address."""
    for url in ("http://localhost:8080/logo.png", "http://127.0.0.1/logo.png"):
        settings = Settings.from_env({"QWC_BRAND_LOGO_URL": url})
        assert settings.brand.logo_url == url
    assert Settings.from_env({"QWC_BRAND_LOGO_URL": "http://[::1]:9/l.png"}).brand.logo_origin == (
        "http://[::1]:9"
    )
