"""Reading a ward's Safety Barometer inputs from the store and applying the rule.

Why this exists: ``metrics.huddle.barometer`` is pure; this module fetches what it
reads: the EPR tiles' values and 30-day history from the snapshots, the
non-EPR counts that hold for the snapshot (``metrics.extract.optional_tables``, kept by
``metrics.store.history``; a table
the extract did not carry is absent from the snapshot's ``row_counts`` and is
reported "not supplied"), and the ward's huddle ratings. The snapshot part is
immutable per snapshot id, so the dashboard caches it; the ratings are live.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine, func, select

from metrics.huddle.barometer import TREND_DAYS, BarometerInputs
from metrics.rules.clock import london_date
from metrics.huddle.config import EprIndicator, HuddleConfig
from metrics.store import queries
from metrics.store.history import holds_at
from metrics.store.huddle_models import SnapshotFeedbackCount, SnapshotIncidentCount, SnapshotWorkforce
from metrics.store.models import WardMetricValue


@dataclass(frozen=True)
class SnapshotPart:
    """What one snapshot holds for one ward's barometer; a frame left as None: that table was not supplied."""

    snapshot_id: int | None
    data_date: date | None
    epr_values: dict[str, float | None] = field(default_factory=dict)
    epr_history: dict[str, pd.DataFrame] = field(default_factory=dict)
    incidents: pd.DataFrame | None = None
    incidents_since: date | None = None
    feedback: pd.DataFrame | None = None
    feedback_since: date | None = None
    workforce: pd.DataFrame | None = None


def _rows(engine: Engine, model: type, snapshot_id: int, ward_code: str, columns: list[str]) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(
            select(*(getattr(model, c) for c in columns)).where(
                holds_at(model, snapshot_id),
                model.ward_code == ward_code.upper(),  # type: ignore[attr-defined]  # stored upper case: indexed
            )
        ).all()
    return pd.DataFrame(rows, columns=columns)


def _first_day(
    engine: Engine, model: type[SnapshotIncidentCount] | type[SnapshotFeedbackCount], snapshot_id: int
) -> date | None:
    with engine.connect() as conn:
        return conn.execute(select(func.min(model.day)).where(holds_at(model, snapshot_id))).scalar_one_or_none()


def snapshot_part(
    engine: Engine, snapshot_id: int | None, ward_code: str, metric_ids: Iterable[str] = ()
) -> SnapshotPart:
    """The snapshot's share of one ward's barometer (``snapshot_id`` None: the current snapshot)."""
    snapshot = queries.current_snapshot(engine) if snapshot_id is None else queries.snapshot_by_id(engine, snapshot_id)
    if snapshot is None:
        return SnapshotPart(None, None)
    data_date = london_date(snapshot.extracted_at)
    supplied = set(snapshot.row_counts or {})
    metric_ids = sorted(set(metric_ids))
    values: dict[str, float | None] = {}
    history: dict[str, pd.DataFrame] = {}
    if metric_ids:
        with engine.connect() as conn:
            rows = conn.execute(
                select(WardMetricValue.metric_id, WardMetricValue.value).where(
                    WardMetricValue.snapshot_id == snapshot.id,
                    WardMetricValue.ward_code == ward_code.upper(),  # stored upper case (queries.stored_ward_codes)
                    WardMetricValue.metric_id.in_(metric_ids),
                )
            ).all()
        values = {m: (None if v is None else float(v)) for m, v in rows}
        for metric_id in metric_ids:
            frame = queries.daily_history(engine, metric_id, [ward_code])
            frame = frame[
                (frame["ward_code"].str.upper() == ward_code.upper())
                & (frame["date"] > data_date - timedelta(days=TREND_DAYS))
                & (frame["date"] <= data_date)
            ]
            history[metric_id] = frame[["date", "value"]].reset_index(drop=True)
    part = SnapshotPart(snapshot.id, data_date, values, history)
    if "incidents" in supplied:
        part = _with(
            part,
            incidents=_rows(
                engine,
                SnapshotIncidentCount,
                snapshot.id,
                ward_code,
                ["day", "incident_type", "harm_level", "pressure_ulcer_category", "incidents"],
            ),
            incidents_since=_first_day(engine, SnapshotIncidentCount, snapshot.id),
        )
    if "patient_feedback" in supplied:
        part = _with(
            part,
            feedback=_rows(
                engine, SnapshotFeedbackCount, snapshot.id, ward_code, ["day", "kind", "responses", "positive"]
            ),
            feedback_since=_first_day(engine, SnapshotFeedbackCount, snapshot.id),
        )
    if "workforce" in supplied:
        part = _with(
            part,
            workforce=_rows(
                engine,
                SnapshotWorkforce,
                snapshot.id,
                ward_code,
                ["month", "sickness_absence_pct", "training_compliance_pct", "turnover_pct"],
            ),
        )
    return part


def _with(part: SnapshotPart, **changes: object) -> SnapshotPart:
    from dataclasses import replace

    return replace(part, **changes)  # type: ignore[arg-type]


def epr_metric_ids(huddle_cfg: HuddleConfig, ward_code: str) -> tuple[str, ...]:
    """The metrics.yaml ids the ward's barometer reads from the snapshot."""
    setup, _ = huddle_cfg.barometer.for_ward(ward_code)
    library = huddle_cfg.barometer.library()
    return tuple(library[c.id].metric for c in setup.choices() if isinstance(library[c.id], EprIndicator))


def barometer_inputs(part: SnapshotPart, ward_ratings: pd.DataFrame, huddle_date: date) -> BarometerInputs:
    """The pure rule's inputs from a snapshot part and the ward's ratings (huddle_date, kind, score)."""
    return BarometerInputs(
        data_date=part.data_date or huddle_date,
        huddle_date=huddle_date,
        epr_values=part.epr_values,
        epr_history=part.epr_history,
        incidents=part.incidents,
        incidents_since=part.incidents_since,
        feedback=part.feedback,
        feedback_since=part.feedback_since,
        workforce=part.workforce,
        ratings=ward_ratings[["huddle_date", "kind", "score"]]
        if len(ward_ratings)
        else pd.DataFrame(columns=["huddle_date", "kind", "score"]),
        has_snapshot=part.snapshot_id is not None,
    )
