"""Wall screen (kiosk) tokens: issue, list, revoke, verify.

Why this exists: a corridor wall screen has nobody signed in at it. An
administrator issues it a token (``python -m metrics kiosk-token create
--wards 7A,7B --label "Ward 7 corridor"``): 32 random bytes, shown once, of
which only the SHA-256 hash is kept. The wall URL carries the token; the wall
page asks ``verify_token`` and shows the wards the token names, and nothing
else (``metrics.access.decisions`` never lets a kiosk see patient-level data). An
unknown, expired or revoked token gets a plain refusal. Issuing and revoking
are audited with the label as "who" on the wall's later requests.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import secrets
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from metrics.store.audit import Actor, append
from metrics.errors import UserFacingError
from metrics.store.access_models import KioskToken

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


def _info(row: KioskToken) -> TokenInfo:
    return TokenInfo(
        row.id,
        row.label,
        tuple(row.wards),
        row.created_at,
        row.created_by,
        row.expires_at,
        row.revoked_at,
        row.revoked_by,
    )


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


def _audit_wards(wards: Iterable[str]) -> str:
    return ",".join(wards)[:40]


def create_token(
    engine: Engine,
    wards: Iterable[str],
    label: str,
    *,
    actor: Actor,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """Issue a token for ``wards`` labelled ``label``; only its hash is stored, and the issue is audited in the same transaction.

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
    row = KioskToken(
        token_hash=token_hash(token),
        label=label,
        wards=list(wards),
        created_at=now,
        created_by=actor.label[:200],
        expires_at=expires_at,
        revoked_at=None,
        revoked_by=None,
    )
    with Session(engine) as session, session.begin():
        session.add(row)
        session.flush()
        info = _info(row)
        append(
            session.connection(),
            actor,
            KIOSK_TOKEN_CREATED,
            entity="kiosk_token",
            entity_id=info.id,
            ward_code=_audit_wards(info.wards),
            after={"label": info.label, "wards": list(info.wards), "expires_at": info.expires_at},
            at=now,
        )
    return IssuedToken(info, token)


def list_tokens(engine: Engine, include_inactive: bool = True, now: datetime | None = None) -> list[TokenInfo]:
    """Every token, newest first (only active ones when ``include_inactive`` is False)."""
    with Session(engine) as session:
        rows = [_info(r) for r in session.scalars(select(KioskToken).order_by(KioskToken.id.desc()))]
    return rows if include_inactive else [r for r in rows if r.status(now) == "active"]


def revoke_token(engine: Engine, token_id: int, *, actor: Actor, now: datetime | None = None) -> TokenInfo:
    """Revoke token ``token_id`` from now on, audited in the same transaction; revoking twice keeps the first revocation."""
    with Session(engine) as session, session.begin():
        row = session.get(KioskToken, token_id)
        if row is None:
            raise UserFacingError(f"No kiosk token has id {token_id}; `python -m metrics kiosk-token list` shows them.")
        if row.revoked_at is None:
            row.revoked_at = now or _now()
            row.revoked_by = actor.label[:200]
            session.flush()
            append(
                session.connection(),
                actor,
                KIOSK_TOKEN_REVOKED,
                entity="kiosk_token",
                entity_id=row.id,
                ward_code=_audit_wards(row.wards),
                before={"label": row.label},
                after={"revoked_at": row.revoked_at},
                at=row.revoked_at,
            )
        session.flush()
        return _info(row)


INVALID = "This wall screen link is not valid. Ask an administrator for a new one."


def verify_token(engine: Engine, token: str | None, now: datetime | None = None) -> TokenCheck:
    """Whether ``token`` opens a wall: its label and wards if so, otherwise a plain reason (which never echoes the token)."""
    if not token or len(token) > 200:
        return TokenCheck(False, INVALID)
    with Session(engine) as session:
        row = session.scalars(select(KioskToken).where(KioskToken.token_hash == token_hash(token))).first()
        info = _info(row) if row else None
    if info is None:
        return TokenCheck(False, INVALID)
    status = info.status(now)
    if status == "revoked":
        return TokenCheck(
            False,
            f"This wall screen link ({info.label}) was revoked on {info.revoked_at:%d %b %Y}. Ask an administrator for a new one.",
            info.label,
            info.wards,
            info.id,
        )
    if status == "expired":
        return TokenCheck(
            False,
            f"This wall screen link ({info.label}) expired on {info.expires_at:%d %b %Y}. Ask an administrator for a new one.",
            info.label,
            info.wards,
            info.id,
        )
    return TokenCheck(True, f"wall screen token {info.label!r}", info.label, info.wards, info.id)


# ---- command line: python -m metrics kiosk-token create|list|revoke ------------------------------------------


def command_line_actor() -> Actor:
    """Who ran the command, for the audit log: the login name, as an administrator at the command line."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        user = "unknown"
    return Actor(device="command-line", user=f"command line ({user})", role="administrator")


def _expiry(args: argparse.Namespace) -> datetime | None:
    if args.expires and args.expires_in_days:
        raise UserFacingError("Give --expires or --expires-in-days, not both.")
    if args.expires_in_days:
        if args.expires_in_days <= 0:
            raise UserFacingError("--expires-in-days must be a positive number of days.")
        return _now() + timedelta(days=args.expires_in_days)
    if args.expires:
        try:
            moment = datetime.fromisoformat(args.expires)
        except ValueError:
            raise UserFacingError(
                f"--expires must be a date or time such as 2027-03-31 or 2027-03-31T18:00+00:00, got {args.expires!r}."
            ) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return None


def _print_table(tokens: list[TokenInfo], out: Any) -> None:
    if not tokens:
        print("no kiosk tokens", file=out)
        return
    print(f"{'id':>4}  {'status':8} {'wards':20} {'expires':17} {'created':17} label", file=out)
    for t in tokens:
        expires = f"{t.expires_at:%Y-%m-%d %H:%M}" if t.expires_at else "never"
        print(
            f"{t.id:>4}  {t.status():8} {','.join(t.wards):20} {expires:17} {t.created_at:%Y-%m-%d %H:%M}  {t.label}",
            file=out,
        )


def _engine_for(args: argparse.Namespace) -> Engine:
    from metrics.store.database import ready_engine

    return ready_engine(args.db)


def _ward_codes_for(args: argparse.Namespace) -> set[str]:
    from metrics.config.load import load_config

    return load_config(args.config).ward_codes


def add_kiosk_subcommand(
    subparsers: Any,
    parents: list[argparse.ArgumentParser],
    engine_for: Callable[[argparse.Namespace], Engine] = _engine_for,
    ward_codes_for: Callable[[argparse.Namespace], Iterable[str]] = _ward_codes_for,
) -> argparse.ArgumentParser:
    """Register ``kiosk-token create|list|revoke`` on the CLI's subparsers; ``parents`` give --config and --db."""
    parser = subparsers.add_parser("kiosk-token", help="issue, list and revoke wall screen tokens")
    sub = parser.add_subparsers(dest="kiosk_command", required=True)

    def cmd_create(args: argparse.Namespace) -> int:
        engine = engine_for(args)
        wards = parse_wards(args.wards, ward_codes_for(args))
        issued = create_token(engine, wards, args.label, actor=command_line_actor(), expires_at=_expiry(args))
        print(
            f"Kiosk token {issued.info.id} for {issued.info.label!r}, wards {', '.join(issued.info.wards)}"
            + (f", expires {issued.info.expires_at:%Y-%m-%d %H:%M} UTC" if issued.info.expires_at else ", no expiry")
        )
        print("The token is shown this once and is not stored; put it in the screen's address:")
        print(f"  {args.base_url.rstrip('/')}{issued.wall_path}")
        return 0

    def cmd_list(args: argparse.Namespace) -> int:
        _print_table(list_tokens(engine_for(args), include_inactive=not args.active), sys.stdout)
        return 0

    def cmd_revoke(args: argparse.Namespace) -> int:
        engine = engine_for(args)
        info = revoke_token(engine, args.id, actor=command_line_actor())
        print(
            f"Kiosk token {info.id} ({info.label}) revoked {info.revoked_at:%Y-%m-%d %H:%M} UTC; its wall screen now shows a refusal."
        )
        return 0

    p = sub.add_parser("create", parents=parents, help="issue a token for a wall screen (shown once)")
    p.add_argument("--wards", required=True, help="comma-separated ward codes the screen may show, e.g. 7A,7B")
    p.add_argument("--label", required=True, help='the screen, as the audit log should name it, e.g. "Ward 7 corridor"')
    p.add_argument(
        "--expires", default=None, help="optional expiry date or time (ISO 8601; UTC unless a zone is given)"
    )
    p.add_argument("--expires-in-days", type=int, default=None, help="optional expiry in days from now")
    p.add_argument("--base-url", default="http://localhost:8501", help="the dashboard's address, to print the wall URL")
    p.set_defaults(func=cmd_create)

    p = sub.add_parser("list", parents=parents, help="list tokens: id, status, wards, expiry, label (never the token)")
    p.add_argument("--active", action="store_true", help="only tokens that still open a wall")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "revoke", parents=parents, help="revoke a token by id: its screen shows a refusal from its next refresh"
    )
    p.add_argument("id", type=int, help="the token's id (from `kiosk-token list`)")
    p.set_defaults(func=cmd_revoke)
    return parser
