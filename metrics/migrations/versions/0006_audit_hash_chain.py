"""audit log hash chain: each row carries the hash of the one before

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:40:00

Adds ``prev_hash`` and ``row_hash`` to ``audit_log`` and the one-row
``audit_chain_head`` that appenders lock (metrics.store.audit_chain). Rows
already in the log are chained in id order here, the one time the migration's
owner role lifts the append-only triggers; they are restored in the same
transaction.

Downgrade drops the head table and the two columns.
"""
from typing import Any

from alembic import op
import sqlalchemy as sa

from metrics.store.audit_chain import GENESIS, HASHED_FIELDS, HEAD_ID, row_hash
from metrics.store.models import UTCDateTime


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit_log is append-only: rows can be added, never changed or deleted"


def _chain_existing_rows() -> tuple[int | None, str]:
    bind = op.get_bind()
    types: dict[str, Any] = {"at": UTCDateTime(), "detail": sa.JSON()}
    audit = sa.table("audit_log", sa.column("id"), sa.column("prev_hash"), sa.column("row_hash"),
                     *(sa.column(name, types.get(name)) for name in HASHED_FIELDS))
    rows = bind.execute(sa.select(audit).order_by(audit.c.id)).mappings().all()
    prev, last_id = GENESIS, None
    for row in rows:
        digest = row_hash(prev, row)
        bind.execute(sa.update(audit).where(audit.c.id == row["id"]).values(prev_hash=prev, row_hash=digest))
        prev, last_id = digest, row["id"]
    return last_id, prev


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("row_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_audit_id", sa.Integer(), nullable=True),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER audit_log_no_update")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
    last_id, last_hash = _chain_existing_rows()
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )
    elif dialect == "postgresql":
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change")
    head = sa.table("audit_chain_head", sa.column("id"), sa.column("last_audit_id"), sa.column("last_hash"))
    op.execute(head.insert().values(id=HEAD_ID, last_audit_id=last_id, last_hash=last_hash))


def downgrade() -> None:
    op.drop_table("audit_chain_head")
    for column in ("row_hash", "prev_hash"):  # plain ALTER TABLE: a batch copy would lose SQLite's triggers
        op.execute(f"ALTER TABLE audit_log DROP COLUMN {column}")
