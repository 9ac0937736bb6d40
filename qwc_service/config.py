"""Settings: every ``QWC_*`` environment variable, read once into one object.

Each setting is declared once, as a field of :class:`Settings` whose metadata holds a
:class:`Setting` (its variable, its meaning and how its text is read). ``from_env``,
``to_env`` and the README's settings table (:func:`settings_table`) are derived from those
declarations, so a new setting cannot be forgotten in one of them.
"""

from __future__ import annotations

import ipaddress
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")


class SettingsError(ValueError):
    """An environment variable holds a value the server cannot use."""


@dataclass(frozen=True)
class Setting:
    """How one field of :class:`Settings` is named, documented and read from text."""

    env: str
    doc: str
    # Raises ValueError saying what is wrong ("must be ..."); from_env puts the
    # variable's name in front, so every message names what to fix.
    parse: Callable[[str], Any]
    # A number left blank (``QWC_DB_POOL_SIZE=`` in a compose file) means its default;
    # text is taken as given, so a blank URL fails instead of quietly becoming the default.
    blank_is_default: bool = False


def _setting(
    env: str,
    default: T,
    doc: str,
    parse: Callable[[str], T],
    *,
    blank_is_default: bool = False,
    secret: bool = False,
) -> T:
    setting = Setting(env, doc, parse, blank_is_default)
    # A secret stays out of the dataclass's repr, so printing or logging settings cannot leak it.
    return field(default=default, metadata={"setting": setting}, repr=not secret)


def _text(env: str, default: str, doc: str) -> str:
    return _setting(env, default, doc, str)


def _integer(env: str, default: int, doc: str, *, minimum: int) -> int:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"must be an integer, not {raw!r}") from None
        if value < minimum:
            raise ValueError(f"must be at least {minimum}, not {value}")
        return value

    return _setting(env, default, doc, parse, blank_is_default=True)


def _log_format(raw: str) -> str:
    value = raw.lower()
    if value not in {"auto", "json", "console"}:
        raise ValueError("must be auto, json or console")
    return value


def _http_url(raw: str) -> str:
    # Paths are appended to it ("/qbwc", "/setup/..."), so a trailing slash would double.
    url = raw.rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return url


# The brand starts every .qwc AppName; the rest of the name needs the room (see
# connections/qwc_names.py), so a brand is kept short.
BRAND_NAME_MAX = 40
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+")
_PHONE = re.compile(r"[0-9A-Za-z +().,/#*-]*")


def _printable(raw: str) -> str:
    """``raw`` without surrounding spaces; control characters are refused."""
    value = raw.strip()
    if any(unicodedata.category(c).startswith("C") for c in value):
        raise ValueError("must not contain control characters")
    return value


def _brand_name(raw: str) -> str:
    value = _printable(raw)
    if len(value) > BRAND_NAME_MAX:
        raise ValueError(f"must be at most {BRAND_NAME_MAX} characters, not {len(value)}")
    return value


# A host name as it may stand in a URL and in a Content-Security-Policy source:
# letters, digits, dots and hyphens (an international name in its xn-- form).
_HOST = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _public_url(raw: str) -> str:
    """A link shown to customers: https, or http only for this computer (development)."""
    value = raw.strip()
    refused = ValueError(f"must be an https URL (http only for localhost), not {value!r}")
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        _ = parts.port  # a port that is not a number raises ValueError
    except ValueError:
        raise refused from None
    if any(c.isspace() or not c.isprintable() for c in value):
        raise refused
    if not (_HOST.fullmatch(host) or _is_loopback(host)):
        raise refused
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not carry a user name or password")
    if parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host)):
        return value
    raise refused


def _origin(url: str) -> str:
    """scheme://host[:port] of a URL that :func:`_public_url` accepted."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    port = f":{parts.port}" if parts.port is not None else ""
    return f"{parts.scheme.lower()}://{host}{port}"


def _email(raw: str) -> str:
    value = raw.strip()
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise ValueError(f"must be an e-mail address like support@example.com, not {value!r}")
    return value


def _phone(raw: str) -> str:
    value = raw.strip()
    if len(value) > 40 or not _PHONE.fullmatch(value) or not any(c.isdigit() for c in value):
        raise ValueError(
            f"must be a phone number like +1 555 010 2000 (at most 40 characters), not {value!r}"
        )
    return value


def _optional(env: str, doc: str, parse: Callable[[str], str], *, secret: bool = False) -> str:
    """An optional text setting: unset or blank is empty, meaning "not given"."""
    return _setting(env, "", doc, parse, blank_is_default=True, secret=secret)


CREDENTIAL_KEY_MIN = 32


def _credential_keys(raw: str) -> str:
    """One key, or the current key and earlier ones after it, separated by commas."""
    keys = [key.strip() for key in raw.split(",")]
    if any(len(key) < CREDENTIAL_KEY_MIN for key in keys):
        # The message never repeats the value: it is a secret.
        raise ValueError(
            f"must be one or more keys of at least {CREDENTIAL_KEY_MIN} characters, "
            "separated by commas (e.g. from `openssl rand -base64 48`)"
        )
    if any(c.isspace() or not c.isprintable() for key in keys for c in key):
        raise ValueError("must not contain spaces or control characters inside a key")
    return ",".join(keys)


@dataclass(frozen=True)
class ContactLink:
    """One way to reach a brand's support, as a link: its kind, target and text."""

    kind: str
    href: str
    text: str


@dataclass(frozen=True)
class Brand:
    """Who the customer deals with: named on setup and support pages and in .qwc files."""

    name: str
    support_url: str = ""
    support_email: str = ""
    support_phone: str = ""
    logo_url: str = ""

    @property
    def contact_links(self) -> tuple[ContactLink, ...]:
        """The ways to reach support that are set: web page, e-mail, phone."""
        links = []
        if self.support_url:
            links.append(ContactLink("url", self.support_url, self.support_url))
        if self.support_email:
            links.append(ContactLink("email", f"mailto:{self.support_email}", self.support_email))
        if self.support_phone:
            # A tel: link holds only "+" and digits; the text keeps the number as written.
            digits = "".join(c for c in self.support_phone if c.isdigit() or c == "+")
            links.append(ContactLink("phone", f"tel:{digits}", self.support_phone))
        return tuple(links)

    @property
    def logo_origin(self) -> str | None:
        """The origin the logo is loaded from (for the pages' img-src), if there is a logo."""
        if not self.logo_url:
            return None
        return _origin(self.logo_url)


@dataclass(frozen=True)
class Settings:
    """Configuration of one server process; see the README for each setting."""

    database_url: str = _text(
        "QWC_DATABASE_URL",
        "sqlite:///qwc_service.db",
        "SQLAlchemy URL; `postgresql://…` in production (always through psycopg 3)",
    )
    public_url: str = _setting(
        "QWC_PUBLIC_URL",
        "http://localhost:8000",
        "base URL written into `.qwc` files (https, a host name)",
        _http_url,
    )
    files_dir: Path = _setting(
        "QWC_FILES_DIR", Path("qwc_files"), "where `.qwc` files are written", Path
    )
    ticket_ttl_seconds: int = _integer(
        "QWC_TICKET_TTL_SECONDS", 1800, "idle lifetime of a Web Connector session", minimum=1
    )
    min_qbwc_version: str = _text(
        "QWC_MIN_QBWC_VERSION",
        "2.1.0.0",
        "older Web Connectors are asked to upgrade (`O:` answer)",
    )
    run_every_minutes: int = _integer(
        "QWC_RUN_EVERY_MINUTES", 15, "the schedule written into new `.qwc` files", minimum=1
    )
    max_body_bytes: int = _integer(
        "QWC_MAX_BODY_BYTES",
        128 * 1024 * 1024,
        "larger requests get HTTP 413 without being read",
        minimum=1024,
    )
    credential_key: str = _optional(
        "QWC_CREDENTIAL_KEY",
        "server key of the HMAC-SHA256 that stores connector passwords (the same on every "
        f"host, at least {CREDENTIAL_KEY_MIN} characters; earlier keys may follow, after "
        "commas); unset: a fixed public key",
        _credential_keys,
        secret=True,
    )
    log_format: str = _setting(
        "QWC_LOG_FORMAT",
        "auto",
        "`json`, `console`, or `auto` (console on a terminal, JSON otherwise)",
        _log_format,
    )
    log_level: str = _setting("QWC_LOG_LEVEL", "info", "log level", str.lower)
    db_pool_size: int = _integer(
        "QWC_DB_POOL_SIZE",
        5,
        "PostgreSQL connections per worker (plus as many overflow)",
        minimum=1,
    )
    max_waits_per_worker: int = _integer(
        "QWC_MAX_WAITS_PER_WORKER",
        0,
        "API requests a worker lets wait for a job at once (`?wait=`); more get 429. "
        "`0`: a quarter of its threads, at least 1",
        minimum=0,
    )
    app_name: str = _text(
        "QWC_APP_NAME",
        "qwc-service",
        "the name in `.qwc` files, on the support and setup pages and in the API document",
    )
    setup_link_hours: int = _integer(
        "QWC_SETUP_LINK_HOURS", 168, "how long a machine's setup link works", minimum=1
    )
    install_link_hours: int = _integer(
        "QWC_INSTALL_LINK_HOURS",
        720,
        "how long a connection's installation link works (people add their own computers)",
        minimum=1,
    )
    admin_sign_in_hours: int = _integer(
        "QWC_ADMIN_SESSION_HOURS", 12, "how long an admin sign-in lasts", minimum=1
    )
    brand_name: str = _optional(
        "QWC_BRAND_NAME",
        f"your company's name (at most {BRAND_NAME_MAX} characters) in .qwc AppNames and on "
        "the setup and support pages; unset: `QWC_APP_NAME`",
        _brand_name,
    )
    brand_support_url: str = _optional(
        "QWC_BRAND_SUPPORT_URL",
        "your help page, linked from the setup and support pages (https)",
        _public_url,
    )
    brand_support_email: str = _optional(
        "QWC_BRAND_SUPPORT_EMAIL", "your support e-mail address, on the same pages", _email
    )
    brand_support_phone: str = _optional(
        "QWC_BRAND_SUPPORT_PHONE", "your support phone number, on the same pages", _phone
    )
    brand_logo_url: str = _optional(
        "QWC_BRAND_LOGO_URL",
        "your logo's image URL (https), shown on setup pages and allowed by their CSP",
        _public_url,
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``env`` (the process environment by default)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f, setting in _declared():
            raw = env.get(setting.env)
            if raw is None or (setting.blank_is_default and raw.strip() == ""):
                continue
            try:
                values[f.name] = setting.parse(raw)
            except ValueError as exc:
                raise SettingsError(f"{setting.env} {exc}") from None
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """These settings as ``QWC_*`` variables, for starting another process with them."""
        return {setting.env: str(getattr(self, f.name)) for f, setting in _declared()}

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some values changed (tests and the demo use this)."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
        return replace(self, **changes)

    def waits_per_worker(self, threads: int) -> int:
        """How many API requests may wait for a job at once in a worker with ``threads``.

        A wait keeps its thread for up to a minute, and the Web Connector's calls need the
        same threads: by default three in four stay free for them.
        """
        return self.max_waits_per_worker or max(1, threads // 4)

    @property
    def brand(self) -> Brand:
        """The brand customers see: ``QWC_BRAND_*``, named ``QWC_APP_NAME`` by default."""
        return Brand(
            name=self.brand_name or self.app_name,
            support_url=self.brand_support_url,
            support_email=self.brand_support_email,
            support_phone=self.brand_support_phone,
            logo_url=self.brand_logo_url,
        )

    @property
    def soap_url(self) -> str:
        """The AppURL written into every .qwc file."""
        return f"{self.public_url}/qbwc"

    @property
    def support_url(self) -> str:
        """The AppSupport URL written into every .qwc file."""
        return f"{self.public_url}/support"


def _declared() -> Iterator[tuple[Field[Any], Setting]]:
    """Each field of Settings with its declaration, in field order."""
    for f in fields(Settings):
        yield f, f.metadata["setting"]


def settings_table() -> str:
    """The README's table of settings, in Markdown (the README must contain exactly this)."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for f, setting in _declared():
        doc = setting.doc.replace("|", "\\|")
        default = f"`{f.default}`" if str(f.default) else "(unset)"
        lines.append(f"| `{setting.env}` | {default} | {doc} |")
    return "\n".join(lines) + "\n"
