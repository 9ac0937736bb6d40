"""gunicorn's logger with link tokens cut out of the access log.

A setup link's or an installation link's token is its only credential and it travels in
the URL path, so the request line, the path and a referrer naming a setup or installation
page would otherwise write it to every access log. Everything else is logged as gunicorn
logs it.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

__all__ = ["RedactingLogger", "redact_link_tokens"]

#: The path prefixes whose next segment is a link's token.
SECRET_PREFIXES = ("/setup/", "/install/")
_LINK_TOKEN = re.compile(r"(/(?:setup|install)/)[^/\s?#\"]+")
REDACTED = "[redacted]"


def redact_link_tokens(text: str) -> str:
    """``text`` with whatever follows ``/setup/`` or ``/install/`` in a path replaced by a
    marker."""
    return _LINK_TOKEN.sub(rf"\g<1>{REDACTED}", text)


class RedactingLogger(Logger):
    """gunicorn's Logger; its access-log atoms never hold a link token."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        """The atoms gunicorn formats the access log line from, with tokens redacted."""
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str) and any(prefix in value for prefix in SECRET_PREFIXES):
                atoms[key] = redact_link_tokens(value)
        return atoms
