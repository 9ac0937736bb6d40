"""Before and after: this tree's figures over the ``--compare-with`` tree's, from one run.

Both servers ran on the same cores with the same clients in the same run, so the ratio of
a figure carries the change and little of the machine's mood. A figure is read against the
bar "no worse than 10%": a time, CPU or memory figure may grow by at most 10%, a rate may
fall by at most 10%.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bench.report import Row, Section, verdict

#: How much worse than before a figure may be.
TOLERANCE = 0.10


@dataclass(frozen=True)
class Compared:
    """One figure of both trees: its key (``before_`` + key is the other tree's)."""

    label: str
    key: str
    unit: str
    higher_is_better: bool = False


FIGURES: tuple[Compared, ...] = (
    Compared("sync round trip, PostgreSQL: pair median", "round_trip_ms_median", "ms"),
    Compared("sync round trip, PostgreSQL: pair p99", "round_trip_ms_p99", "ms"),
    Compared("sync round trip, PostgreSQL: worker CPU per pair", "worker_cpu_ms_per_pair", "ms"),
    Compared(
        "sync round trip, PostgreSQL: PostgreSQL CPU per pair", "database_cpu_ms_per_pair", "ms"
    ),
    Compared("sync round trip, SQLite: pair median", "sqlite_round_trip_ms_median", "ms"),
    Compared("sync round trip, SQLite: worker CPU per pair", "sqlite_worker_cpu_ms_per_pair", "ms"),
    Compared(
        "big response, PostgreSQL: invoices per second",
        "big_response_records_per_s",
        "/s",
        higher_is_better=True,
    ),
    Compared(
        "big response, SQLite: invoices per second",
        "sqlite_big_response_records_per_s",
        "/s",
        higher_is_better=True,
    ),
    Compared(
        "big response, PostgreSQL: worker CPU per 1,000 invoices",
        "big_response_worker_cpu_ms_per_1k",
        "ms",
    ),
    Compared(
        "big response, SQLite: worker CPU per 1,000 invoices",
        "sqlite_big_response_worker_cpu_ms_per_1k",
        "ms",
    ),
    Compared("big response, PostgreSQL: worker memory growth", "big_response_growth_mb", "MiB"),
    Compared("big response, SQLite: worker memory growth", "sqlite_big_response_growth_mb", "MiB"),
    Compared("idle poll: server CPU per poll", "idle_poll_cpu_ms", "ms"),
)


def _number(values: Mapping[str, Any], key: str) -> float | None:
    value = values.get(key)
    if isinstance(value, int | float) and not math.isnan(value) and value > 0:
        return float(value)
    return None


def compare_section(values: Mapping[str, Any]) -> Section | None:
    """A row per figure both trees measured in this run; None if there is none."""
    section = Section("Before and after (this tree / the --compare-with tree, same run)")
    readings: list[dict[str, Any]] = []
    for figure in FIGURES:
        after, before = _number(values, figure.key), _number(values, f"before_{figure.key}")
        if after is None or before is None:
            continue
        ratio = after / before
        ok = ratio >= 1 - TOLERANCE if figure.higher_is_better else ratio <= 1 + TOLERANCE
        bar = f">= {1 - TOLERANCE:g}x" if figure.higher_is_better else f"<= {1 + TOLERANCE:g}x"
        section.rows.append(
            Row(
                figure.label,
                ratio,
                "x",
                f"after {after:,.4g} / before {before:,.4g} {figure.unit}",
                None,
                bar,
                verdict(ok),
            )
        )
        readings.append(
            {
                "figure": figure.key,
                "after": after,
                "before": before,
                "ratio": ratio,
                "reading": verdict(ok),
            }
        )
    if not readings:
        return None
    section.values["before_after"] = readings
    section.notes.append(
        "ratio = after / before of the medians (p99 where named); the bar is no worse than "
        f"{TOLERANCE:.0%}: times, CPU and memory at most {1 + TOLERANCE:g}x, rates at least "
        f"{1 - TOLERANCE:g}x"
    )
    return section
