"""A machine added by the person who opened a connection's installation link.

Adding one touches three domains in one transaction: the link, its form and the new
machine with its setup link (connections), the audit log, and the ``machine.installed``
webhook event. One submitted form adds at most one machine: the form's one-time value is
claimed atomically, and a form sent again (a refresh, a double click, two at once) finds
the machine the first one added and its setup page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from qwc_service.audit.service import record_event
from qwc_service.clock import utcnow
from qwc_service.config import Settings
from qwc_service.connections.credentials import PasswordHashing
from qwc_service.connections.install_links import (
    FormClaim,
    Readiness,
    check_label,
    check_usable,
    claim_form,
    count_install,
    find_install_link,
    form_is_open,
    new_form,
    readiness,
    setup_token_for,
    used_form,
)
from qwc_service.connections.models import InstallLink, Machine
from qwc_service.connections.setup_links import add_machine_with_link, link_works
from qwc_service.webhooks.events import emit_machine_installed

__all__ = [
    "FormAlreadyUsed",
    "FormOutOfDate",
    "InstallOffer",
    "Installed",
    "InstallsClosed",
    "install_machine",
    "open_install_page",
]


class InstallsClosed(Exception):
    """The connection takes no machines through its link right now (see its Readiness)."""

    def __init__(self, why: Readiness) -> None:
        super().__init__(f"the connection takes no new machines: {why.value}")
        self.why = why


class FormAlreadyUsed(Exception):
    """The form added a machine before, and that machine's setup link no longer works."""

    def __init__(self, label: str | None) -> None:
        super().__init__("this form was already used")
        self.label = label


class FormOutOfDate(Exception):
    """The form's one-time value is not one this link rendered (an old or altered form)."""


@dataclass(frozen=True)
class InstallOffer:
    """What the installation page shows: the company, whether it takes machines, the form.

    ``company_name`` and ``company_file`` are the company lock's, and ``form_value`` the
    one-time value of the form: both only when the connection is ready.
    """

    connection_name: str
    readiness: Readiness
    company_name: str | None
    company_file: str | None
    expires_at: datetime
    installs_left: int | None
    form_value: str | None


@dataclass(frozen=True)
class Installed:
    """The machine a form added, and the token of its setup page.

    ``again`` when the form had been sent before: the machine is the one it added then.
    """

    username: str
    label: str
    setup_token: str
    again: bool


def open_install_page(
    db: Session, token: str, *, form_value: str | None = None, now: datetime | None = None
) -> InstallOffer:
    """What the page of a working link shows, with a new form when machines can be added.

    ``form_value`` keeps the value of a form shown again (a label to correct) while that
    form is unused. Raises like :func:`~qwc_service.connections.install_links.check_usable`,
    or InstallLinkNotFound.
    """
    now = now or utcnow()
    link = find_install_link(db, token)
    check_usable(link, now)
    connection = link.connection
    ready = readiness(connection)
    value = None
    if ready is Readiness.READY:
        reuse = form_value is not None and form_is_open(db, link, form_value)
        value = form_value if reuse else new_form(db, link, now=now)
    left = None if link.max_installs is None else link.max_installs - link.installs
    locked = ready is Readiness.READY
    return InstallOffer(
        connection_name=connection.name,
        readiness=ready,
        company_name=connection.lock_company_name if locked else None,
        company_file=connection.lock_file_path if locked else None,
        expires_at=link.expires_at,
        installs_left=left,
        form_value=value,
    )


def install_machine(
    db: Session,
    settings: Settings,
    hashing: PasswordHashing,
    token: str,
    *,
    form_value: str,
    label: str,
    client_address: str | None = None,
    now: datetime | None = None,
) -> Installed:
    """Add the machine a submitted form asks for, or find the one it added before.

    Raises InstallLinkNotFound, a link that no longer works (revoked, used up, expired),
    InstallsClosed, InvalidLabel (the form is left unused, to be corrected), FormOutOfDate
    or FormAlreadyUsed. Nothing is changed when it raises.
    """
    now = now or utcnow()
    link = find_install_link(db, token)
    # A form sent again lands where the first sending did, even once the link is used up.
    earlier = _earlier_install(db, link, form_value, now)
    if earlier is not None:
        return earlier
    check_usable(link, now)
    connection = link.connection
    ready = readiness(connection)
    if ready is not Readiness.READY:
        raise InstallsClosed(ready)
    clean_label = check_label(label)
    claim = claim_form(db, link, form_value, now=now)
    if claim is FormClaim.USED:
        # Another sending of this form claimed it while this one was checking.
        earlier = _earlier_install(db, link, form_value, now)
        if earlier is None:
            raise FormAlreadyUsed(None)
        return earlier
    if claim is FormClaim.UNKNOWN:
        raise FormOutOfDate("this form is not one this link showed; open the link again")
    count_install(db, link, now=now)
    issued = add_machine_with_link(
        db,
        settings,
        hashing,
        connection.id,
        label=clean_label,
        token=setup_token_for(form_value),
    )
    machine = issued.credentials.machine
    _record_install(db, link, form_value, machine, client_address, now)
    return Installed(machine.username, machine.label, issued.token, again=False)


def _record_install(
    db: Session,
    link: InstallLink,
    form_value: str,
    machine: Machine,
    client_address: str | None,
    now: datetime,
) -> None:
    form = used_form(db, link, form_value)
    assert form is not None, "the form was claimed in this transaction"
    form.machine_id = machine.id
    record_event(
        db,
        "machine_installed",
        f"machine {machine.username} ({machine.label}) added through the installation link",
        connection_id=machine.connection_id,
        machine_id=machine.id,
        username=machine.username,
        client_address=client_address,
        now=now,
    )
    emit_machine_installed(db, machine, now=now)
    db.flush()


def _earlier_install(
    db: Session, link: InstallLink, form_value: str, now: datetime
) -> Installed | None:
    """The machine a used form added, when its setup page still works; None for an unused
    form; FormAlreadyUsed when the page no longer works."""
    form = used_form(db, link, form_value)
    if form is None:
        return None
    machine = db.get(Machine, form.machine_id) if form.machine_id is not None else None
    token = setup_token_for(form_value)
    if machine is None or not link_works(db, token, now=now):
        raise FormAlreadyUsed(None if machine is None else machine.label)
    return Installed(machine.username, machine.label, token, again=True)
