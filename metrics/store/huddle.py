"""The huddle's ratings and actions in the store: every statement that writes or reads them.

Why this exists: ``metrics.huddle.inputs`` checks what the team enters and
decides what a change means; this module holds the SQL. Each write runs in
one transaction with its audit row (``metrics.store.audit.append``), so there
is never a change without its record. An action's status changes with
``UPDATE ... WHERE version = :read`` (optimistic concurrency, the same on
SQLite and PostgreSQL): when another device changed it first, nothing is
written and the caller is told what is stored now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Select, func, select, update

from metrics.store.audit import Actor, append
from metrics.store.audited_rows import first_as_dict, frame, insert_with_audit, of_wards, select_columns
from metrics.store.huddle_models import HuddleAction, HuddleRating

RATING_COLUMNS = ["id", "ward_code", "huddle_date", "shift", "kind", "score", "role", "comment", "device", "created_at"]
ACTION_COLUMNS = [
    "id",
    "ward_code",
    "text",
    "owner_role",
    "due_at",
    "status",
    "created_on",
    "created_at",
    "closed_at",
    "device",
    "version",
    "source",
    "learning_response_id",
]


# ---- ratings ------------------------------------------------------------------------------------


def insert_rating(engine: Engine, row: Mapping[str, Any], actor: Actor, at: datetime) -> int:
    """Store one checked rating and its audit row in one transaction; return its id."""
    return insert_with_audit(engine, HuddleRating, row, actor, at, entity="huddle_rating", event="rating.create")


def ratings(engine: Engine, ward_code: str, start: date, end: date, kind: str | None = None) -> pd.DataFrame:
    """Ratings of one ward with huddle dates from ``start`` to ``end`` (inclusive), oldest first (RATING_COLUMNS)."""
    query = select_columns(HuddleRating, RATING_COLUMNS).where(
        func.upper(HuddleRating.ward_code) == ward_code.upper(),
        HuddleRating.huddle_date >= start,
        HuddleRating.huddle_date <= end,
    )
    if kind is not None:
        query = query.where(HuddleRating.kind == kind)
    return frame(engine, query.order_by(HuddleRating.huddle_date, HuddleRating.id), RATING_COLUMNS)


def ratings_on(engine: Engine, ward_codes: Iterable[str], on: date, kind: str = "reliability") -> pd.DataFrame:
    """Every rating of one kind given on ``on`` at the listed wards (ward_code upper-case, score)."""
    codes = [w.upper() for w in ward_codes]
    with engine.connect() as conn:
        rows = conn.execute(
            select(func.upper(HuddleRating.ward_code), HuddleRating.score).where(
                func.upper(HuddleRating.ward_code).in_(codes), HuddleRating.huddle_date == on, HuddleRating.kind == kind
            )
        ).all()
    return pd.DataFrame(rows, columns=["ward_code", "score"])


# ---- actions ------------------------------------------------------------------------------------


def insert_action(engine: Engine, row: Mapping[str, Any], actor: Actor, at: datetime) -> int:
    """Store one checked new action and its audit row in one transaction; return its id."""
    return insert_with_audit(engine, HuddleAction, row, actor, at, entity="huddle_action", event="action.create")


def _action_by_id(action_id: int) -> Select:  # type: ignore[type-arg]
    return select_columns(HuddleAction, ACTION_COLUMNS).where(HuddleAction.id == action_id)


def action(engine: Engine, action_id: int) -> dict[str, Any] | None:
    """One action as a dict (ACTION_COLUMNS), or None."""
    return first_as_dict(engine, _action_by_id(action_id))


def change_action_if_unchanged(
    engine: Engine,
    *,
    action_id: int,
    expected_version: int,
    changes: Mapping[str, Any],
    before: Mapping[str, Any],
    actor: Actor,
    audit_action: str,
    at: datetime,
) -> tuple[bool, dict[str, Any] | None]:
    """Apply ``changes`` to the action if it is still at ``expected_version``, with its audit row, in one transaction.

    Returns (True, the action as now stored) when applied; (False, the action as another device left it, or None
    when it no longer exists) when it was not, in which case nothing was written.
    """
    with engine.begin() as conn:
        result = conn.execute(
            update(HuddleAction)
            .where(HuddleAction.id == action_id, HuddleAction.version == expected_version)
            .values(**changes)
        )
        if result.rowcount != 1:  # another device's change landed between the caller's read and this update
            current = conn.execute(_action_by_id(action_id)).mappings().first()
            return False, dict(current) if current else None
        after = {**before, **changes}
        append(
            conn,
            actor,
            audit_action,
            entity="huddle_action",
            entity_id=action_id,
            ward_code=before["ward_code"],
            before=before,
            after=after,
            at=at,
        )
    return True, after


def _actions_query(ward_codes: Iterable[str] | None = None) -> Select:  # type: ignore[type-arg]
    return of_wards(select_columns(HuddleAction, ACTION_COLUMNS), HuddleAction, ward_codes)


def open_or_closed_between(
    engine: Engine, ward_code: str, raised_by: date, closed_from: datetime, closed_before: datetime
) -> pd.DataFrame:
    """A ward's actions raised on or before ``raised_by`` that are open, or were closed in [closed_from, closed_before).

    Oldest first (ACTION_COLUMNS).
    """
    query = _actions_query([ward_code]).where(
        HuddleAction.created_on <= raised_by,
        (HuddleAction.status == "open")
        | ((HuddleAction.closed_at >= closed_from) & (HuddleAction.closed_at < closed_before)),
    )
    return frame(engine, query.order_by(HuddleAction.created_on, HuddleAction.id), ACTION_COLUMNS)


def actions_of_ward(engine: Engine, ward_code: str) -> pd.DataFrame:
    """Every action of a ward, open and closed, in the order they were raised (ACTION_COLUMNS)."""
    return frame(engine, _actions_query([ward_code]).order_by(HuddleAction.id), ACTION_COLUMNS)


def open_action_counts(engine: Engine, ward_codes: Iterable[str] | None = None) -> dict[str, int]:
    """Open actions per ward (upper-case ward code); wards with none are left out."""
    query = of_wards(
        select(func.upper(HuddleAction.ward_code), func.count()).where(HuddleAction.status == "open"),
        HuddleAction,
        ward_codes,
    )
    with engine.connect() as conn:
        rows = conn.execute(query.group_by(func.upper(HuddleAction.ward_code))).all()
    return {str(code): int(n) for code, n in rows}
