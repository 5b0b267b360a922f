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
at midnight). Fill rates and care hours count hours as the safe staffing
return does (planned and actual hours per shift, the optional ``planned_hours``
and ``actual_hours`` columns); where an extract gives headcount only, hours
are headcount x the configured shift length, and ``hours_basis`` says so.
Red flags: NICE SG1 "Safe staffing for nursing in adult inpatient wards in
acute hospitals" (July 2014) lists nursing red flag events that should prompt an
immediate escalation; the two the extract can show are fewer than two registered
nurses present on a shift, and a shortfall of more than 8 hours or 25 % of the
registered nurse time the shift requires (whichever is reached first). The
planned hours stand in for the requirement. RAG thresholds are configuration
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
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from metrics.rules.clock import LONDON, london_time

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
    "planned_hours",
    "actual_hours",
    "hours_basis",
    "fill_rate",
    "fill_rate_rag",
    "fill_rate_note",
    "red_flag",
    "red_flag_reason",
]
HOURS_BASIS = "hours"
HEADCOUNT_BASIS = "headcount x shift length (no hours in the extract)"
MIXED_BASIS = "hours, with headcount x shift length where hours are missing"


@dataclass(frozen=True)
class RedFlagRules:
    """NICE SG1 red flags for registered nurses on one shift."""

    fewer_registered_than: int = 2
    shortfall_hours_above: float = 8.0
    shortfall_fraction_above: float = 0.25


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
        values = values.dt.tz_convert(LONDON).dt.tz_localize(None)
    return values.dt.normalize()


def row_hours(
    staffing: pd.DataFrame, unit: str, shift_hours: Mapping[str, float]
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(planned hours, actual hours, True where both came from the hours columns) per staffing row.

    The hours columns when given; otherwise headcount x ``shift_hours[shift]`` (``unit`` "headcount"), or
    planned and actual themselves (``unit`` "hours"). NaN where neither gives a value.
    """
    if unit not in ("headcount", "hours"):
        raise ValueError(f"unit must be 'headcount' or 'hours', got {unit!r}")
    shift = staffing["shift"].astype("string").str.strip().str.lower()
    length = shift.map(dict(shift_hours)).astype("float64") if unit == "headcount" else 1.0
    out = []
    for col in ("planned", "actual"):
        given = (
            pd.to_numeric(staffing[f"{col}_hours"], errors="coerce").astype("float64")
            if f"{col}_hours" in staffing
            else pd.Series(np.nan, index=staffing.index, dtype="float64")
        )
        fallback = pd.to_numeric(staffing[col], errors="coerce").astype("float64") * length
        out.append((given, given.fillna(fallback)))
    from_hours = out[0][0].notna() & out[1][0].notna()
    return out[0][1], out[1][1], from_hours


def staffing_board(
    staffing: pd.DataFrame,
    extracted_at: pd.Timestamp | datetime,
    green_at_least: float,
    amber_at_least: float,
    *,
    unit: str = "headcount",
    shift_hours: Mapping[str, float] | None = None,
    red_flags: RedFlagRules | None = None,
) -> pd.DataFrame:
    """One row per ward_code x shift x staff_group for the board shifts, summed, with fill rate, RAG and a note when no
    rate.

    The fill rate is actual hours / planned hours (``row_hours``); ``hours_basis`` says whether they are the
    extract's hours or headcount x shift length. With no shift lengths and no hours columns it is headcount.
    Registered-nurse rows carry ``red_flag`` and ``red_flag_reason`` (NICE SG1; see the module notes).
    A ward with no staffing rows for a board shift is absent: the caller shows "no data", never 100 %.
    """
    rules = red_flags or RedFlagRules()
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
    lengths = shift_hours if shift_hours is not None else {"day": 1.0, "night": 1.0}
    planned_h, actual_h, from_hours = row_hours(rows, unit if shift_hours is not None else "hours", lengths)
    work["planned_hours"] = planned_h.to_numpy()
    work["actual_hours"] = actual_h.to_numpy()
    work["from_hours"] = from_hours.to_numpy(dtype=int)
    work["n"] = 1
    groups = work.groupby(["ward_code", "shift", "staff_group"], sort=True)
    # min_count=1: a group whose figures are all missing sums to missing, never 0 (one vectorised sum for all groups)
    out = groups[["planned", "actual", "planned_hours", "actual_hours"]].sum(min_count=1)
    out[["from_hours", "n"]] = groups[["from_hours", "n"]].sum()
    out = out.reset_index()
    out["hours_basis"] = np.select(
        [out["from_hours"] == out["n"], out["from_hours"] == 0], [HOURS_BASIS, HEADCOUNT_BASIS], default=MIXED_BASIS
    ).astype(object)
    if shift_hours is None:
        out["hours_basis"] = np.where(out["from_hours"] == out["n"], HOURS_BASIS, "as recorded").astype(object)
    out.insert(3, "shift_date", out["shift"].map(shifts).astype(object))
    planned = out["planned_hours"].to_numpy(dtype=float)
    actual = out["actual_hours"].to_numpy(dtype=float)
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
    out["red_flag"], out["red_flag_reason"] = _red_flags(out, unit if shift_hours is not None else "hours", rules)
    return out[BOARD_COLUMNS].reset_index(drop=True)


def _red_flags(board: pd.DataFrame, unit: str, rules: RedFlagRules) -> tuple[np.ndarray, pd.Series]:
    """(red_flag, reason) per board row; only registered-nurse rows can carry one."""
    registered = (board["staff_group"] == "registered").to_numpy(dtype=bool)
    planned = board["planned_hours"].to_numpy(dtype=float)
    actual = board["actual_hours"].to_numpy(dtype=float)
    shortfall = planned - actual
    few = registered & (unit == "headcount") & (board["actual"].to_numpy(dtype=float) < rules.fewer_registered_than)
    by_hours = registered & (shortfall > rules.shortfall_hours_above + 1e-9)
    by_share = registered & (planned > 0) & (shortfall > rules.shortfall_fraction_above * planned + 1e-9)
    reasons = []
    for i in range(len(board)):
        parts = []
        if few[i]:
            parts.append(
                f"{board['actual'].iloc[i]:g} registered nurse(s) on shift (fewer than {rules.fewer_registered_than})"
            )
        if by_hours[i] or by_share[i]:
            share = shortfall[i] / planned[i] if planned[i] > 0 else float("nan")
            parts.append(
                f"registered nurse shortfall {shortfall[i]:g} h of {planned[i]:g} h planned ({share:.0%}; "
                f"red flag above {rules.shortfall_hours_above:g} h or {rules.shortfall_fraction_above:.0%})"
            )
        reasons.append("; ".join(parts) if parts else None)
    flag = few | by_hours | by_share
    return flag, pd.Series(reasons, index=board.index, dtype=object)


CHPPD_COLUMNS = ["ward_code", "census_midnight", "care_hours", "chppd"]


def care_hours_by_ward(
    staffing_rows_for_24h: pd.DataFrame,
    patients_at_midnight: Mapping[str, float] | pd.Series,
    unit: str,
    shift_hours: Mapping[str, float],
) -> pd.DataFrame:
    """CHPPD for every ward at once, for one 24h period: CHPPD_COLUMNS, one row per ward that has a value.

    Care hours are (registered + unregistered, day + night) hours actually worked: ``actual_hours`` where the
    extract gives it, else actual headcount x ``shift_hours[shift]`` when ``unit`` is "headcount", or the
    actual value itself when ``unit`` is "hours"; CHPPD is care
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
    worked = (
        pd.to_numeric(rows["actual_hours"], errors="coerce").astype("float64")
        if "actual_hours" in rows
        else pd.Series(np.nan, index=rows.index, dtype="float64")
    )
    use = (
        group.isin(STAFF_GROUPS).fillna(False) & (actual.notna() | worked.notna()) & shift.notna()
    ).to_numpy(dtype=bool)
    frame = pd.DataFrame(
        {
            "ward_code": rows["ward_code"].astype("string").to_numpy()[use],
            "shift": shift.to_numpy()[use],
            "actual": actual.to_numpy()[use],
            "worked": worked.to_numpy()[use],
        }
    )
    if unit == "headcount":
        unknown = sorted(set(frame["shift"].unique()) - set(shift_hours))
        if unknown:
            raise ValueError(f"shift_hours has no length for shift(s) {unknown}")
        frame["hours"] = frame["actual"] * frame["shift"].map(dict(shift_hours)).astype("float64")
    else:
        frame["hours"] = frame["actual"]
    frame["hours"] = frame["worked"].fillna(frame["hours"])
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
