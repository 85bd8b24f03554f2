"""Maintenance windows: which mode is in force right now, and which window is current or next.

The seed story is a *planned* maintenance (02:00-05:00): the maintenance page
must be served for exactly that window. Windows are absolute RFC 3339
intervals; inside one the effective mode is Maintenance whatever ``spec.mode``
says. Everything is computed from the clock on every pass, so an operator
restarted in the middle of a window simply finds itself inside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    reason: str

    def as_status(self) -> dict[str, str]:
        return {"start": _rfc3339(self.start), "end": _rfc3339(self.end), "reason": self.reason}


@dataclass(frozen=True)
class Schedule:
    mode: str  # the effective mode: Maintenance inside a window, else spec.mode
    current: Window | None
    next: Window | None

    def next_boundary(self) -> datetime | None:
        """When the effective mode may change next (the current window's end, or the next one's start)."""
        if self.current is not None:
            return self.current.end
        return self.next.start if self.next is not None else None


def parse_windows(raw: Sequence[Mapping[str, Any]]) -> list[Window]:
    windows = [Window(_parse(item["start"]), _parse(item["end"]), str(item.get("reason", ""))) for item in raw]
    return sorted((w for w in windows if w.end > w.start), key=lambda w: w.start)


def schedule(spec_mode: str, windows: Sequence[Window], now: datetime) -> Schedule:
    current = next((w for w in windows if w.start <= now < w.end), None)
    upcoming = next((w for w in windows if w.start > now), None)
    return Schedule("Maintenance" if current is not None else spec_mode, current, upcoming)


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"maintenance window time {value!r} has no UTC offset")
    return parsed


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
