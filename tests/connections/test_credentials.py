"""Connector passwords: a keyed hash checked in constant time; argon2 hashes still log in."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher

from qwc_service.app import QwcApp, create_app
from qwc_service.config import Settings, SettingsError
from qwc_service.connections.credentials import PasswordHashing, key_id
from qwc_service.connections.queries import get_machine
from qwc_service.db import unit_of_work
from qwc_service.serving import ServerProcess
from qwc_service.simulator.transport import HttpClientTransport
from tests.factories import MachineCredentials, make_connection, make_machine
from tests.soap_client import SoapClient

KEY = "k3y-" + "A" * 40
EARLIER = "old-" + "B" * 40


def _stored(app: QwcApp, username: str) -> str:
    with unit_of_work(app.session_factory) as db:
        return get_machine(db, username).password_hash


def _store(app: QwcApp, username: str, password_hash: str) -> None:
    with unit_of_work(app.session_factory) as db:
        get_machine(db, username).password_hash = password_hash


def _argon2(password: str) -> str:
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(password)


def _machine_with_argon2(app: QwcApp) -> MachineCredentials:
    machine = make_machine(app, make_connection(app))
    _store(app, machine.username, _argon2(machine.password))
    return machine


def test_argon2_password_logs_in_and_is_stored_again_under_the_key(app: QwcApp) -> None:
    """A password stored as argon2 by an earlier version logs in and is re-stored as HMAC."""
    machine = _machine_with_argon2(app)
    soap = SoapClient(app)
    assert soap.authenticate(machine.username, machine.password)[1] == "none"
    stored = _stored(app, machine.username)
    assert stored.startswith("hmac-sha256$") and not app.hashing.outdated(stored)
    assert app.hashing.verify(stored, machine.password)
    # The next login verifies the new hash and leaves it as it is.
    assert soap.authenticate(machine.username, machine.password)[1] == "none"
    assert _stored(app, machine.username) == stored


def test_wrong_password_fails_under_either_scheme(app: QwcApp) -> None:
    """A wrong password gets nvu against an argon2 hash and an HMAC one, and changes nothing."""
    soap = SoapClient(app)
    old = _machine_with_argon2(app)
    before = _stored(app, old.username)
    assert soap.authenticate(old.username, old.password + "x")[1] == "nvu"
    assert _stored(app, old.username) == before
    new = make_machine(app, make_connection(app, "Beta"))
    assert soap.authenticate(new.username, new.password[:-1])[1] == "nvu"
    assert soap.authenticate(new.username, "")[1] == "nvu"
    assert soap.authenticate("no-such-user", new.password)[1] == "nvu"


def test_hash_names_its_scheme_and_key(settings: Settings) -> None:
    """With a key set, hashes carry the key's id; without one, the public key's id "0"."""
    keyed = PasswordHashing(settings.with_overrides(credential_key=KEY))
    public = PasswordHashing(settings)
    scheme, kid, digest = keyed.hash("secret").split("$")
    assert (scheme, kid, len(digest)) == ("hmac-sha256", key_id(KEY.encode()), 64)
    assert public.hash("secret").split("$")[1] == "0"
    assert keyed.hash("secret") != public.hash("secret")
    assert not keyed.verify(public.hash("secret").replace("$0$", "$ffffffff$"), "secret")


def test_a_new_key_keeps_old_hashes_working_until_the_next_login(settings: Settings) -> None:
    """Hashes made under an earlier key (listed after the new one) verify and are outdated."""
    before = PasswordHashing(settings.with_overrides(credential_key=EARLIER))
    after = PasswordHashing(settings.with_overrides(credential_key=f"{KEY},{EARLIER}"))
    stored = before.hash("secret")
    assert after.verify(stored, "secret") and after.outdated(stored)
    assert not after.outdated(after.hash("secret"))
    # Without the earlier key nothing verifies, however right the password.
    assert not PasswordHashing(settings.with_overrides(credential_key=KEY)).verify(stored, "secret")


def test_short_keys_are_refused_without_echoing_them() -> None:
    """A key under 32 characters is refused, and the message does not repeat it."""
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"QWC_CREDENTIAL_KEY": "short-secret-value"})
    assert "short-secret-value" not in str(refused.value)
    assert KEY not in repr(Settings(credential_key=KEY))


def test_the_key_is_never_logged(settings: Settings, tmp_path: Path) -> None:
    """Over gunicorn with a key and debug logs: re-storing, failing and an unknown key id
    leave the key and the passwords out of every log line."""
    log_path = tmp_path / "gunicorn.log"
    keyed = settings.with_overrides(credential_key=KEY, log_level="debug", log_format="json")
    process = ServerProcess(keyed, workers=1, log_path=log_path)
    with process:
        app = create_app(process.settings)
        try:
            soap = SoapClient(HttpClientTransport(), url=f"{process.url}/qbwc")
            old = _machine_with_argon2(app)
            assert soap.authenticate(old.username, old.password)[1] == "none"
            assert soap.authenticate(old.username, "wrong")[1] == "nvu"
            foreign = make_machine(app, make_connection(app, "Beta"))
            _store(app, foreign.username, "hmac-sha256$0badc0de$" + "0" * 64)
            assert soap.authenticate(foreign.username, foreign.password)[1] == "nvu"
            soap.transport.close()
        finally:
            app.engine.dispose()
    log = log_path.read_text(errors="replace")
    assert "password_hash_updated" in log and "password_hash_unreadable" in log
    for secret in (KEY, old.password, foreign.password):
        assert secret not in log
