"""``python -m metrics kiosk-token create|list|revoke``: the command for wall screen tokens, declared.

Why this exists: an administrator issues a corridor screen its token, lists
the tokens (never the token itself) and revokes one from the command line.
This module only declares the command; the handlers are imported when a
command runs (``metrics.cli.kiosk_commands``, ``metrics.cli.kiosk_create``).
"""

from __future__ import annotations

from metrics.cli.command_table import Command, option

KIOSK_TOKEN = Command(
    "kiosk-token",
    None,
    "issue, list and revoke wall screen tokens",
    common=False,
    needs_existing_store=True,
    subcommand_dest="kiosk_command",
    subcommands=(
        Command(
            "create",
            "metrics.cli.kiosk_create:cmd_create",
            "issue a token for a wall screen (shown once)",
            (
                option("--wards", required=True, help="comma-separated ward codes the screen may show, e.g. 7A,7B"),
                option(
                    "--label", required=True, help='the screen, as the audit log should name it, e.g. "Ward 7 corridor"'
                ),
                option(
                    "--expires",
                    default=None,
                    help="optional expiry date or time (ISO 8601; UTC unless a zone is given)",
                ),
                option("--expires-in-days", type=int, default=None, help="optional expiry in days from now"),
                option(
                    "--base-url", default="http://localhost:8501", help="the dashboard's address, to print the wall URL"
                ),
            ),
        ),
        Command(
            "list",
            "metrics.cli.kiosk_commands:cmd_list",
            "list tokens: id, status, wards, expiry, label (never the token)",
            (option("--active", action="store_true", help="only tokens that still open a wall"),),
        ),
        Command(
            "revoke",
            "metrics.cli.kiosk_commands:cmd_revoke",
            "revoke a token by id: its screen shows a refusal from its next refresh",
            (option("id", type=int, help="the token's id (from `kiosk-token list`)"),),
        ),
    ),
)
