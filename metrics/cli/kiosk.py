"""``python -m metrics kiosk-token create|list|revoke``: the parser for wall screen tokens.

Why this exists: an administrator issues a corridor screen its token, lists
the tokens (never the token itself) and revokes one from the command line.
This module only builds the parser; the handlers are imported when a
command runs (``metrics.cli.kiosk_commands``, ``metrics.cli.kiosk_create``).
"""

from __future__ import annotations

import argparse

from metrics.cli.lazy import lazy


def add_kiosk_subcommand(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], parents: list[argparse.ArgumentParser]
) -> argparse.ArgumentParser:
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
    p.set_defaults(func=lazy("metrics.cli.kiosk_commands:cmd_list"))

    p = sub.add_parser(
        "revoke", parents=parents, help="revoke a token by id: its screen shows a refusal from its next refresh"
    )
    p.add_argument("id", type=int, help="the token's id (from `kiosk-token list`)")
    p.set_defaults(func=lazy("metrics.cli.kiosk_commands:cmd_revoke"))
    return parser
