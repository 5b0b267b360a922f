"""The store's tables for chart annotations and the improvement board.

Why this exists: a chart of a ward's measure means more when it says what happened when ("new falls bundle",
"two nurses off sick"), and a ward improving its care needs somewhere to keep its project: the problem, the aim,
the change ideas and each Plan-Do-Study-Act cycle. All of these are written by people, from several devices at
once, so every table here is append-only: a row is only ever added (never updated or deleted, so two devices can
never overwrite each other), and each addition is written to ``audit_log`` in the same transaction
(``metrics.store.improvement``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from metrics.store.models import Base, UTCDateTime, WardEntry


class SpcAnnotation(Base):
    """A note on an SPC chart at a date: what happened then, and who said so (the chart is named by its key)."""

    __tablename__ = "spc_annotations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chart_key: Mapped[str] = mapped_column(String(200))  # metrics.improvement.annotations.chart_key
    ward_code: Mapped[str | None] = mapped_column(String(40))  # None: a site or trust chart
    on_date: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(120))  # the signed-in user, else the device/session label
    device: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_spc_annotations_chart", "chart_key", "on_date"),)


class ImprovementProject(WardEntry, Base):
    """A ward's improvement project, opened from a huddle action: the problem, the aim and the change ideas."""

    __tablename__ = "improvement_projects"
    action_id: Mapped[int | None] = mapped_column(ForeignKey("huddle_actions.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    metric_id: Mapped[str] = mapped_column(String(80))  # the aim's measure: a metric of config/metrics.yaml
    aim_target: Mapped[str | None] = mapped_column(String(200))  # the aim in words, e.g. "half as many falls"
    target_date: Mapped[date] = mapped_column(Date)  # the aim's date: the project is active until then
    change_ideas: Mapped[list[str]] = mapped_column(JSON)
    opened_on: Mapped[date] = mapped_column(Date)
    author: Mapped[str] = mapped_column(String(120))
    device: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_improvement_projects_ward", "ward_code"),)


class ImprovementCycle(Base):
    """One Plan-Do-Study-Act cycle of a project: its date and what was tried and learnt."""

    __tablename__ = "improvement_cycles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("improvement_projects.id", ondelete="RESTRICT"), index=True)
    cycle_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(120))
    device: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
