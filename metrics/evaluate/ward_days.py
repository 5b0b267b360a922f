"""The ``ward_days`` derived table: each ward's occupied bed days and inpatient falls for the last complete day.

Why this exists: a rate such as falls per 1,000 occupied bed days needs an exposure (bed days) beside its
events (falls), on the same rows, so that the YAML metric language counts both and the funnel plots of the
system view can compare wards with exact Poisson limits. One row per configured ward for the London day that
ended at the midnight starting the extract's day ("yesterday", as care hours per patient day is counted):

* ``occupied_bed_days``: the patients on the ward at that midnight, the midnight bed census that NHS England's
  KH03 return counts as occupied bed days;
* ``falls``: inpatient falls reported on that day in the optional incidents table (type FALL), whatever the
  harm; ``falls_with_harm``: those with harm above none. Without the incidents table both are empty, and a
  metric that counts them reads "not supplied" (``metrics.evaluate.optional_sources``).

The rate these make, falls per 1,000 occupied bed days, is the measure NHS England and NHS Improvement
publish in the Model Health System (inpatient falls per 1,000 occupied bed days, from incident reports over
KH03 bed days) and the one the Royal College of Physicians' National Audit of Inpatient Falls reports
(NAIF annual report 2023, falls per 1,000 occupied bed days).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

import pandas as pd

from metrics.rules.clock import LONDON, london_date, london_midnight

WARD_DAY_COLUMNS: Final[list[str]] = ["ward_code", "day", "occupied_bed_days", "falls", "falls_with_harm"]
# columns that count people or events, so a metric summing them falls under disclosure control
COUNT_COLUMNS: Final[frozenset[str]] = frozenset({"occupied_bed_days", "falls", "falls_with_harm"})


def midnight_census(encounters: pd.DataFrame, now: pd.Timestamp) -> pd.Series:
    """Patients on each ward at the London midnight that starts ``now``'s day, by ward code."""
    midnight = london_midnight(now)
    present = (encounters["admitted_at"] <= midnight) & (
        encounters["discharged_at"].isna() | (encounters["discharged_at"] > midnight)
    )
    counted: pd.Series = encounters[present].groupby("ward_code").size()
    return counted


def ward_days(
    encounters: pd.DataFrame, incidents: pd.DataFrame | None, wards: list[str], now: pd.Timestamp
) -> pd.DataFrame:
    """WARD_DAY_COLUMNS for every ward in ``wards``; ``incidents`` None: the extract carried no incidents table."""
    day = london_date(now) - timedelta(days=1)
    census = midnight_census(encounters, now)
    census.index = census.index.astype(str).str.upper()
    out = pd.DataFrame({"ward_code": wards, "day": day})
    out["occupied_bed_days"] = census.reindex([w.upper() for w in wards]).fillna(0).astype("int64").to_numpy()
    if incidents is None:
        out["falls"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
        out["falls_with_harm"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
        return out[WARD_DAY_COLUMNS]
    falls = incidents[
        (incidents["incident_type"].astype(str).str.upper() == "FALL")
        & (incidents["occurred_at"].dt.tz_convert(LONDON).dt.date == day)
    ]
    ward = falls["ward_code"].astype(str).str.upper()
    harmed = falls["harm_level"].astype(str).str.lower() != "none"
    keys = [w.upper() for w in wards]
    out["falls"] = ward.value_counts().reindex(keys).fillna(0).astype("int64").to_numpy()
    out["falls_with_harm"] = ward[harmed].value_counts().reindex(keys).fillna(0).astype("int64").to_numpy()
    return out[WARD_DAY_COLUMNS]
