"""Signed-in admin browsers: a random cookie per sign-in, stored only as a hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qwc_service.clock import utcnow
from qwc_service.db import Base, UTCDateTime
from qwc_service.tokens.models import ApiToken


class AdminSignIn(Base):
    """One browser signed in to the admin pages with an API token."""

    # The table keeps the name it was created with; renaming it would buy nothing.
    __tablename__ = "admin_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_id: Mapped[int] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True
    )
    cookie_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    token: Mapped[ApiToken] = relationship()
