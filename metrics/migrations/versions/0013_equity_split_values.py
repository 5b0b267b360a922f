"""equity split values: each proportion metric's parts per deprivation quintile, ethnic group, age band and sex

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-07 20:40:00

One row per snapshot, ward, metric, split and group: the numerator and denominator the engine counted from the
patients in that group. Aggregates only; no patient is named.
"""
from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "equity_split_values",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.String(length=40), nullable=False),
        sa.Column("metric_id", sa.String(length=80), nullable=False),
        sa.Column("split", sa.String(length=20), nullable=False),
        sa.Column("group_label", sa.String(length=40), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshots.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("snapshot_id", "ward_code", "metric_id", "split", "group_label"),
    )


def downgrade() -> None:
    op.drop_table("equity_split_values")
