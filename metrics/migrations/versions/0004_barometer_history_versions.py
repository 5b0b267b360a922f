"""barometer history kept once: rows valid from one snapshot until another

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 18:00:00

Each extract carries the wards' incident, feedback and workforce history (a
year or more of it). Until now every snapshot stored its own full copy; from
here a row is written once and holds for every snapshot from ``snapshot_id``
up to, not including, ``until_snapshot_id`` (NULL: still current). Rows
already stored are each given the snapshot after their own as their end, so
every earlier snapshot still reads exactly what it read before.

Downgrade drops the column: each row then reads as its first snapshot's only.
"""
from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("snapshot_incident_counts", "snapshot_feedback_counts", "snapshot_workforce")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("until_snapshot_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(f"fk_{table}_until", "snapshots", ["until_snapshot_id"], ["id"], ondelete="RESTRICT")
            batch.create_index(f"ix_{table}_until_snapshot_id", ["until_snapshot_id"])
        op.execute(
            f"UPDATE {table} SET until_snapshot_id = (SELECT MIN(s.id) FROM snapshots s WHERE s.id > {table}.snapshot_id)"  # noqa: S608 - fixed table names
        )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_until_snapshot_id")
            batch.drop_constraint(f"fk_{table}_until", type_="foreignkey")
            batch.drop_column("until_snapshot_id")
