"""The refresh log: one ``refresh_attempts`` row per attempt to load an extract, however it ended.

Why this exists: a rejected or failed extract writes nothing else, yet the
data status page and an integration engineer must see that it was tried,
when, and why it did not load. Each entry is its own small transaction, so it
is on record even when the snapshot's transaction rolls back.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Engine, insert, update

from metrics.store.models import RefreshAttempt


def start_attempt(engine: Engine, extract_path: str) -> int:
    """Record that loading ``extract_path`` has started (status 'running'); return the attempt's id."""
    with engine.begin() as conn:
        return int(
            conn.execute(
                insert(RefreshAttempt).returning(RefreshAttempt.id),
                {"started_at": datetime.now(timezone.utc), "extract_path": extract_path, "status": "running"},
            ).scalar_one()
        )


def finish_attempt(
    engine: Engine, attempt_id: int, status: str, message: str | None, snapshot_id: int | None
) -> None:
    """Record how the attempt ended: its status ('loaded', 'duplicate', 'rejected', 'failed'), message and snapshot."""
    with engine.begin() as conn:
        conn.execute(
            update(RefreshAttempt)
            .where(RefreshAttempt.id == attempt_id)
            .values(finished_at=datetime.now(timezone.utc), status=status, message=message, snapshot_id=snapshot_id)
        )
