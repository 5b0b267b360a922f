"""The schema of the store.

Why this exists: a snapshot is the unit of truth a view shows and a trend is
drawn from. Snapshots are immutable and kept; a refresh adds one in a single
transaction (snapshot, ward values, drill-down rows, per-encounter values,
quarantined rows) or adds nothing. Times are stored as UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (no time zones) and PostgreSQL alike."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; times must carry their zone")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


class WardEntry:
    """The columns every table of entries a ward's team records starts with: the entry's own id and its ward."""

    # sort_order=-1: these columns come first in each table, as the migrations create them.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)
    ward_code: Mapped[str] = mapped_column(String(40), sort_order=-1)


class Snapshot(Base):
    """One loaded extract: the moment it reflects, its source, what was read and which config evaluated it."""

    __tablename__ = "snapshots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extracted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(200))
    extract_path: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    config_fingerprint: Mapped[str] = mapped_column(String(32))
    row_counts: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON)
    metric_definitions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # 'released' (may be current) or 'held' (an implausible extract, kept with its reason until released)
    state: Mapped[str] = mapped_column(String(12), default="released", server_default="released")
    held_reason: Mapped[str | None] = mapped_column(Text)
    # the organisation (dashboard.yaml's trust_code) whose extract this is; None for snapshots stored before
    trust_code: Mapped[str | None] = mapped_column(String(10))
    # per table read, the optional columns (the contract's ``may_be_absent``) its file carried, so a metric that
    # reads one left out says "not supplied"; None for snapshots stored before this was recorded
    supplied_columns: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)


class WardMetricValue(Base):
    """One tile's value for one ward in one snapshot; ratios keep their parts."""

    __tablename__ = "ward_metric_values"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="RESTRICT"), primary_key=True)
    ward_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    metric_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    rag: Mapped[str | None] = mapped_column(String(8))


class DrilldownRow(Base):
    """One patient-level row behind a tile: huddle view only."""

    __tablename__ = "drilldown_rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="RESTRICT"))
    ward_code: Mapped[str] = mapped_column(String(40))
    metric_id: Mapped[str] = mapped_column(String(80))
    encounter_id: Mapped[str | None] = mapped_column(String(80))
    bed: Mapped[str | None] = mapped_column(String(40))
    urgency: Mapped[float | None] = mapped_column(Float)
    duration_minutes: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_drilldown_lookup", "snapshot_id", "ward_code", "metric_id"),)


class EncounterValue(Base):
    """The derived clinical values of one encounter in one snapshot (the snapshot JSON's per-encounter part)."""

    __tablename__ = "encounter_values"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="RESTRICT"), primary_key=True)
    encounter_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    ward_code: Mapped[str] = mapped_column(String(40), index=True)
    on_ward: Mapped[bool] = mapped_column(Boolean)
    news2_score: Mapped[int | None] = mapped_column(Integer)
    news2_monitoring: Mapped[str | None] = mapped_column(String(20))
    news2_status: Mapped[str | None] = mapped_column(String(20))
    news2_status_reason: Mapped[str | None] = mapped_column(Text)
    news2_minimum_score: Mapped[int | None] = mapped_column(Integer)
    news2_shown: Mapped[str | None] = mapped_column(String(120))
    news2_missing: Mapped[str | None] = mapped_column(Text)
    aki_stage: Mapped[int | None] = mapped_column(Integer)
    aki_reason: Mapped[str | None] = mapped_column(Text)
    sepsis_positive: Mapped[bool] = mapped_column(Boolean)
    sepsis_trigger: Mapped[str | None] = mapped_column(Text)
    sepsis_risk: Mapped[str | None] = mapped_column(String(20))
    sepsis_note: Mapped[str | None] = mapped_column(Text)
    missed_critical_doses: Mapped[int] = mapped_column(Integer)
    assessments_outstanding: Mapped[int] = mapped_column(Integer)
    assessments_overdue: Mapped[int] = mapped_column(Integer)


class QuarantinedRow(Base):
    """A row set aside with its reason. ``raw`` may hold identifiers: administrators only."""

    __tablename__ = "quarantined_rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="RESTRICT"), index=True)
    table_name: Mapped[str] = mapped_column(String(60))
    row_number: Mapped[int | None] = mapped_column(Integer)
    column_name: Mapped[str | None] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)


class RefreshAttempt(Base):
    """Every refresh, successful or not, so the data status page can say what happened and when."""

    __tablename__ = "refresh_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extract_path: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # running | loaded | held | duplicate | rejected | failed
    message: Mapped[str | None] = mapped_column(Text)
    snapshot_id: Mapped[int | None] = mapped_column(Integer)
    # who runs it, and when it last said it was alive: a running attempt whose process is gone reads as failed
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EquitySplitValue(Base):
    """A proportion metric's numerator and denominator for one group of one split (deprivation quintile, ethnic
    group, age band, sex) on one ward in one snapshot: the equity lens reads these, never the patients."""

    __tablename__ = "equity_split_values"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="RESTRICT"), primary_key=True)
    ward_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    metric_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    split: Mapped[str] = mapped_column(String(20), primary_key=True)
    group_label: Mapped[str] = mapped_column(String(40), primary_key=True)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
