"""Multi-process mode: counters from every process add up on whichever process is scraped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.metrics.wsgi import value

COUNT = """
from qwc_service.metrics import count_login_failure, observe_soap_call
observe_soap_call("authenticate", "nvu", 0.2)
count_login_failure("wrong_password")
"""

SCRAPE = """
import sys
from qwc_service.db import make_engine, make_session_factory
from qwc_service.metrics import clear_multiprocess_dir
from qwc_service.status.metrics import metrics_page
from tests.metrics.wsgi import call

if sys.argv[2] == "clear":
    clear_multiprocess_dir()
engine = make_engine(sys.argv[1])
sys.stdout.write(call(metrics_page(engine, make_session_factory(engine)))[2].decode())
"""


def _python(code: str, directory: Path, *args: str) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout


def test_counters_of_all_processes_add_up(sqlite_url: str, tmp_path: Path) -> None:
    """Two workers count one call each; a third process's /metrics shows two."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    _python(COUNT, directory)
    _python(COUNT, directory)
    text = _python(SCRAPE, directory, sqlite_url, "keep")
    assert value(text, "qwc_soap_calls_total", method="authenticate", outcome="nvu") == 2
    assert value(text, "qwc_soap_call_duration_seconds_count", method="authenticate") == 2
    assert value(text, "qwc_login_failures_total", reason="wrong_password") == 2
    assert value(text, "qwc_database_up", database="sqlite") == 1
    assert value(text, "qwc_sessions_active") == 0

    # A new run starts from an empty directory.
    cleared = _python(SCRAPE, directory, sqlite_url, "clear")
    assert value(cleared, "qwc_soap_calls_total", method="authenticate", outcome="nvu") is None
    assert list(directory.glob("*.db")) == []
