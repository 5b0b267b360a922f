"""Retention: removing patient-level rows older than the configured number of days.

Why this exists: a region's store grows by tens of megabytes a day, nearly all
of it patient-level rows (each encounter's derived values, the drill-down rows
behind each tile, the contents of quarantined rows). Those are needed for the
huddle and for checking a recent snapshot; after ``store.keep_days``
(dashboard.yaml) they are only a privacy risk and a cost. Pruning removes them
from every snapshot extracted before the cut-off and keeps what the trends are
drawn from forever: the snapshot rows, every ward's metric values (the SPC
series and the board report read only these) and the Safety Barometer's
history. A quarantined row keeps its table, row number and column (so the
data status page still counts what was set aside) and loses its contents and
reason, which can quote identifiers.

The current snapshot is never pruned, however old: the board and the huddle
must keep their patient lists when extracts stop arriving. Everything is done
in one transaction with its audit log entry (``metrics.store.audit``), so a
prune is either recorded and done or neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update

from metrics.store.audit import Actor, append
from metrics.store.models import DrilldownRow, EncounterValue, QuarantinedRow, Snapshot

PRUNED_REASON = "contents removed after store.keep_days"


@dataclass(frozen=True)
class PruneResult:
    """What one prune removed: rows deleted per table and quarantined rows whose contents were cleared."""

    cutoff: datetime
    snapshots: int
    encounter_values: int
    drilldown_rows: int
    quarantined_rows_cleared: int


def prune(engine: Engine, keep_days: int, now: datetime, actor: Actor) -> PruneResult:
    """Remove patient-level rows of snapshots extracted more than ``keep_days`` days before ``now`` (aware)."""
    if keep_days < 1:
        raise ValueError(f"keep_days must be 1 or more, got {keep_days}")
    if now.tzinfo is None:
        raise ValueError("now must carry its time zone")
    cutoff = now - timedelta(days=keep_days)
    with engine.begin() as conn:
        current = conn.execute(
            select(Snapshot.id).order_by(Snapshot.extracted_at.desc(), Snapshot.id.desc()).limit(1)
        ).scalar_one_or_none()
        old = select(Snapshot.id).where(Snapshot.extracted_at < cutoff)
        if current is not None:
            old = old.where(Snapshot.id != current)
        ids = list(conn.execute(old).scalars())
        encounters = drilldown = quarantined = 0
        if ids:
            encounters = conn.execute(delete(EncounterValue).where(EncounterValue.snapshot_id.in_(old))).rowcount
            drilldown = conn.execute(delete(DrilldownRow).where(DrilldownRow.snapshot_id.in_(old))).rowcount
            quarantined = conn.execute(
                update(QuarantinedRow)
                .where(QuarantinedRow.snapshot_id.in_(old), QuarantinedRow.reason != PRUNED_REASON)
                .values(raw="", reason=PRUNED_REASON)
            ).rowcount
        result = PruneResult(cutoff, len(ids), encounters, drilldown, quarantined)
        append(
            conn,
            actor,
            "store.prune",
            entity="snapshots",
            after={
                "keep_days": keep_days,
                "cutoff": cutoff,
                "snapshots": len(ids),
                "first_snapshot_id": min(ids, default=None),
                "last_snapshot_id": max(ids, default=None),
                "encounter_values_deleted": encounters,
                "drilldown_rows_deleted": drilldown,
                "quarantined_rows_cleared": quarantined,
            },
        )
    return result
