"""The benchmark command runs end to end at its smallest scale and reports every figure."""

from __future__ import annotations

import importlib.util
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
    "idle_polls_per_s",
    "idle_poll_p99_ms",
    "idle_poll_cpu_ms",
    "idle_poll_db_cpu_ms",
    "floor_idle_polls_per_s",
    "floor_idle_poll_cpu_ms",
    "seats_at_60s",
    "cli_help_cpu_s",
    "mixed_sync_records_per_s",
    "mixed_sync_worker_cpu_ms_per_record",
    "mixed_sync_growth_mb",
    "mixed_sync_read_only_records_per_s",
)
#: The peer's figures, present when qbwc-kit (the ``bench`` extra) is installed.
PEER_FIGURES = ("peer_idle_poll_cpu_ms", "peer_round_trip_ms_median")


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
    # The mixed full sync stored records of many types, with no failed job, and ran until a
    # session found no work.
    assert report["mixed_sync_records"] > 0
    assert report["mixed_sync_types"] > 10
    assert report["mixed_sync_jobs_failed"] == 0
    assert report["mixed_sync_outcome"] == "none"
    assert report["mixed_sync_requests"] > report["mixed_sync_types"]
    # Idle polls: every poll found no work ("none"); the floor answers every one, so an error
    # there is the harness's (the server's errors are a figure of the run, like its times).
    assert report["floor_idle_poll_errors"] == 0
    assert report["idle_poll_errors"] is not None
    for who in ("", "floor_"):
        assert report[f"{who}idle_poll_not_idle"] == 0
    peer_missing = [note for note in _all_notes(report) if "peer (qbwc-kit) not run" in note]
    if importlib.util.find_spec("qbwc_kit") is not None:
        assert peer_missing == []
        assert [name for name in PEER_FIGURES if report.get(name) is None] == []
        assert report["peer_idle_poll_errors"] == 0
        assert report["peer_round_trip_failures"] == 0
    else:
        assert peer_missing != []
    # The targets table reads every target of the issue from this run's figures; only the
    # peer's can be missing, when qbwc-kit is not installed.
    unread = [t["figure"] for t in report["targets"] if t["reading"] == "n/a"]
    assert len(report["targets"]) == 13
    assert all(t["reading"] in ("meets", "MISSES", "n/a") for t in report["targets"])
    assert unread == ([] if not peer_missing else [t for t in unread if "qbwc-kit" in t])


def _all_notes(report: dict[str, object]) -> list[str]:
    notes = report["notes"]
    assert isinstance(notes, dict)
    return [note for section in notes.values() for note in section]
