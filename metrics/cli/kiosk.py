"""``python -m metrics kiosk-token create|list|revoke``: wall screen tokens from the command line.

Why this exists: an administrator issues a corridor screen its token, lists
the tokens (never the token itself) and revokes one, from a shell on the
server. ``list`` and ``revoke`` need only the store, so this module imports
nothing heavier than SQLAlchemy; ``create`` checks the wards against the whole
configuration and runs from ``metrics.cli.kiosk_create``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

from metrics.access.kiosk_tokens import TokenInfo, list_tokens, revoke_token
from metrics.cli.lazy import lazy
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


def add_kiosk_subcommand(subparsers: Any, parents: list[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register ``kiosk-token create|list|revoke`` on the CLI's subparsers; ``parents`` give --config and --db."""
    parser = subparsers.add_parser("kiosk-token", help="issue, list and revoke wall screen tokens")
    sub = parser.add_subparsers(dest="kiosk_command", required=True)

    p = sub.add_parser("create", parents=parents, help="issue a token for a wall screen (shown once)")
    p.add_argument("--wards", required=True, help="comma-separated ward codes the screen may show, e.g. 7A,7B")
    p.add_argument("--label", required=True, help='the screen, as the audit log should name it, e.g. "Ward 7 corridor"')
    p.add_argument(
        "--expires", default=None, help="optional expiry date or time (ISO 8601; UTC unless a zone is given)"
    )
    p.add_argument("--expires-in-days", type=int, default=None, help="optional expiry in days from now")
    p.add_argument("--base-url", default="http://localhost:8501", help="the dashboard's address, to print the wall URL")
    p.set_defaults(func=lazy("metrics.cli.kiosk_create:cmd_create"))

    p = sub.add_parser("list", parents=parents, help="list tokens: id, status, wards, expiry, label (never the token)")
    p.add_argument("--active", action="store_true", help="only tokens that still open a wall")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "revoke", parents=parents, help="revoke a token by id: its screen shows a refusal from its next refresh"
    )
    p.add_argument("id", type=int, help="the token's id (from `kiosk-token list`)")
    p.set_defaults(func=cmd_revoke)
    return parser
