"""per-encounter values: the newest NEWS2 set's minimum and what the board shows; the sepsis risk grade and note

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 09:00:00

The snapshot JSON carries, per encounter, the newest observation set's score or
its minimum when a parameter is missing (``news2_minimum_score``), the text the
board shows ("≥ 6, temperature missing"), the missing parameters, the sepsis
risk grade (NICE NG51) and the note saying how it was graded or why it could
not be. All are nullable: rows of earlier snapshots read as not recorded.
"""
from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = (
    ("news2_minimum_score", sa.Integer()),
    ("news2_shown", sa.String(length=120)),
    ("news2_missing", sa.Text()),
    ("sepsis_risk", sa.String(length=20)),
    ("sepsis_note", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("encounter_values") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("encounter_values") as batch:
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
