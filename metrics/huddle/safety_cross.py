"""The safety cross: the calendar a ward hangs on its wall, one box per day of a month for one harm.

Why this exists: wards have long kept a paper "safety cross" by the nurses' station (NHS Improvement, "The
safety cross", a tool of the Productive Ward programme; NHS Institute for Innovation and Improvement, 2008): each
day is coloured green when no patient came to that harm, amber for a near miss (an incident of that kind with no
harm), red when a patient was harmed, and a red day shows how many. Drawn from the stored incident counts, it needs
nobody to colour it in, and it says "not supplied" when the trust sends no incident table.

Harms: a fall, a pressure ulcer, a medication incident or C. difficile, as the optional ``incidents`` table types
them. Harm is any harm level above "none"; a report of that type with harm "none" is a near miss. A day after the
data's date is not yet coloured, and so is a day before the incident data begins (the extract's look-back).

Pure: no I/O.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

CROSS_HARMS = ("fall", "pressure_ulcer", "medication", "c_diff")
HARM_LABELS = {
    "fall": "Falls",
    "pressure_ulcer": "Pressure ulcers",
    "medication": "Medication incidents",
    "c_diff": "C. difficile",
}
COLOURS = ("green", "amber", "red", "not_yet", "no_data")
COLOUR_WORDS = {
    "green": "no harm",
    "amber": "near miss",
    "red": "harm",
    "not_yet": "not yet",
    "no_data": "no data",
}


@dataclass(frozen=True)
class CrossDay:
    """One box: the day, its colour (``COLOURS``), the patients harmed and the near misses that day."""

    day: date
    colour: str
    harms: int
    near_misses: int

    @property
    def label(self) -> str:
        """What the box says besides its day number: the count on a red day, else nothing."""
        return str(self.harms) if self.colour == "red" else ""


@dataclass(frozen=True)
class SafetyCross:
    """A month's cross for one harm at one ward; ``supplied`` False: the incidents table was not supplied."""

    harm: str
    month: date  # the first of the month
    days: tuple[CrossDay, ...]
    supplied: bool

    @property
    def harm_days(self) -> int:
        return sum(d.colour == "red" for d in self.days)

    @property
    def harms(self) -> int:
        """Patients harmed on the coloured days (a day after the data's date is not counted yet)."""
        return sum(d.harms for d in self.days if d.colour == "red")

    @property
    def near_misses(self) -> int:
        return sum(d.near_misses for d in self.days if d.colour in ("red", "amber"))

    @property
    def days_without_harm(self) -> int:
        return sum(d.colour in ("green", "amber") for d in self.days)


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def harm_days(incidents: pd.DataFrame, harm: str) -> pd.DataFrame:
    """The rows of the daily counts (day, incident_type, harm_level, incidents) where a patient came to ``harm``."""
    kind = incidents["incident_type"].astype(str).str.lower() == harm
    harmed = incidents["harm_level"].astype(str).str.lower() != "none"
    return incidents[kind & harmed]


def safety_cross(
    incidents: pd.DataFrame | None,
    harm: str,
    month: date,
    data_date: date,
    data_since: date | None = None,
) -> SafetyCross:
    """The cross of ``harm`` for the month holding ``month`` at one ward.

    ``incidents``: the ward's stored daily counts (day, incident_type, harm_level, incidents), or None when the
    extract did not supply the table. ``data_date``: the data's date (later days are not yet coloured).
    ``data_since``: the first day the incident data covers (earlier days are not coloured).
    """
    if harm not in CROSS_HARMS:
        raise ValueError(f"a safety cross is drawn for {', '.join(CROSS_HARMS)}, not {harm!r}")
    first = month_start(month)
    n_days = calendar.monthrange(first.year, first.month)[1]
    days = [first + timedelta(days=k) for k in range(n_days)]
    if incidents is None:
        return SafetyCross(harm, first, tuple(CrossDay(d, "no_data", 0, 0) for d in days), supplied=False)
    mine = incidents[incidents["incident_type"].astype(str).str.lower() == harm]  # the extract's case is kept
    on_day = pd.to_datetime(mine["day"]).dt.date if len(mine) else pd.Series([], dtype=object)
    harmed = mine["harm_level"].astype(str).str.lower() != "none"
    harm_counts = mine["incidents"][harmed.to_numpy()].groupby(on_day[harmed.to_numpy()]).sum().to_dict()
    near_counts = mine["incidents"][~harmed.to_numpy()].groupby(on_day[~harmed.to_numpy()]).sum().to_dict()
    boxes = []
    for d in days:
        harms, near = int(harm_counts.get(d, 0)), int(near_counts.get(d, 0))
        if d > data_date:
            colour = "not_yet"
        elif data_since is not None and d < data_since:
            colour = "no_data"
        elif harms:
            colour = "red"
        elif near:
            colour = "amber"
        else:
            colour = "green"
        boxes.append(CrossDay(d, colour, harms, near))
    return SafetyCross(harm, first, tuple(boxes), supplied=True)
