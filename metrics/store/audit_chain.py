"""The audit log's hash chain: each row carries the hash of the one before, so a changed or removed row shows.

Why this exists: on PostgreSQL the app's own database role may only INSERT
and SELECT the audit log (metrics.store.roles), so the app cannot change it.
SQLite has no roles: whoever can write the file can drop the triggers and
rewrite rows. So on both databases every row also carries ``prev_hash`` (the
row before's ``row_hash``; the first row's is GENESIS) and ``row_hash``, the
SHA-256 of ``prev_hash`` and the row's content. Changing a row breaks its own
hash; deleting one breaks the next row's link; cutting rows off the end no
longer matches ``audit_chain_head``, the one-row table every appender locks
first, so two devices writing at once never both chain onto the same row.
``verify_chain`` walks the log in id order and names the first broken row.
Someone who can rewrite the file can still rebuild the whole chain; the
chain makes tampering detectable by comparison with a copy or an export, it
does not prevent it (docs/deployment.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from metrics.store.huddle_models import AuditChainHead, AuditLog

GENESIS = "0" * 64
HEAD_ID = 1
HASHED_FIELDS = ("at", "actor", "role", "action", "entity", "entity_id", "ward_code", "client", "detail")


def row_hash(prev_hash: str, row: Mapping[Any, Any]) -> str:
    """SHA-256 (hex) of ``prev_hash`` and the row's content (HASHED_FIELDS), in one canonical JSON form."""
    at = row["at"]
    if isinstance(at, datetime):
        at = at.astimezone(timezone.utc).isoformat()
    content = [prev_hash, at, *(row[name] for name in HASHED_FIELDS[1:])]
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def lock_head(conn: Connection) -> str:
    """Take the chain's write lock (held until the caller's transaction ends) and return the newest row's hash."""
    conn.execute(update(AuditChainHead).where(AuditChainHead.id == HEAD_ID).values(id=AuditChainHead.id))
    last = conn.execute(select(AuditChainHead.last_hash).where(AuditChainHead.id == HEAD_ID)).scalar_one_or_none()
    if last is None:
        raise RuntimeError("audit_chain_head has no row: the store was not migrated to revision 0005 or later")
    return last


def advance_head(conn: Connection, audit_id: int, new_hash: str) -> None:
    """Record ``audit_id`` as the newest row, ``new_hash`` as its hash (inside the lock ``lock_head`` took)."""
    conn.execute(
        update(AuditChainHead).where(AuditChainHead.id == HEAD_ID).values(last_audit_id=audit_id, last_hash=new_hash)
    )


@dataclass(frozen=True)
class ChainCheck:
    """What ``verify_chain`` found: how many rows it read, and the first broken row's id and why (None when intact)."""

    rows: int
    broken_id: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_chain(engine: Engine, batch: int = 5000) -> ChainCheck:
    """Walk the audit log in id order, recomputing each hash; stop at the first row whose link or hash is wrong."""
    fields = [getattr(AuditLog, name) for name in HASHED_FIELDS]
    query = select(AuditLog.id, AuditLog.prev_hash, AuditLog.row_hash, *fields).order_by(AuditLog.id)
    expected_prev, last_id, count = GENESIS, None, 0
    with engine.connect() as conn:
        for row in conn.execution_options(yield_per=batch).execute(query).mappings():
            count += 1
            if row["prev_hash"] != expected_prev:
                what = "the first row" if last_id is None else f"row {last_id}"
                return ChainCheck(
                    count,
                    row["id"],
                    f"its prev_hash does not match {what}'s hash: a row before it was removed or changed",
                )
            if row["row_hash"] != row_hash(expected_prev, row):
                return ChainCheck(count, row["id"], "its content does not match its hash: the row was changed")
            expected_prev, last_id = row["row_hash"], row["id"]
        head = conn.execute(
            select(AuditChainHead.last_audit_id, AuditChainHead.last_hash).where(AuditChainHead.id == HEAD_ID)
        ).one_or_none()
    if head is None:
        return ChainCheck(count, None, "audit_chain_head has no row: the chain's head was removed")
    if head.last_audit_id != last_id or head.last_hash != expected_prev:
        return ChainCheck(
            count,
            head.last_audit_id,
            f"the chain's head names row {head.last_audit_id} as the newest but the log "
            f"ends at row {last_id}: rows at the end were removed",
        )
    return ChainCheck(count)
