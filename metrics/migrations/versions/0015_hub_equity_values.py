"""hub equity values: each trust's proportion metrics per group of deprivation, ethnic group, age band and sex

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 22:50:00

One row per trust, month, metric, split and group, as the trust's bundle sent it (``equity.csv``): disclosure
control was applied before it left the trust, so a withheld part is NULL and the row is marked suppressed.
Aggregates only; no patient is named.
"""
from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0014"
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


def downgrade() -> None:
    op.drop_table("hub_equity_values")
