"""Time helpers: what "today" means on a ward in England.

Why this exists: the extract carries every time in UTC, but a ward's day,
a shift and a "doses due today" window start at midnight Europe/London
local time, which is 00:00 UTC in winter (GMT) and 23:00 UTC the evening
before in summer (BST). Computing that with a fixed offset silently shifts
every daily count by an hour for half the year, so it is done once, here,
with the IANA time zone database (``Europe/London``; UK clocks change at
01:00 UTC, so local midnight always exists and is never ambiguous).

"Now" is always the extract's ``extracted_at`` (see the extract contract),
never the machine's clock.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

import pandas as pd

# The one London time zone: a ZoneInfo, which the standard library and pandas (tz_convert, tz_localize) both take.
LONDON: Final[ZoneInfo] = ZoneInfo("Europe/London")


def as_utc(ts: pd.Timestamp | datetime | str) -> pd.Timestamp:
    """The moment ``ts`` as a tz-aware UTC Timestamp; a naive or missing time is refused (ValueError), never guessed."""
    stamp = pd.Timestamp(ts)
    if pd.isna(stamp):
        raise ValueError("a time is required, got a missing value")
    if stamp.tzinfo is None:
        raise ValueError(
            f"a time zone-aware time is required, got naive {stamp.isoformat()}; "
            "validation converts extract times to UTC"
        )
    return stamp.tz_convert("UTC")


def london_date(ts: pd.Timestamp | datetime | str) -> date:
    """The Europe/London calendar date on which the moment ``ts`` falls."""
    day: date = as_utc(ts).tz_convert(LONDON).date()
    return day


def london_midnight(extracted_at: pd.Timestamp | datetime | str) -> pd.Timestamp:
    """UTC moment of the Europe/London midnight that starts the local day of ``extracted_at``.

    23:00 UTC the previous evening during BST, 00:00 UTC during GMT; correct on
    clock-change days because the local date is taken first and midnight of that
    date is then localised with its own offset.
    """
    local_day = london_date(extracted_at)
    return pd.Timestamp(local_day).tz_localize(LONDON).tz_convert("UTC")


def london_time(ts: pd.Timestamp | datetime | str) -> pd.Timestamp:
    """The moment ``ts`` expressed in Europe/London local time (tz-aware)."""
    return as_utc(ts).tz_convert(LONDON)
