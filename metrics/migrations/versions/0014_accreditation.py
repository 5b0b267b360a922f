"""ward accreditation visits (append-only) and the values a huddle action's source may take

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 19:40:00

Hand-written. ``accreditation_assessments`` and ``accreditation_answers``
refuse UPDATE and DELETE in the database itself (triggers on SQLite and
PostgreSQL, and TRUNCATE on PostgreSQL), like the audit log: a recorded
visit is corrected by a new one, never rewritten. ``huddle_actions.source``
(added with the learning responses) is checked to be 'huddle', 'accreditation'
(a visit's finding) or 'learning_response'.
"""
from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = ("accreditation_assessments", "accreditation_answers")
APPEND_ONLY = "accreditation visits are append-only: record a new visit instead of changing one"


def upgrade() -> None:
    op.create_table(
        "accreditation_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.String(length=40), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("level_reason", sa.Text(), nullable=False),
        sa.Column("next_visit", sa.Date(), nullable=False),
        sa.Column("domain_percent", sa.JSON(), nullable=False),
        sa.Column("critical_failed", sa.JSON(), nullable=False),
        sa.Column("assessor", sa.String(length=120), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("external_id", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.CheckConstraint("source IN ('app', 'extract')", name="ck_accreditation_assessments_source"),
        sa.UniqueConstraint("source", "external_id", name="uq_accreditation_assessments_external"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_accreditation_assessments_ward", "accreditation_assessments", ["ward_code", "assessed_on"])
    op.create_table(
        "accreditation_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=40), nullable=False),
        sa.Column("domain", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("finding", sa.Text(), nullable=True),
        sa.CheckConstraint("score IS NULL OR score IN (0, 0.5, 1)", name="ck_accreditation_answers_score"),
        sa.ForeignKeyConstraint(["assessment_id"], ["accreditation_assessments.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_accreditation_answers_assessment_id", "accreditation_answers", ["assessment_id"])
    with op.batch_alter_table("huddle_actions") as batch:
        # ``source`` itself came with the learning responses (0010); this checks its values.
        batch.create_check_constraint(
            "ck_huddle_actions_source", "source IN ('huddle', 'accreditation', 'learning_response')"
        )

    dialect = op.get_bind().dialect.name
    for table in TABLES:
        if dialect == "sqlite":
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
                )
        elif dialect == "postgresql":
            op.execute(
                f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN RAISE EXCEPTION USING MESSAGE = '{APPEND_ONLY} (' || TG_OP || ' refused)'; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("huddle_actions") as batch:
        batch.drop_constraint("ck_huddle_actions_source", type_="check")
    op.drop_index("ix_accreditation_answers_assessment_id", table_name="accreditation_answers")
    op.drop_table("accreditation_answers")  # its triggers go with it
    op.drop_index("ix_accreditation_assessments_ward", table_name="accreditation_assessments")
    op.drop_table("accreditation_assessments")
    if dialect == "postgresql":
        for table in TABLES:
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
