"""Settings: every ``QWC_*`` environment variable, read once into one object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """An environment variable holds a value the server cannot use."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    return value


@dataclass(frozen=True)
class Settings:
    """Configuration of one server process; see the README for each setting."""

    database_url: str = "sqlite:///qwc_service.db"
    public_url: str = "http://localhost:8000"
    files_dir: Path = Path("qwc_files")
    ticket_ttl_seconds: int = 1800
    min_qbwc_version: str = "2.1.0.0"
    run_every_minutes: int = 15
    max_body_bytes: int = 128 * 1024 * 1024
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 1
    log_format: str = "auto"
    log_level: str = "info"
    db_pool_size: int = 5
    app_name: str = "qwc-service"
    setup_link_hours: int = 168
    admin_session_hours: int = 12

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``env`` (the process environment by default)."""
        env = os.environ if env is None else env
        defaults = cls()
        log_format = env.get("QWC_LOG_FORMAT", defaults.log_format).lower()
        if log_format not in {"auto", "json", "console"}:
            raise SettingsError("QWC_LOG_FORMAT must be auto, json or console")
        public_url = env.get("QWC_PUBLIC_URL", defaults.public_url).rstrip("/")
        if not public_url.startswith(("http://", "https://")):
            raise SettingsError("QWC_PUBLIC_URL must start with http:// or https://")
        return cls(
            database_url=env.get("QWC_DATABASE_URL", defaults.database_url),
            public_url=public_url,
            files_dir=Path(env.get("QWC_FILES_DIR", str(defaults.files_dir))),
            ticket_ttl_seconds=_int(env, "QWC_TICKET_TTL_SECONDS", defaults.ticket_ttl_seconds, 1),
            min_qbwc_version=env.get("QWC_MIN_QBWC_VERSION", defaults.min_qbwc_version),
            run_every_minutes=_int(env, "QWC_RUN_EVERY_MINUTES", defaults.run_every_minutes, 1),
            max_body_bytes=_int(env, "QWC_MAX_BODY_BYTES", defaults.max_body_bytes, 1024),
            argon2_time_cost=_int(env, "QWC_ARGON2_TIME_COST", defaults.argon2_time_cost, 1),
            argon2_memory_kib=_int(env, "QWC_ARGON2_MEMORY_KIB", defaults.argon2_memory_kib, 8),
            argon2_parallelism=_int(env, "QWC_ARGON2_PARALLELISM", defaults.argon2_parallelism, 1),
            log_format=log_format,
            log_level=env.get("QWC_LOG_LEVEL", defaults.log_level).lower(),
            db_pool_size=_int(env, "QWC_DB_POOL_SIZE", defaults.db_pool_size, 1),
            setup_link_hours=_int(env, "QWC_SETUP_LINK_HOURS", defaults.setup_link_hours, 1),
            admin_session_hours=_int(
                env, "QWC_ADMIN_SESSION_HOURS", defaults.admin_session_hours, 1
            ),
        )

    def to_env(self) -> dict[str, str]:
        """These settings as ``QWC_*`` variables, for starting another process with them."""
        return {
            "QWC_DATABASE_URL": self.database_url,
            "QWC_PUBLIC_URL": self.public_url,
            "QWC_FILES_DIR": str(self.files_dir),
            "QWC_TICKET_TTL_SECONDS": str(self.ticket_ttl_seconds),
            "QWC_MIN_QBWC_VERSION": self.min_qbwc_version,
            "QWC_RUN_EVERY_MINUTES": str(self.run_every_minutes),
            "QWC_MAX_BODY_BYTES": str(self.max_body_bytes),
            "QWC_ARGON2_TIME_COST": str(self.argon2_time_cost),
            "QWC_ARGON2_MEMORY_KIB": str(self.argon2_memory_kib),
            "QWC_ARGON2_PARALLELISM": str(self.argon2_parallelism),
            "QWC_LOG_FORMAT": self.log_format,
            "QWC_LOG_LEVEL": self.log_level,
            "QWC_DB_POOL_SIZE": str(self.db_pool_size),
            "QWC_SETUP_LINK_HOURS": str(self.setup_link_hours),
            "QWC_ADMIN_SESSION_HOURS": str(self.admin_session_hours),
        }

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
