"""The store's tables for learning from harm: the harm incidents a snapshot holds and the responses to them.

Why this exists: under the NHS England Patient Safety Incident Response
Framework (PSIRF, 2022) each harm incident gets a proportionate learning
response (a swarm huddle, an after-action review, or none with a reason). The
incidents come from the extract's optional incidents table and are kept once,
with the snapshots they hold for (``metrics.store.history``), so a response
can name the incident it answers. The responses are written by people from
several devices, so they are only ever added (a later entry for the same
incident replaces the earlier one on the board; both are kept, each with its
audit row), and on PostgreSQL the app's role may only add and read them
(``metrics.store.roles``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from metrics.store.models import Base, UTCDateTime, WardEntry

RESPONSE_KINDS = ("swarm_huddle", "after_action_review", "none")


class SnapshotHarmIncident(Base):
    """One fall, pressure ulcer or medication incident as the snapshot's extract gave it (the reference is never
    shown).
    """

    __tablename__ = "snapshot_harm_incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="RESTRICT"))
    until_snapshot_id: Mapped[int | None] = mapped_column(
        ForeignKey("snapshots.id", ondelete="RESTRICT")
    )  # see metrics.store.history
    incident_id: Mapped[str] = mapped_column(String(80))
    ward_code: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    incident_type: Mapped[str] = mapped_column(String(40))
    harm_level: Mapped[str] = mapped_column(String(12))
    pressure_ulcer_category: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (
        Index("ix_snapshot_harm_incidents_until", "until_snapshot_id"),
        Index("ix_snapshot_harm_incidents_ward", "ward_code", "snapshot_id"),
    )


class LearningResponse(WardEntry, Base):
    """One entry recording a harm incident's learning response: its kind, when held, the contributory factors."""

    __tablename__ = "learning_responses"
    incident_id: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(30))
    held_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)  # required when the kind is 'none'
    factors: Mapped[Any] = mapped_column(JSON)  # contributory factor codes from config/learning.yaml
    summary: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(String(20))
    device: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in RESPONSE_KINDS) + ")", name="ck_learning_responses_kind"
        ),
        CheckConstraint("kind <> 'none' OR reason IS NOT NULL", name="ck_learning_responses_none_reason"),
        Index("ix_learning_responses_lookup", "ward_code", "incident_id"),
    )
