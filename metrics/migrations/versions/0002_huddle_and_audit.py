"""huddle ratings and actions, the append-only audit log, the snapshot's non-EPR counts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:00:00

Hand-written. The audit log refuses UPDATE and DELETE in the database itself
(triggers on SQLite and PostgreSQL, and TRUNCATE on PostgreSQL), so no code
path, however wrong, can rewrite history.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

APPEND_ONLY = "audit_log is append-only: rows can be added, never changed or deleted"


def upgrade() -> None:
    op.create_table(
        'huddle_ratings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ward_code', sa.String(length=40), nullable=False),
        sa.Column('huddle_date', sa.Date(), nullable=False),
        sa.Column('shift', sa.String(length=20), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('device', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=False), nullable=False),
        sa.CheckConstraint('score BETWEEN 1 AND 5', name='ck_huddle_ratings_score'),
        sa.CheckConstraint("kind IN ('reliability', 'feel_safe')", name='ck_huddle_ratings_kind'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_huddle_ratings_lookup', 'huddle_ratings', ['ward_code', 'huddle_date', 'kind'])

    op.create_table(
        'huddle_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ward_code', sa.String(length=40), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('owner_role', sa.String(length=20), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=False), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('created_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=False), nullable=True),
        sa.Column('device', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'done', 'cancelled')", name='ck_huddle_actions_status'),
        sa.CheckConstraint('version >= 1', name='ck_huddle_actions_version'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_huddle_actions_lookup', 'huddle_actions', ['ward_code', 'status'])

    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('actor', sa.String(length=120), nullable=False),
        sa.Column('role', sa.String(length=60), nullable=True),
        sa.Column('action', sa.String(length=60), nullable=False),
        sa.Column('entity', sa.String(length=60), nullable=True),
        sa.Column('entity_id', sa.String(length=80), nullable=True),
        sa.Column('ward_code', sa.String(length=40), nullable=True),
        sa.Column('client', sa.String(length=200), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_log_at', 'audit_log', ['at'])
    op.create_index('ix_audit_log_ward_code', 'audit_log', ['ward_code'])

    op.create_table(
        'snapshot_incident_counts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('ward_code', sa.String(length=40), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('incident_type', sa.String(length=40), nullable=False),
        sa.Column('harm_level', sa.String(length=12), nullable=False),
        sa.Column('pressure_ulcer_category', sa.Integer(), nullable=True),
        sa.Column('incidents', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['snapshot_id'], ['snapshots.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_snapshot_incident_counts_lookup', 'snapshot_incident_counts', ['snapshot_id', 'ward_code'])

    op.create_table(
        'snapshot_feedback_counts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('ward_code', sa.String(length=40), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('responses', sa.Integer(), nullable=False),
        sa.Column('positive', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['snapshot_id'], ['snapshots.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_snapshot_feedback_counts_lookup', 'snapshot_feedback_counts', ['snapshot_id', 'ward_code'])

    op.create_table(
        'snapshot_workforce',
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('ward_code', sa.String(length=40), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('sickness_absence_pct', sa.Float(), nullable=True),
        sa.Column('training_compliance_pct', sa.Float(), nullable=True),
        sa.Column('turnover_pct', sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(['snapshot_id'], ['snapshots.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('snapshot_id', 'ward_code', 'month'),
    )

    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for verb in ('UPDATE', 'DELETE'):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
    elif dialect == 'postgresql':
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION USING MESSAGE = '{APPEND_ONLY} (' || TG_OP || ' refused)'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_table('snapshot_workforce')
    op.drop_index('ix_snapshot_feedback_counts_lookup', table_name='snapshot_feedback_counts')
    op.drop_table('snapshot_feedback_counts')
    op.drop_index('ix_snapshot_incident_counts_lookup', table_name='snapshot_incident_counts')
    op.drop_table('snapshot_incident_counts')
    op.drop_index('ix_audit_log_ward_code', table_name='audit_log')
    op.drop_index('ix_audit_log_at', table_name='audit_log')
    op.drop_table('audit_log')  # its triggers go with it
    if dialect == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_index('ix_huddle_actions_lookup', table_name='huddle_actions')
    op.drop_table('huddle_actions')
    op.drop_index('ix_huddle_ratings_lookup', table_name='huddle_ratings')
    op.drop_table('huddle_ratings')
