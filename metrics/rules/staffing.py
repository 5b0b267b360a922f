"""Safe staffing: shift fill rates with a RAG rating, and Care Hours Per Patient Day.

Why this exists: whether a ward has the nurses it planned for is a safety
signal the huddle reviews every shift. The board shows, per ward, shift and
staff group, the fill rate of the shifts the huddle is talking about.

Sources: NHS England / NHS Improvement safe staffing guidance: the monthly
"safe staffing" fill rate return (actual divided by planned nursing and
care staff, reported separately for registered and unregistered staff and
for day and night shifts; National Quality Board "Supporting NHS providers
to deliver the right staff, with the right skills, in the right place at
the right time", 2016) and Care Hours Per Patient Day (CHPPD, NHS
Improvement, Lord Carter's review "Operational productivity and performance
in English NHS acute hospitals", 2016: total nursing and care staff hours
worked in a 24-hour period divided by the number of patients on the ward
at midnight). RAG thresholds are configuration
(``config/clinical.yaml`` ``staffing.fill_rate_rag``), not national standards.

Decisions:

* A fill rate needs a planned value above zero and a known actual; otherwise it
  is None with a reason (``fill_rate_note``), never 0 % or 100 %.
* RAG: green when rate >= green_at_least, amber when rate >= amber_at_least,
  else red (both thresholds inclusive). The rate is rounded to 9 decimal places
  before comparison so float noise (0.9499999999) cannot turn an exact 95 % amber.
* The board's shifts (``board_shifts``): the day shift is today's (London date of
  extracted_at); the night shift is the one that most recently started, at
  20:00 London time. Before 20:00 that is last night's, which started on
  yesterday's date: at the 08:00 safety huddle the team reviews the night just
  worked, not tonight's roster. From 20:00 it is tonight's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from metrics.rules.clock import london_time

NIGHT_SHIFT_STARTS_AT_HOUR = 20
RAG_DECIMALS = 9
STAFF_GROUPS = ("registered", "unregistered")
BOARD_COLUMNS = [
    "ward_code",
    "shift",
    "staff_group",
    "shift_date",
    "planned",
    "actual",
    "fill_rate",
    "fill_rate_rag",
    "fill_rate_note",
]


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def fill_rate_note(planned: float | None, actual: float | None) -> str | None:
    """Why a fill rate cannot be computed, or None when it can."""
    if _missing(planned):
        return "planned staffing not recorded"
    if float(planned) <= 0:  # type: ignore[arg-type]
        return "no staff planned for this shift"
    if _missing(actual):
        return "actual staffing not recorded"
    return None


def fill_rate(planned: float | None, actual: float | None) -> float | None:
    """actual / planned; None when planned is 0 or missing or actual is missing (see ``fill_rate_note``)."""
    if fill_rate_note(planned, actual) is not None:
        return None
    return float(actual) / float(planned)  # type: ignore[arg-type]


def _check_thresholds(green_at_least: float, amber_at_least: float) -> None:
    if amber_at_least > green_at_least:
        raise ValueError(f"amber_at_least ({amber_at_least}) must not exceed green_at_least ({green_at_least})")


def fill_rate_rag(rate: float | None, green_at_least: float, amber_at_least: float) -> str | None:
    """ "green" if rate >= green_at_least, "amber" if rate >= amber_at_least, else "red"; None when rate is None."""
    _check_thresholds(green_at_least, amber_at_least)
    if _missing(rate):
        return None
    value = round(float(rate), RAG_DECIMALS)  # type: ignore[arg-type]
    if value >= green_at_least:
        return "green"
    if value >= amber_at_least:
        return "amber"
    return "red"


def board_shifts(extracted_at: pd.Timestamp | datetime) -> dict[str, date]:
    """{"day": today's London date, "night": start date of the most recently started night shift (20:00 London)}."""
    local = london_time(extracted_at)
    today = local.date()
    night = today if local.hour >= NIGHT_SHIFT_STARTS_AT_HOUR else today - timedelta(days=1)
    return {"day": today, "night": night}


def _as_naive_dates(series: pd.Series) -> pd.Series:
    """shift_date as tz-naive datetime64 at midnight (validation's form), from dates, strings or timestamps."""
    values = pd.to_datetime(series, errors="coerce")
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_convert("Europe/London").dt.tz_localize(None)
    return values.dt.normalize()


def staffing_board(
    staffing: pd.DataFrame,
    extracted_at: pd.Timestamp | datetime,
    green_at_least: float,
    amber_at_least: float,
) -> pd.DataFrame:
    """One row per ward_code x shift x staff_group for the board shifts, summed, with fill rate, RAG and a note when no rate.

    A ward with no staffing rows for a board shift is absent: the caller shows "no data", never 100 %.
    """
    _check_thresholds(green_at_least, amber_at_least)
    shifts = board_shifts(extracted_at)
    dates = _as_naive_dates(staffing["shift_date"])
    shift = staffing["shift"].astype("string").str.strip().str.lower()
    on_board = ((shift == "day") & (dates == pd.Timestamp(shifts["day"]))) | (
        (shift == "night") & (dates == pd.Timestamp(shifts["night"]))
    )
    keep = on_board.fillna(False).to_numpy(dtype=bool)
    rows = staffing.loc[keep]
    work = rows[["ward_code"]].copy()  # keeps the caller's ward_code dtype for later merges
    work["shift"] = shift[keep]
    work["staff_group"] = rows["staff_group"].astype("string").str.strip().str.lower()
    work["planned"] = pd.to_numeric(rows["planned"], errors="coerce").astype("float64")
    work["actual"] = pd.to_numeric(rows["actual"], errors="coerce").astype("float64")
    out = (
        work.groupby(["ward_code", "shift", "staff_group"], sort=True)[["planned", "actual"]]
        .sum(min_count=1)
        .reset_index()
    )
    out.insert(3, "shift_date", out["shift"].map(shifts).astype(object))
    planned = out["planned"].to_numpy(dtype=float)
    actual = out["actual"].to_numpy(dtype=float)
    computable = ~np.isnan(planned) & (np.nan_to_num(planned) > 0) & ~np.isnan(actual)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(computable, actual / np.where(computable, planned, 1.0), np.nan)
    rounded = np.round(rate, RAG_DECIMALS)
    out["fill_rate"] = rate
    rag = np.select(
        [rounded >= green_at_least, rounded >= amber_at_least, computable], ["green", "amber", "red"], default=""
    )
    out["fill_rate_rag"] = pd.Series(rag, dtype=object).where(computable, None)  # object keeps None
    note = np.select(
        [np.isnan(planned), np.nan_to_num(planned) <= 0, np.isnan(actual)],
        ["planned staffing not recorded", "no staff planned for this shift", "actual staffing not recorded"],
        default="",
    )
    out["fill_rate_note"] = pd.Series(note, dtype=object).where(~computable, None)
    return out[BOARD_COLUMNS].reset_index(drop=True)


CHPPD_COLUMNS = ["ward_code", "census_midnight", "care_hours", "chppd"]


def care_hours_by_ward(
    staffing_rows_for_24h: pd.DataFrame,
    patients_at_midnight: Mapping[str, float] | pd.Series,
    unit: str,
    shift_hours: Mapping[str, float],
) -> pd.DataFrame:
    """CHPPD for every ward at once, for one 24h period: CHPPD_COLUMNS, one row per ward that has a value.

    Care hours are (registered + unregistered, day + night) actual headcount x ``shift_hours[shift]``
    when ``unit`` is "headcount", or the actual value itself when ``unit`` is "hours"; CHPPD is care
    hours / patients at midnight. A ward gets no row (never 0) when its patient count is 0 or missing,
    or when either its day or its night shift has no actual staffing recorded (a half-day of hours would
    understate CHPPD). Vectorised over wards so that a 600-ward region costs one grouping, not 600.
    """
    if unit not in ("headcount", "hours"):
        raise ValueError(f"unit must be 'headcount' or 'hours', got {unit!r}")
    rows = staffing_rows_for_24h
    shift = rows["shift"].astype("string").str.strip().str.lower()
    group = rows["staff_group"].astype("string").str.strip().str.lower()
    actual = pd.to_numeric(rows["actual"], errors="coerce").astype("float64")
    use = (group.isin(STAFF_GROUPS).fillna(False) & actual.notna() & shift.notna()).to_numpy(dtype=bool)
    frame = pd.DataFrame(
        {
            "ward_code": rows["ward_code"].astype("string").to_numpy()[use],
            "shift": shift.to_numpy()[use],
            "actual": actual.to_numpy()[use],
        }
    )
    if unit == "headcount":
        unknown = sorted(set(frame["shift"].unique()) - set(shift_hours))
        if unknown:
            raise ValueError(f"shift_hours has no length for shift(s) {unknown}")
        frame["hours"] = frame["actual"] * frame["shift"].map(dict(shift_hours)).astype("float64")
    else:
        frame["hours"] = frame["actual"]
    hours = frame.groupby("ward_code")["hours"].sum()
    shifts_seen = (
        frame.groupby(["ward_code", "shift"]).size().unstack().reindex(index=hours.index, columns=["day", "night"])
    )
    both_shifts = shifts_seen.notna().all(axis=1)
    census = pd.Series(patients_at_midnight, dtype="float64").reindex(hours.index)
    keep = both_shifts & census.notna() & (census > 0)
    out = pd.DataFrame(
        {
            "ward_code": hours.index[keep].astype(str),
            "census_midnight": census[keep].to_numpy(),
            "care_hours": hours[keep].to_numpy(),
        }
    )
    out["chppd"] = out["care_hours"] / out["census_midnight"]
    return out[CHPPD_COLUMNS].reset_index(drop=True)


def care_hours_per_patient_day(
    staffing_rows_for_24h: pd.DataFrame,
    patients_at_midnight: float | None,
    unit: str,
    shift_hours: Mapping[str, float],
) -> float | None:
    """CHPPD for one ward and one 24h period (see ``care_hours_by_ward``, which this reads one ward of).

    None (never 0) when the patient count is 0 or missing, or when either the day or the
    night shift has no actual staffing recorded.
    """
    if unit not in ("headcount", "hours"):
        raise ValueError(f"unit must be 'headcount' or 'hours', got {unit!r}")
    rows = staffing_rows_for_24h
    if "ward_code" in rows and rows["ward_code"].nunique(dropna=True) > 1:
        raise ValueError("care_hours_per_patient_day takes the rows of one ward")
    if _missing(patients_at_midnight) or float(patients_at_midnight) <= 0:  # type: ignore[arg-type]
        return None
    rows = rows.assign(ward_code="ward")
    out = care_hours_by_ward(rows, {"ward": float(patients_at_midnight)}, unit, shift_hours)  # type: ignore[arg-type]
    return None if out.empty else float(out["chppd"].iloc[0])
