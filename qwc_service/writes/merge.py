"""A Mod whose EditSequence went stale (3200): re-apply the caller's fields, or report a
conflict.

QuickBooks answers a stale EditSequence with the record as it is now. The caller's fields
go out again on top of it, with its EditSequence, unless QuickBooks changed one of them
since the write was queued: then both values are reported and nothing is overwritten.
A field whose earlier value is not known counts as changed when it differs, so a change
is never lost silently. Lines listed in a transaction Mod keep every current line: a Mod
that lists lines deletes the lines it leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["StaleOutcome", "stale_outcome"]

_IDENTITY = frozenset({"ListID", "TxnID", "EditSequence"})


@dataclass(frozen=True)
class StaleOutcome:
    """The fields to send again, or the conflict that stops the write."""

    fields: dict[str, Any]
    conflict: dict[str, dict[str, Any]] | None


def stale_outcome(
    fields: dict[str, Any], current: dict[str, Any], based_on: dict[str, Any] | None
) -> StaleOutcome:
    """Merge the caller's ``fields`` onto ``current`` (the Ret QuickBooks holds now)."""
    conflict: dict[str, dict[str, Any]] = {}
    for name, requested in fields.items():
        if name in _IDENTITY or isinstance(requested, list):
            continue
        now = current.get(name)
        if _same(now, requested):
            continue
        base = (based_on or {}).get(name, _MISSING) if based_on is not None else _MISSING
        if base is not _MISSING and _same(now, base):
            continue  # QuickBooks still holds what the caller's change was based on
        if base is _MISSING and based_on is not None and now is None:
            continue  # empty then, empty now
        conflict[name] = {"requested": requested, "in_quickbooks": now}
    if conflict:
        return StaleOutcome(fields, conflict)
    merged = dict(fields)
    edit_sequence = current.get("EditSequence")
    if isinstance(edit_sequence, str):
        merged["EditSequence"] = edit_sequence
    for name, value in fields.items():
        if isinstance(value, list) and name.endswith("LineMod"):
            merged[name] = keep_lines(value, current.get(name[: -len("Mod")] + "Ret"))
    return StaleOutcome(merged, None)


def keep_lines(lines: list[Any], current_lines: Any) -> list[Any]:
    """``lines`` plus every current line they leave out (by TxnLineID, kept unchanged)."""
    listed = {line.get("TxnLineID") for line in lines if isinstance(line, dict)}
    kept = [
        {"TxnLineID": line["TxnLineID"]}
        for line in current_lines or []
        if isinstance(line, dict) and line.get("TxnLineID") and line["TxnLineID"] not in listed
    ]
    # Existing lines first, in QuickBooks' order; new lines (TxnLineID -1) after them.
    existing = [line for line in lines if isinstance(line, dict) and line.get("TxnLineID") != "-1"]
    new = [line for line in lines if isinstance(line, dict) and line.get("TxnLineID") == "-1"]
    return existing + kept + new


class _Missing:
    pass


_MISSING: Any = _Missing()


def _same(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return all(_same(ours.get(k), v) for k, v in theirs.items())
    if ours is None or theirs is None:
        return ours is None and theirs is None
    if isinstance(theirs, bool):
        theirs = "true" if theirs else "false"
    return str(ours).strip() == str(theirs).strip()
