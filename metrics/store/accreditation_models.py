"""The store's tables for ward accreditation visits: one row per visit, one per answered question.

Why this exists: an accreditation level is a judgement with consequences for
a ward, so what was recorded must never change afterwards. Both tables are
append-only in the database itself (triggers refuse UPDATE and DELETE, on
SQLite and PostgreSQL, migration 0008): a correction is a new visit. Each
visit keeps who recorded it and when, the level and domain scores it earned
under the framework of the day (so a later change to accreditation.yaml does
not rewrite history), and where it came from: the app's form, or an audit
app's extract (``external_id`` then names it, so a re-sent extract is stored
once).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from metrics.store.models import Base, UTCDateTime, WardEntry

ASSESSMENT_SOURCES = ("app", "extract")


class AccreditationAssessment(WardEntry, Base):
    """One accreditation visit to one ward: who recorded it, when, and what it earned."""

    __tablename__ = "accreditation_assessments"
    assessed_on: Mapped[date] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(20))
    level_reason: Mapped[str] = mapped_column(Text)
    next_visit: Mapped[date] = mapped_column(Date)
    domain_percent: Mapped[dict[str, float | None]] = mapped_column(JSON)  # domain code -> % (None: nothing applicable)
    critical_failed: Mapped[list[str]] = mapped_column(JSON)  # question ids
    assessor: Mapped[str] = mapped_column(String(120))  # the user (or the audit app's assessor name)
    source: Mapped[str] = mapped_column(String(12))
    external_id: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        CheckConstraint("source IN ('app', 'extract')", name="ck_accreditation_assessments_source"),
        UniqueConstraint("source", "external_id", name="uq_accreditation_assessments_external"),
        Index("ix_accreditation_assessments_ward", "ward_code", "assessed_on"),
    )


class AccreditationAnswer(Base):
    """One question's score on one visit (None: not applicable), and the finding written beside it."""

    __tablename__ = "accreditation_answers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("accreditation_assessments.id", ondelete="RESTRICT"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(40))
    domain: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float)
    finding: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (CheckConstraint("score IS NULL OR score IN (0, 0.5, 1)", name="ck_accreditation_answers_score"),)
