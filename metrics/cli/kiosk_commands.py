"""What ``kiosk-token list`` and ``kiosk-token revoke`` run, and what ``create`` shares with them.

Why this exists: an administrator lists and revokes wall screen tokens from a
shell on the server. These need only the store (SQLAlchemy and the
migrations), never pandas; ``create`` also checks the wards against the whole
configuration and runs from ``metrics.cli.kiosk_create``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

from metrics.access.kiosk_tokens import TokenInfo, list_tokens, revoke_token
from metrics.errors import UserFacingError
from metrics.store.audit import Actor
from metrics.store.database import ready_engine


def command_line_actor() -> Actor:
    """Who ran the command, for the audit log: the login name, as an administrator at the command line."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        user = "unknown"
    return Actor(device="command-line", user=f"command line ({user})", role="administrator")


def expiry(args: argparse.Namespace, now: datetime | None = None) -> datetime | None:
    """The expiry --expires or --expires-in-days asks for (None for none); refuses both, or a count below 1."""
    if args.expires and args.expires_in_days:
        raise UserFacingError("Give --expires or --expires-in-days, not both.")
    if args.expires_in_days:
        if args.expires_in_days <= 0:
            raise UserFacingError("--expires-in-days must be a positive number of days.")
        return (now or datetime.now(timezone.utc)) + timedelta(days=args.expires_in_days)
    if args.expires:
        try:
            moment = datetime.fromisoformat(args.expires)
        except ValueError:
            raise UserFacingError(
                f"--expires must be a date or time such as 2027-03-31 or 2027-03-31T18:00+00:00, got {args.expires!r}."
            ) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return None


def print_table(tokens: list[TokenInfo], out: Any) -> None:
    """The tokens as a fixed-width table: id, status, wards, expiry, created, label."""
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


def cmd_list(args: argparse.Namespace) -> int:
    print_table(list_tokens(ready_engine(args.db), include_inactive=not args.active), sys.stdout)
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    info = revoke_token(ready_engine(args.db), args.id, actor=command_line_actor())
    print(
        f"Kiosk token {info.id} ({info.label}) revoked {info.revoked_at:%Y-%m-%d %H:%M} UTC; "
        "its wall screen now shows a refusal."
    )
    return 0
