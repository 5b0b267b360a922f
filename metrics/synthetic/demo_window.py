"""Which synthetic days the demo store needs, so that `make run` always opens on current data.

Why this exists: a demo whose history stops on the bundled sample's date opens with every screen marked
stale, which teaches users to ignore the stale warning. The demo instead builds its synthetic history up to
the latest 07:30 London extract that has already happened, and on later runs loads the missing days once the
store is older than its stale threshold. The time is passed in, so the rule can be tested at its edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from metrics.rules.clock import LONDON
from metrics.synthetic.clock import EXTRACT_MINUTE_OF_DAY


def latest_extract_day(now: datetime) -> date:
    """The London day of the latest synthetic extract at or before ``now`` (extracts reflect 07:30 London)."""
    local = now.astimezone(LONDON)
    extract_time = time(EXTRACT_MINUTE_OF_DAY // 60, EXTRACT_MINUTE_OF_DAY % 60)
    return local.date() if local.time() >= extract_time else local.date() - timedelta(days=1)


@dataclass(frozen=True)
class DemoPlan:
    """What the demo loads now: the last day of the history and how many days up to it (0: nothing to do)."""

    end: date
    days: int
    reason: str


def demo_plan(latest: datetime | None, now: datetime, stale_after_minutes: int, history_days: int) -> DemoPlan:
    """An empty store gets ``history_days`` days up to today's extract; a store older than its stale threshold
    gets the days after its latest extract (at most ``history_days``); a current store gets nothing."""
    end = latest_extract_day(now)
    if latest is None:
        return DemoPlan(end, history_days, "the store is empty")
    if now - latest <= timedelta(minutes=stale_after_minutes):
        return DemoPlan(end, 0, "the store is current")
    missing = (end - latest.astimezone(LONDON).date()).days
    if missing <= 0:
        return DemoPlan(end, 0, "no newer synthetic extract is due yet")
    return DemoPlan(end, min(missing, history_days), f"the store's latest extract is {missing} day(s) behind")
