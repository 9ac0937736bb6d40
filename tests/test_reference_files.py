"""The file lists the tests run over name every file of their folder in the reference material."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reference_files import (
    NOT_RESPONSES,
    QBXML_SAMPLES,
    QWC_SAMPLES,
    RECONSTRUCTED_REQUESTS,
    capture_payload,
)


@pytest.mark.parametrize(
    ("folder", "pattern", "names"),
    [
        ("qbxml-samples", "*.xml", QBXML_SAMPLES),
        ("captures", "*-request-RECONSTRUCTED-document-style.xml", RECONSTRUCTED_REQUESTS),
        ("samples", "*.qwc", QWC_SAMPLES),
    ],
)
def test_lists_match_the_folders(
    reference: Path, folder: str, pattern: str, names: tuple[str, ...]
) -> None:
    """Each list holds exactly the files of its folder that match its pattern."""
    assert sorted(names) == sorted(path.name for path in (reference / folder).glob(pattern))


def test_samples_that_are_not_responses_are_samples() -> None:
    """The samples left out of the response lists are all in the list of samples."""
    assert set(QBXML_SAMPLES) >= NOT_RESPONSES


def test_capture_payload_starts_after_the_marker_line() -> None:
    """The payload is every byte after the marker line, and a file without one is refused."""
    data = b"<!-- header -->\n<!-- ===== payload follows ===== -->\n<a>x</a>\n"
    assert capture_payload(data) == b"<a>x</a>\n"
    with pytest.raises(AssertionError):
        capture_payload(b"<!-- header -->\n<a/>")


@pytest.mark.parametrize("ci", ["", "1"])
def test_missing_material_is_skipped_or_fails_under_ci(tmp_path: Path, ci: str) -> None:
    """Without the material a test needing it is skipped, saying where it looked; CI fails it."""
    nowhere = tmp_path / "no-reference"
    env = {**os.environ, "QWC_REFERENCE_DIR": str(nowhere), "CI": ci}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         f"{__file__}::test_lists_match_the_folders"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert f"not found at {nowhere} (QWC_REFERENCE_DIR={nowhere})" in run.stdout
    assert "QWC_REFERENCE_DIR=/path/to/reference make test" in run.stdout
    if ci:
        assert run.returncode == 1, run.stdout
        assert "3 errors" in run.stdout and "CI is set" in run.stdout
    else:
        assert run.returncode == 0, run.stdout
        assert "3 skipped" in run.stdout
