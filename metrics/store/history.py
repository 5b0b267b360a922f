"""The Safety Barometer's history tables, kept once rather than copied into every snapshot.

Why this exists: each extract carries the wards' incident, feedback and
workforce history (a year or more), and nearly all of it is the same as the
day before. A row is written once and holds for every snapshot from
``snapshot_id`` up to, not including, ``until_snapshot_id`` (NULL: it still
holds). A refresh compares the extract's rows with the rows that hold now:
rows no longer given are ended at the new snapshot, new or changed rows are
written from it, and the rest are left alone. A 600-ward region then writes
a few thousand rows a day instead of about 200,000.

Reading "as at snapshot S" (``holds_at``) is right for every snapshot because
snapshots are numbered in the order they are loaded and loads do not overlap:
``serialise_refreshes`` takes PostgreSQL's transaction lock first (SQLite
allows one writer at a time already), and the comparison reads what the last
committed load left. Everything happens in the refresh's own transaction.
"""

from __future__ import annotations

from typing import Any, cast

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Date, Float, Integer, Table, and_, or_, select, text, tuple_, update
from sqlalchemy.orm import DeclarativeBase

from metrics.store.bulk import bulk_insert
from metrics.store.huddle_models import SnapshotFeedbackCount, SnapshotIncidentCount, SnapshotWorkforce

VERSIONED: tuple[type[DeclarativeBase], ...] = (SnapshotIncidentCount, SnapshotFeedbackCount, SnapshotWorkforce)
_LOCK_KEY = 4_211_907  # any constant: one advisory lock for "a refresh is writing"
_CHUNK = 500


def serialise_refreshes(conn: Connection) -> None:
    """Make concurrent refreshes take turns (PostgreSQL: a transaction-scoped advisory lock; SQLite has one writer already)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def holds_at(model: type[DeclarativeBase], snapshot_id: int) -> ColumnElement[bool]:
    """The rows of ``model`` that belong to snapshot ``snapshot_id``."""
    table = cast(Table, model.__table__)
    return and_(table.c.snapshot_id <= snapshot_id, or_(table.c.until_snapshot_id.is_(None), table.c.until_snapshot_id > snapshot_id))


def _comparable(frame: pd.DataFrame, table: Table, columns: list[str]) -> pd.DataFrame:
    """The columns in one form on both sides of the comparison: numbers as floats, dates as datetime64, text as str; missing as NaN/NaT."""
    out = {}
    for name in columns:
        kind = table.c[name].type
        series = frame[name]
        if isinstance(kind, Date):
            out[name] = pd.to_datetime(series.astype(object), errors="raise")
        elif isinstance(kind, (Integer, Float)):
            out[name] = pd.to_numeric(series.astype(object), errors="raise").astype("float64")
        else:
            out[name] = series.astype(object).where(series.notna(), None).map(lambda v: None if v is None else str(v))
    return pd.DataFrame(out, index=frame.index)


def write_versioned(conn: Connection, model: type[DeclarativeBase], frame: pd.DataFrame, columns: list[str], snapshot_id: int) -> tuple[int, int]:
    """Bring ``model``'s current rows to ``frame[columns]`` as of ``snapshot_id``; return (rows written, rows ended)."""
    table = cast(Table, model.__table__)
    keys = [c.name for c in table.primary_key.columns]
    current_rows = conn.execute(select(*(table.c[c] for c in keys), *(table.c[c] for c in columns)).where(table.c.until_snapshot_id.is_(None))).all()
    current = pd.DataFrame([tuple(r) for r in current_rows], columns=[f"key_{k}" for k in keys] + columns, dtype=object)
    old = _comparable(current, table, columns).assign(_old=range(len(current)))
    new = _comparable(frame.reset_index(drop=True), table, columns).assign(_new=range(len(frame)))
    # each copy of a repeated row is its own row: the n-th copy on one side matches the n-th on the other
    old["_copy"] = old.groupby(columns, dropna=False).cumcount()
    new["_copy"] = new.groupby(columns, dropna=False).cumcount()
    matched = old.merge(new, on=[*columns, "_copy"], how="outer")  # every column, values included: a changed count is a new row
    ended = matched.loc[matched["_new"].isna(), "_old"].astype(int).tolist()
    added = matched.loc[matched["_old"].isna(), "_new"].astype(int).tolist()
    if ended:
        key_values = current.iloc[ended][[f"key_{k}" for k in keys]].itertuples(index=False, name=None)
        key_list: list[Any] = list(key_values)
        for start in range(0, len(key_list), _CHUNK):
            chunk = key_list[start : start + _CHUNK]
            where = table.c[keys[0]].in_([k[0] for k in chunk]) if len(keys) == 1 else tuple_(*(table.c[k] for k in keys)).in_(chunk)
            conn.execute(update(table).where(where).values(until_snapshot_id=snapshot_id))
    written = bulk_insert(conn, model, frame.reset_index(drop=True).iloc[added], columns, {"snapshot_id": snapshot_id}) if added else 0
    return written, len(ended)
