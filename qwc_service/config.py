"""Settings: every ``QWC_*`` environment variable, read once into one object.

Each setting is declared once, as a field of :class:`Settings` whose metadata holds a
:class:`Setting` (its variable, its meaning and how its text is read). ``from_env``,
``to_env`` and the README's settings table (:func:`settings_table`) are derived from those
declarations, so a new setting cannot be forgotten in one of them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

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
    env: str, default: T, doc: str, parse: Callable[[str], T], *, blank_is_default: bool = False
) -> T:
    setting = Setting(env, doc, parse, blank_is_default)
    return field(default=default, metadata={"setting": setting})


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
    argon2_time_cost: int = _integer(
        "QWC_ARGON2_TIME_COST", 3, "argon2id passes for connector passwords", minimum=1
    )
    argon2_memory_kib: int = _integer(
        "QWC_ARGON2_MEMORY_KIB", 65536, "argon2id memory per hash", minimum=8
    )
    argon2_parallelism: int = _integer("QWC_ARGON2_PARALLELISM", 1, "argon2id lanes", minimum=1)
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
        lines.append(f"| `{setting.env}` | `{f.default}` | {doc} |")
    return "\n".join(lines) + "\n"
