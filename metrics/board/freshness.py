"""The staleness rule: whether a snapshot can be shown as current, and why not.

Why this exists: a wrong board shown as current is worse than a stale one. A
snapshot is stale when it is older than ``stale_after_minutes`` (config/dashboard.yaml),
or when the latest finished refresh attempt after it was loaded was rejected,
held or failed (the board then keeps the last good snapshot and says why). The views,
``python -m metrics snapshot --format json`` and any report ask this one function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

FAILED_STATUSES = ("rejected", "failed", "held")  # held: a plausibility gate kept the extract off the board


@dataclass(frozen=True)
class Freshness:
    """Whether the data on screen can be trusted as current, and why not."""

    age: timedelta
    too_old: bool
    failed_status: str | None = None  # "rejected", "failed" or "held" when the latest refresh attempt did not load
    failed_at: datetime | None = None
    failed_message: str | None = None

    @property
    def is_stale(self) -> bool:
        return self.too_old or self.failed_status is not None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: is_stale, age_minutes, too_old and the failed attempt's status, time and message (or None)."""
        return {
            "is_stale": self.is_stale,
            "age_minutes": round(self.age.total_seconds() / 60, 1),
            "too_old": self.too_old,
            "failed_status": self.failed_status,
            "failed_at": None if self.failed_at is None else self.failed_at.isoformat(),
            "failed_message": self.failed_message,
        }


def freshness(
    extracted_at: datetime, loaded_at: datetime, attempts: pd.DataFrame, stale_after_minutes: int, now: datetime
) -> Freshness:
    """Stale when older than ``stale_after_minutes`` (exactly at the limit is still fresh), or when the latest
    finished refresh attempt (``attempts`` newest first: status, started_at, message) started at or after
    ``loaded_at`` and was rejected or failed. A running attempt is not an answer yet and is passed over."""
    age = now - pd.Timestamp(extracted_at).to_pydatetime()
    too_old = age > timedelta(minutes=stale_after_minutes)
    finished = attempts[attempts["status"] != "running"] if not attempts.empty else attempts
    if not finished.empty:
        latest = finished.iloc[0]
        started = pd.Timestamp(latest["started_at"])
        if latest["status"] in FAILED_STATUSES and started >= pd.Timestamp(loaded_at):
            return Freshness(
                age,
                too_old,
                str(latest["status"]),
                started.to_pydatetime(),
                None if pd.isna(latest["message"]) else str(latest["message"]),
            )
    return Freshness(age, too_old)
