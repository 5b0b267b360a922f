"""The command line: ``python -m metrics <command>``.

Why this exists: integration engineers load extracts from a scheduler, and
analysts check numbers, without opening the app. Every command takes
``--config DIR`` and ``--db URL``; user errors print a message (no traceback)
and exit non-zero: 2 for a rejected extract, 3 for bad configuration, 4 for
an extract held back by a plausibility gate. A command that reads the store
refuses an SQLite file that does not exist (a mistyped path would otherwise
show a new, empty store) unless given ``--create-store``; ``refresh``, which
fills a store, starts a new one when the file's folder exists, and says so.

This module declares the commands as a table (``metrics.cli.command_table``)
and assembles the parser from it. Each command's handler is named lazily
(``metrics.cli.lazy``) and imported when that command runs, so ``--help`` and
the light commands start without pandas.
"""

from __future__ import annotations

import argparse
import sys

from metrics.cli.command_table import Command, add_commands, option, store_command_names
from metrics.cli.kiosk import KIOSK_TOKEN
from metrics.cli.safety_case import SAFETY_CASE
from metrics.cli.spc import add_history_arguments, add_spc_subcommand
from metrics.errors import UserFacingError
from metrics.store.url import PROJECT_ROOT, default_url, require_existing_store

# The same folder as ``metrics.config.models.DEFAULT_CONFIG_DIR``, named here so that building the parser does not
# load the configuration models (a unit test holds the two equal).
DEFAULT_CONFIG_DIR = PROJECT_ROOT / "config"

# Every command but ``spc`` (whose parser ``metrics.cli.spc`` builds), in the order ``--help`` lists them.
COMMANDS = (
    Command(
        "refresh",
        "metrics.cli.commands:cmd_refresh",
        "load an extract folder (or a folder of extract folders) into the store",
        (option("extract", help="extract folder holding manifest.json, or a folder of such folders"),),
        needs_existing_store=True,
    ),
    Command(
        "snapshot",
        "metrics.cli.commands:cmd_snapshot",
        "print the current snapshot",
        (
            option("--format", choices=["json", "text"], default="text"),
            option("--id", type=int, default=None, help="a snapshot id (default: the current one)"),
            option("--compact", action="store_true", help="JSON on one line"),
        ),
        needs_existing_store=True,
    ),
    Command(
        "release",
        "metrics.cli.commands:cmd_release",
        "release a held extract so that it may become current (audited)",
        (
            option("id", type=int, help="the held snapshot's id (shown by refresh and by snapshot)"),
            option("--user", default=None, help="who releases it, for the audit log"),
            option("--note", default="", help="why, for the audit log"),
        ),
        needs_existing_store=True,
    ),
    Command("check-config", "metrics.cli.commands:cmd_check_config", "validate the configuration folder"),
    Command(
        "generate-sample",
        "metrics.cli.sample:cmd_generate_sample",
        "write a synthetic trust's daily extracts",
        (
            option("--out", default=str(PROJECT_ROOT / "var" / "generated")),
            option("--days", type=int, default=90),
            option("--scale", type=int, default=1),
            option(
                "--trusts",
                type=int,
                default=None,
                help="a synthetic system of N trusts (OUT/CODE/ each: daily extracts and config/); one trust's wards "
                "over-dispersed, one ward a true outlier",
            ),
            option("--seed", type=int, default=20261125),
            option("--end", default=None, help="date of the last extract (default: today)"),
            option("--fmt", choices=["csv", "parquet"], default="parquet"),
            option(
                "--config-out",
                default=None,
                help="where to write the configuration matching the generated wards (default: OUT/config)",
            ),
        ),
    ),
    Command(
        "demo",
        "metrics.cli.sample:cmd_demo",
        "fill the store with synthetic history up to today, and keep it current",
        (option("--days", type=int, default=90),),
    ),
    Command(
        "report",
        "metrics.cli.report:cmd_report",
        "write the monthly SPC board report (self-contained HTML)",
        (
            option("--month", required=True, help="YYYY-MM"),
            option("--out", default=None, help="output file (default var/reports/board-report-YYYY-MM.html)"),
        ),
        needs_existing_store=True,
    ),
    Command(
        "prune",
        "metrics.cli.retention:cmd_prune",
        "remove patient-level rows older than store.keep_days (dashboard.yaml); ward values and SPC history stay",
        (
            option("--keep-days", type=int, default=None, help="override store.keep_days for this run"),
            option("--now", default=None, help="ISO 8601 time to count the days back from (default: now)"),
        ),
    ),
    Command(
        "export-aggregate",
        "metrics.cli.federation:cmd_export_aggregate",
        "write this trust's aggregate bundle for the system hub (no patient row; small numbers withheld)",
        (
            option("--out", default=None, help="a new folder for the bundle (default var/bundles/TRUST_CODE)"),
            option("--since", default=None, help="YYYY-MM-DD: from this day's month (default: the latest month)"),
            option(
                "--suppress-up-to",
                type=int,
                default=7,
                help="withhold counts from 1 to this (default 7: NHS Digital's disclosure control for HES, 2018)",
            ),
        ),
        needs_existing_store=True,
    ),
    Command(
        "import-aggregate",
        "metrics.cli.federation:cmd_import_aggregate",
        "load trusts' bundles into the system hub store; exit 4 refusing a damaged, unknown or older one",
        (option("bundles", nargs="+", help="bundle folder(s) written by export-aggregate"),),
        needs_existing_store=True,
    ),
    KIOSK_TOKEN,
    SAFETY_CASE,
    Command(
        "audit-verify",
        "metrics.cli.audit_db:cmd_audit_verify",
        "check the audit log's hash chain; exit 4 naming the first broken row",
    ),
    Command(
        "db-grant",
        "metrics.cli.audit_db:cmd_db_grant",
        "PostgreSQL: migrate as the owner, then grant the app role what it needs (audit_log: INSERT, SELECT)",
        (
            option("--app-role", required=True, help="the role the app connects as (DATABASE_URL's user)"),
            option("--migrate-db", default=None, help="the schema owner's URL (default: MIGRATION_DATABASE_URL)"),
        ),
    ),
)

STORE_COMMANDS = store_command_names(COMMANDS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m metrics",
        description="Ward safety dashboard: load EPR extracts, evaluate metrics, inspect snapshots.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=str(DEFAULT_CONFIG_DIR), help="configuration folder (default: config/)")
    common.add_argument(
        "--db", default=None, help=f"SQLAlchemy database URL (default: DATABASE_URL or {default_url()})"
    )
    common.add_argument(
        "--create-store", action="store_true", help="start a new SQLite store if the file does not exist yet"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add_commands(sub, COMMANDS, common)

    spc_parser = add_spc_subcommand(sub)
    spc_parser.add_argument("--config", default=str(DEFAULT_CONFIG_DIR), help="configuration folder (default: config/)")
    spc_parser.add_argument("--db", default=None, help="SQLAlchemy database URL")
    add_history_arguments(spc_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command in STORE_COMMANDS and not args.create_store or args.command == "spc" and args.db:
            require_existing_store(args.db, may_start=args.command == "refresh")
        return int(args.func(args) or 0)
    except UserFacingError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
