"""What the views and the command line read from the store.

Why this exists: the UI never recomputes a clinical rule; it reads stored
snapshots through these functions, each keyed by snapshot id so callers can
cache by it. Site and trust totals are recomputed from summed numerators and
denominators, never averaged from ward percentages.

"Current" means the newest released snapshot (not held back by a
plausibility gate) whose extracted_at is not in the future of the clock: an
extract stamped in the future never pins the board, and a held extract is
never shown as current. History (trends, "since yesterday") reads released
snapshots only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Engine, and_, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from metrics.rules.clock import LONDON
from metrics.store import attempts
from metrics.store.models import DrilldownRow, EncounterValue, QuarantinedRow, Snapshot, WardMetricValue

FUTURE_TOLERANCE = timedelta(minutes=5)  # clock skew allowed before an extracted_at counts as in the future


@dataclass(frozen=True)
class SnapshotInfo:
    """The facts about a snapshot that every screen shows."""

    id: int
    extracted_at: datetime
    loaded_at: datetime
    source: str
    extract_path: str
    row_counts: dict[str, dict[str, int]]
    metric_definitions: list[dict[str, Any]]
    config_fingerprint: str
    state: str = "released"
    held_reason: str | None = None
    # per table, the optional columns its file carried; None: stored before they were recorded
    supplied_columns: dict[str, list[str]] | None = None


@dataclass(frozen=True)
class HeldExtract:
    """An extract stored but held back from the board, and why."""

    id: int
    extracted_at: datetime
    loaded_at: datetime
    reason: str


def _released(now: datetime | None = None) -> ColumnElement[bool]:
    """Snapshots that may be shown: released, and not stamped in the future of ``now`` (default: the clock)."""
    limit = (now or datetime.now(timezone.utc)) + FUTURE_TOLERANCE
    return and_(Snapshot.state == "released", Snapshot.extracted_at <= limit)


def _info(row: Snapshot) -> SnapshotInfo:
    return SnapshotInfo(
        row.id,
        row.extracted_at,
        row.loaded_at,
        row.source,
        row.extract_path,
        row.row_counts,
        row.metric_definitions,
        row.config_fingerprint,
        row.state,
        row.held_reason,
        row.supplied_columns,
    )


def current_snapshot(engine: Engine, now: datetime | None = None) -> SnapshotInfo | None:
    """The released snapshot with the latest extracted_at not after ``now`` (latest loaded on a tie), or None."""
    with Session(engine) as session:
        row = session.scalars(
            select(Snapshot).where(_released(now)).order_by(Snapshot.extracted_at.desc(), Snapshot.id.desc()).limit(1)
        ).first()
        return _info(row) if row else None


def held_extracts(engine: Engine, after: SnapshotInfo | None = None, now: datetime | None = None) -> list[HeldExtract]:
    """Extracts the board is not showing, newest first: held ones, and ones stamped in the future of ``now``.

    With ``after``, only those loaded after that snapshot (what the board should say it is holding back).
    """
    limit = (now or datetime.now(timezone.utc)) + FUTURE_TOLERANCE
    query = select(Snapshot).where((Snapshot.state == "held") | (Snapshot.extracted_at > limit))
    if after is not None:
        query = query.where(Snapshot.id > after.id)
    with Session(engine) as session:
        rows = session.scalars(query.order_by(Snapshot.id.desc())).all()
        return [
            HeldExtract(
                r.id,
                r.extracted_at,
                r.loaded_at,
                r.held_reason
                if r.state == "held" and r.held_reason
                else f"extracted_at {r.extracted_at.isoformat()} is in the future",
            )
            for r in rows
        ]


def snapshot_by_id(engine: Engine, snapshot_id: int) -> SnapshotInfo | None:
    with Session(engine) as session:
        row = session.get(Snapshot, snapshot_id)
        return _info(row) if row else None


def snapshots(engine: Engine) -> pd.DataFrame:
    """Every released snapshot, oldest first: id, extracted_at, loaded_at, source."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Snapshot.id, Snapshot.extracted_at, Snapshot.loaded_at, Snapshot.source)
            .where(_released())
            .order_by(Snapshot.extracted_at, Snapshot.id)
        ).all()
    return pd.DataFrame(rows, columns=["id", "extracted_at", "loaded_at", "source"])


def previous_day_snapshot(engine: Engine, snapshot: SnapshotInfo) -> SnapshotInfo | None:
    """The latest snapshot from an earlier London day than ``snapshot``: what 'since yesterday' compares with."""
    london_day = pd.Timestamp(snapshot.extracted_at).tz_convert(LONDON).normalize().tz_convert("UTC").to_pydatetime()
    with Session(engine) as session:
        row = session.scalars(
            select(Snapshot)
            .where(Snapshot.extracted_at < london_day, _released())
            .order_by(Snapshot.extracted_at.desc(), Snapshot.id.desc())
            .limit(1)
        ).first()
        return _info(row) if row else None


def _columns_frame(
    engine: Engine,
    model: type[WardMetricValue] | type[QuarantinedRow],
    names: list[str],
    *where: ColumnElement[bool],
    order_by: tuple[InstrumentedAttribute[Any], ...] = (),
) -> pd.DataFrame:
    """The ``names`` columns of ``model``'s rows that meet every ``where``, as a frame with those column names."""
    with engine.connect() as conn:
        rows = conn.execute(select(*(getattr(model, n) for n in names)).where(*where).order_by(*order_by)).all()
    # Plain tuples: pandas probes each SQLAlchemy Row for attributes, which costs a second at 600 wards.
    return pd.DataFrame([tuple(row) for row in rows], columns=names)


def stored_ward_codes(ward_codes: Iterable[str]) -> list[str]:
    """Ward codes as the store holds them, for a lookup of some wards' rows.

    The refresh writes every ward code in upper case (``metrics.extract.convert.UPPER_CODES``), so a lookup
    compares the stored column with the upper-cased codes themselves: the primary key (snapshot, ward, metric)
    finds one ward's rows, where comparing ``upper(ward_code)`` read every ward's rows of every snapshot (a
    600-ward region's whole history to draw one huddle board).
    """
    return sorted({c.upper() for c in ward_codes})


def ward_values(engine: Engine, snapshot_id: int, ward_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """ward_code, metric_id, value, numerator, denominator, rag for one snapshot (only ``ward_codes``' rows, compared
    case-blind, when given: a huddle board reads its own ward, not a region's)."""
    names = ["ward_code", "metric_id", "value", "numerator", "denominator", "rag"]
    where = [WardMetricValue.snapshot_id == snapshot_id]
    if ward_codes is not None:
        where.append(WardMetricValue.ward_code.in_(stored_ward_codes(ward_codes)))
    order = (WardMetricValue.ward_code, WardMetricValue.metric_id)  # one order whichever index the database uses
    return _columns_frame(engine, WardMetricValue, names, *where, order_by=order)


_DRILLDOWN_COLUMNS = (
    DrilldownRow.bed,
    DrilldownRow.encounter_id,
    DrilldownRow.urgency,
    DrilldownRow.duration_minutes,
    DrilldownRow.detail,
)


def drilldown(engine: Engine, snapshot_id: int, ward_code: str, metric_id: str) -> pd.DataFrame:
    """The patient list behind one tile, most urgent first; detail columns expanded."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(*_DRILLDOWN_COLUMNS)
            .where(
                DrilldownRow.snapshot_id == snapshot_id,
                DrilldownRow.ward_code == ward_code,
                DrilldownRow.metric_id == metric_id,
            )
            .order_by(DrilldownRow.urgency.desc(), DrilldownRow.id)
        ).all()
    return _drilldown_frame(rows)


def ward_drilldowns(engine: Engine, snapshot_id: int, ward_code: str) -> dict[str, pd.DataFrame]:
    """Every patient list of one ward in one query (a huddle board shows them all): metric id -> the list as
    ``drilldown`` gives it. A metric with nobody on its list is absent."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(DrilldownRow.metric_id, *_DRILLDOWN_COLUMNS)
            .where(DrilldownRow.snapshot_id == snapshot_id, DrilldownRow.ward_code == ward_code)
            .order_by(DrilldownRow.metric_id, DrilldownRow.urgency.desc(), DrilldownRow.id)
        ).all()
    by_metric: dict[str, list[Any]] = {}
    for row in rows:
        by_metric.setdefault(row.metric_id, []).append(row)
    return {metric_id: _drilldown_frame(part) for metric_id, part in by_metric.items()}


def _drilldown_frame(rows: Sequence[Any]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame()
    details = pd.DataFrame([json.loads(r.detail) for r in rows])
    base = pd.DataFrame(
        {
            "encounter_id": [r.encounter_id for r in rows],
            "urgency": [r.urgency for r in rows],
            "duration_minutes": [r.duration_minutes for r in rows],
        }
    )
    return pd.concat([details, base.drop(columns=[c for c in base.columns if c in details.columns])], axis=1)


def encounter_values(engine: Engine, snapshot_id: int) -> pd.DataFrame:
    """The derived clinical values per encounter (the snapshot JSON's encounter part)."""
    columns = [c for c in EncounterValue.__table__.columns if c.name != "snapshot_id"]
    with engine.connect() as conn:
        rows = conn.execute(
            select(*columns)
            .where(EncounterValue.snapshot_id == snapshot_id)
            .order_by(EncounterValue.ward_code, EncounterValue.encounter_id)
        ).all()
    return pd.DataFrame(rows, columns=[c.name for c in columns])


def snapshot_identifiers(engine: Engine, snapshot_id: int) -> list[str]:
    """Every encounter id stored for a snapshot (per encounter and behind the tiles), for the demo mode data check."""
    with engine.connect() as conn:
        values = conn.execute(
            select(EncounterValue.encounter_id)
            .where(EncounterValue.snapshot_id == snapshot_id)
            .union(select(DrilldownRow.encounter_id).where(DrilldownRow.snapshot_id == snapshot_id))
        ).scalars()
        return sorted(v for v in values if v is not None)


def possible_nhs_numbers(engine: Engine, snapshot_id: int) -> list[str]:
    """The stored identifiers of a snapshot that could be NHS numbers: ten characters once spaces and hyphens are
    taken out (``metrics.access.demo_data`` then checks each one's digits and check digit).

    Why: demo mode checks every snapshot it shows for real NHS numbers; reading every identifier of a region
    (tens of thousands) into Python to find none costs a new session more than drawing its board.
    """

    def ten_characters(column: Any) -> ColumnElement[bool]:
        return func.length(func.replace(func.replace(column, " ", ""), "-", "")) == 10

    with engine.connect() as conn:
        values = conn.execute(
            select(EncounterValue.encounter_id)
            .where(EncounterValue.snapshot_id == snapshot_id, ten_characters(EncounterValue.encounter_id))
            .union(
                select(DrilldownRow.encounter_id).where(
                    DrilldownRow.snapshot_id == snapshot_id, ten_characters(DrilldownRow.encounter_id)
                )
            )
        ).scalars()
        return sorted(v for v in values if v is not None)


def quarantine_summary(engine: Engine, snapshot_id: int) -> pd.DataFrame:
    """Counts of quarantined rows by table and reason: safe for every user (no row content)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(QuarantinedRow.table_name, QuarantinedRow.column_name, func.count().label("rows"))
            .where(QuarantinedRow.snapshot_id == snapshot_id)
            .group_by(QuarantinedRow.table_name, QuarantinedRow.column_name)
            .order_by(QuarantinedRow.table_name)
        ).all()
    return pd.DataFrame(rows, columns=["table_name", "column_name", "rows"])


def quarantine_rows(engine: Engine, snapshot_id: int) -> pd.DataFrame:
    """Every quarantined row with its reason and raw content (may hold identifiers: administrators only)."""
    names = ["table_name", "row_number", "column_name", "reason", "raw"]
    order = (QuarantinedRow.table_name, QuarantinedRow.row_number)
    return _columns_frame(engine, QuarantinedRow, names, QuarantinedRow.snapshot_id == snapshot_id, order_by=order)


def refresh_attempts(engine: Engine, limit: int = 20, now: datetime | None = None) -> pd.DataFrame:
    """The latest refresh attempts, newest first; an attempt whose process died reads as 'failed'."""
    return attempts.refresh_attempts(engine, limit, now)


def _latest_snapshot_per_day(conn: Connection) -> pd.DataFrame:
    """snapshot_id and London date of the latest snapshot of each London day (empty when the store is)."""
    snaps = pd.DataFrame(
        conn.execute(select(Snapshot.id, Snapshot.extracted_at).where(_released())).all(),
        columns=["snapshot_id", "extracted_at"],
    )
    if snaps.empty:
        return snaps.assign(date=pd.Series(dtype=object))
    snaps["date"] = pd.to_datetime(snaps["extracted_at"], utc=True).dt.tz_convert(LONDON).dt.date
    return snaps.sort_values(["extracted_at", "snapshot_id"]).groupby("date").tail(1)


def supplied_per_day(engine: Engine) -> pd.DataFrame:
    """The inputs each London day's latest snapshot carried: date (datetime64), row_counts, supplied_columns.

    With ``daily_history_all``, whose rows come from the same snapshots, a reader tells a value missing because
    an optional input was not supplied from one that is simply missing (``metrics.evaluate.optional_sources``).
    """
    with engine.connect() as conn:
        latest = _latest_snapshot_per_day(conn)
        ids = latest["snapshot_id"].tolist()
        rows = conn.execute(
            select(Snapshot.id, Snapshot.row_counts, Snapshot.supplied_columns).where(Snapshot.id.in_(ids))
        ).all()
    found = {r[0]: (r[1], r[2]) for r in rows}
    return pd.DataFrame(
        {
            "date": pd.to_datetime(pd.Series(latest["date"].tolist(), dtype=object)),
            "row_counts": [found[i][0] for i in ids],
            "supplied_columns": [found[i][1] for i in ids],
        }
    )


def daily_history(engine: Engine, metric_id: str, ward_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per London day per ward for ``metric_id``: the latest snapshot of each day (date, ward_code, value,
    numerator, denominator); with ``ward_codes``, those wards' rows only (read by the primary key)."""
    with engine.connect() as conn:
        latest = _latest_snapshot_per_day(conn)
        if latest.empty:
            return pd.DataFrame(columns=["date", "ward_code", "value", "numerator", "denominator"])
        query = select(
            WardMetricValue.snapshot_id,
            WardMetricValue.ward_code,
            WardMetricValue.value,
            WardMetricValue.numerator,
            WardMetricValue.denominator,
        ).where(WardMetricValue.metric_id == metric_id, WardMetricValue.snapshot_id.in_(latest["snapshot_id"].tolist()))
        if ward_codes is not None:
            query = query.where(WardMetricValue.ward_code.in_(stored_ward_codes(ward_codes)))
        rows = conn.execute(query).all()
    values = pd.DataFrame(rows, columns=["snapshot_id", "ward_code", "value", "numerator", "denominator"])
    out = values.merge(latest[["snapshot_id", "date"]], on="snapshot_id")
    return (
        out[["date", "ward_code", "value", "numerator", "denominator"]]
        .sort_values(["ward_code", "date"])
        .reset_index(drop=True)
    )


def daily_history_all(
    engine: Engine, metric_ids: list[str] | None = None, ward_codes: Iterable[str] | None = None
) -> pd.DataFrame:
    """``daily_history`` for every metric (or those listed) in one query: date, metric_id, ward_code, value, numerator,
    denominator.

    One row per London day per ward per metric, from the latest snapshot of each day. Unlike
    ``daily_history``, ``date`` is a datetime64 column (midnight of the London day) and the numbers
    are floats (NaN where missing), ready for vectorised work. Sorted by metric, ward and date.
    """
    with engine.connect() as conn:
        latest = _latest_snapshot_per_day(conn)
        if latest.empty or (metric_ids is not None and not metric_ids):
            return pd.DataFrame(
                {
                    "date": pd.Series(dtype="datetime64[ns]"),
                    "metric_id": pd.Series(dtype=object),
                    "ward_code": pd.Series(dtype=object),
                    "value": pd.Series(dtype=float),
                    "numerator": pd.Series(dtype=float),
                    "denominator": pd.Series(dtype=float),
                }
            )
        query = select(
            WardMetricValue.snapshot_id,
            WardMetricValue.metric_id,
            WardMetricValue.ward_code,
            WardMetricValue.value,
            WardMetricValue.numerator,
            WardMetricValue.denominator,
        ).where(WardMetricValue.snapshot_id.in_(latest["snapshot_id"].tolist()))
        if metric_ids is not None:
            query = query.where(WardMetricValue.metric_id.in_(sorted(set(metric_ids))))
        if ward_codes is not None:  # one ward's history (its huddle board), compared case-blind
            query = query.where(WardMetricValue.ward_code.in_(stored_ward_codes(ward_codes)))
        values = pd.read_sql(
            query, conn
        )  # pandas reads the cursor in bulk: several times quicker than a frame of Row objects
    values.columns = ["snapshot_id", "metric_id", "ward_code", "value", "numerator", "denominator"]
    day_of = pd.Series(
        pd.to_datetime(latest["date"]).to_numpy(dtype="datetime64[ns]"), index=latest["snapshot_id"].to_numpy()
    )
    out = pd.DataFrame(
        {
            "date": day_of.reindex(values["snapshot_id"].to_numpy()).to_numpy(),
            "metric_id": values["metric_id"],
            "ward_code": values["ward_code"],
            **{
                c: pd.to_numeric(values[c], errors="coerce").astype(float)
                for c in ("value", "numerator", "denominator")
            },
        }
    )
    return out.sort_values(["metric_id", "ward_code", "date"]).reset_index(drop=True)


def aggregate_series(history: pd.DataFrame, ward_codes: list[str] | None, is_ratio: bool) -> pd.DataFrame:
    """Sum a metric's daily history over a group of wards: counts summed; a ratio recomputed from summed parts.

    A count's numerator is its value (the value stands in for a missing numerator). Days on which no
    ward of the group has a value are gaps (NaN), never zeros: the same rule as the SPC series
    (``metrics.store.spc_history.store_series``), which does this for every group at once.
    """
    frame = history if ward_codes is None else history[history["ward_code"].isin(ward_codes)]
    if frame.empty:
        return pd.DataFrame(columns=["date", "value", "numerator", "denominator"])
    if not is_ratio:
        frame = frame.assign(numerator=frame["numerator"].astype("float64").fillna(frame["value"].astype("float64")))
    grouped = frame.groupby("date")[["numerator", "denominator"]].sum(min_count=1)
    if is_ratio:
        grouped["value"] = grouped["numerator"] / grouped["denominator"].where(grouped["denominator"] > 0)
    else:
        grouped["value"] = grouped["numerator"]
    return grouped.reset_index()[["date", "value", "numerator", "denominator"]]
