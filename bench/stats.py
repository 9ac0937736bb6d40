"""Summaries of timing samples: median, percentiles and spread."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


@dataclass(frozen=True)
class Summary:
    """A sample described by its median, the p10-p90 spread, p99 and extremes."""

    n: int
    median: float
    p10: float
    p90: float
    p99: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        """The summary as plain numbers, rounded for reading."""
        return {key: round(value, 4) for key, value in asdict(self).items()}


def summarize(values: Sequence[float]) -> Summary:
    """Describe a sample (NaN everywhere when it is empty)."""
    if not values:
        return Summary(0, math.nan, math.nan, math.nan, math.nan, math.nan, math.nan)
    return Summary(
        n=len(values),
        median=percentile(values, 50),
        p10=percentile(values, 10),
        p90=percentile(values, 90),
        p99=percentile(values, 99),
        low=float(min(values)),
        high=float(max(values)),
    )
