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
from sqlalchemy import Engine

from metrics.store.audit import Actor
from metrics.store.audited_rows import frame, insert_with_audit, row_by_id, rows_of_wards, select_columns
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


def insert_annotation(engine: Engine, row: Mapping[str, Any], actor: Actor, at: datetime) -> int:
    """Store one checked annotation and its audit row in one transaction; return its id."""
    return insert_with_audit(engine, SpcAnnotation, row, actor, at, entity="spc_annotations", event="annotation.create")


def insert_project(engine: Engine, row: Mapping[str, Any], actor: Actor, at: datetime) -> int:
    """Store one checked improvement project and its audit row in one transaction; return its id."""
    return insert_with_audit(
        engine, ImprovementProject, row, actor, at, entity="improvement_projects", event="improvement_project.create"
    )


def insert_cycle(engine: Engine, row: Mapping[str, Any], ward_code: str, actor: Actor, at: datetime) -> int:
    """Store one checked PDSA cycle and its audit row (with the project's ward) in one transaction; return its id."""
    return insert_with_audit(
        engine,
        ImprovementCycle,
        row,
        actor,
        at,
        entity="improvement_cycles",
        event="improvement_cycle.create",
        ward_code=ward_code,
    )


def chart_annotations(engine: Engine, chart_keys: Iterable[str]) -> pd.DataFrame:
    """The annotations of the named charts, by date then entry (ANNOTATION_COLUMNS)."""
    keys = list(chart_keys)
    query = select_columns(SpcAnnotation, ANNOTATION_COLUMNS).where(SpcAnnotation.chart_key.in_(keys))
    return frame(engine, query.order_by(SpcAnnotation.on_date, SpcAnnotation.id), ANNOTATION_COLUMNS)


def projects(engine: Engine, ward_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Improvement projects of the listed wards (None: every ward), oldest first (PROJECT_COLUMNS)."""
    return rows_of_wards(engine, ImprovementProject, PROJECT_COLUMNS, ward_codes)


def project(engine: Engine, project_id: int) -> dict[str, Any] | None:
    """One project as a dict (PROJECT_COLUMNS), or None."""
    return row_by_id(engine, ImprovementProject, PROJECT_COLUMNS, project_id)


def cycles(engine: Engine, project_ids: Iterable[int]) -> pd.DataFrame:
    """The PDSA cycles of the listed projects, by date then entry (CYCLE_COLUMNS)."""
    ids = [int(i) for i in project_ids]
    query = select_columns(ImprovementCycle, CYCLE_COLUMNS).where(ImprovementCycle.project_id.in_(ids))
    return frame(engine, query.order_by(ImprovementCycle.cycle_date, ImprovementCycle.id), CYCLE_COLUMNS)
