"""Onboarding in a real browser: sign in, create a connection, add a machine, set it up, sync.

Chromium talks to gunicorn on PostgreSQL; the Web Connector simulator then runs with the
.qwc file the browser downloaded and the password the setup page showed, and the admin
page turns healthy.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from qwc_service.serving import ServerProcess
from qwc_service.simulator.connector import WebConnector
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from tests.browser.pages import WAIT_SECONDS, by_id, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.gunicorn, pytest.mark.postgres]


def _downloaded(directory: Path) -> Path:
    """The .qwc file once the browser has finished writing it."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        done = [p for p in directory.iterdir() if p.suffix == ".qwc"]
        partial = [p for p in directory.iterdir() if p.suffix == ".crdownload"]
        if done and not partial:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no .qwc downloaded; found {sorted(p.name for p in directory.iterdir())}")


def _onboard(driver: Any, server: ServerProcess, downloads: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    assert server.settings is not None
    base = server.settings.public_url

    # Sign in with an API token made with the service.
    sign_in(driver, server.settings)

    # A connection, a customer sync so the first session has work, and a machine.
    driver.find_element(By.ID, "name").send_keys("Acme Widgets")
    driver.find_element(By.ID, "create-connection").click()
    assert by_id(driver, "connection-name").text == "Acme Widgets"
    connection_url = driver.current_url
    assert "waiting for first sync" in driver.find_element(By.ID, "health").text
    Select(driver.find_element(By.ID, "schedule-type")).select_by_value("customers")
    driver.find_element(By.ID, "add-schedule-button").click()
    by_id(driver, "schedule-list")
    driver.find_element(By.ID, "label").send_keys("Front office PC")
    driver.find_element(By.ID, "add-machine-button").click()
    setup_link = by_id(driver, "setup-link").text
    password = driver.find_element(By.ID, "new-password").text
    assert setup_link.startswith(f"{base}/setup/") and len(password) == 24
    assert "will not be shown here again" in driver.find_element(By.ID, "shown-once").text

    # The setup page, as the person at the customer's computer sees it.
    driver.get(setup_link)
    assert by_id(driver, "connection-name").text == "Acme Widgets"
    assert "company file open in QuickBooks" in driver.find_element(By.ID, "company").text
    assert driver.find_element(By.ID, "expires-at").text
    shown = driver.find_element(By.ID, "password").text
    assert shown == password
    download = driver.find_element(By.CSS_SELECTOR, "a#download-qwc")
    assert download.get_attribute("href").endswith("/qwc")
    download.click()
    qwc = read_qwc(_downloaded(downloads).read_bytes())
    assert qwc.app_url == f"{base}/qbwc"

    # The Web Connector adds the file, and the password from the page is typed in.
    company = generate_company(customers=12, items=0, invoices=0, payments=0)
    connector = WebConnector(qwc, shown, FakeQuickBooks(company), noop_wait_seconds=0)
    connector.add_application()
    result = connector.run_session()
    assert result.outcome == "completed", result.last_error

    # Back in the admin pages the connection is healthy and names the company.
    driver.get(connection_url)
    assert by_id(driver, "company-name").text == company.company_name
    health = driver.find_element(By.ID, "health").text
    assert "connected" in health
    assert driver.find_elements(By.CSS_SELECTOR, "#health .state-connected")
    assert company.company_name in driver.find_element(By.ID, "lock-status").text
    driver.get(f"{base}/admin")
    assert "connected" in driver.find_element(By.ID, "connections").text


def test_onboarding_in_a_browser(
    chrome: Any, server: ServerProcess, downloads: Path, tmp_path: Path
) -> None:
    """A new customer is onboarded through the admin and setup pages and syncs once."""
    try:
        _onboard(chrome, server, downloads)
    except BaseException:
        screenshot = tmp_path / "failure.png"
        chrome.save_screenshot(str(screenshot))
        print(f"screenshot: {screenshot}; page: {chrome.current_url}")
        raise
