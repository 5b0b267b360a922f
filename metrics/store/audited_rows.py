"""Rows a ward enters, written with their audit row and read back by ward: what every entry table's store shares.

Why this exists: the huddle's ratings and actions, learning responses, chart
annotations, improvement projects and cycles, and accreditation visits are all
written the same way: one row added, its id read back, and an audit row
(``<what>.create``, before nothing, after the row with its id) appended on the
same connection, so an entry is never stored without its record. They are read
the same way too: the table's named columns, for the listed wards (ward codes
compared upper-case), as a DataFrame. Each store module keeps its own tables,
columns and audit names and calls these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Select, func, insert, select

from metrics.store.audit import Actor, append


def insert_with_audit(
    bind: Engine | Connection,
    model: Any,
    row: Mapping[str, Any],
    actor: Actor,
    at: datetime,
    *,
    entity: str,
    event: str,
    ward_code: str | None = None,
    after_extra: Mapping[str, Any] | None = None,
) -> int:
    """Add ``row`` to ``model``'s table and its audit row (``event`` on ``entity``); return the new id.

    On a connection, both join the caller's transaction; on an engine, they run in a transaction of their own, so
    the entry and its audit row are stored together or not at all. The audit row names ``ward_code`` (default: the
    row's own), records nothing before and, after, the row with its new id and ``after_extra``.
    """
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            return insert_with_audit(
                conn, model, row, actor, at, entity=entity, event=event, ward_code=ward_code, after_extra=after_extra
            )
    new_id = int(bind.execute(insert(model).returning(model.id), dict(row)).scalar_one())
    append(
        bind,
        actor,
        event,
        entity=entity,
        entity_id=new_id,
        ward_code=row.get("ward_code") if ward_code is None else ward_code,
        before=None,
        after={"id": new_id, **row, **(after_extra or {})},
        at=at,
    )
    return new_id


def select_columns(model: Any, columns: Sequence[str]) -> Select:  # type: ignore[type-arg]
    """SELECT the named columns of ``model``, in that order."""
    return select(*(getattr(model, c) for c in columns))


def of_wards(query: Select, model: Any, ward_codes: Iterable[str] | None) -> Select:  # type: ignore[type-arg]
    """``query`` restricted to ``model``'s rows at the listed wards (upper-case compared); None: every ward."""
    if ward_codes is None:
        return query
    return query.where(func.upper(model.ward_code).in_([w.upper() for w in ward_codes]))


def frame(engine: Engine, query: Select, columns: Sequence[str]) -> pd.DataFrame:  # type: ignore[type-arg]
    """Every row ``query`` returns, as a DataFrame with ``columns``."""
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=list(columns))


def rows_of_wards(
    engine: Engine, model: Any, columns: Sequence[str], ward_codes: Iterable[str] | None = None
) -> pd.DataFrame:
    """Every row of ``model``'s table at the listed wards (None: every ward), in the order they were added."""
    return frame(engine, of_wards(select_columns(model, columns), model, ward_codes).order_by(model.id), columns)


def row_by_id(engine: Engine, model: Any, columns: Sequence[str], row_id: int) -> dict[str, Any] | None:
    """One row of ``model``'s table as a dict of ``columns``, or None."""
    return first_as_dict(engine, select_columns(model, columns).where(model.id == row_id))


def first_as_dict(engine: Engine, query: Select) -> dict[str, Any] | None:  # type: ignore[type-arg]
    """The first row ``query`` returns, as a dict by column name, or None."""
    with engine.connect() as conn:
        found = conn.execute(query).mappings().first()
    return dict(found) if found else None
