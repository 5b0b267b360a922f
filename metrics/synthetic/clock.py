"""Time in the synthetic trust: units, the 07:30 extract time and the London wall clock.

Why this exists: the simulation runs on London wall-clock seconds (a drug round is at 08:00 whatever the
season), but the extract must say which instant it means. This module converts wall time to UTC and
writes ISO 8601 with the right offset, so the autumn repeated hour is never ambiguous.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

MINUTE, HOUR, DAY = 60, 3600, 86400
NA = np.iinfo(np.int64).min  # a missing time
NONE = np.array(None, dtype=object)  # a missing text cell
EXTRACT_MINUTE_OF_DAY = 7 * 60 + 30  # extracts reflect 07:30 London time

# London wall clock <-> UTC, vectorised. UK rule: BST from 01:00 UTC on the last Sunday of March
# to 01:00 UTC on the last Sunday of October. Wall times in the spring gap are read as BST and
# the autumn repeated hour as GMT, so every simulated wall time maps to exactly one instant.


def epoch_days(day: date) -> int:
    """Days since 1970-01-01 (the unit numpy's datetime64[D] uses)."""
    return (day - date(1970, 1, 1)).days


class LondonClock:
    """Europe/London offsets for the years ``first_year``..``last_year``, without a time-zone database."""

    def __init__(self, first_year: int, last_year: int) -> None:
        edges = []
        for year in range(first_year, last_year + 1):
            for month in (3, 10):
                last = date(year, month, 31)
                last -= timedelta(days=(last.weekday() + 1) % 7)  # back to Sunday
                edges.append(epoch_days(last) * DAY + HOUR)
        self.edges = np.array(edges, dtype=np.int64)

    def offset(self, t: np.ndarray) -> np.ndarray:
        """Seconds to add to UTC for London wall time (3600 in BST); also usable on wall times (see above)."""
        return np.where(np.searchsorted(self.edges, t, side="right") % 2 == 1, HOUR, 0).astype(np.int64)

    def to_utc(self, wall: np.ndarray) -> np.ndarray:
        wall = np.asarray(wall, dtype=np.int64)
        out = wall - self.offset(wall)
        return np.where(wall == NA, NA, out)

    def iso(self, utc: np.ndarray) -> np.ndarray:
        """ISO 8601 London wall time with its offset ('2026-10-25T01:30:00+00:00'); None where missing."""
        utc = np.asarray(utc, dtype=np.int64)
        missing = utc == NA
        safe = np.where(missing, 0, utc)
        off = self.offset(safe)
        text = np.datetime_as_string((safe + off).astype("datetime64[s]"), unit="s")
        text = np.strings.add(text, np.where(off > 0, "+01:00", "+00:00"))
        out = text.astype(object)
        out[missing] = None
        return out


def to_minute(t: np.ndarray) -> np.ndarray:
    """Times truncated to the whole minute (an EPR records minutes)."""
    return (np.asarray(t, dtype=np.int64) // MINUTE) * MINUTE

