"""Wall screen (kiosk) tokens in the store: every statement that issues, lists, revokes or finds one.

Why this exists: ``metrics.access.kiosk_tokens`` decides what a token may do
and checks what an administrator asks for; this module holds the SQL. Only a
token's SHA-256 hash is ever stored. Issuing and revoking write their audit row
(``metrics.store.audit.append``) in the same transaction. Rows come back as
plain dicts (TOKEN_COLUMNS), never the hash.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from metrics.store.access_models import KioskToken
from metrics.store.audit import Actor, append

TOKEN_COLUMNS = ("id", "label", "wards", "created_at", "created_by", "expires_at", "revoked_at", "revoked_by")


def _stored(row: KioskToken) -> dict[str, Any]:
    return {c: (tuple(row.wards) if c == "wards" else getattr(row, c)) for c in TOKEN_COLUMNS}


def _audit_wards(wards: Iterable[str]) -> str:
    return ",".join(wards)[:40]


def insert_token(
    engine: Engine,
    *,
    token_hash: str,
    label: str,
    wards: Iterable[str],
    created_at: datetime,
    expires_at: datetime | None,
    actor: Actor,
    audit_action: str,
) -> dict[str, Any]:
    """Store a new token by its hash, with its audit row, in one transaction; return it (TOKEN_COLUMNS)."""
    row = KioskToken(
        token_hash=token_hash,
        label=label,
        wards=list(wards),
        created_at=created_at,
        created_by=actor.label[:200],
        expires_at=expires_at,
        revoked_at=None,
        revoked_by=None,
    )
    with Session(engine) as session, session.begin():
        session.add(row)
        session.flush()
        stored = _stored(row)
        append(
            session.connection(),
            actor,
            audit_action,
            entity="kiosk_token",
            entity_id=stored["id"],
            ward_code=_audit_wards(stored["wards"]),
            after={"label": stored["label"], "wards": list(stored["wards"]), "expires_at": stored["expires_at"]},
            at=created_at,
        )
    return stored


def all_tokens(engine: Engine) -> list[dict[str, Any]]:
    """Every token, newest first (TOKEN_COLUMNS)."""
    with Session(engine) as session:
        return [_stored(r) for r in session.scalars(select(KioskToken).order_by(KioskToken.id.desc()))]


def revoke_once(
    engine: Engine, token_id: int, *, at: datetime, actor: Actor, audit_action: str
) -> dict[str, Any] | None:
    """Mark token ``token_id`` revoked at ``at`` with its audit row, unless it already is; return it, or None if absent.

    Revoking twice keeps the first revocation and writes no second audit row.
    """
    with Session(engine) as session, session.begin():
        row = session.get(KioskToken, token_id)
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = at
            row.revoked_by = actor.label[:200]
            session.flush()
            append(
                session.connection(),
                actor,
                audit_action,
                entity="kiosk_token",
                entity_id=row.id,
                ward_code=_audit_wards(row.wards),
                before={"label": row.label},
                after={"revoked_at": row.revoked_at},
                at=row.revoked_at,
            )
        session.flush()
        return _stored(row)


def token_with_hash(engine: Engine, token_hash: str) -> dict[str, Any] | None:
    """The token stored under ``token_hash`` (TOKEN_COLUMNS), or None."""
    with Session(engine) as session:
        row = session.scalars(select(KioskToken).where(KioskToken.token_hash == token_hash)).first()
        return _stored(row) if row else None
