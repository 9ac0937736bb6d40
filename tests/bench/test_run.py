"""The benchmark command runs end to end at its smallest scale and reports every figure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parents[2]
#: The keys the benchmark's JSON report promises.
FIGURES = (
    "round_trip_ms_median",
    "round_trip_ms_p99",
    "floor_round_trip_ms_median",
    "floor_ratio",
    "authenticate_ms_median",
    "machines_200_rps",
    "machines_200_p99_ms",
    "machines_200_errors",
    "big_response_records_per_s",
    "big_response_peak_rss_mb",
    "big_response_mb",
    "claim_ms_1k",
    "claim_ms_1m",
)


@pytest.mark.postgres
def test_quick_benchmark_reports_every_figure(pg_template: str) -> None:
    """`bench/run.py --quick --json` completes, reports each figure and sees no errors."""
    run = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "QWC_BENCH_PG_URL": PG_ADMIN_URL},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    failed = {
        title: notes
        for title, notes in report["notes"].items()
        if any(note.startswith("failed") for note in notes)
    }
    assert not failed
    assert [name for name in FIGURES if report.get(name) is None] == []
    assert report["machines_200_errors"] == 0
    # The floor's many-machines run uses the same clients: a failure there is the harness's.
    assert report["floor_machines_200_errors"] == 0
    assert report["floor_machines_200_p99_ms"] is not None
    assert report["machines_200_p99_floor_ratio"] is not None
    assert report["big_response_outcome"] == "completed"
    # The same response parsed without a database: every record read, both parses timed.
    assert report["big_response_read_only_records"] == report["big_response_invoices"]
    assert report["big_response_read_only_records_per_s"] > 0
    assert report["big_response_envelope_parse_s"] > 0
    assert report["big_response_one_worker_bound_records_per_s"] > 0
