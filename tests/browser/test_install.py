"""Adding your own computer in a real browser, through the connection's installation link.

Chromium talks to gunicorn on PostgreSQL. Before the Admin's first sync the page says to
wait; after a real sync with the simulator it shows the locked company, refuses a blank
label, and sends the person to their machine's setup page, whose .qwc file and password
then run a session. Screenshots of each step go to ``QWC_SCREENSHOT_DIR`` when it is set.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qwc_service.app import QwcApp, create_app
from qwc_service.serving import ServerProcess
from qwc_service.simulator.connector import WebConnector
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from tests.factories import enqueue, make_connection, make_test_settings
from tests.setup.helpers import add_linked_machine
from tests.setup.install_helpers import issue_link

pytestmark = [pytest.mark.browser, pytest.mark.gunicorn, pytest.mark.postgres]

WAIT_SECONDS = 30


@pytest.fixture
def server(pg_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """gunicorn on PostgreSQL whose public URL is itself, so links and .qwc files work."""
    process = ServerProcess(None, workers=2, log_path=tmp_path / "gunicorn.log")
    settings = make_test_settings(pg_url, tmp_path / "qwc_files").with_overrides(
        public_url=f"http://localhost:{process.port}"
    )
    process.settings = settings
    with process:
        yield process


@pytest.fixture
def served_app(server: ServerProcess) -> Iterator[QwcApp]:
    """The composition root on the server's settings, for setting up data in-process."""
    assert server.settings is not None
    application = create_app(server.settings)
    yield application
    application.engine.dispose()


@pytest.fixture
def screens(tmp_path: Path) -> Path:
    """Where the screenshots go: QWC_SCREENSHOT_DIR, or the test's own directory."""
    configured = os.environ.get("QWC_SCREENSHOT_DIR")
    path = Path(configured) if configured else tmp_path / "screens"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _by_id(driver: Any, element_id: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_SECONDS).until(
        expected_conditions.presence_of_element_located((By.ID, element_id))
    )


def _snap(driver: Any, screens: Path, name: str) -> None:
    # The whole page, not only the window: the width stays, the height fits the content.
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1100, max(700, int(height) + 40))
    driver.save_screenshot(str(screens / f"install_{name}.png"))


def _downloaded(directory: Path) -> Path:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        done = [p for p in directory.iterdir() if p.suffix == ".qwc"]
        partial = [p for p in directory.iterdir() if p.suffix == ".crdownload"]
        if done and not partial:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no .qwc downloaded; found {sorted(p.name for p in directory.iterdir())}")


def _install(
    driver: Any, server: ServerProcess, app: QwcApp, downloads: Path, screens: Path
) -> None:
    from selenium.webdriver.common.by import By

    base = server.url.replace("127.0.0.1", "localhost")
    connection_id = make_connection(app, "Acme Widgets")
    link = base + issue_link(app, connection_id, max_installs=5)

    # Before the Admin's first sync: the page says why nothing can be added yet.
    driver.get(link)
    assert _by_id(driver, "connection-name").text == "Acme Widgets"
    waiting = driver.find_element(By.ID, "not-ready").text
    assert "Admin must first finish setting up the main computer" in waiting
    assert not driver.find_elements(By.ID, "install-form")
    _snap(driver, screens, "before_first_sync")

    # The Admin's main computer syncs for real through its own setup link.
    admin = add_linked_machine(app, connection_id, "Main office PC")
    company = generate_company(customers=6, items=0, invoices=0, payments=0)
    quickbooks = FakeQuickBooks(company)
    enqueue(app, connection_id)
    with_admin = WebConnector(
        read_qwc(_get_bytes(base + admin.page + "/qwc")),
        admin.password,
        quickbooks,
        noop_wait_seconds=0,
    )
    with_admin.add_application()
    assert with_admin.run_session().outcome == "completed"

    # After it: the locked company, read-only, and the one question.
    driver.get(link)
    name = _by_id(driver, "company-name")
    assert name.get_attribute("value") == company.company_name
    assert name.get_attribute("readonly") is not None
    assert driver.find_element(By.ID, "company-file").get_attribute("value") == company.file_path
    _snap(driver, screens, "after_first_sync")

    # A blank label is refused with the form shown again.
    driver.find_element(By.ID, "label").send_keys("   ")
    driver.find_element(By.ID, "install").click()
    error = _by_id(driver, "label-error")
    assert "Type who you are or which computer this is" in error.text
    _snap(driver, screens, "label_error")

    # Who this is, and on to the machine's own setup page.
    field = driver.find_element(By.ID, "label")
    field.clear()
    field.send_keys("Maria, terminal server")
    driver.find_element(By.ID, "install").click()
    password = _by_id(driver, "password").text
    assert driver.current_url.startswith(f"{base}/setup/")
    assert "Maria, terminal server" in driver.find_element(By.CLASS_NAME, "lead").text
    assert company.company_name in driver.find_element(By.ID, "company").text
    _snap(driver, screens, "setup_page")
    driver.find_element(By.CSS_SELECTOR, "a#download-qwc").click()
    qwc = read_qwc(_downloaded(downloads).read_bytes())
    assert qwc.app_url == f"{base}/qbwc"

    # The person's own Web Connector: the downloaded file and the password from the page.
    enqueue(app, connection_id)
    connector = WebConnector(qwc, password, quickbooks, noop_wait_seconds=0)
    connector.add_application()
    result = connector.run_session()
    assert result.outcome == "completed", result.last_error


def _get_bytes(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as reply:
        data: bytes = reply.read()
        return data


def test_install_in_a_browser(
    chrome: Any,
    server: ServerProcess,
    served_app: QwcApp,
    downloads: Path,
    screens: Path,
    tmp_path: Path,
) -> None:
    """Before and after the first sync, a refused label, then one's own setup page and sync."""
    try:
        _install(chrome, server, served_app, downloads, screens)
    except BaseException:
        screenshot = tmp_path / "failure.png"
        chrome.save_screenshot(str(screenshot))
        print(f"screenshot: {screenshot}; page: {chrome.current_url}")
        raise
