"""Connections and machines: identities, credentials and .qwc files."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from lxml import etree

from qwc_service.app import QwcApp
from qwc_service.connections import service
from qwc_service.connections.credentials import PUBLIC_KEY, PUBLIC_KEY_ID
from qwc_service.connections.models import Machine
from qwc_service.connections.queries import ConnectionNotFound, MachineNotFound
from qwc_service.db import unit_of_work
from tests.factories import make_connection, make_machine


def _qwc(path: object) -> dict[str, str]:
    root = etree.parse(str(path)).getroot()
    return {child.tag: (child.text or "") for child in root}


def test_two_machines_share_owner_and_file_ids(app: QwcApp) -> None:
    """Every machine of a connection gets the connection's OwnerID/FileID and its own UserName."""
    connection_id = make_connection(app)
    first = make_machine(app, connection_id, "PC 1")
    second = make_machine(app, connection_id, "Terminal server")
    a, b = _qwc(first.qwc_path), _qwc(second.qwc_path)
    assert a["OwnerID"] == b["OwnerID"] and a["FileID"] == b["FileID"]
    assert a["UserName"] != b["UserName"]
    assert a["AppName"] != b["AppName"]
    assert first.qwc_path == app.settings.files_dir / connection_id / f"{first.username}.qwc"


def test_connections_get_different_file_ids(app: QwcApp) -> None:
    """Two connections never share a FileID, so one Web Connector can serve both."""
    with unit_of_work(app.session_factory) as db:
        one = service.create_connection(db, name="One")
        two = service.create_connection(db, name="Two")
        assert one.file_id != two.file_id
        assert one.id != two.id
        for guid in (one.owner_id, one.file_id):
            assert guid.startswith("{") and guid.endswith("}") and len(guid) == 38


def test_qwc_has_every_required_element(app: QwcApp) -> None:
    """The .qwc carries what the Web Connector needs, pointing at this server."""
    machine = make_machine(app, make_connection(app, name="Smith & Sons <Ltd>"))
    doc = _qwc(machine.qwc_path)
    for element in (
        "AppName",
        "AppID",
        "AppURL",
        "AppDescription",
        "AppSupport",
        "UserName",
        "OwnerID",
        "FileID",
        "QBType",
        "Scheduler",
        "IsReadOnly",
    ):
        assert element in doc
    assert doc["AppURL"] == "http://localhost:8000/qbwc"
    assert doc["AppSupport"] == "http://localhost:8000/support"
    assert doc["QBType"] == "QBFS" and doc["IsReadOnly"] == "false"
    assert "Smith & Sons <Ltd>" in doc["AppName"]


def test_password_is_stored_only_as_a_keyed_hash(app: QwcApp) -> None:
    """The generated password is long, and only its HMAC-SHA256 is stored."""
    machine = make_machine(app, make_connection(app))
    assert len(machine.password) >= 20
    with unit_of_work(app.session_factory) as db:
        stored = service.get_machine(db, machine.username)
        scheme, key_id, digest = stored.password_hash.split("$")
        assert (scheme, key_id) == ("hmac-sha256", PUBLIC_KEY_ID)
        assert machine.password not in stored.password_hash
        expected = hmac.new(PUBLIC_KEY, machine.password.encode(), hashlib.sha256).hexdigest()
        assert digest == expected


def test_reset_password_replaces_the_hash(app: QwcApp) -> None:
    """A reset gives a new password and the old one no longer verifies."""
    machine = make_machine(app, make_connection(app))
    with unit_of_work(app.session_factory) as db:
        new = service.reset_password(db, app.exchange.hashing, machine.username)
    assert new.password != machine.password
    with unit_of_work(app.session_factory) as db:
        stored = service.get_machine(db, machine.username)
        assert app.exchange.hashing.verify(stored.password_hash, new.password)
        assert not app.exchange.hashing.verify(stored.password_hash, machine.password)


def test_https_required_except_localhost(app: QwcApp) -> None:
    """A .qwc is refused for plain http on a real host, and for an IP address."""
    connection_id = make_connection(app)
    for url, code in (("http://qb.example.com", "QBWC1010"), ("https://10.1.2.3", "QBWC1001")):
        settings = app.settings.with_overrides(public_url=url)
        with unit_of_work(app.session_factory) as db, pytest.raises(ValueError, match=code):
            service.add_machine(db, settings, app.exchange.hashing, connection_id, label="x")
    with unit_of_work(app.session_factory) as db:
        assert db.query(Machine).count() == 0


def test_unknown_ids_raise_named_errors(app: QwcApp) -> None:
    """Unknown connections and machines raise errors named for the condition."""
    with unit_of_work(app.session_factory) as db:
        with pytest.raises(ConnectionNotFound):
            service.add_machine(db, app.settings, app.exchange.hashing, "nope", label="x")
        with pytest.raises(MachineNotFound):
            service.revoke_machine(db, "nope")
