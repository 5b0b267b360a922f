"""held snapshots and refresh-attempt liveness

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:30:00

A snapshot gains ``state`` ('released' or 'held') and ``held_reason``: an
implausible extract is stored but never made current until an administrator
releases it. Snapshots already stored were current-eligible, so they read as
'released'. A refresh attempt gains ``host``, ``pid`` and ``heartbeat_at`` so
that an attempt whose process died reads as failed instead of running forever.
"""
from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("snapshots") as batch:
        batch.add_column(sa.Column("state", sa.String(12), nullable=False, server_default="released"))
        batch.add_column(sa.Column("held_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("refresh_attempts") as batch:
        batch.add_column(sa.Column("host", sa.String(255), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=False), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refresh_attempts") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("pid")
        batch.drop_column("host")
    with op.batch_alter_table("snapshots") as batch:
        batch.drop_column("held_reason")
        batch.drop_column("state")
