"""Plausibility gates: whether a valid-looking extract is believable enough to be made current.

Why this exists: row checks catch a bad row, not a bad day. An extract can
pass every row check and still be wrong as a whole: an empty encounters file,
every ward code renamed by an EPR upgrade (every row set aside, every ward
showing 0 patients, all green), observations with every date in the wrong
format, or an extracted_at in the future. Shown as current, such an extract
turns the board green while patients are deteriorating; a stale board that
says why is safer. The gates (config/gates.yaml) compare the extract with
itself and with the current snapshot's row counts, and return the reasons to
hold it; the pipeline stores a held extract with those reasons and keeps the
last good snapshot current until an administrator releases it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import pandas as pd

from metrics.config.models import GatesFile
from metrics.extract.contract import TABLES_BY_NAME


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole} rows ({part / whole:.0%})"


def empty_tables(
    counts: Mapping[str, Mapping[str, int]], settings: GatesFile, before: Mapping[str, Mapping[str, int]], label: str
) -> list[str]:
    """A required table with no usable row."""
    reasons = []
    for table in settings.required_tables:
        used = int(counts.get(table, {}).get("used", 0))
        if used == 0:
            was = before.get(table, {}).get("used")
            reasons.append(f"{table} 0 rows" + (f" ({label} {was})" if was is not None else ""))
    return reasons


def shrunk_tables(
    counts: Mapping[str, Mapping[str, int]], settings: GatesFile, before: Mapping[str, Mapping[str, int]], label: str
) -> list[str]:
    """A table whose usable rows fell by more than the allowed share against the current snapshot."""
    reasons = []
    for table, now_counts in counts.items():
        was = before.get(table, {}).get("used")
        used = int(now_counts.get("used", 0))
        if was is None or was < settings.min_rows_to_judge or used == 0 and table in settings.required_tables:
            continue  # an empty required table is reported by empty_tables
        if table in TABLES_BY_NAME and not TABLES_BY_NAME[table].steady_size:
            continue  # its size swings by nature (expected admissions)
        if used < was * (1 - settings.max_drop_share):
            reasons.append(f"{table} {used} rows ({label} {was}), down more than {settings.max_drop_share:.0%}")
    return reasons


def quarantined_tables(counts: Mapping[str, Mapping[str, int]], settings: GatesFile) -> list[str]:
    """More than the allowed share of one table's rows, or of all rows, set aside."""
    reasons = []
    total_read = total_bad = 0
    for table, c in counts.items():
        read, bad = int(c.get("read", 0)), int(c.get("quarantined", 0))
        total_read, total_bad = total_read + read, total_bad + bad
        if read >= settings.min_rows_to_judge and bad > read * settings.max_quarantined_share:
            reasons.append(f"{table} {_share(bad, read)} set aside")
    if (
        not reasons
        and total_read >= settings.min_rows_to_judge
        and total_bad > total_read * settings.max_quarantined_share
    ):
        reasons.append(f"{_share(total_bad, total_read)} set aside in all")
    return reasons


def quarantined_wards(raw_encounters: pd.DataFrame, quarantine: pd.DataFrame, settings: GatesFile) -> list[str]:
    """More than the allowed share of one ward's encounter rows set aside (by the ward code as the extract gives it)."""
    if raw_encounters.empty or "ward_code" not in raw_encounters:
        return []
    wards = raw_encounters["ward_code"].astype("string").str.strip().str.upper().fillna("(blank)")
    rows = quarantine.loc[quarantine["table_name"] == "encounters", "row_number"].astype(int) - 1
    bad = wards.iloc[rows.to_numpy()].value_counts() if len(rows) else pd.Series(dtype=int)
    read = wards.value_counts()
    reasons = []
    for ward, n_bad in bad.items():
        n_read = int(read[ward])
        if n_read >= settings.min_rows_to_judge and n_bad > n_read * settings.max_ward_quarantined_share:
            reasons.append(f"ward {ward}: {_share(int(n_bad), n_read)} of encounters set aside")
    return sorted(reasons)


def future_stamp(extracted_at: datetime, now: datetime, settings: GatesFile) -> list[str]:
    """An extracted_at further ahead of the machine's clock than the allowed minutes."""
    if extracted_at > now + timedelta(minutes=settings.max_future_minutes):
        return [f"extracted_at {extracted_at.isoformat()} is in the future (the clock says {now.isoformat()})"]
    return []


def hold_reasons(
    *,
    counts: Mapping[str, Mapping[str, int]],
    raw_encounters: pd.DataFrame,
    quarantine: pd.DataFrame,
    extracted_at: datetime,
    now: datetime,
    settings: GatesFile,
    before: Mapping[str, Mapping[str, int]] | None = None,
    before_label: str = "last good",
) -> list[str]:
    """Every reason to hold the extract (empty: it may be made current). ``before``: the current snapshot's row
    counts."""
    before = before or {}
    return [
        *future_stamp(extracted_at, now, settings),
        *empty_tables(counts, settings, before, before_label),
        *shrunk_tables(counts, settings, before, before_label),
        *quarantined_tables(counts, settings),
        *quarantined_wards(raw_encounters, quarantine, settings),
    ]
