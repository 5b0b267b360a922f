"""hub equity values and value block fingerprints

Revision ID: 0015
Revises: 0016
Create Date: 2026-12-07 22:50:00

One row per trust, month, metric, split and group, as the trust's bundle sent it (``equity.csv``): disclosure
control was applied before it left the trust, so a withheld part is NULL and the row is marked suppressed.
Aggregates only; no patient is named.

``hub_value_blocks`` holds the fingerprint of each block of a trust's values (one metric's rows of one day, or of
one month) as last imported, so an import rewrites only the blocks that changed. A hub upgraded with values already
held has no fingerprints yet: its next import of each trust replaces the bundle's whole range, as before.
"""
from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_equity_values",
        sa.Column("trust_code", sa.String(length=10), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("metric_id", sa.String(length=80), nullable=False),
        sa.Column("split", sa.String(length=20), nullable=False),
        sa.Column("group_label", sa.String(length=40), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("trust_code", "month", "metric_id", "split", "group_label"),
    )
    op.create_table(
        "hub_value_blocks",
        sa.Column("trust_code", sa.String(length=10), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric_id", sa.String(length=80), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("trust_code", "period", "day", "metric_id"),
    )


def downgrade() -> None:
    op.drop_table("hub_value_blocks")
    op.drop_table("hub_equity_values")
