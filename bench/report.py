"""One table (or one JSON object) out of every benchmark's figures."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.stats import Summary


@dataclass(frozen=True)
class Row:
    """One figure: its median, how it spreads, and the target it is read against."""

    label: str
    median: float
    unit: str
    spread: str = ""
    n: int | None = None
    target: str = ""
    verdict: str = ""


@dataclass
class Section:
    """One benchmark's rows, notes, and the values it contributes to the JSON object."""

    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    def summary_row(
        self, label: str, summary: Summary, unit: str, target: str = "", verdict: str = ""
    ) -> None:
        """Add a row for a sample: median, p10-p90 (and p99, max) as the spread."""
        spread = (
            f"p10 {_num(summary.p10)} / p90 {_num(summary.p90)} / "
            f"p99 {_num(summary.p99)} / max {_num(summary.high)}"
        )
        self.rows.append(Row(label, summary.median, unit, spread, summary.n, target, verdict))


def verdict(ok: bool | None) -> str:
    """How a figure reads against its target (a reading, never an assertion)."""
    if ok is None:
        return "n/a"
    return "meets" if ok else "MISSES"


def _num(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def render_table(header: Sequence[str], sections: Sequence[Section]) -> str:
    """The report as text: a header block, then each section's rows and notes."""
    lines = list(header)
    columns = ("figure", "median", "unit", "n", "spread", "target", "reading")
    for section in sections:
        lines += ["", f"== {section.title} =="]
        table = [columns] + [
            (
                r.label,
                _num(r.median),
                r.unit,
                "" if r.n is None else str(r.n),
                r.spread,
                r.target,
                r.verdict,
            )
            for r in section.rows
        ]
        widths = [max(len(row[i]) for row in table) for i in range(len(columns))]
        for index, row in enumerate(table):
            cells = [
                cell.rjust(widths[i]) if i in (1, 3) else cell.ljust(widths[i])
                for i, cell in enumerate(row)
            ]
            lines.append("  ".join(cells).rstrip())
            if index == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines += [f"  * {note}" for note in section.notes]
    return "\n".join(lines)


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def render_json(meta: dict[str, Any], sections: Sequence[Section]) -> str:
    """The report as one JSON object: the run's settings, then every section's values."""
    merged: dict[str, Any] = dict(meta)
    for section in sections:
        merged.update(section.values)
    merged["notes"] = {s.title: s.notes for s in sections if s.notes}
    return json.dumps(_clean(merged), indent=2, sort_keys=False)
