"""Accreditation visits in the store: every statement that writes or reads them.

Why this exists: ``metrics.accreditation.assessments`` checks a visit and
decides what it earned; this module holds the SQL. A visit is written in one
transaction with its answers, the improvement actions its findings become
(huddle actions with ``source = 'accreditation'``) and an audit row for each,
so there is never a visit without its record. The tables refuse UPDATE and
DELETE (migration 0008); two devices recording at once both add a row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select

from metrics.store.accreditation_models import AccreditationAnswer, AccreditationAssessment
from metrics.store.audit import Actor
from metrics.store.audited_rows import frame, insert_with_audit, of_wards, select_columns
from metrics.store.huddle_models import HuddleAction

ASSESSMENT_COLUMNS = [
    "id",
    "ward_code",
    "assessed_on",
    "level",
    "level_reason",
    "next_visit",
    "domain_percent",
    "critical_failed",
    "assessor",
    "source",
    "external_id",
    "created_at",
]
ANSWER_COLUMNS = ["assessment_id", "question_id", "domain", "score", "finding"]

# One checked visit as the store takes it: its row, its answers and the actions its findings become.
Visit = tuple[Mapping[str, Any], Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]]


def insert_assessment(
    engine: Engine,
    row: Mapping[str, Any],
    answers: Sequence[Mapping[str, Any]],
    actions: Sequence[Mapping[str, Any]],
    actor: Actor,
    at: datetime,
) -> int:
    """Store one checked visit, its answers and its findings' actions, each with its audit row, in one transaction."""
    return insert_assessments(engine, [(row, answers, actions)], actor, at)[0]


def insert_assessments(engine: Engine, visits: Sequence[Visit], actor: Actor, at: datetime) -> list[int]:
    """Store many checked visits (row, answers, actions), each with its audit rows, in one transaction: an extract's."""
    with engine.begin() as conn:
        return [_insert(conn, visit, actor, at) for visit in visits]


def _insert(conn: Connection, visit: Visit, actor: Actor, at: datetime) -> int:
    """One visit, its answers, its audit row and its actions (with theirs), on the caller's transaction."""
    row, answers, actions = visit
    assessment_id = insert_with_audit(
        conn,
        AccreditationAssessment,
        row,
        actor,
        at,
        entity="accreditation_assessment",
        event="accreditation.record",
        after_extra={"answers": len(answers), "actions": len(actions)},
    )
    if answers:
        conn.execute(insert(AccreditationAnswer), [{**a, "assessment_id": assessment_id} for a in answers])
    for action in actions:
        insert_with_audit(
            conn,
            HuddleAction,
            action,
            actor,
            at,
            entity="huddle_action",
            event="action.create",
            after_extra={"assessment_id": assessment_id},
        )
    return assessment_id


def assessments(engine: Engine, ward_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Every visit (of the listed wards), newest first per ward: ward, date, then id (ASSESSMENT_COLUMNS)."""
    query = of_wards(select_columns(AccreditationAssessment, ASSESSMENT_COLUMNS), AccreditationAssessment, ward_codes)
    query = query.order_by(
        AccreditationAssessment.ward_code,
        AccreditationAssessment.assessed_on.desc(),
        AccreditationAssessment.id.desc(),
    )
    return frame(engine, query, ASSESSMENT_COLUMNS)


def previous_levels(engine: Engine, ward_code: str) -> list[str]:
    """A ward's awarded levels, newest visit first: what a level's ``previous`` rule reads."""
    frame = assessments(engine, [ward_code])
    return [str(level) for level in frame["level"]]


def answers(engine: Engine, assessment_id: int) -> pd.DataFrame:
    """One visit's answers, in the order recorded (ANSWER_COLUMNS)."""
    query = (
        select_columns(AccreditationAnswer, ANSWER_COLUMNS)
        .where(AccreditationAnswer.assessment_id == assessment_id)
        .order_by(AccreditationAnswer.id)
    )
    return frame(engine, query, ANSWER_COLUMNS)


def external_ids(engine: Engine) -> set[str]:
    """The audit app's references of every visit already loaded from an extract."""
    query = select(AccreditationAssessment.external_id).where(
        AccreditationAssessment.source == "extract", AccreditationAssessment.external_id.is_not(None)
    )
    with engine.connect() as conn:
        return {str(v) for (v,) in conn.execute(query).all()}


def open_accreditation_actions(engine: Engine, ward_code: str) -> pd.DataFrame:
    """A ward's open actions that came from accreditation visits, oldest first (id, text, created_on, due_at)."""
    query = (
        select(HuddleAction.id, HuddleAction.text, HuddleAction.created_on, HuddleAction.due_at)
        .where(
            func.upper(HuddleAction.ward_code) == ward_code.upper(),
            HuddleAction.source == "accreditation",
            HuddleAction.status == "open",
        )
        .order_by(HuddleAction.created_on, HuddleAction.id)
    )
    return frame(engine, query, ["id", "text", "created_on", "due_at"])
