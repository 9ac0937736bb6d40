"""Steps the browser tests share: gunicorn on PostgreSQL, an API token, waiting for elements."""

from __future__ import annotations

from typing import Any

from qwc_service.app import create_app
from qwc_service.config import Settings
from qwc_service.db import unit_of_work
from qwc_service.tokens.service import create_token

__all__ = ["WAIT_SECONDS", "api_token", "by_id", "sign_in", "wait"]

WAIT_SECONDS = 30


def api_token(settings: Settings) -> str:
    """A new API token's secret, made in the server's database."""
    app = create_app(settings)
    try:
        with unit_of_work(app.session_factory) as db:
            return create_token(db, "browser test").secret
    finally:
        app.engine.dispose()


def wait(driver: Any, condition: Any) -> Any:
    """Wait (at most WAIT_SECONDS) until ``condition`` holds; its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_SECONDS).until(condition)


def by_id(driver: Any, element_id: str) -> Any:
    """The element with this id, once the page has it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions

    return wait(driver, expected_conditions.presence_of_element_located((By.ID, element_id)))


def sign_in(driver: Any, settings: Settings) -> None:
    """Sign in to the admin pages with a new API token; lands on the connections list."""
    from selenium.webdriver.common.by import By

    base = settings.public_url
    driver.get(f"{base}/admin/login")
    by_id(driver, "token").send_keys(api_token(settings))
    driver.find_element(By.ID, "sign-in").click()
    by_id(driver, "new-connection")
    assert driver.current_url == f"{base}/admin"
