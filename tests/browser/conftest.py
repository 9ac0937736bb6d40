"""Headless Chromium driven by Selenium, with downloads saved to the test's directory, and
gunicorn on PostgreSQL for it to talk to."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qwc_service.serving import ServerProcess
from tests.factories import make_test_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def _missing(reason: str) -> None:
    """Fail under CI (the browser is part of the test environment there), skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {reason}")
    pytest.skip(reason)


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    """Where the browser saves downloaded files."""
    path = tmp_path / "downloads"
    path.mkdir()
    return path


@pytest.fixture
def chrome(downloads: Path) -> Iterator[Any]:
    """A headless Chromium WebDriver; skipped (failed under CI) without chromium or its driver."""
    found = {}
    for path in (CHROMIUM, CHROMEDRIVER):
        where = str(path) if path.exists() else shutil.which(path.name)
        if where is None:
            _missing(f"{path} is not installed (Debian: apt-get install chromium chromium-driver)")
        found[path.name] = str(where)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:
        _missing(f"selenium is not installed: {exc}")
    options = webdriver.ChromeOptions()
    options.binary_location = found["chromium"]
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1600",
    ):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "download.directory_upgrade": True,
            "safebrowsing.enabled": False,
        },
    )
    driver = webdriver.Chrome(options=options, service=Service(found["chromedriver"]))
    # Headless Chromium follows the download preference only once told to allow downloads.
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def server(pg_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """gunicorn on PostgreSQL whose public URL is itself, so setup links and .qwc files work."""
    process = ServerProcess(None, workers=2, log_path=tmp_path / "gunicorn.log")
    # The Web Connector refuses IP addresses in a .qwc, so the public URL names localhost.
    settings = make_test_settings(pg_url, tmp_path / "qwc_files").with_overrides(
        public_url=f"http://localhost:{process.port}"
    )
    process.settings = settings
    with process:
        yield process
