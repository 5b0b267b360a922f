"""Reading the audit log back: who did what, when, to which ward, filtered for the administrator's view and exports.

Why this exists: the administrator reads and exports the append-only
``audit_log`` that ``metrics.store.audit`` writes. Reading returns a DataFrame;
it is kept apart from writing so that a command that only writes audit rows
(issuing a wall screen token) starts without pandas.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, select

from metrics.store.huddle_models import AuditLog

AUDIT_COLUMNS = ["id", "at", "actor", "role", "action", "entity", "entity_id", "ward_code", "client", "detail"]


def audit_entries(
    engine: Engine,
    *,
    ward_code: str | None = None,
    entity: str | None = None,
    entity_id: str | int | None = None,
    since: datetime | None = None,
    limit: int | None = 1000,
) -> pd.DataFrame:
    """Audit rows, oldest first (AUDIT_COLUMNS; ``detail`` is a dict with before and after)."""
    query = select(*(getattr(AuditLog, c) for c in AUDIT_COLUMNS)).order_by(AuditLog.id)
    if ward_code is not None:
        query = query.where(AuditLog.ward_code == ward_code)
    if entity is not None:
        query = query.where(AuditLog.entity == entity)
    if entity_id is not None:
        query = query.where(AuditLog.entity_id == str(entity_id))
    if since is not None:
        query = query.where(AuditLog.at >= since)
    if limit is not None:
        query = query.order_by(None).order_by(AuditLog.id.desc()).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    return frame.sort_values("id").reset_index(drop=True) if limit is not None else frame
