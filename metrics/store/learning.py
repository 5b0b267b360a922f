"""Harm incidents and their learning responses in the store: every statement that writes or reads them.

Why this exists: ``metrics.learning.responses`` checks what the team enters
and decides what is due; this module holds the SQL. A response is only ever
added, in one transaction with its audit row (``metrics.store.audit.append``),
so two devices recording at once are both kept and the later one is read as
the incident's response.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from metrics.store.audit import Actor
from metrics.store.audited_rows import frame, insert_with_audit, of_wards, row_by_id, rows_of_wards, select_columns
from metrics.store.history import holds_at
from metrics.store.learning_models import LearningResponse, SnapshotHarmIncident

INCIDENT_COLUMNS = ["incident_id", "ward_code", "occurred_at", "incident_type", "harm_level", "pressure_ulcer_category"]
RESPONSE_COLUMNS = [
    "id",
    "ward_code",
    "incident_id",
    "kind",
    "held_on",
    "reason",
    "factors",
    "summary",
    "role",
    "device",
    "created_at",
]


def harm_incidents(engine: Engine, snapshot_id: int, ward_codes: Iterable[str] | None, since: datetime) -> pd.DataFrame:
    """The falls, pressure ulcers and medication incidents snapshot ``snapshot_id`` holds since ``since``
    (INCIDENT_COLUMNS).
    """
    query = select_columns(SnapshotHarmIncident, INCIDENT_COLUMNS).where(
        holds_at(SnapshotHarmIncident, snapshot_id), SnapshotHarmIncident.occurred_at >= since
    )
    query = of_wards(query, SnapshotHarmIncident, ward_codes)
    return frame(engine, query.order_by(SnapshotHarmIncident.occurred_at, SnapshotHarmIncident.id), INCIDENT_COLUMNS)


def insert_response(engine: Engine, row: Mapping[str, Any], actor: Actor, at: datetime) -> int:
    """Store one checked learning response and its audit row in one transaction; return its id."""
    return insert_with_audit(
        engine, LearningResponse, row, actor, at, entity="learning_response", event="learning_response.create"
    )


def responses(engine: Engine, ward_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Every response recorded at the listed wards (all wards: None), oldest first (RESPONSE_COLUMNS)."""
    return rows_of_wards(engine, LearningResponse, RESPONSE_COLUMNS, ward_codes)


def response(engine: Engine, response_id: int) -> dict[str, Any] | None:
    """One response as a dict (RESPONSE_COLUMNS), or None."""
    return row_by_id(engine, LearningResponse, RESPONSE_COLUMNS, response_id)
