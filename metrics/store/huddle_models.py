"""The store's tables for what the ward team records, the audit log, and the non-EPR part of a snapshot.

Why this exists: the huddle board carries what the team says about itself (a
1-5 rating of how reliable its processes are, how safe it feels today) and
what it means to do about it (actions that carry over until closed). Those
entries are written by people, from several devices at once, so they live in
their own tables beside the snapshots: ratings are only ever added; an action
carries a ``version`` that every change bumps (optimistic concurrency, so a
second device editing an old copy is refused, never silently overwritten);
and every entry and change is also written to ``audit_log``, which the
database itself refuses to update or delete (triggers, migration 0002).

The ``snapshot_*`` tables hold, per snapshot, what the Safety Barometer needs
from the extract's optional tables (incidents, patient feedback, workforce),
aggregated per ward and day (or month), written in the snapshot's own
transaction so a view never re-reads an extract file.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from metrics.store import learning_models  # noqa: F401 - an action may name the learning response it came from
from metrics.store.models import Base, UTCDateTime, WardEntry

RATING_KINDS = ("reliability", "feel_safe")
ACTION_STATUSES = ("open", "done", "cancelled")
ACTION_SOURCES = ("huddle", "accreditation", "learning_response")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class HuddleRating(WardEntry, Base):
    """One person's 1-5 rating at one huddle. No name is stored: the role at most, and the device that sent it."""

    __tablename__ = "huddle_ratings"
    huddle_date: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    score: Mapped[int] = mapped_column(Integer)
    role: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    device: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="ck_huddle_ratings_score"),
        CheckConstraint(_in("kind", RATING_KINDS), name="ck_huddle_ratings_kind"),
        Index("ix_huddle_ratings_lookup", "ward_code", "huddle_date", "kind"),
    )


class HuddleAction(WardEntry, Base):
    """A concern raised at a huddle and what will be done ('What could go wrong today?'); open until closed."""

    __tablename__ = "huddle_actions"
    text: Mapped[str] = mapped_column(Text)
    owner_role: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12))
    created_on: Mapped[date] = mapped_column(Date)  # the huddle that raised it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    device: Mapped[str] = mapped_column(String(64))  # the device that raised it
    version: Mapped[int] = mapped_column(Integer)  # bumped by every change; an update names the version it read
    # Where it came from: one list holds the actions of huddles, accreditation visits and learning responses.
    source: Mapped[str] = mapped_column(String(20), server_default="huddle")
    learning_response_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_responses.id", name="fk_huddle_actions_learning_response")
    )
    __table_args__ = (
        CheckConstraint(_in("status", ACTION_STATUSES), name="ck_huddle_actions_status"),
        CheckConstraint(_in("source", ACTION_SOURCES), name="ck_huddle_actions_source"),
        CheckConstraint("version >= 1", name="ck_huddle_actions_version"),
        Index("ix_huddle_actions_lookup", "ward_code", "status"),
    )


class AuditLog(Base):
    """Append-only: every entry and change, who (user, or device/session label), when, from where, before and after."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    role: Mapped[str | None] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str | None] = mapped_column(String(60))
    entity_id: Mapped[str | None] = mapped_column(String(80))
    ward_code: Mapped[str | None] = mapped_column(String(40), index=True)
    client: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    # the row before's row_hash (see metrics.store.audit_chain)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of prev_hash and this row's content


class AuditChainHead(Base):
    """One row: the newest audit row's id and hash. Appenders lock it, so the chain never forks; a cut tail shows."""

    __tablename__ = "audit_chain_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_audit_id: Mapped[int | None] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class _WardDayCounts:
    """The columns a snapshot's per ward and day counts share: which snapshots hold the row, the ward and the day."""

    # sort_order=-1: these columns come first in each table, as the migrations create them.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="RESTRICT"), sort_order=-1)
    until_snapshot_id: Mapped[int | None] = mapped_column(
        ForeignKey("snapshots.id", ondelete="RESTRICT"), index=True, sort_order=-1
    )  # see metrics.store.history
    ward_code: Mapped[str] = mapped_column(String(40), sort_order=-1)
    day: Mapped[date] = mapped_column(Date, sort_order=-1)


class SnapshotIncidentCount(_WardDayCounts, Base):
    """Incidents of one ward on one London day, by type, harm and pressure ulcer category (from the optional incidents
    table)."""

    __tablename__ = "snapshot_incident_counts"
    incident_type: Mapped[str] = mapped_column(String(40))
    harm_level: Mapped[str] = mapped_column(String(12))
    pressure_ulcer_category: Mapped[int | None] = mapped_column(Integer)
    incidents: Mapped[int] = mapped_column(Integer)
    __table_args__ = (Index("ix_snapshot_incident_counts_lookup", "snapshot_id", "ward_code"),)


class SnapshotFeedbackCount(_WardDayCounts, Base):
    """Patient feedback of one ward on one day by kind: responses, and for fft the positive ones."""

    __tablename__ = "snapshot_feedback_counts"
    kind: Mapped[str] = mapped_column(String(12))
    responses: Mapped[int] = mapped_column(Integer)
    positive: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_snapshot_feedback_counts_lookup", "snapshot_id", "ward_code"),)


class SnapshotWorkforce(Base):
    """One ward's workforce figures for one month, as the snapshot's extract gave them."""

    __tablename__ = "snapshot_workforce"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="RESTRICT"), primary_key=True)
    until_snapshot_id: Mapped[int | None] = mapped_column(
        ForeignKey("snapshots.id", ondelete="RESTRICT"), index=True
    )  # see metrics.store.history
    ward_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    sickness_absence_pct: Mapped[float | None] = mapped_column(Float)
    training_compliance_pct: Mapped[float | None] = mapped_column(Float)
    turnover_pct: Mapped[float | None] = mapped_column(Float)
