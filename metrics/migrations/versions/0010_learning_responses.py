"""learning responses to harm incidents, the harm incidents they answer, and where an action came from

Revision ID: 0010
Revises: 0011
Create Date: 2026-12-07 19:30:00

``snapshot_harm_incidents`` keeps, per snapshot (once, as the other optional
tables: ``metrics.store.history``), the falls, pressure ulcers and medication
incidents from the optional incidents table, so that each harm incident can be
given its learning response. ``learning_responses`` is append-only: a later
entry for the same incident replaces the earlier one on the board, and both
are kept. ``huddle_actions`` gains ``source`` (huddle, accreditation or
learning_response; every existing action was raised at a huddle) and the
learning response an action came from.
"""
from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "snapshot_harm_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("until_snapshot_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.String(length=80), nullable=False),
        sa.Column("ward_code", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("incident_type", sa.String(length=40), nullable=False),
        sa.Column("harm_level", sa.String(length=12), nullable=False),
        sa.Column("pressure_ulcer_category", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshots.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["until_snapshot_id"], ["snapshots.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_snapshot_harm_incidents_until", "snapshot_harm_incidents", ["until_snapshot_id"])
    op.create_index("ix_snapshot_harm_incidents_ward", "snapshot_harm_incidents", ["ward_code", "snapshot_id"])
    op.create_table(
        "learning_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.String(length=40), nullable=False),
        sa.Column("incident_id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.CheckConstraint(
            "kind IN ('swarm_huddle', 'after_action_review', 'none')", name="ck_learning_responses_kind"
        ),
        sa.CheckConstraint("kind <> 'none' OR reason IS NOT NULL", name="ck_learning_responses_none_reason"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_learning_responses_lookup", "learning_responses", ["ward_code", "incident_id"])
    with op.batch_alter_table("huddle_actions") as batch:
        batch.add_column(sa.Column("source", sa.String(length=20), nullable=False, server_default="huddle"))
        batch.add_column(sa.Column("learning_response_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_huddle_actions_learning_response", "learning_responses", ["learning_response_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("huddle_actions") as batch:
        batch.drop_constraint("fk_huddle_actions_learning_response", type_="foreignkey")
        batch.drop_column("learning_response_id")
        batch.drop_column("source")
    op.drop_index("ix_learning_responses_lookup", table_name="learning_responses")
    op.drop_table("learning_responses")
    op.drop_index("ix_snapshot_harm_incidents_ward", table_name="snapshot_harm_incidents")
    op.drop_index("ix_snapshot_harm_incidents_until", table_name="snapshot_harm_incidents")
    op.drop_table("snapshot_harm_incidents")
