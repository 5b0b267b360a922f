"""Releasing a held extract: an administrator's knowing decision, audited.

Why this exists: a plausibility gate holds back an extract that looks wrong
(a table empty, rows fallen far below yesterday's, most rows set aside). When
the change is real (a ward closed, a system upgrade), an administrator
releases it; from then it may be current like any other snapshot. The change
of state and its audit row are written in one transaction. An extract stamped
in the future stays off the board even when released: "current" never looks
past the clock.
"""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from metrics.errors import UserFacingError
from metrics.store.audit import Actor, append
from metrics.store.models import Snapshot


def release_snapshot(engine: Engine, snapshot_id: int, actor: Actor, note: str = "") -> str:
    """Mark a held snapshot released and audit it; return the reason it had been held."""
    with engine.begin() as conn:
        row = conn.execute(
            select(Snapshot.state, Snapshot.held_reason).where(Snapshot.id == snapshot_id).with_for_update()
        ).first()
        if row is None:
            raise UserFacingError(f"No snapshot {snapshot_id} in the store. The data status page lists held extracts.")
        if row.state != "held":
            raise UserFacingError(f"Snapshot {snapshot_id} is not held (it is {row.state}); nothing to release.")
        conn.execute(update(Snapshot).where(Snapshot.id == snapshot_id).values(state="released"))
        append(
            conn,
            actor,
            "release_held_extract",
            entity="snapshot",
            entity_id=snapshot_id,
            before={"state": "held", "held_reason": row.held_reason},
            after={"state": "released"},
            extra={"note": note} if note else None,
        )
    return row.held_reason or ""
