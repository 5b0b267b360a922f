"""How numbers, times and durations read on a ward board.

Why this exists: the same value must read the same way on the huddle board,
the wall screen, the executive grid and the printed sheet ("3 h 20 m",
"Data as at 07:30 Wed 25 Nov", "96%", "23 (24)"). Pure functions, no Streamlit.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pandas as pd

from metrics.rules import durations
from metrics.evaluate.definitions import MetricDefinition
from metrics.rules.clock import LONDON

NO_DATA = "–"


def is_missing(value: object) -> bool:
    """True for None and NaN (and pandas NA)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def london(moment: datetime | pd.Timestamp | str) -> datetime:
    """A moment as Europe/London wall-clock time (naive input is taken as UTC, which is how the store keeps it)."""
    stamp = pd.Timestamp(moment)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert(LONDON).to_pydatetime()


def day_time(moment: datetime | pd.Timestamp | str) -> str:
    """'07:30 Wed 25 Nov': what the data reflects, as a ward reads it."""
    t = london(moment)
    return f"{t:%H:%M %a} {t.day} {t:%b}"


def date_time(moment: datetime | pd.Timestamp | str) -> str:
    """'24 Nov 07:30': the stale banner's form."""
    t = london(moment)
    return f"{t.day} {t:%b %H:%M}"


def age_text(age: timedelta) -> str:
    """'26 h ago', '45 min ago', '3 days ago'."""
    minutes = age.total_seconds() / 60
    if minutes < 0:
        return "just now"
    if minutes < 60:
        return f"{int(minutes)} min ago"
    hours = minutes / 60
    if hours < 72:
        return f"{int(hours)} h ago"
    return f"{int(hours // 24)} days ago"


def duration_text(minutes: float | None) -> str:
    """Minutes as '3 h 20 m' ('45 m' under an hour, '2 d 3 h' from a day up; see ``metrics.rules.durations``); '–' when
    unknown."""
    if is_missing(minutes):
        return NO_DATA
    return durations.duration_text(float(minutes))  # type: ignore[arg-type]


def number_text(value: float | None) -> str:
    """A count or a sum without a spurious '.0' ('23', '82.5')."""
    if is_missing(value):
        return NO_DATA
    number = float(value)  # type: ignore[arg-type]
    if number.is_integer():
        return f"{int(number)}"
    return f"{number:.1f}"


def percent_text(value: float | None) -> str:
    """A ratio as a whole percentage ('96%')."""
    if is_missing(value):
        return NO_DATA
    return f"{round(float(value) * 100):d}%"  # type: ignore[arg-type]


def is_percent(definition: MetricDefinition) -> bool:
    """Shown as a percentage: fill rates and other proportions (``display: percent`` or ``staffing``).

    A ratio is not always a proportion: care hours per patient day is a ratio shown as a number."""
    return definition.display in ("percent", "staffing", "actual_planned")


def rate_text(value: float | None, per: int | None) -> str:
    """A rate per ``per`` of its exposure to one decimal place ('5.3' falls per 1,000 bed days)."""
    if is_missing(value):
        return NO_DATA
    return f"{float(value) * (per or 1):.1f}"  # type: ignore[arg-type]


def value_text(definition: MetricDefinition, value: float | None) -> str:
    """The headline of a tile: a count, a percentage for percent and staffing tiles, a rate per its ``per``."""
    if is_percent(definition):
        return percent_text(value)
    if definition.display == "rate":
        return rate_text(value, definition.per)
    return number_text(value)


def headline_text(
    definition: MetricDefinition, value: float | None, numerator: float | None, denominator: float | None
) -> str:
    """What a tile shows in large type: 'actual (planned)' for ``display: actual_planned``, else ``value_text``."""
    if definition.display == "actual_planned":
        return staffing_text(numerator, denominator)
    return value_text(definition, value)


def staffing_text(numerator: float | None, denominator: float | None) -> str:
    """'23 (24)': actual (planned)."""
    return f"{number_text(numerator)} ({number_text(denominator)})"


def change_text(
    definition: MetricDefinition, now: float | None, before: float | None, have_yesterday: bool, short: bool = False
) -> str:
    """'▲ 2 since yesterday', '▼ 5 pts since yesterday', 'no change' or 'no data yesterday' (``short``: without 'since
    yesterday')."""
    if not have_yesterday or is_missing(before):
        return "no data yesterday"
    if is_missing(now):
        return "no data today"
    diff = (float(now) - float(before)) * (definition.per or 1)  # type: ignore[arg-type]
    tail = "" if short else " since yesterday"
    if is_percent(definition):
        points = round(diff * 100)
        if points == 0:
            return "no change"
        return f"{'▲' if points > 0 else '▼'} {abs(points)} pts{tail}"
    if math.isclose(diff, 0.0, abs_tol=1e-9):
        return "no change"
    return f"{'▲' if diff > 0 else '▼'} {number_text(abs(diff))}{tail}"


def column_title(column: str) -> str:
    """A drill-down column name as a heading: 'age_years' -> 'Age', 'overdue_minutes' -> 'Overdue for'."""
    special = {
        "bed": "Bed",
        "age_years": "Age",
        "hours_on_ward": "On ward for",
        "hours_active": "Active for",
        "overdue_minutes": "Overdue for",
        "minutes_since_scheduled": "Since due",
        "news2_age_minutes": "Obs taken",
        "active_flags": "Flags",
        "assessment_label": "Assessment",
        "flag_label": "Flag",
        "news2_score": "NEWS2",
        "news2_risk": "NEWS2 risk",
        "news2_monitoring": "Monitoring",
        "news2_status": "Obs status",
        "news2_status_reason": "Obs detail",
        "aki_stage": "AKI stage",
        "aki_ratio": "Creatinine ratio",
        "aki_c1_umol": "Creatinine (µmol/L)",
        "aki_reference_umol": "Baseline (µmol/L)",
        "aki_reference_kind": "Baseline from",
        "aki_c1_at": "Creatinine taken",
        "due_at": "Due",
        "raised_at": "Raised",
        "scheduled_at": "Scheduled",
        "expected_discharge_date": "Expected discharge",
    }
    if column in special:
        return special[column]
    words = column.replace("_", " ").strip()
    return words[:1].upper() + words[1:]
