"""Chart annotations and the improvement board in the store: every statement that writes or reads them.

Why this exists: ``metrics.improvement`` checks what a ward enters; this module holds the SQL. Every table here is
append-only (an entry is only ever added; on PostgreSQL the app's role may only INSERT and SELECT them,
``metrics.store.roles``), so two devices writing at once each add their own row and neither overwrites the other.
Each insert runs in one transaction with its audit row (``metrics.store.audit.append``), as the huddle's do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, insert, select

from metrics.store.audit import Actor, append
from metrics.store.improvement_models import ImprovementCycle, ImprovementProject, SpcAnnotation

ANNOTATION_COLUMNS = ["id", "chart_key", "ward_code", "on_date", "text", "author", "created_at"]
PROJECT_COLUMNS = [
    "id",
    "ward_code",
    "action_id",
    "title",
    "problem",
    "metric_id",
    "aim_target",
    "target_date",
    "change_ideas",
    "opened_on",
    "author",
    "created_at",
]
CYCLE_COLUMNS = ["id", "project_id", "cycle_date", "note", "author", "created_at"]


def _insert(engine: Engine, model: type, row: Mapping[str, Any], actor: Actor, at: datetime, what: str) -> int:
    with engine.begin() as conn:
        new_id = conn.execute(insert(model).returning(model.id), dict(row)).scalar_one()  # type: ignore[attr-defined]
        append(
            conn,
            actor,
            f"{what}.create",
            entity=model.__tablename__,  # type: ignore[attr-defined]
            entity_id=new_id,
            ward_code=row.get("ward_code"),
            before=None,
            after={"id": new_id, **row},
            at=at,
        )
    return int(new_id)


def insert_annotation(engine: Engine, row: Mapping[str, Any], actor: Actor, at: datetime) -> int:
    """Store one checked annotation and its audit row in one transaction; return its id."""
    return _insert(engine, SpcAnnotation, row, actor, at, "annotation")


def insert_project(engine: Engine, row: Mapping[str, Any], actor: Actor, at: datetime) -> int:
    """Store one checked improvement project and its audit row in one transaction; return its id."""
    return _insert(engine, ImprovementProject, row, actor, at, "improvement_project")


def insert_cycle(engine: Engine, row: Mapping[str, Any], ward_code: str, actor: Actor, at: datetime) -> int:
    """Store one checked PDSA cycle and its audit row (with the project's ward) in one transaction; return its id."""
    with engine.begin() as conn:
        new_id = conn.execute(insert(ImprovementCycle).returning(ImprovementCycle.id), dict(row)).scalar_one()
        append(
            conn,
            actor,
            "improvement_cycle.create",
            entity="improvement_cycles",
            entity_id=new_id,
            ward_code=ward_code,
            before=None,
            after={"id": new_id, **row},
            at=at,
        )
    return int(new_id)


def chart_annotations(engine: Engine, chart_keys: Iterable[str]) -> pd.DataFrame:
    """The annotations of the named charts, by date then entry (ANNOTATION_COLUMNS)."""
    keys = list(chart_keys)
    query = select(*(getattr(SpcAnnotation, c) for c in ANNOTATION_COLUMNS)).where(SpcAnnotation.chart_key.in_(keys))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(SpcAnnotation.on_date, SpcAnnotation.id)).all()
    return pd.DataFrame(rows, columns=ANNOTATION_COLUMNS)


def projects(engine: Engine, ward_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Improvement projects of the listed wards (None: every ward), oldest first (PROJECT_COLUMNS)."""
    query = select(*(getattr(ImprovementProject, c) for c in PROJECT_COLUMNS))
    if ward_codes is not None:
        query = query.where(func.upper(ImprovementProject.ward_code).in_([w.upper() for w in ward_codes]))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(ImprovementProject.id)).all()
    return pd.DataFrame(rows, columns=PROJECT_COLUMNS)


def project(engine: Engine, project_id: int) -> dict[str, Any] | None:
    """One project as a dict (PROJECT_COLUMNS), or None."""
    query = select(*(getattr(ImprovementProject, c) for c in PROJECT_COLUMNS)).where(
        ImprovementProject.id == project_id
    )
    with engine.connect() as conn:
        found = conn.execute(query).mappings().first()
    return dict(found) if found else None


def cycles(engine: Engine, project_ids: Iterable[int]) -> pd.DataFrame:
    """The PDSA cycles of the listed projects, by date then entry (CYCLE_COLUMNS)."""
    ids = [int(i) for i in project_ids]
    query = select(*(getattr(ImprovementCycle, c) for c in CYCLE_COLUMNS)).where(ImprovementCycle.project_id.in_(ids))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(ImprovementCycle.cycle_date, ImprovementCycle.id)).all()
    return pd.DataFrame(rows, columns=CYCLE_COLUMNS)
