"""The targets of the fleet-scale issue, read as ratios to the floor and the peer of one run.

Absolute times depend on the machine; a ratio to the floor (the least any endpoint can do
here) or to the peer (qbwc-kit's in-memory server), both measured in the same run on the
same cores, carries from one machine to another. Each target is read, never asserted.
"""

from __future__ import annotations

import math
import resource
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.report import Row, Section, verdict

#: Invoices per second the 50,000-invoice response reached on PostgreSQL before this issue.
BIG_RESPONSE_BEFORE_PER_S = 6_500.0
#: Seconds of CPU ``qwc-service --help`` may take.
CLI_HELP_TARGET_S = 0.3

_HELP = "from qwc_service.cli.main import main; main(['--help'], prog_name='qwc-service')"


def cli_help_cpu_s(python: str = sys.executable, cwd: Path | None = None, tries: int = 3) -> float:
    """CPU seconds (user + system) of ``qwc-service --help`` in a fresh process; best of tries."""
    best = math.inf
    for _ in range(tries):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([python, "-c", _HELP], cwd=cwd, stdout=subprocess.DEVNULL, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = min(best, used)
    return best


@dataclass(frozen=True)
class Target:
    """One line of the issue's table: what is read, how, and the bar."""

    label: str
    unit: str
    target: str
    value: Callable[[Mapping[str, Any]], float | None]
    ok: Callable[[float], bool]


def _get(values: Mapping[str, Any], key: str) -> float | None:
    value = values.get(key)
    if isinstance(value, int | float) and not math.isnan(value):
        return float(value)
    return None


def _ratio(top: str | Sequence[str], bottom: str | Sequence[str]) -> Callable[..., float | None]:
    """values[top] / values[bottom], each a key or a sum of keys; None if one is missing."""

    def total(values: Mapping[str, Any], keys: str | Sequence[str]) -> float | None:
        parts = [_get(values, k) for k in ([keys] if isinstance(keys, str) else keys)]
        return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)

    def read(values: Mapping[str, Any]) -> float | None:
        high, low = total(values, top), total(values, bottom)
        return None if high is None or low is None or low <= 0 else high / low

    return read


def _key(name: str) -> Callable[[Mapping[str, Any]], float | None]:
    return lambda values: _get(values, name)


IDLE_CPU = ("idle_poll_cpu_ms", "idle_poll_db_cpu_ms")

TARGETS: tuple[Target, ...] = (
    Target(
        "idle poll: server + PostgreSQL CPU / floor's",
        "x",
        "<= 5x",
        _ratio(IDLE_CPU, "floor_idle_poll_cpu_ms"),
        lambda r: r <= 5.0,
    ),
    Target(
        "idle poll: server + PostgreSQL CPU / qbwc-kit's",
        "x",
        "<= 1x",
        _ratio(IDLE_CPU, "peer_idle_poll_cpu_ms"),
        lambda r: r <= 1.0,
    ),
    Target(
        "idle polls per second (8 machines)",
        "polls/s",
        ">= 200",
        _key("idle_polls_per_s"),
        lambda v: v >= 200.0,
    ),
    Target(
        "seats per node at 60 s polling",
        "seats",
        ">= 12,000",
        _key("seats_at_60s"),
        lambda v: v >= 12_000.0,
    ),
    Target(
        "raw-job round trip / qbwc-kit's (medians)",
        "x",
        "<= 2x",
        _ratio("raw_round_trip_ms_median", "peer_round_trip_ms_median"),
        lambda r: r <= 2.0,
    ),
    Target(
        "sync round trip: worker CPU per pair / floor's",
        "x",
        "<= 5x",
        _ratio("worker_cpu_ms_per_pair", "floor_worker_cpu_ms_per_pair"),
        lambda r: r <= 5.0,
    ),
    Target(
        "many machines, no think time: pairs/s / floor's",
        "x",
        ">= 0.5x",
        _ratio("machines_200_rps", "floor_machines_200_rps"),
        lambda r: r >= 0.5,
    ),
    Target(
        "many machines, no think time: pair p99 / floor's",
        "x",
        "<= 2x",
        _key("machines_200_p99_floor_ratio"),
        lambda r: r <= 2.0,
    ),
    Target(
        "many machines, no think time: errors",
        "sessions",
        "0",
        _key("machines_200_errors"),
        lambda v: v == 0,
    ),
    Target(
        "big response: invoices per second (PostgreSQL)",
        "/s",
        f">= {BIG_RESPONSE_BEFORE_PER_S:,.0f} (before)",
        _key("big_response_records_per_s"),
        lambda v: v >= BIG_RESPONSE_BEFORE_PER_S,
    ),
    Target(
        "big response: worker memory growth / response size",
        "x",
        "<= 4x",
        _key("big_response_growth_factor"),
        lambda r: r <= 4.0,
    ),
    Target(
        "claim at the large queue / at 1,000",
        "x",
        "<= 2x",
        _key("claim_ratio"),
        lambda r: r <= 2.0,
    ),
    Target(
        "qwc-service --help, CPU",
        "s",
        f"<= {CLI_HELP_TARGET_S:g} s",
        _key("cli_help_cpu_s"),
        lambda v: v <= CLI_HELP_TARGET_S,
    ),
)


def before_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The other checkout's figures under the names of this one's (``before_*`` unprefixed),
    with the floor's and the peer's of the same run; figures it did not run stay missing."""
    yardsticks = {k: v for k, v in values.items() if k.startswith(("floor_", "peer_"))}
    ours = {k.removeprefix("before_"): v for k, v in values.items() if k.startswith("before_")}
    return {**yardsticks, **ours}


def targets_section(values: Mapping[str, Any], before: Mapping[str, Any] | None = None) -> Section:
    """One row per target, read from the run's JSON values (n/a where a figure is missing).

    With ``before`` (the figures of another checkout in the same run), its reading of each
    target goes in the spread column.
    """
    section = Section("Targets (ratios to the floor and to qbwc-kit in this run)")
    readings: list[dict[str, Any]] = []
    for target in TARGETS:
        value = target.value(values)
        reading = verdict(None if value is None else target.ok(value))
        readings.append(
            {"figure": target.label, "value": value, "target": target.target, "reading": reading}
        )
        spread = ""
        if before is not None:
            old = target.value(before)
            spread = "before: n/a" if old is None else f"before: {old:,.4g}"
        section.rows.append(
            Row(
                target.label,
                math.nan if value is None else value,
                target.unit,
                spread,
                None,
                target.target,
                reading,
            )
        )
    section.values["targets"] = readings
    section.notes.append(
        "read from this run's figures: the floor (lxml only, canned replies) and the peer "
        "(qbwc-kit in memory) ran on the same cores, with the same clients, in this run"
    )
    return section
