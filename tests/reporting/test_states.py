"""Connection states made for real with the Web Connector simulator, read from the health
report and from the SQL that counts, filters and sorts the list: both must agree."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from qwc_service.app import QwcApp
from qwc_service.clock import utcnow
from qwc_service.connections.lifecycle import update_connection
from qwc_service.connections.queries import get_machine
from qwc_service.db import unit_of_work
from qwc_service.qbwc import operations
from qwc_service.reporting.health import connection_health
from qwc_service.reporting.overview import ListOrder, connection_page, state_counts
from qwc_service.reporting.states import (
    ATTENTION_ORDER,
    ConnectionState,
    StateFacts,
    judge,
)
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.admin.helpers import run_machine, web_connector
from tests.factories import MachineCredentials, enqueue, make_connection, make_machine

S = ConnectionState


def _acme() -> FakeQuickBooks:
    return FakeQuickBooks(generate_company(name="Acme Widgets", customers=3, invoices=0))


def _synced(app: QwcApp, name: str) -> tuple[str, MachineCredentials, FakeQuickBooks]:
    """A connection whose machine ran one job against QuickBooks."""
    connection_id = make_connection(app, name)
    machine = make_machine(app, connection_id)
    quickbooks = _acme()
    enqueue(app, connection_id)
    result = run_machine(app, machine.username, machine.password, quickbooks)
    assert result.outcome == "completed", result.last_error
    return connection_id, machine, quickbooks


@dataclass(frozen=True)
class Made:
    """A connection made to be in one state, and a word its reason must contain."""

    connection_id: str
    state: ConnectionState
    reason: str


def _every_state(app: QwcApp) -> list[Made]:
    made = [Made(make_connection(app, "No machine"), S.WAITING_FOR_FIRST_SYNC, "No machine yet")]

    not_yet = make_connection(app, "Not logged in")
    make_machine(app, not_yet)
    made.append(Made(not_yet, S.WAITING_FOR_FIRST_SYNC, "1 machine waits"))

    idle = make_connection(app, "Nothing to do")
    machine = make_machine(app, idle)
    assert run_machine(app, machine.username, machine.password, _acme()).outcome == "none"
    made.append(Made(idle, S.WAITING_FOR_QUICKBOOKS, "had no work"))

    synced, _, _ = _synced(app, "Synced")
    made.append(Made(synced, S.CONNECTED, "QuickBooks answered"))

    wrong, _, _ = _synced(app, "Wrong file")
    other = make_machine(app, wrong, "Back office PC")
    enqueue(app, wrong)
    beta = FakeQuickBooks(generate_company(name="Beta Bakery", customers=2, seed=2))
    assert run_machine(app, other.username, other.password, beta).requests_processed == 0
    made.append(Made(wrong, S.WRONG_COMPANY_FILE, "Beta Bakery"))

    stale, stale_machine, _ = _synced(app, "Stale")
    with unit_of_work(app.session_factory) as db:
        seen = utcnow() - timedelta(minutes=2 * app.settings.run_every_minutes + 1)
        get_machine(db, stale_machine.username).last_seen_at = seen
    made.append(Made(stale, S.STALE, "No Web Connector has checked in for 31 min"))

    # Slowed down from the server: quiet for longer than the default window, not stale.
    slowed, slowed_machine, _ = _synced(app, "Slowed")
    fast, fast_machine, _ = _synced(app, "Real time")
    with unit_of_work(app.session_factory) as db:
        update_connection(db, slowed, min_poll_seconds=3 * 60 * 60)
        get_machine(db, slowed_machine.username).last_seen_at = utcnow() - timedelta(hours=1)
        # Real Time every 30 s: five quiet minutes are long past two intervals.
        update_connection(db, fast, qwc_run_seconds=30)
        get_machine(db, fast_machine.username).last_seen_at = utcnow() - timedelta(minutes=5)
    made.append(Made(slowed, S.CONNECTED, "QuickBooks answered"))
    made.append(Made(fast, S.STALE, "No Web Connector has checked in for 5 min"))

    failing, failing_machine, quickbooks = _synced(app, "Failing")
    connector = web_connector(app, failing_machine.username, failing_machine.password, quickbooks)
    enqueue(app, failing)
    quickbooks.running = False
    assert connector.run_session().outcome == "connection_error"
    made.append(Made(failing, S.ERROR, "came after the last success"))

    disabled, _, _ = _synced(app, "Disabled")
    with unit_of_work(app.session_factory) as db:
        operations.set_disabled(db, disabled, True)
    made.append(Made(disabled, S.DISABLED, "Disabled"))
    return made


def test_each_state_from_real_sessions_in_report_and_sql(app: QwcApp) -> None:
    """Every state, made by real sessions, is the health report's and the list query's."""
    made = _every_state(app)
    now = utcnow()
    with unit_of_work(app.session_factory) as db:
        for case in made:
            health = connection_health(db, app.settings, case.connection_id, now=now)
            assert health.state is case.state, (case, health.state_reason)
            assert case.reason in health.state_reason, (case, health.state_reason)
            assert health.to_payload()["state"] == case.state.value

        counts = state_counts(db, app.settings, now=now)
        expected = {state: sum(1 for m in made if m.state is state) for state in S}
        assert counts == expected
        for state in S:
            page = connection_page(db, app.settings, state=state, now=now)
            listed = {row.connection_id for row in page.rows}
            assert listed == {m.connection_id for m in made if m.state is state}, state
            for row in page.rows:
                health = connection_health(db, app.settings, row.connection_id, now=now)
                assert (row.state, row.state_reason) == (health.state, health.state_reason)


def test_attention_order_and_name_order_page_through_everything(app: QwcApp) -> None:
    """Needs-attention order puts errors first and disabled last; both orders page fully."""
    made = _every_state(app)
    now = utcnow()
    rank = {state: i for i, state in enumerate(ATTENTION_ORDER)}
    with unit_of_work(app.session_factory) as db:
        for order in ListOrder:
            seen: list[tuple[ConnectionState, str, str]] = []
            after = None
            while True:
                page = connection_page(db, app.settings, order=order, after=after, limit=3, now=now)
                assert len(page.rows) <= 3
                seen += [(r.state, r.name.lower(), r.connection_id) for r in page.rows]
                after = page.next_after
                if after is None:
                    break
            assert sorted(cid for _, _, cid in seen) == sorted(m.connection_id for m in made)
            if order is ListOrder.ATTENTION:
                assert seen == sorted(seen, key=lambda row: (rank[row[0]], row[1], row[2]))
                assert seen[0][0] is S.ERROR and seen[-1][0] is S.DISABLED
            else:
                assert seen == sorted(seen, key=lambda row: (row[1], row[2]))


def test_search_narrows_the_counts(app: QwcApp) -> None:
    """Counts follow the search: only the connections it matches are counted."""
    _synced(app, "Acme East")
    make_connection(app, "Acme West")
    make_connection(app, "Beta")
    with unit_of_work(app.session_factory) as db:
        counts = state_counts(db, app.settings, search="acme")
    assert counts[S.CONNECTED] == 1 and counts[S.WAITING_FOR_FIRST_SYNC] == 1
    assert sum(counts.values()) == 2


NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=30)
SYNCED = StateFacts(
    disabled=False,
    machines=1,
    last_check_in_at=NOW - WINDOW,
    last_success_at=NOW - timedelta(hours=1),
    last_error_at=None,
    last_session_refused=None,
    sessions_started=True,
    company_seen="Acme Widgets",
)


def test_rule_boundaries() -> None:
    """Connected up to exactly two run intervals; an error only counts after the last success."""
    assert judge(SYNCED, now=NOW, window=WINDOW).state is S.CONNECTED
    late = replace(SYNCED, last_check_in_at=NOW - WINDOW - timedelta(seconds=1))
    assert judge(late, now=NOW, window=WINDOW).state is S.STALE
    old_error = replace(SYNCED, last_error_at=NOW - timedelta(hours=2))
    assert judge(old_error, now=NOW, window=WINDOW).state is S.CONNECTED
    new_error = replace(SYNCED, last_error_at=NOW - timedelta(minutes=5))
    assert judge(new_error, now=NOW, window=WINDOW).state is S.ERROR
    refused = replace(new_error, last_session_refused="company_mismatch")
    assert judge(refused, now=NOW, window=WINDOW).state is S.WRONG_COMPANY_FILE
    # A refusal whose error a later success resolved is history, not the state.
    assert (
        judge(
            replace(old_error, last_session_refused="company_mismatch"), now=NOW, window=WINDOW
        ).state
        is S.CONNECTED
    )
    running = replace(SYNCED, last_success_at=None, company_seen=None)
    verdict = judge(running, now=NOW, window=WINDOW)
    assert verdict.state is S.WAITING_FOR_QUICKBOOKS and "not answered" in verdict.reason
    opened = replace(SYNCED, last_success_at=None)
    assert "opened Acme Widgets" in judge(opened, now=NOW, window=WINDOW).reason
    revoked_all = replace(SYNCED, machines=0, last_check_in_at=None)
    assert judge(revoked_all, now=NOW, window=WINDOW).state is S.STALE
