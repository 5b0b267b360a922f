"""Every SQL statement of the system hub: taking in a trust's bundle in one transaction, and reading it back.

Why this exists: a hub holds what many trusts sent. A bundle replaces, for its trust, the days and months
it covers (a later bundle corrects an earlier one), its wards and its definitions, and is recorded with its
manifest's hash, all in one transaction: a failure anywhere leaves the hub as it was. Reads return plain
frames for the system view (``metrics.federation.hub_read``), never a patient row (there is none here).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Connection, Engine, and_, delete, false, func, insert, or_, select

from metrics.store.bulk import copy_frame
from metrics.store.history import serialise_refreshes
from metrics.store.hub_blocks import value_blocks
from metrics.store.hub_models import HubBundle, HubDefinition, HubEquityValue, HubValue, HubValueBlock, HubWard


def latest_bundle(engine: Engine, trust_code: str) -> dict[str, Any] | None:
    """The newest bundle held for the trust (by export time): exported_at, manifest_sha256, last_day; or None."""
    with engine.connect() as conn:
        return _latest(conn, trust_code)


def _latest(conn: Connection, trust_code: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(HubBundle.exported_at, HubBundle.manifest_sha256, HubBundle.last_day)
        .where(HubBundle.trust_code == trust_code)
        .order_by(HubBundle.exported_at.desc(), HubBundle.id.desc())
        .limit(1)
    ).first()
    return None if row is None else dict(row._mapping)


def import_bundle(
    engine: Engine,
    bundle: Mapping[str, Any],
    values: pd.DataFrame,
    wards: pd.DataFrame,
    definitions: pd.DataFrame,
    equity: pd.DataFrame,
    imported_at: datetime,
    check_latest: Callable[[dict[str, Any] | None], None],
) -> int:
    """Store one verified bundle for ``bundle['trust_code']`` in one transaction; return the bundle's row id.

    ``bundle`` holds the HubBundle columns but id and imported_at. Rows of the trust for the days (and the months
    from the first day's month) the bundle covers are replaced, equity splits included (a bundle without splits
    for those months leaves none); so are its wards and definitions. A metric's rows of a day or month whose
    fingerprint the hub already holds are the very rows sent, and are left in place rather than deleted and copied
    again (``metrics.store.hub_blocks``). Inside the transaction, ``check_latest`` is given the newest bundle
    already held for the trust (or None) and may raise to refuse this one (an older bundle): the check and the
    load cannot be split by another import.
    """
    trust = bundle["trust_code"]
    first: date = bundle["first_day"]
    month_start = first.replace(day=1)
    blocks, block_of_row = value_blocks(values)
    with engine.begin() as conn:
        serialise_refreshes(conn)  # two imports at once take turns
        check_latest(_latest(conn, trust))
        unchanged, replaced = _blocks_to_replace(conn, trust, first, month_start, blocks)
        for block_model in (HubValue, HubValueBlock):
            whole_range = _in_range(block_model, first, month_start)
            where = whole_range if replaced is None else _any_block(block_model, replaced)
            conn.execute(delete(block_model).where(block_model.trust_code == trust, where))
        conn.execute(
            delete(HubEquityValue).where(HubEquityValue.trust_code == trust, HubEquityValue.month >= month_start)
        )
        conn.execute(delete(HubWard).where(HubWard.trust_code == trust))
        conn.execute(delete(HubDefinition).where(HubDefinition.trust_code == trust))
        for model, frame in ((HubWard, wards), (HubDefinition, definitions)):  # a few dozen rows each
            records = [{**r, "trust_code": trust} for r in frame.to_dict("records")]
            if records:
                conn.execute(insert(model), records)
        changed = values[~unchanged[block_of_row]]
        # in key order, so the rows append to the trust's key range page by page
        ordered = changed.sort_values(["period", "day", "level", "metric_id", "unit_code"], kind="stable")
        copy_frame(conn, HubValue, ordered, {"trust_code": trust})
        copy_frame(conn, HubValueBlock, blocks[~unchanged], {"trust_code": trust})
        copy_frame(conn, HubEquityValue, equity, {"trust_code": trust})
        return int(
            conn.execute(insert(HubBundle).returning(HubBundle.id), {**bundle, "imported_at": imported_at}).scalar_one()
        )


def _in_range(model: type[HubValue] | type[HubValueBlock], first: date, month_start: date) -> ColumnElement[bool]:
    """The days from ``first`` and the months from ``month_start``: what a bundle replaces."""
    return or_(
        and_(model.period == "day", model.day >= first),
        and_(model.period == "month", model.day >= month_start),
    )


def _any_block(model: type[HubValue] | type[HubValueBlock], blocks: pd.DataFrame) -> ColumnElement[bool]:
    """Rows of any of ``blocks`` (period, day, metric_id): one term per period and day, each a range of the
    (trust, period, day) index; false for none."""
    terms = [
        and_(model.period == period, model.day == day, model.metric_id.in_(sorted(set(group["metric_id"]))))
        for (period, day), group in blocks.groupby(["period", "day"], sort=True)
    ]
    return or_(*terms) if terms else false()


def _blocks_to_replace(
    conn: Connection, trust: str, first: date, month_start: date, blocks: pd.DataFrame
) -> tuple[np.ndarray, pd.DataFrame | None]:
    """Which of the bundle's ``blocks`` the hub holds with the same fingerprint (left as they are), and the blocks
    whose rows go: the bundle's others and those held in its range that it no longer sends.

    None instead of the second when the whole range must go: the hub holds no fingerprint for the trust from the
    bundle's first day on (a hub upgraded with values held from before fingerprints were kept, a first import, or
    a bundle reaching back further than any fingerprinted one), so rows there may have none to compare.
    """
    none = np.zeros(len(blocks), dtype=bool)
    earliest = conn.execute(
        select(func.min(HubValueBlock.day)).where(HubValueBlock.trust_code == trust, HubValueBlock.period == "day")
    ).scalar_one()
    if earliest is None or _as_date(earliest) > first:
        return none, None
    held = pd.DataFrame(
        [
            (str(p), _as_date(d), str(m), str(g))
            for p, d, m, g in conn.execute(
                select(HubValueBlock.period, HubValueBlock.day, HubValueBlock.metric_id, HubValueBlock.digest).where(
                    HubValueBlock.trust_code == trust, _in_range(HubValueBlock, first, month_start)
                )
            ).all()
        ],
        columns=["period", "day", "metric_id", "digest"],
    )
    key = ["period", "day", "metric_id"]
    sent = pd.MultiIndex.from_frame(blocks[[*key, "digest"]].astype({"day": object}))
    unchanged = np.asarray(sent.isin(pd.MultiIndex.from_frame(held[[*key, "digest"]])) if len(held) else none)
    if not unchanged.any():
        return none, None  # every block goes: the whole range is one index range, quicker than a list of blocks
    withdrawn = held[~pd.MultiIndex.from_frame(held[key]).isin(pd.MultiIndex.from_frame(blocks[key]))]
    return unchanged, pd.concat([blocks.loc[~unchanged, key], withdrawn[key]])


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def bundles(engine: Engine) -> pd.DataFrame:
    """The newest bundle of each trust: trust_code, trust_name, exported_at, first_day, last_day, config_fingerprint."""
    with engine.connect() as conn:
        newest = (
            select(HubBundle.trust_code, func.max(HubBundle.id).label("id")).group_by(HubBundle.trust_code).subquery()
        )
        rows = conn.execute(
            select(
                HubBundle.trust_code,
                HubBundle.trust_name,
                HubBundle.exported_at,
                HubBundle.first_day,
                HubBundle.last_day,
                HubBundle.config_fingerprint,
                HubBundle.suppression_threshold,
            )
            .join(newest, newest.c.id == HubBundle.id)
            .order_by(HubBundle.trust_code)
        ).all()
    columns = [
        "trust_code",
        "trust_name",
        "exported_at",
        "first_day",
        "last_day",
        "config_fingerprint",
        "suppression_threshold",
    ]
    return pd.DataFrame(rows, columns=columns)


def wards(engine: Engine) -> pd.DataFrame:
    """trust_code, ward_code, ward_name, site_code, site_name of every trust."""
    with engine.connect() as conn:
        return pd.read_sql(select(HubWard).order_by(HubWard.trust_code, HubWard.site_code, HubWard.ward_code), conn)


def definitions(engine: Engine) -> pd.DataFrame:
    """trust_code, metric_id, definition_hash, label, is_ratio, display, direction, definition of every trust's
    metrics."""
    with engine.connect() as conn:
        return pd.read_sql(
            select(
                HubDefinition.trust_code,
                HubDefinition.metric_id,
                HubDefinition.definition_hash,
                HubDefinition.label,
                HubDefinition.is_ratio,
                HubDefinition.display,
                HubDefinition.direction,
                HubDefinition.definition,
            ).order_by(HubDefinition.metric_id, HubDefinition.trust_code),
            conn,
        )


def values(
    engine: Engine,
    *,
    period: str,
    levels: tuple[str, ...],
    metric_ids: tuple[str, ...] | None = None,
    day: date | None = None,
) -> pd.DataFrame:
    """Stored values: trust_code, level, unit_code, day, metric_id, value, numerator, denominator, suppressed,
    not_supplied."""
    query = select(
        HubValue.trust_code,
        HubValue.level,
        HubValue.unit_code,
        HubValue.day,
        HubValue.metric_id,
        HubValue.value,
        HubValue.numerator,
        HubValue.denominator,
        HubValue.suppressed,
        HubValue.not_supplied,
    ).where(HubValue.period == period, HubValue.level.in_(levels))
    if metric_ids is not None:
        query = query.where(HubValue.metric_id.in_(metric_ids))
    if day is not None:
        query = query.where(HubValue.day == day)
    with engine.connect() as conn:
        if day is not None:
            # the key leads with the trust: naming the trusts held (a handful) makes one key range per trust
            trusts = conn.execute(select(HubBundle.trust_code).distinct()).scalars().all()
            query = query.where(HubValue.trust_code.in_(trusts))
        frame = pd.read_sql(query, conn)
    frame.columns = [
        "trust_code",
        "level",
        "unit_code",
        "day",
        "metric_id",
        "value",
        "numerator",
        "denominator",
        "suppressed",
        "not_supplied",
    ]
    frame["not_supplied"] = frame["not_supplied"].astype(bool)
    return frame


def months(engine: Engine) -> list[date]:
    """Every month the hub holds values for, newest first."""
    with engine.connect() as conn:
        rows = (
            conn.execute(
                select(HubValue.day).where(HubValue.period == "month", HubValue.level == "trust").distinct()
            )
            .scalars()
            .all()
        )
    return sorted((r if isinstance(r, date) else date.fromisoformat(str(r)) for r in rows), reverse=True)


def generation(engine: Engine) -> int:
    """The newest bundle's row id (0 for an empty hub): what changes when a bundle is imported."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(HubBundle.id), 0))).scalar_one())


EQUITY_COLUMNS = ["trust_code", "month", "metric_id", "group_label", "numerator", "denominator", "suppressed"]


def equity_values(engine: Engine, split: str, metric_id: str | None = None, month: date | None = None) -> pd.DataFrame:
    """Stored equity splits of one split (one metric, one month, or all): EQUITY_COLUMNS, withheld parts NaN."""
    query = select(
        HubEquityValue.trust_code,
        HubEquityValue.month,
        HubEquityValue.metric_id,
        HubEquityValue.group_label,
        HubEquityValue.numerator,
        HubEquityValue.denominator,
        HubEquityValue.suppressed,
    ).where(HubEquityValue.split == split)
    if metric_id is not None:
        query = query.where(HubEquityValue.metric_id == metric_id)
    if month is not None:
        query = query.where(HubEquityValue.month == month)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=EQUITY_COLUMNS)
    for part in ("numerator", "denominator"):
        frame[part] = pd.to_numeric(frame[part]).astype(float)
    frame["suppressed"] = frame["suppressed"].astype(bool)
    return frame


def equity_contents(engine: Engine) -> pd.DataFrame:
    """trust_code, metric_id, month of every trust's equity splits held (one row each)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(HubEquityValue.trust_code, HubEquityValue.metric_id, HubEquityValue.month).distinct()
        ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["trust_code", "metric_id", "month"])
