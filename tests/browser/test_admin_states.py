"""The admin pages in a real browser: states counted and filtered, and a question before a
machine's password is reset.

Chromium talks to gunicorn on PostgreSQL; the connections are brought into their states by
the Web Connector simulator against the same database. Screenshots of each page go to
``/work/screens/admin_*.png`` (or QWC_SCREENS), for a person to look over.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from qwc_service.app import QwcApp, create_app
from qwc_service.clock import utcnow
from qwc_service.connections.queries import get_machine
from qwc_service.connections.service import list_machines
from qwc_service.db import unit_of_work
from qwc_service.qbwc import operations
from qwc_service.serving import ServerProcess
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.admin.helpers import web_connector
from tests.browser.pages import by_id, sign_in
from tests.factories import MachineCredentials, enqueue, make_connection, make_machine

pytestmark = [pytest.mark.browser, pytest.mark.gunicorn, pytest.mark.postgres]

SCREENS = Path(os.environ.get("QWC_SCREENS", "/work/screens"))


def _quickbooks(name: str, seed: int = 1) -> FakeQuickBooks:
    return FakeQuickBooks(generate_company(name=name, customers=3, invoices=0, seed=seed))


def _synced(app: QwcApp, name: str) -> tuple[str, MachineCredentials, Any]:
    connection_id = make_connection(app, name)
    machine = make_machine(app, connection_id, "Front office PC")
    connector = web_connector(app, machine.username, machine.password, _quickbooks(name))
    enqueue(app, connection_id)
    assert connector.run_session().outcome == "completed"
    return connection_id, machine, connector


def _one_of_each_state(app: QwcApp) -> str:
    """Seven connections, one per state; returns the connected one's ID."""
    connected, _, connector = _synced(app, "Acme Widgets")
    for _ in range(2):
        assert connector.run_session().outcome == "none"

    wrong, _, _ = _synced(app, "Beta Bakery")
    other = make_machine(app, wrong, "Back office PC")
    enqueue(app, wrong)
    web_connector(app, other.username, other.password, _quickbooks("Gamma Foods", 2)).run_session()

    failing, _, connector = _synced(app, "Cedar Dental")
    enqueue(app, failing)
    connector.quickbooks.running = False
    assert connector.run_session().outcome == "connection_error"

    _, stale, _ = _synced(app, "Delta Freight")
    with unit_of_work(app.session_factory) as db:
        get_machine(db, stale.username).last_seen_at = utcnow() - timedelta(hours=5)

    idle = make_connection(app, "Echo Farms")
    machine = make_machine(app, idle, "Shop PC")
    web_connector(app, machine.username, machine.password, _quickbooks("Echo Farms")).run_session()

    make_machine(app, make_connection(app, "Fox Legal"), "Reception PC")

    disabled, _, _ = _synced(app, "Harbor Supply")
    with unit_of_work(app.session_factory) as db:
        operations.set_disabled(db, disabled, True)
    return connected


def _shot(driver: Any, name: str) -> None:
    """Save the whole page, not only what fits in the window."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {
            "width": 1280,
            "height": min(int(size["height"]) + 1, 6000),
            "deviceScaleFactor": 1,
            "mobile": False,
        },
    )
    try:
        driver.save_screenshot(str(SCREENS / f"admin_{name}.png"))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _walk(driver: Any, server: ServerProcess, app: QwcApp) -> None:
    from selenium.webdriver.common.by import By

    assert server.settings is not None
    connected = _one_of_each_state(app)
    sign_in(driver, server.settings)

    # Every state counted once at the top, each row with its reason.
    counts = by_id(driver, "state-counts")
    numbers = {
        link.get_attribute("data-state"): link.find_element(By.CSS_SELECTOR, ".count").text
        for link in counts.find_elements(By.CSS_SELECTOR, "a[data-state]")
    }
    assert set(numbers.values()) == {"1"} and len(numbers) == 7, numbers
    assert by_id(driver, "count-all").text.split() == ["all", "7"]
    acme = driver.find_element(By.CSS_SELECTOR, f"tr[data-connection-id='{connected}']")
    assert "QuickBooks answered" in acme.text
    _shot(driver, "list")

    # A count is a filter.
    counts.find_element(By.CSS_SELECTOR, "a[data-state='wrong_company_file']").click()
    assert by_id(driver, "state-filter").text == "wrong company file"
    rows = driver.find_elements(By.CSS_SELECTOR, "#connections tbody tr")
    assert [r.get_attribute("data-state") for r in rows] == ["wrong_company_file"]
    assert "Gamma Foods" in rows[0].text
    _shot(driver, "filter_wrong_company_file")

    # All states again, what needs attention first.
    by_id(driver, "count-all").click()
    by_id(driver, "sort").find_element(By.CSS_SELECTOR, "a[data-sort='attention']").click()
    by_id(driver, "connections")
    rows = driver.find_elements(By.CSS_SELECTOR, "#connections tbody tr")
    assert [r.get_attribute("data-state") for r in rows] == [
        "error",
        "wrong_company_file",
        "stale",
        "waiting_for_quickbooks",
        "waiting_for_first_sync",
        "connected",
        "disabled",
    ]
    _shot(driver, "attention_first")

    # The connected one: its idle check-ins summed up, its session in words.
    driver.find_element(By.LINK_TEXT, "Acme Widgets").click()
    assert by_id(driver, "check-in-summary").text.startswith(
        "Last check-in just now from Front office PC, no work."
    )
    assert by_id(driver, "idle-check-ins").text.startswith("Check-ins have found no work since")
    assert "completed" in by_id(driver, "session-list").text
    _shot(driver, "connection")

    # Resetting the machine's password asks first; cancelling changes nothing.
    with unit_of_work(app.session_factory) as db:
        (machine,) = list_machines(db, connected)
        password_hash = machine.password_hash
    driver.find_element(By.CSS_SELECTOR, "#machine-list button.reset").click()
    assert by_id(driver, "confirm-title").text == "Reset the password of Front office PC?"
    assert by_id(driver, "confirm-consequence").text == (
        "The Web Connector on Front office PC will stop syncing until the new password is "
        "entered there."
    )
    _shot(driver, "confirm_reset")
    by_id(driver, "confirm-cancel").click()
    by_id(driver, "machine-list")
    with unit_of_work(app.session_factory) as db:
        assert list_machines(db, connected)[0].password_hash == password_hash

    # Confirmed, it resets: the new link and password are shown once.
    driver.find_element(By.CSS_SELECTOR, "#machine-list button.reset").click()
    by_id(driver, "confirm-button").click()
    assert "no longer work" in by_id(driver, "shown-once").text
    with unit_of_work(app.session_factory) as db:
        assert list_machines(db, connected)[0].password_hash != password_hash

    # Revoking asks too, and says it is for good.
    driver.find_element(By.ID, "back-to-connection").click()
    driver.find_element(By.CSS_SELECTOR, "#machine-list button.revoke").click()
    assert "stop syncing for good" in by_id(driver, "confirm-consequence").text
    _shot(driver, "confirm_revoke")


def test_states_filters_and_confirmations_in_a_browser(
    chrome: Any, server: ServerProcess, tmp_path: Path
) -> None:
    """Counts, a filter, attention order, a connection's check-ins and a reset's question."""
    assert server.settings is not None
    app = create_app(server.settings)
    try:
        _walk(chrome, server, app)
    except BaseException:
        screenshot = tmp_path / "failure.png"
        chrome.save_screenshot(str(screenshot))
        print(f"screenshot: {screenshot}; page: {chrome.current_url}")
        raise
    finally:
        app.engine.dispose()
