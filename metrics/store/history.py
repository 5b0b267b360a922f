"""The Safety Barometer's history tables, kept once rather than copied into every snapshot.

Why this exists: each extract carries the wards' incident, feedback and
workforce history (a year or more), and nearly all of it is the same as the
day before. A row is written once and holds for every snapshot from
``snapshot_id`` up to, not including, ``until_snapshot_id`` (NULL: it still
holds). A refresh compares the extract's rows with the rows that hold now:
rows no longer given are ended at the new snapshot, new or changed rows are
written from it, and the rest are left alone. A 600-ward region then writes
a few thousand rows a day instead of about 200,000. An extract that does not
carry a table leaves that table's rows as they were: the snapshot's
``row_counts`` says the table was not supplied, and readers look there first
(``metrics.store.barometer`` does).

Reading "as at snapshot S" (``holds_at``) is right for every snapshot because
snapshots are numbered in the order they are loaded and loads do not overlap:
``serialise_refreshes`` takes PostgreSQL's transaction lock first (SQLite
allows one writer at a time already), and the comparison reads what the last
committed load left. Everything happens in the refresh's own transaction.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Connection, Float, Integer, Table, and_, or_, text, tuple_, update
from sqlalchemy.orm import DeclarativeBase

from metrics.store.bulk import bulk_insert, driver_cursor, stored_values
from metrics.store.huddle_models import SnapshotFeedbackCount, SnapshotIncidentCount, SnapshotWorkforce
from metrics.store.learning_models import SnapshotHarmIncident

VERSIONED: tuple[type[DeclarativeBase], ...] = (
    SnapshotIncidentCount,
    SnapshotFeedbackCount,
    SnapshotWorkforce,
    SnapshotHarmIncident,
)
_LOCK_KEY = 4_211_907  # any constant: one advisory lock for "a refresh is writing"
_CHUNK = 500


def serialise_refreshes(conn: Connection) -> None:
    """Make concurrent refreshes take turns (PostgreSQL: a transaction-scoped advisory lock; SQLite has one writer
    already)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def holds_at(model: type[DeclarativeBase], snapshot_id: int) -> ColumnElement[bool]:
    """The rows of ``model`` that belong to snapshot ``snapshot_id``."""
    table = cast(Table, model.__table__)
    return and_(
        table.c.snapshot_id <= snapshot_id,
        or_(table.c.until_snapshot_id.is_(None), table.c.until_snapshot_id > snapshot_id),
    )


def _comparable(frame: pd.DataFrame, columns: list[str], numeric: set[str]) -> pd.DataFrame:
    """Stored values in one form on both sides: numbers as floats (3 and 3.0 are the same count), the rest as text;
    missing as missing."""
    return pd.DataFrame(
        {c: pd.to_numeric(frame[c]).astype("float64") if c in numeric else frame[c].astype("string") for c in columns}
    )


def _current(conn: Connection, table: Table, keys: list[str], columns: list[str]) -> list[tuple[Any, ...]]:
    """The rows that hold now, (keys..., columns...), as the driver gives them (no SQLAlchemy conversion: compared as
    stored)."""
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in [*keys, *columns])
    with driver_cursor(conn) as cursor:
        # Names come from the SQLAlchemy table, quoted by the dialect.
        cursor.execute(f"SELECT {names} FROM {quote(table.name)} WHERE until_snapshot_id IS NULL")  # noqa: S608
        return [tuple(r) for r in cursor.fetchall()]


def write_versioned(
    conn: Connection, model: type[DeclarativeBase], frame: pd.DataFrame, columns: list[str], snapshot_id: int
) -> tuple[int, int]:
    """Bring ``model``'s current rows to ``frame[columns]`` as of ``snapshot_id``; return (rows written, rows ended).

    Rows are compared whole, as stored (a changed count is a new row), and as a multiset: each copy of a
    repeated row is matched once.
    """
    table = cast(Table, model.__table__)
    keys = [c.name for c in table.primary_key.columns]
    frame = frame.reset_index(drop=True)
    current = _current(conn, table, keys, columns)
    if not current:
        return bulk_insert(conn, model, frame, columns, {"snapshot_id": snapshot_id}), 0
    numeric = {c for c in columns if isinstance(table.c[c].type, (Integer, Float))}
    old = _comparable(
        pd.DataFrame.from_records(current, columns=[*(f"key_{k}" for k in keys), *columns]), columns, numeric
    )
    new = _comparable(
        pd.DataFrame.from_records(stored_values(conn, table, frame, columns), columns=columns), columns, numeric
    )
    old["_old"], new["_new"] = np.arange(len(old)), np.arange(len(new))
    old["_copy"] = old.groupby(
        columns, dropna=False, sort=False
    ).cumcount()  # the n-th copy of a row matches the n-th copy
    new["_copy"] = new.groupby(columns, dropna=False, sort=False).cumcount()
    matched = old.merge(new, on=[*columns, "_copy"], how="outer")  # missing matches missing
    added = matched.loc[matched["_old"].isna(), "_new"].astype(int).tolist()
    gone = matched.loc[matched["_new"].isna(), "_old"].astype(int).to_numpy()
    ended = [tuple(current[i][: len(keys)]) for i in gone.tolist()]
    for start in range(0, len(ended), _CHUNK):
        chunk = ended[start : start + _CHUNK]
        where = (
            table.c[keys[0]].in_([k[0] for k in chunk])
            if len(keys) == 1
            else tuple_(*(table.c[k] for k in keys)).in_(chunk)
        )
        conn.execute(update(table).where(where).values(until_snapshot_id=snapshot_id))
    written = bulk_insert(conn, model, frame.iloc[added], columns, {"snapshot_id": snapshot_id}) if added else 0
    return written, len(ended)
