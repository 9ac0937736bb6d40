"""Worker memory probes, and the two applications the benchmarks serve.

Both run under ``qwc_service.serving.ServerProcess``, the same gunicorn command line as in
production, so the only difference between them is the WSGI application.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FLOOR_APP = "bench.floor:app"


@dataclass(frozen=True)
class Memory:
    """A process's resident memory now and at its peak, in MiB."""

    rss_mb: float
    hwm_mb: float


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(f"{field} not in /proc/{pid}/status")


def memory_of(pid: int) -> Memory:
    """VmRSS and VmHWM of a process."""
    return Memory(_status_kib(pid, "VmRSS") / 1024.0, _status_kib(pid, "VmHWM") / 1024.0)


def reset_peak(pid: int) -> bool:
    """Reset a process's VmHWM to its current RSS (Linux ``clear_refs`` 5); False if refused."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True
