"""Wall screen (kiosk) tokens: issue, list, revoke, verify.

Why this exists: a corridor wall screen has nobody signed in at it. An
administrator issues it a token (``python -m metrics kiosk-token create
--wards 7A,7B --label "Ward 7 corridor"``): 32 random bytes, shown once, of
which only the SHA-256 hash is kept. The wall URL carries the token; the wall
page asks ``verify_token`` and shows the wards the token names, and nothing
else (``metrics.access.decisions`` never lets a kiosk see patient-level data). An
unknown, expired or revoked token gets a plain refusal. Issuing and revoking
are audited with the label as "who" on the wall's later requests. The
statements live in ``metrics.store.kiosk_tokens``; the command line that
drives this is ``metrics.cli.kiosk``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine

from metrics.errors import UserFacingError
from metrics.store import kiosk_tokens as stored_tokens
from metrics.store.audit import Actor

TOKEN_BYTES = 32
WALL_PATH = "/wall"
KIOSK_TOKEN_CREATED = "kiosk_token_created"  # noqa: S105 - an audit action name, not a secret
KIOSK_TOKEN_REVOKED = "kiosk_token_revoked"  # noqa: S105 - an audit action name, not a secret


def token_hash(token: str) -> str:
    """The SHA-256 hex digest the store keeps instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class TokenInfo:
    """A stored token as an administrator sees it: never the token itself, nor its hash."""

    id: int
    label: str
    wards: tuple[str, ...]
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None

    def status(self, now: datetime | None = None) -> str:
        """'active', 'revoked' or 'expired'."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or _now()):
            return "expired"
        return "active"


@dataclass(frozen=True)
class IssuedToken:
    """A newly issued token: ``token`` is shown once and is not stored anywhere."""

    info: TokenInfo
    token: str

    @property
    def wall_path(self) -> str:
        return f"{WALL_PATH}?token={self.token}"


@dataclass(frozen=True)
class TokenCheck:
    """The answer to a wall's token: valid (with its label and wards) or not, with the reason."""

    valid: bool
    reason: str
    label: str | None = None
    wards: tuple[str, ...] = ()
    token_id: int | None = None


def _info(row: dict[str, Any]) -> TokenInfo:
    return TokenInfo(**{c: row[c] for c in stored_tokens.TOKEN_COLUMNS})


def parse_wards(text: str | Iterable[str], known: Iterable[str] | None = None) -> tuple[str, ...]:
    """'7a, 7B' -> ('7A', '7B'); refuses an empty list and, when ``known`` is given, codes not in it."""
    items = text.split(",") if isinstance(text, str) else list(text)
    wards = tuple(dict.fromkeys(w.strip().upper() for w in items if w.strip()))
    if not wards:
        raise UserFacingError("A kiosk token needs at least one ward: --wards 7A,7B")
    if known is not None:
        known_upper = {k.upper() for k in known}
        unknown = [w for w in wards if w not in known_upper]
        if unknown:
            raise UserFacingError(
                f"Unknown ward code(s) {', '.join(unknown)}: a kiosk token's wards must be listed in config/wards.yaml."
            )
    return wards


def create_token(
    engine: Engine,
    wards: Iterable[str],
    label: str,
    *,
    actor: Actor,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """Issue a token for ``wards`` labelled ``label``; only its hash is stored, and issuing it is audited in the same
    transaction.

    The returned token is the only copy.
    """
    label = label.strip()
    if not label:
        raise UserFacingError('A kiosk token needs a label naming the screen, such as --label "Ward 7 corridor".')
    wards = parse_wards(list(wards))
    now = now or _now()
    if expires_at is not None and expires_at <= now:
        raise UserFacingError(f"The expiry {expires_at.isoformat()} is already past; give a future date or none.")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    # What the token opens and for how long, then who issued it and how the audit log names that.
    row = stored_tokens.insert_token(
        engine, token_hash=token_hash(token), label=label, wards=wards, created_at=now, expires_at=expires_at,
        actor=actor, audit_action=KIOSK_TOKEN_CREATED,
    )
    return IssuedToken(_info(row), token)


def list_tokens(engine: Engine, include_inactive: bool = True, now: datetime | None = None) -> list[TokenInfo]:
    """Every token, newest first (only active ones when ``include_inactive`` is False)."""
    rows = [_info(r) for r in stored_tokens.all_tokens(engine)]
    return rows if include_inactive else [r for r in rows if r.status(now) == "active"]


def revoke_token(engine: Engine, token_id: int, *, actor: Actor, now: datetime | None = None) -> TokenInfo:
    """Revoke token ``token_id`` from now on, audited in the same transaction; revoking twice keeps the first
    revocation."""
    row = stored_tokens.revoke_once(engine, token_id, at=now or _now(), actor=actor, audit_action=KIOSK_TOKEN_REVOKED)
    if row is None:
        raise UserFacingError(f"No kiosk token has id {token_id}; `python -m metrics kiosk-token list` shows them.")
    return _info(row)


INVALID = "This wall screen link is not valid. Ask an administrator for a new one."


def verify_token(engine: Engine, token: str | None, now: datetime | None = None) -> TokenCheck:
    """Whether ``token`` opens a wall: its label and wards if so, otherwise a plain reason (which never echoes the
    token)."""
    if not token or len(token) > 200:
        return TokenCheck(False, INVALID)
    row = stored_tokens.token_with_hash(engine, token_hash(token))
    info = _info(row) if row else None
    if info is None:
        return TokenCheck(False, INVALID)
    status = info.status(now)
    if status == "revoked":
        return TokenCheck(
            False,
            f"This wall screen link ({info.label}) was revoked on {info.revoked_at:%d %b %Y}. Ask an administrator for "
            "a new one.",
            info.label,
            info.wards,
            info.id,
        )
    if status == "expired":
        return TokenCheck(
            False,
            f"This wall screen link ({info.label}) expired on {info.expires_at:%d %b %Y}. Ask an administrator for a "
            "new one.",
            info.label,
            info.wards,
            info.id,
        )
    return TokenCheck(True, f"wall screen token {info.label!r}", info.label, info.wards, info.id)
