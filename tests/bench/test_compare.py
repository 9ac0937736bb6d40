"""The before/after table reads each figure both trees measured against the 10% bar."""

from __future__ import annotations

from bench.compare import compare_section


def test_times_may_grow_and_rates_may_fall_by_at_most_a_tenth() -> None:
    """A pair 5% slower meets the bar, a rate 20% lower misses it, a smaller memory meets it."""
    section = compare_section(
        {
            "round_trip_ms_median": 21.0,
            "before_round_trip_ms_median": 20.0,
            "big_response_records_per_s": 4_000.0,
            "before_big_response_records_per_s": 5_000.0,
            "big_response_growth_mb": 30.0,
            "before_big_response_growth_mb": 60.0,
        }
    )
    assert section is not None
    rows = section.values["before_after"]
    readings = {r["figure"]: (round(r["ratio"], 3), r["reading"]) for r in rows}
    assert readings == {
        "round_trip_ms_median": (1.05, "meets"),
        "big_response_records_per_s": (0.8, "MISSES"),
        "big_response_growth_mb": (0.5, "meets"),
    }


def test_figures_only_one_tree_measured_are_left_out() -> None:
    """A figure without its before_ twin gets no row; with none at all there is no table."""
    assert compare_section({"round_trip_ms_median": 21.0, "before_idle_poll_cpu_ms": 3.0}) is None
