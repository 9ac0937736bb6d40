"""Every job kind, declared once: its handler, how people see it, where its state is described.

:class:`~qwc_service.queue.models.JobKind` is what a job stores; this registry is what each
kind means. Adding a kind is adding its ``JobKind`` value, writing its handler and adding
its :class:`KindSpec` to :data:`JOB_KINDS`. A kind left out (or listed twice) stops this module
from importing, so the server cannot start with a kind it would not know how to run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import import_module
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, cast

from qwc_service.queue.enums import JobKind

if TYPE_CHECKING:
    from qwc_service.qbwc.jobs import JobHandler


class KindRegistryError(RuntimeError):
    """The job kinds and their registrations disagree."""


@dataclass(frozen=True)
class KindSpec:
    """One job kind and what runs and describes it."""

    kind: JobKind
    #: Where the kind's handler class is, ``module:Class``. It is imported when the server
    #: builds its handlers, not here, so that listing the kinds (the command line's help)
    #: does not load the whole exchange.
    handler_at: str
    #: A short lower-case name for people (the admin pages, help texts).
    name: str
    #: One sentence: what a job of this kind does.
    description: str
    #: The API component schema of the kind's own state, if it has one beyond the job's.
    state_schema: str | None = None

    @property
    def handler(self) -> Callable[[], JobHandler]:
        """Makes the kind's handler; handlers hold no state, so one is made per exchange."""
        module, _, name = self.handler_at.partition(":")
        return cast("Callable[[], JobHandler]", getattr(import_module(module), name))


def kind_registry(specs: Iterable[KindSpec]) -> Mapping[JobKind, KindSpec]:
    """``specs`` by kind, in JobKind's order; every kind must be registered exactly once."""
    by_kind: dict[JobKind, KindSpec] = {}
    for spec in specs:
        if spec.kind in by_kind:
            raise KindRegistryError(f"job kind {spec.kind.value!r} is registered twice")
        by_kind[spec.kind] = spec
    missing = [kind.value for kind in JobKind if kind not in by_kind]
    if missing:
        raise KindRegistryError(f"job kinds without a handler: {', '.join(missing)}")
    return MappingProxyType({kind: by_kind[kind] for kind in JobKind})


JOB_KINDS: Final = kind_registry(
    (
        KindSpec(
            JobKind.RAW,
            "qwc_service.qbwc.handlers.raw:RawHandler",
            name="qbXML as queued",
            description="qbXML queued as it is; QuickBooks' response is stored on the job.",
        ),
        KindSpec(
            JobKind.SYNC,
            "qwc_service.qbwc.handlers.sync:SyncHandler",
            name="scheduled sync",
            description="A scheduled sync of one record type, read page by page, then its "
            "deletions.",
            state_schema="SyncJob",
        ),
        KindSpec(
            JobKind.WRITE,
            "qwc_service.qbwc.handlers.write:WriteHandler",
            name="write to QuickBooks",
            description="One Add, Mod, Void or Delete request, sent at most once under "
            "QuickBooks' message-set error recovery.",
            state_schema="Write",
        ),
    )
)


def build_handlers() -> Mapping[str, JobHandler]:
    """The handler for each job kind."""
    return {kind: spec.handler() for kind, spec in JOB_KINDS.items()}
