"""Reading the equity splits: a proportion metric's numerator and denominator per group, summed over wards.

Why this exists: every SQL statement lives in the store. The executive and system views ask for one metric and
one split of one snapshot; the parts are added up in SQL across the wards asked for (numerators and denominators
summed, never proportions averaged).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine, func, select

from metrics.store.models import EquitySplitValue
from metrics.store.queries import _latest_snapshot_per_day, stored_ward_codes

SPLIT_TOTAL_COLUMNS = ["group_label", "numerator", "denominator"]


def split_totals(
    engine: Engine, snapshot_id: int, metric_id: str, split: str, wards: Iterable[str] | None = None
) -> pd.DataFrame:
    """group_label, numerator, denominator of one metric and split in one snapshot, over ``wards`` (None: all)."""
    table = EquitySplitValue
    query = (
        select(table.group_label, func.sum(table.numerator), func.sum(table.denominator))
        .where(table.snapshot_id == snapshot_id, table.metric_id == metric_id, table.split == split)
        .group_by(table.group_label)
    )
    if wards is not None:
        query = query.where(table.ward_code.in_(list(wards)))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=SPLIT_TOTAL_COLUMNS)


def split_metric_ids(engine: Engine, snapshot_id: int) -> list[str]:
    """The metrics a snapshot holds splits for (its proportion metrics)."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(EquitySplitValue.metric_id).where(EquitySplitValue.snapshot_id == snapshot_id).distinct()
            ).scalars()
        )


DAILY_SPLIT_COLUMNS = ["date", "metric_id", "split", "group_label", "numerator", "denominator"]


def daily_split_totals(engine: Engine, ward_codes: Iterable[str]) -> pd.DataFrame:
    """date (London day), metric_id, split, group_label, numerator, denominator summed over ``ward_codes``, from the
    latest snapshot of each day: the splits an aggregate bundle sends, read the way its ward values are."""
    table = EquitySplitValue
    with engine.connect() as conn:
        latest = _latest_snapshot_per_day(conn)
        if latest.empty:
            return pd.DataFrame(columns=DAILY_SPLIT_COLUMNS)
        rows = conn.execute(
            select(
                table.snapshot_id,
                table.metric_id,
                table.split,
                table.group_label,
                func.sum(table.numerator),
                func.sum(table.denominator),
            )
            .where(
                table.snapshot_id.in_(latest["snapshot_id"].tolist()),
                table.ward_code.in_(stored_ward_codes(ward_codes)),
            )
            .group_by(table.snapshot_id, table.metric_id, table.split, table.group_label)
        ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["snapshot_id", *DAILY_SPLIT_COLUMNS[1:]])
    day_of = dict(zip(latest["snapshot_id"], latest["date"], strict=True))
    frame.insert(0, "date", pd.to_datetime(frame.pop("snapshot_id").map(day_of)))
    for part in ("numerator", "denominator"):
        frame[part] = pd.to_numeric(frame[part], errors="coerce").astype(float)
    return frame[DAILY_SPLIT_COLUMNS]
