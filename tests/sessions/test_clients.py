"""The Web Connector version remembered per client address."""

from __future__ import annotations

import threading

from sqlalchemy import select

from qwc_service.app import QwcApp
from qwc_service.clock import utcnow
from qwc_service.db import unit_of_work
from qwc_service.sessions.clients import ClientVersion, recent_version, remember_version


def test_two_reports_from_one_address_at_once_both_succeed(app: QwcApp) -> None:
    """Two seats behind one address reporting together: neither fails, the last one is kept."""
    address = "192.0.2.44"
    now = utcnow()
    failures: list[BaseException] = []
    second_started = threading.Event()

    def second_report() -> None:
        second_started.set()
        try:
            with unit_of_work(app.session_factory) as db:
                remember_version(db, address, "2.3.0.215", now)
        except BaseException as exc:  # the failure this test looks for
            failures.append(exc)

    with unit_of_work(app.session_factory) as db:
        remember_version(db, address, "2.3.0.207", now)
        db.flush()
        # The second report runs while the first is written but not committed: with a read
        # followed by an insert it would find no row and then fail on the primary key.
        other = threading.Thread(target=second_report)
        other.start()
        second_started.wait()
        other.join(timeout=0.5)
    other.join()
    assert failures == []
    with unit_of_work(app.session_factory) as db:
        rows = db.scalars(select(ClientVersion).where(ClientVersion.address == address)).all()
        assert [row.version for row in rows] == ["2.3.0.215"]
        assert recent_version(db, address, now) == "2.3.0.215"
    print("two reports from one address at once: one row, the later version")
