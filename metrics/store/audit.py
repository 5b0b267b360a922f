"""The audit log: every entry and change, who made it, when, from where, and what it was before and after.

Why this exists: what a ward records at its huddle (ratings, actions) and,
later, who signed in and what they opened are questions a governance review
asks months afterwards. Each change writes one row to ``audit_log`` in the
same transaction as the change itself (``append`` takes the open
connection), so there is never a change without its record or a record of a
change that did not happen. The table is append-only in the database itself
(migration 0002 adds triggers that refuse UPDATE and DELETE; on PostgreSQL the
app's role may only INSERT and SELECT it, metrics.store.roles), every row
carries the hash of the one before (metrics.store.audit_chain), and this
module offers no way to change a row. Reading it back is ``metrics.store.audit_log``
(kept apart so that writing a row never needs pandas).

Who: a signed-in user's name when there is one, else the device/session label
(a random id the dashboard keeps per browser session); never a name typed at
the huddle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, insert

from metrics.store import audit_chain
from metrics.store.huddle_models import AuditLog


@dataclass(frozen=True)
class Actor:
    """Who is acting: a device/session label always, a signed-in user when known, their role, and the client."""

    device: str
    user: str | None = None
    role: str | None = None
    client: str | None = None

    def __post_init__(self) -> None:
        if not self.device or not self.device.strip() or len(self.device) > 64:
            raise ValueError(f"an actor needs a device/session label of 1 to 64 characters, got {self.device!r}")

    @property
    def label(self) -> str:
        """What the audit log records as who: the user when signed in, else the device/session label."""
        return self.user or self.device


def json_safe(value: Any) -> Any:
    """Dates and times as ISO 8601, numpy and decimal numbers as plain numbers, mappings and sequences walked."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return json_safe(value.item())
    return str(value)


def append(
    conn: Connection,
    actor: Actor,
    action: str,
    *,
    entity: str | None = None,
    entity_id: str | int | None = None,
    ward_code: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> int:
    """Write one audit row on ``conn`` (inside the caller's transaction); return its id."""
    detail = {"before": json_safe(before), "after": json_safe(after)}
    if extra:
        detail.update({str(k): json_safe(v) for k, v in extra.items()})
    row: dict[str, Any] = {
        "at": at or datetime.now(timezone.utc),
        "actor": actor.label[:120],
        "role": actor.role,
        "action": action[:60],
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "ward_code": ward_code,
        "client": (actor.client or "")[:200] or None,
        "detail": detail,
    }
    row["prev_hash"] = audit_chain.lock_head(conn)
    row["row_hash"] = audit_chain.row_hash(row["prev_hash"], row)
    audit_id = conn.execute(insert(AuditLog).returning(AuditLog.id), row).scalar_one()
    audit_chain.advance_head(conn, audit_id, row["row_hash"])
    return audit_id


def record(engine: Engine, actor: Actor, action: str, **fields: Any) -> int:
    """``append`` in a transaction of its own, for events that change nothing else (a sign-in, an export)."""
    with engine.begin() as conn:
        return append(conn, actor, action, **fields)
