"""Writing one snapshot: all of it in one transaction, or none of it.

Why this exists: a wall screen must never show half a refresh. The snapshot
row, its ward values, drill-down rows, per-encounter values and quarantined
rows are inserted inside a single transaction; any failure rolls all of it
back and the previous snapshot stays current. The same extract (same content
hash) is never stored twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
import pandas as pd
from sqlalchemy import Engine, insert, select

from metrics.store.bulk import bulk_insert
from metrics.store.history import VERSIONED, serialise_refreshes, write_versioned
from metrics.store.huddle_models import SnapshotFeedbackCount, SnapshotIncidentCount, SnapshotWorkforce
from metrics.store.learning_models import SnapshotHarmIncident
from metrics.store.models import (
    Base,
    DrilldownRow,
    EncounterValue,
    EquitySplitValue,
    QuarantinedRow,
    Snapshot,
    WardMetricValue,
)

ENCOUNTER_VALUE_COLUMNS = [c.name for c in EncounterValue.__table__.columns if c.name != "snapshot_id"]
# Where each optional table outside the EPR is kept (``metrics.extract.optional_tables`` reduces them to these rows).
OPTIONAL_TABLE_MODELS: dict[str, type[Base]] = {
    "incidents": SnapshotIncidentCount,
    "patient_feedback": SnapshotFeedbackCount,
    "workforce": SnapshotWorkforce,
    "harm_incidents": SnapshotHarmIncident,  # from the incidents table: what a learning response answers
}


def existing_snapshot_id(engine: Engine, content_hash: str) -> int | None:
    with engine.connect() as conn:
        return conn.execute(select(Snapshot.id).where(Snapshot.content_hash == content_hash)).scalar_one_or_none()


def existing_snapshot(engine: Engine, content_hash: str) -> tuple[int, str | None] | None:
    """(id, held reason or None) of the snapshot already stored from this content, or None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(Snapshot.id, Snapshot.state, Snapshot.held_reason).where(Snapshot.content_hash == content_hash)
        ).first()
    if row is None:
        return None
    return row.id, (row.held_reason or "held") if row.state == "held" else None


def write_snapshot(
    engine: Engine,
    *,
    extracted_at: pd.Timestamp,
    source: str,
    extract_path: str,
    content_hash: str,
    config_fingerprint: str,
    row_counts: dict[str, dict[str, int]],
    metric_definitions: list[dict[str, Any]],
    ward_values: pd.DataFrame,
    drilldown: pd.DataFrame,
    encounters: pd.DataFrame,
    quarantine: pd.DataFrame,
    optional_tables: Mapping[str, pd.DataFrame] | None = None,
    held_reason: str | None = None,
    trust_code: str | None = None,
    equity_splits: pd.DataFrame | None = None,
    supplied_columns: dict[str, list[str]] | None = None,
) -> int:
    """Insert one snapshot and everything that belongs to it in one transaction; return its id.

    ``optional_tables`` maps a name of OPTIONAL_TABLE_MODELS (an optional table the extract supplied) to its rows,
    each frame's columns being the stored ones (the Safety Barometer's non-EPR counts; those in
    ``metrics.store.history.VERSIONED`` are kept once, with the snapshots they hold for).
    With ``held_reason`` the snapshot is stored as held: kept, never current until released. ``trust_code`` is
    the organisation the extract came from (dashboard.yaml's ``trust_code``).
    ``equity_splits``: each proportion metric's parts per group of each split (``metrics.equity.splits``).
    ``supplied_columns``: per table read, the optional columns its file carried (``ValidatedExtract``).
    """
    with engine.begin() as conn:
        serialise_refreshes(conn)  # before the snapshot gets its number: loads are numbered in the order they commit
        snapshot_id = conn.execute(
            insert(Snapshot).returning(Snapshot.id),
            {
                "extracted_at": extracted_at.to_pydatetime(),
                "loaded_at": datetime.now(timezone.utc),
                "source": source[:200],
                "extract_path": extract_path,
                "content_hash": content_hash,
                "config_fingerprint": config_fingerprint,
                "row_counts": row_counts,
                "metric_definitions": metric_definitions,
                "state": "held" if held_reason else "released",
                "held_reason": held_reason,
                "trust_code": trust_code,
                "supplied_columns": supplied_columns,
            },
        ).scalar_one()
        parts: list[tuple[type[Base], pd.DataFrame, list[str]]] = [
            (WardMetricValue, ward_values, ["ward_code", "metric_id", "value", "numerator", "denominator", "rag"]),
            (
                DrilldownRow,
                drilldown,
                ["ward_code", "metric_id", "encounter_id", "bed", "urgency", "duration_minutes", "detail"],
            ),
            (EncounterValue, encounters, ENCOUNTER_VALUE_COLUMNS),
            (QuarantinedRow, quarantine, ["table_name", "row_number", "column_name", "reason", "raw"]),
            *(
                [(EquitySplitValue, equity_splits, ["ward_code", "metric_id", "split", "group_label", "numerator",
                                                    "denominator"])]
                if equity_splits is not None
                else []
            ),
            *(
                (OPTIONAL_TABLE_MODELS[name], frame, list(frame.columns))
                for name, frame in (optional_tables or {}).items()
            ),
        ]
        for model, frame, columns in parts:
            if model in VERSIONED:
                write_versioned(conn, model, frame, columns, snapshot_id)
            else:
                bulk_insert(conn, model, frame, columns, {"snapshot_id": snapshot_id})
    return snapshot_id
