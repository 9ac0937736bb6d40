"""A real gunicorn serving the app over HTTP, on the test's database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qwc_service.app import QwcApp, create_app
from qwc_service.config import Settings
from qwc_service.serving import ServerProcess


@pytest.fixture
def server(settings: Settings, tmp_path: Path) -> Iterator[ServerProcess]:
    """gunicorn with two workers; .qwc files point at it through localhost."""
    process = ServerProcess(settings, workers=2, log_path=tmp_path / "gunicorn.log")
    process.settings = settings.with_overrides(public_url=f"http://localhost:{process.port}")
    with process:
        yield process


@pytest.fixture
def served_app(server: ServerProcess) -> Iterator[QwcApp]:
    """The composition root on the server's settings, for setting up data in-process."""
    application = create_app(server.settings)
    yield application
    application.engine.dispose()
