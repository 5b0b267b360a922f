"""The extract's optional tables from outside the EPR, reduced to what the Safety Barometer reads.

Why this exists: incidents, patient feedback and workforce figures arrive in
the extract beside the EPR tables (see ``metrics.extract.contract``), are validated
with them, and are stored in the snapshot's own transaction so that a view
never re-reads a file (once, not per snapshot: ``metrics.store.history``). Feedback arrives one row per response
(thousands a
month), so it is counted per ward, London day and kind first; incidents are
counted per ward, day, type, harm and pressure ulcer category (nothing of the
reporter or the patient is kept); workforce rows are kept per ward and month.
A table the extract did not supply gives no rows, and the snapshot's
``row_counts`` (which lists only the tables read) says it was not supplied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from metrics.rules.clock import LONDON

if TYPE_CHECKING:  # a name for annotations only: importing validation loads pandera, which readers never need
    from metrics.extract.validate import ValidatedExtract

INCIDENT_COLUMNS = ["ward_code", "day", "incident_type", "harm_level", "pressure_ulcer_category", "incidents"]
FEEDBACK_COLUMNS = ["ward_code", "day", "kind", "responses", "positive"]
HARM_INCIDENT_COLUMNS = [
    "incident_id",
    "ward_code",
    "occurred_at",
    "incident_type",
    "harm_level",
    "pressure_ulcer_category",
]
HARM_INCIDENT_TYPES = ("FALL", "PRESSURE_ULCER", "MEDICATION")  # those metrics.learning may ask a response for
WORKFORCE_COLUMNS = ["ward_code", "month", "sickness_absence_pct", "training_compliance_pct", "turnover_pct"]


def _none_for_missing(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.astype(object)
    return out.where(frame.notna(), None)


def incident_counts(incidents: pd.DataFrame) -> pd.DataFrame:
    """Validated incidents → INCIDENT_COLUMNS: how many per ward, London day, type, harm level and category."""
    if incidents.empty:
        return pd.DataFrame(columns=INCIDENT_COLUMNS)
    frame = pd.DataFrame(
        {
            "ward_code": incidents["ward_code"].astype(str),
            "day": incidents["occurred_at"].dt.tz_convert(LONDON).dt.date,
            "incident_type": incidents["incident_type"].astype(str),
            "harm_level": incidents["harm_level"].astype(str),
            "pressure_ulcer_category": incidents["pressure_ulcer_category"].astype("Int64"),
        }
    )
    keys = ["ward_code", "day", "incident_type", "harm_level", "pressure_ulcer_category"]
    counted = frame.groupby(keys, dropna=False, sort=True).size().rename("incidents").reset_index()
    return _none_for_missing(counted[INCIDENT_COLUMNS])


def harm_incidents(incidents: pd.DataFrame) -> pd.DataFrame:
    """Validated incidents → HARM_INCIDENT_COLUMNS: every fall, pressure ulcer and medication incident, one row each.

    Kept whole (with the reporting system's reference, never shown) so that each harm incident can be given its
    learning response; which of them need one is config/learning.yaml's choice, made when the board reads them.
    """
    if incidents.empty:
        return pd.DataFrame(columns=HARM_INCIDENT_COLUMNS)
    chosen = incidents[incidents["incident_type"].astype(str).str.upper().isin(HARM_INCIDENT_TYPES)]
    if chosen.empty:
        return pd.DataFrame(columns=HARM_INCIDENT_COLUMNS)
    frame = pd.DataFrame(
        {
            "incident_id": chosen["incident_id"].astype(str),
            "ward_code": chosen["ward_code"].astype(str),
            "occurred_at": chosen["occurred_at"].dt.tz_convert("UTC"),
            "incident_type": chosen["incident_type"].astype(str).str.upper(),
            "harm_level": chosen["harm_level"].astype(str).str.lower(),
            "pressure_ulcer_category": chosen["pressure_ulcer_category"].astype("Int64"),
        }
    ).sort_values(["ward_code", "occurred_at", "incident_id"])
    return _none_for_missing(frame[HARM_INCIDENT_COLUMNS].reset_index(drop=True))


def feedback_counts(feedback: pd.DataFrame) -> pd.DataFrame:
    """Validated feedback → FEEDBACK_COLUMNS: responses per ward, day and kind; for fft, answered responses and
    positive ones."""
    if feedback.empty:
        return pd.DataFrame(columns=FEEDBACK_COLUMNS)
    is_fft = feedback["kind"].astype(str) == "fft"
    answered = feedback["fft_positive"].notna()
    frame = pd.DataFrame(
        {
            "ward_code": feedback["ward_code"].astype(str),
            "day": feedback["response_date"].dt.date,
            "kind": feedback["kind"].astype(str),
            "counted": (~is_fft | answered).astype(int),  # an fft row with no answer is not a response
            "positive": (is_fft & feedback["fft_positive"].fillna(False).astype(bool)).astype(int),
        }
    )
    grouped = (
        frame.groupby(["ward_code", "day", "kind"], sort=True)
        .agg(responses=("counted", "sum"), positive=("positive", "sum"))
        .reset_index()
    )
    grouped = grouped[grouped["responses"] > 0]
    grouped["positive"] = grouped["positive"].where(grouped["kind"] == "fft")
    return _none_for_missing(grouped[FEEDBACK_COLUMNS].reset_index(drop=True))


def workforce_months(workforce: pd.DataFrame) -> pd.DataFrame:
    """Validated workforce rows → WORKFORCE_COLUMNS, one per ward and month (any date in a month counts as that month;
    the last row wins)."""
    if workforce.empty:
        return pd.DataFrame(columns=WORKFORCE_COLUMNS)
    frame = workforce.copy()
    frame["ward_code"] = frame["ward_code"].astype(str)
    frame["month"] = frame["month"].dt.to_period("M").dt.start_time.dt.date
    frame = frame.drop_duplicates(["ward_code", "month"], keep="last").sort_values(["ward_code", "month"])
    return _none_for_missing(frame[WORKFORCE_COLUMNS].reset_index(drop=True))


def snapshot_rows(valid: ValidatedExtract) -> dict[str, pd.DataFrame]:
    """The rows to store per optional table the extract supplied, by table name.

    The tables are incidents (counted, and its harm incidents one by one), patient_feedback and workforce.

    For ``metrics.store.writer.write_snapshot(optional_tables=...)``; each frame has exactly the table's
    columns (INCIDENT_COLUMNS, FEEDBACK_COLUMNS, WORKFORCE_COLUMNS), and a table not supplied has no entry.
    """
    out: dict[str, pd.DataFrame] = {}
    tables = valid.tables
    if "incidents" in tables:
        out["incidents"] = incident_counts(tables["incidents"])
        out["harm_incidents"] = harm_incidents(tables["incidents"])
    if "patient_feedback" in tables:
        out["patient_feedback"] = feedback_counts(tables["patient_feedback"])
    if "workforce" in tables:
        out["workforce"] = workforce_months(tables["workforce"])
    return out
