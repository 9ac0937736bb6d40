"""A branded setup page in a real browser: the logo loads from its own origin under the
page's CSP (no other origin does), and the .qwc downloads under its readable name."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from qwc_service.app import create_app
from qwc_service.serving import ServerProcess
from tests.factories import make_connection, make_test_settings
from tests.setup.helpers import add_linked_machine

pytestmark = [pytest.mark.browser, pytest.mark.gunicorn]

WAIT_SECONDS = 30
LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40">'
    b'<rect width="160" height="40" rx="6" fill="#0b5394"/>'
    b'<text x="80" y="26" font-family="sans-serif" font-size="16" fill="#fff" '
    b'text-anchor="middle">ACME</text></svg>'
)


class _Logo(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml")
        self.send_header("Content-Length", str(len(LOGO)))
        self.end_headers()
        self.wfile.write(LOGO)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def logo_port() -> Iterator[int]:
    """A second web server, another origin than the setup pages, serving the logo."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Logo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _wait(driver: Any, condition: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_SECONDS).until(condition)


def _image_loads(driver: Any, url: str) -> bool:
    """Whether an image from ``url`` loads in the current page (the CSP may block it)."""
    script = """
        const done = arguments[arguments.length - 1];
        const image = new Image();
        image.onload = () => done(true);
        image.onerror = () => done(false);
        image.src = arguments[0];
    """
    return bool(driver.execute_async_script(script, url))


def _downloaded(directory: Path) -> Path:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        done = [p for p in directory.iterdir() if p.suffix == ".qwc"]
        if done and not [p for p in directory.iterdir() if p.suffix == ".crdownload"]:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no .qwc downloaded; found {sorted(p.name for p in directory.iterdir())}")


def test_branded_setup_page_in_a_browser(
    chrome: Any, downloads: Path, sqlite_url: str, tmp_path: Path, logo_port: int
) -> None:
    """The logo shows (its origin is in img-src), another origin's image is blocked, the
    brand and contact are on the page, and the file saves as the name on the button."""
    from selenium.webdriver.common.by import By

    process = ServerProcess(None, workers=1, log_path=tmp_path / "gunicorn.log")
    logo_url = f"http://localhost:{logo_port}/logo.svg"
    process.settings = make_test_settings(sqlite_url, tmp_path / "qwc_files").with_overrides(
        public_url=f"http://localhost:{process.port}",
        brand_name="Acme Payments",
        brand_support_url="https://help.acme.example/qbwc",
        brand_support_email="support@acme.example",
        brand_support_phone="+1 (555) 010-2000",
        brand_logo_url=logo_url,
    )
    with process:
        app = create_app(process.settings)
        try:
            connection_id = make_connection(app, "Browser Widgets Café")
            machine = add_linked_machine(app, connection_id)
        finally:
            app.engine.dispose()
        try:
            chrome.get(process.settings.public_url + machine.page)
            logo = _wait(chrome, lambda d: d.find_element(By.ID, "brand-logo"))
            _wait(chrome, lambda d: d.execute_script("return arguments[0].complete;", logo))
            assert chrome.execute_script("return arguments[0].naturalWidth;", logo) == 160
            assert not _image_loads(chrome, f"http://127.0.0.1:{logo_port}/logo.svg")
            assert chrome.find_element(By.ID, "brand-name").text == "Acme Payments"
            assert chrome.find_element(By.ID, "brand-contact").text.startswith(
                "Need help? Contact Acme Payments: https://help.acme.example/qbwc"
            )
            height = chrome.execute_script("return document.documentElement.scrollHeight;")
            chrome.set_window_size(1280, height + 100)
            chrome.save_screenshot(str(tmp_path / "setup_branded.png"))

            button = chrome.find_element(By.ID, "download-qwc")
            file_name = "Acme Payments - Browser Widgets Café (Front office PC).qwc"
            assert button.text == f"Download {file_name}"
            button.click()
            assert _downloaded(downloads).name == file_name
        except BaseException:
            chrome.save_screenshot(str(tmp_path / "failure.png"))
            print(f"screenshots in {tmp_path}; page: {chrome.current_url}")
            raise
