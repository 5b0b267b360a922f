"""Commands that keep the audit log trustworthy: ``audit-verify`` and ``db-grant``.

Why this exists: the hash chain (metrics.store.audit_chain) only helps if
someone checks it, from a scheduler or before a governance review, without
opening the app; and on PostgreSQL the app's role must be granted exactly
what it needs by the schema's owner (metrics.store.roles), after every
migration.
"""

from __future__ import annotations

import argparse
import os

from metrics.errors import UserFacingError
from metrics.store.audit_chain import verify_chain
from metrics.store.database import make_engine, migrate, ready_engine
from metrics.store.roles import grant_app_role


class AuditChainBroken(UserFacingError):
    """The audit log's hash chain does not hold: a row was changed or removed."""

    exit_code = 4


def cmd_audit_verify(args: argparse.Namespace) -> int:
    engine = ready_engine(args.db)
    check = verify_chain(engine)
    if not check.intact:
        raise AuditChainBroken(
            f"audit log: chain broken at row {check.broken_id} (after {check.rows} row(s) read): {check.problem}. "
            "Keep this database as evidence and compare it with the last audit export; report it to the "
            "Caldicott Guardian and the clinical safety officer."
        )
    print(f"audit log: {check.rows} row(s), hash chain intact")
    return 0


def cmd_db_grant(args: argparse.Namespace) -> int:
    owner_url = args.migrate_db or os.environ.get("MIGRATION_DATABASE_URL")
    if not owner_url:
        raise UserFacingError(
            "db-grant: no owner connection. Give --migrate-db postgresql+psycopg://OWNER@HOST/DB or set "
            "MIGRATION_DATABASE_URL (docs/deployment.md)."
        )
    owner = make_engine(owner_url)
    try:
        migrate(owner)
        grants = grant_app_role(owner, args.app_role)
    finally:
        owner.dispose()
    print(f"migrated as the owner; granted {grants.role!r} the app's privileges on schema {grants.schema!r} "
          "(audit_log: INSERT and SELECT only)")
    return 0
