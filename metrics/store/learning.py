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
from sqlalchemy import Engine, func, insert, select

from metrics.store.audit import Actor, append
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
    query = select(*(getattr(SnapshotHarmIncident, c) for c in INCIDENT_COLUMNS)).where(
        holds_at(SnapshotHarmIncident, snapshot_id), SnapshotHarmIncident.occurred_at >= since
    )
    if ward_codes is not None:
        query = query.where(func.upper(SnapshotHarmIncident.ward_code).in_([w.upper() for w in ward_codes]))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(SnapshotHarmIncident.occurred_at, SnapshotHarmIncident.id)).all()
    return pd.DataFrame(rows, columns=INCIDENT_COLUMNS)


def insert_response(engine: Engine, row: Mapping[str, Any], actor: Actor, at: datetime) -> int:
    """Store one checked learning response and its audit row in one transaction; return its id."""
    with engine.begin() as conn:
        response_id = conn.execute(insert(LearningResponse).returning(LearningResponse.id), dict(row)).scalar_one()
        after = {"id": response_id, **row}
        append(
            conn,
            actor,
            "learning_response.create",
            entity="learning_response",
            entity_id=response_id,
            ward_code=row["ward_code"],
            before=None,
            after=after,
            at=at,
        )
    return int(response_id)


def responses(engine: Engine, ward_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Every response recorded at the listed wards (all wards: None), oldest first (RESPONSE_COLUMNS)."""
    query = select(*(getattr(LearningResponse, c) for c in RESPONSE_COLUMNS))
    if ward_codes is not None:
        query = query.where(func.upper(LearningResponse.ward_code).in_([w.upper() for w in ward_codes]))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(LearningResponse.id)).all()
    return pd.DataFrame(rows, columns=RESPONSE_COLUMNS)


def response(engine: Engine, response_id: int) -> dict[str, Any] | None:
    """One response as a dict (RESPONSE_COLUMNS), or None."""
    query = select(*(getattr(LearningResponse, c) for c in RESPONSE_COLUMNS)).where(LearningResponse.id == response_id)
    with engine.connect() as conn:
        found = conn.execute(query).mappings().first()
    return dict(found) if found else None
