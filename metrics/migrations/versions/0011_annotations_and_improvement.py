"""chart annotations and the improvement board: projects and their PDSA cycles, all append-only

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-07 19:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spc_annotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chart_key", sa.String(length=200), nullable=False),
        sa.Column("ward_code", sa.String(length=40), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_spc_annotations_chart", "spc_annotations", ["chart_key", "on_date"])
    op.create_table(
        "improvement_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.String(length=40), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("metric_id", sa.String(length=80), nullable=False),
        sa.Column("aim_target", sa.String(length=200), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=False),
        sa.Column("change_ideas", sa.JSON(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["huddle_actions.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_improvement_projects_ward", "improvement_projects", ["ward_code"])
    op.create_table(
        "improvement_cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("cycle_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["improvement_projects.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_improvement_cycles_project_id", "improvement_cycles", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_improvement_cycles_project_id", table_name="improvement_cycles")
    op.drop_table("improvement_cycles")
    op.drop_index("ix_improvement_projects_ward", table_name="improvement_projects")
    op.drop_table("improvement_projects")
    op.drop_index("ix_spc_annotations_chart", table_name="spc_annotations")
    op.drop_table("spc_annotations")
