"""The job kind registry: every JobKind registered exactly once, and everything derived from it."""

from __future__ import annotations

import dataclasses

import pytest

from qwc_service.api.schemas import components
from qwc_service.app import QwcApp
from qwc_service.qbwc.kinds import JOB_KINDS, KindRegistryError, KindSpec, kind_registry
from qwc_service.queue.models import JobKind


def test_every_job_kind_is_registered_exactly_once() -> None:
    """The registry lists each JobKind once, in the enum's order, with a name and description."""
    assert list(JOB_KINDS) == list(JobKind)
    for kind, spec in JOB_KINDS.items():
        assert spec.kind is kind
        assert spec.name and spec.name == spec.name.strip(), kind
        assert spec.description.endswith("."), kind


def test_a_kind_left_out_is_refused() -> None:
    """A registry without one of the kinds cannot be built: it names the kind missing."""
    specs = [spec for spec in JOB_KINDS.values() if spec.kind is not JobKind.WRITE]
    with pytest.raises(KindRegistryError, match="without a handler: write"):
        kind_registry(specs)


def test_a_kind_registered_twice_is_refused() -> None:
    """Two registrations of one kind cannot be built: the second would silently win."""
    raw = JOB_KINDS[JobKind.RAW]
    twice: list[KindSpec] = [*JOB_KINDS.values(), dataclasses.replace(raw, name="another")]
    with pytest.raises(KindRegistryError, match="'raw' is registered twice"):
        kind_registry(twice)


def test_the_server_runs_every_kind_with_its_registered_handler(app: QwcApp) -> None:
    """The exchange the composition root builds has each kind's handler, and only those."""
    handlers = app.exchange.handlers
    assert set(handlers) == set(JobKind)
    for kind, spec in JOB_KINDS.items():
        assert type(handlers[kind]) is spec.handler, kind


def test_state_schemas_name_api_components_and_the_api_lists_every_kind() -> None:
    """Each kind's state schema is a component; the Job schema's kind enum is JobKind's values."""
    schemas = components()
    for kind, spec in JOB_KINDS.items():
        if spec.state_schema is not None:
            assert spec.state_schema in schemas, kind
    for name in ("Job", "JobSummary"):
        assert schemas[name]["properties"]["kind"]["enum"] == [k.value for k in JobKind]
