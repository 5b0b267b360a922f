"""trusts and the system hub

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-07 20:00:00

A snapshot records the trust its extract came from (``trust_code``, from dashboard.yaml; empty for
snapshots stored before). The system hub's tables hold what trusts send in aggregate bundles: the
bundles imported, the wards and sites they name, each metric's definition and hash, and the values per
ward, site and trust, per day and per month (``metrics.store.hub_models``). No patient row.
"""
from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("snapshots") as batch:
        batch.add_column(sa.Column("trust_code", sa.String(10), nullable=True))
    op.create_table(
        "hub_bundles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("trust_code", sa.String(10), nullable=False),
        sa.Column("trust_name", sa.String(200), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("contract_version", sa.Integer(), nullable=False),
        sa.Column("bundle_format", sa.Integer(), nullable=False),
        sa.Column("config_fingerprint", sa.String(32), nullable=False),
        sa.Column("suppression_threshold", sa.Integer(), nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_hub_bundles_trust_code", "hub_bundles", ["trust_code"])
    op.create_table(
        "hub_wards",
        sa.Column("trust_code", sa.String(10), primary_key=True),
        sa.Column("ward_code", sa.String(40), primary_key=True),
        sa.Column("ward_name", sa.String(200), nullable=False),
        sa.Column("site_code", sa.String(40), nullable=False),
        sa.Column("site_name", sa.String(200), nullable=False),
    )
    op.create_table(
        "hub_definitions",
        sa.Column("trust_code", sa.String(10), primary_key=True),
        sa.Column("metric_id", sa.String(80), primary_key=True),
        sa.Column("definition_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("is_ratio", sa.Boolean(), nullable=False),
        sa.Column("display", sa.String(20), nullable=False),
        sa.Column("direction", sa.String(20), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
    )
    # No wide primary key: a unique index over six text columns made loading a month cost several times the COPY
    # itself. The importer refuses a bundle with a repeated (level, unit, period, day, metric) and replaces the
    # trust's days it covers under the import lock, so rows stay unique; this narrow index, leading with trust,
    # period and day, serves that replacement (one key range) and the reads of one month (one range per trust).
    # Only the trust-level daily series (SPC per trust) has its own small partial index.
    op.create_table(
        "hub_values",
        sa.Column("trust_code", sa.String(10), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("metric_id", sa.String(80), nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_hub_values_trust_day", "hub_values", ["trust_code", "period", "day"])
    op.create_index(
        "ix_hub_values_trust_series",
        "hub_values",
        ["metric_id", "period", "day"],
        postgresql_where=sa.text("level = 'trust'"),
        sqlite_where=sa.text("level = 'trust'"),
    )

def downgrade() -> None:
    op.drop_index("ix_hub_values_trust_series", table_name="hub_values")
    op.drop_index("ix_hub_values_trust_day", table_name="hub_values")
    op.drop_table("hub_values")
    op.drop_table("hub_definitions")
    op.drop_table("hub_wards")
    op.drop_index("ix_hub_bundles_trust_code", table_name="hub_bundles")
    op.drop_table("hub_bundles")
    with op.batch_alter_table("snapshots") as batch:
        batch.drop_column("trust_code")
