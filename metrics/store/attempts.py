"""The refresh log: one row per refresh attempt, and whether an attempt still running is alive.

Why this exists: the data status page and the stale banner say what the last
refresh did. An attempt is written when it starts (with the host and process
that run it), its heartbeat is moved on between stages, and it is closed with
its outcome. A process killed half-way never closes its row: such an attempt
reads as failed once its process is gone from this host or it has run longer
than the configured limit, so a dead refresh is reported, not shown as
"running" for ever while the board says "Up to date".
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta, timezone

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from metrics.store.models import RefreshAttempt

ATTEMPT_COLUMNS = ["started_at", "finished_at", "extract_path", "status", "message", "snapshot_id"]
DEAD_MESSAGE = "the refresh stopped without finishing (its process ended or it ran past the time limit)"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def start_attempt(engine: Engine, path: str, now: datetime | None = None) -> int:
    """Record a refresh as running, by this host and process; return its id."""
    stamp = now or _now()
    with engine.begin() as conn:
        return conn.execute(
            insert(RefreshAttempt).returning(RefreshAttempt.id),
            {
                "started_at": stamp,
                "heartbeat_at": stamp,
                "extract_path": path,
                "status": "running",
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
            },
        ).scalar_one()


def heartbeat(engine: Engine, attempt_id: int) -> None:
    """Say the attempt is still alive (called between stages)."""
    with engine.begin() as conn:
        conn.execute(update(RefreshAttempt).where(RefreshAttempt.id == attempt_id).values(heartbeat_at=_now()))


def finish_attempt(engine: Engine, attempt_id: int, status: str, message: str | None, snapshot_id: int | None) -> None:
    """Close the attempt with its outcome."""
    with engine.begin() as conn:
        conn.execute(
            update(RefreshAttempt)
            .where(RefreshAttempt.id == attempt_id)
            .values(finished_at=_now(), status=status, message=message, snapshot_id=snapshot_id)
        )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: asks whether the process exists, sends nothing
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def attempt_is_dead(host: str | None, pid: int | None, started_at: datetime, now: datetime, limit_minutes: int) -> bool:
    """A running attempt is dead when its process is gone from this host, or it started longer ago than the limit."""
    if now - started_at > timedelta(minutes=limit_minutes):
        return True
    return host == socket.gethostname()[:255] and pid is not None and not _process_alive(pid)


def refresh_attempts(
    engine: Engine, limit: int = 20, now: datetime | None = None, timeout_minutes: int = 120
) -> pd.DataFrame:
    """The latest refresh attempts, newest first (ATTEMPT_COLUMNS); a dead 'running' attempt reads as 'failed'."""
    now = now or _now()
    with engine.connect() as conn:
        rows = conn.execute(
            select(*(getattr(RefreshAttempt, c) for c in ATTEMPT_COLUMNS), RefreshAttempt.host, RefreshAttempt.pid)
            .order_by(RefreshAttempt.id.desc())
            .limit(limit)
        ).all()
    records = []
    for row in rows:
        record = dict(zip(ATTEMPT_COLUMNS, row[: len(ATTEMPT_COLUMNS)], strict=True))
        if record["status"] == "running" and attempt_is_dead(row.host, row.pid, row.started_at, now, timeout_minutes):
            record["status"], record["message"] = "failed", DEAD_MESSAGE
        records.append(record)
    return pd.DataFrame(records, columns=ATTEMPT_COLUMNS)
