"""which optional inputs an extract supplied: the optional columns per snapshot, and "not supplied" on the hub

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-08 10:00:00

Hand-written. ``snapshots.supplied_columns`` (JSON, per table read: the optional columns its file carried;
NULL for snapshots stored before, read as every optional column carried) lets a metric that reads an
optional column the extract left out say "not supplied" instead of counting zero. ``hub_values.not_supplied``
marks a value a trust sent as not supplied (its numbers are empty); existing rows are not.
"""
from alembic import op
import sqlalchemy as sa


revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("snapshots") as batch:
        batch.add_column(sa.Column("supplied_columns", sa.JSON(), nullable=True))
    with op.batch_alter_table("hub_values") as batch:
        batch.add_column(sa.Column("not_supplied", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("hub_values") as batch:
        batch.drop_column("not_supplied")
    with op.batch_alter_table("snapshots") as batch:
        batch.drop_column("supplied_columns")
