"""Setup links made through the services, and the setup page read the way a browser would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import lxml.html

from qwc_service.app import QwcApp
from qwc_service.clock import utcnow
from qwc_service.connections.models import SetupLink
from qwc_service.connections.setup_links import add_machine_with_link
from qwc_service.db import unit_of_work
from qwc_service.digest import secret_digest


@dataclass(frozen=True)
class Linked:
    """A machine added with a setup link: its token, username and password."""

    token: str
    username: str
    password: str

    @property
    def page(self) -> str:
        """The setup page's path."""
        return f"/setup/{self.token}"


def add_linked_machine(app: QwcApp, connection_id: str, label: str = "Front office PC") -> Linked:
    """Add a machine with a setup link, as the API and the admin pages do."""
    with unit_of_work(app.session_factory) as db:
        issued = add_machine_with_link(
            db, app.settings, app.exchange.hashing, connection_id, label=label
        )
        credentials = issued.credentials
        return Linked(issued.token, credentials.machine.username, credentials.password)


def expire_link(app: QwcApp, token: str) -> None:
    """Move a link's expiry into the past."""
    with unit_of_work(app.session_factory) as db:
        link = db.query(SetupLink).filter_by(token_hash=secret_digest(token)).one()
        link.expires_at = utcnow() - timedelta(minutes=1)


def element_text(html: bytes, element_id: str) -> str:
    """The text of the element with ``element_id``, whitespace collapsed."""
    document = lxml.html.fromstring(html)
    return " ".join(document.get_element_by_id(element_id).text_content().split())


def element_attribute(html: bytes, element_id: str, name: str) -> str:
    """An attribute of the element with ``element_id``."""
    value = lxml.html.fromstring(html).get_element_by_id(element_id).get(name)
    assert value is not None, f"#{element_id} has no {name}"
    return str(value)
