"""The system hub's tables: what trusts send in aggregate bundles, never a patient row.

Why this exists: an integrated care system compares trusts without any trust sending patient rows. Each
trust's instance exports a bundle (``metrics.federation``); a hub store (the same schema, usually
PostgreSQL) imports it. These tables hold, per trust, the bundles taken in, the wards and sites named, each
metric's definition and its hash (two trusts counting a metric differently are never mixed), and the
values per ward, site and trust, per day and per month, with numerators and denominators, and the equity splits
per trust and month. A value withheld by statistical disclosure control is kept as a row marked ``suppressed``
with no numbers.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from metrics.store.models import Base, UTCDateTime


class TrustKeyed:
    """The trust a row belongs to, first in its primary key: every hub table but the bundles is keyed by trust."""

    trust_code: Mapped[str] = mapped_column(String(10), primary_key=True, sort_order=-1)


class HubBundle(Base):
    """One bundle imported: whose, when it was exported, which days it covers and its manifest's hash."""

    __tablename__ = "hub_bundles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trust_code: Mapped[str] = mapped_column(String(10), index=True)
    trust_name: Mapped[str] = mapped_column(String(200))
    exported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    contract_version: Mapped[int] = mapped_column(Integer)
    bundle_format: Mapped[int] = mapped_column(Integer)
    config_fingerprint: Mapped[str] = mapped_column(String(32))
    suppression_threshold: Mapped[int] = mapped_column(Integer)
    manifest_sha256: Mapped[str] = mapped_column(String(64))


class HubWard(TrustKeyed, Base):
    """A ward of a trust as its bundle names it, with its site."""

    __tablename__ = "hub_wards"
    ward_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    ward_name: Mapped[str] = mapped_column(String(200))
    site_code: Mapped[str] = mapped_column(String(40))
    site_name: Mapped[str] = mapped_column(String(200))


class HubDefinition(TrustKeyed, Base):
    """A metric as one trust defines it; ``definition_hash`` covers what it counts, not how it is labelled."""

    __tablename__ = "hub_definitions"
    metric_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    definition_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(Text)
    is_ratio: Mapped[bool] = mapped_column(Boolean)
    display: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(20))
    definition: Mapped[dict[str, object]] = mapped_column(JSON)


class HubValue(Base):
    """One metric's value for one ward, site or trust, over one day or one calendar month (``day`` its first).

    (trust, level, unit, period, day, metric) is unique, kept so by the import (a bundle with a repeated one is
    refused; a bundle replaces its trust's days under the import lock) rather than by a unique index, which made
    loading a month several times slower. The narrow index leads with trust, period and day; the partial one
    serves the trust-level daily series.
    """

    __tablename__ = "hub_values"
    trust_code: Mapped[str] = mapped_column(String(10))
    period: Mapped[str] = mapped_column(String(8))  # day | month
    day: Mapped[date] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(8))  # ward | site | trust
    metric_id: Mapped[str] = mapped_column(String(80))
    unit_code: Mapped[str] = mapped_column(String(40))
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    suppressed: Mapped[bool] = mapped_column(Boolean)
    # the trust's extract did not carry an optional table or column the metric reads: no numbers, "not supplied"
    not_supplied: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    __table_args__ = (
        Index("ix_hub_values_trust_day", "trust_code", "period", "day"),
        Index(
            "ix_hub_values_trust_series",
            "metric_id",
            "period",
            "day",
            postgresql_where=text("level = 'trust'"),
            sqlite_where=text("level = 'trust'"),
        ),
    )
    __mapper_args__ = {"primary_key": [trust_code, level, unit_code, period, day, metric_id]}  # noqa: RUF012


class HubEquityValue(TrustKeyed, Base):
    """One group of one equity split (deprivation quintile, ethnic group, age band, sex) of a trust's proportion
    metric over one calendar month (``month`` its first day), as the bundle sent it: disclosure control was applied
    before it left the trust, so a withheld part is NULL and the row is marked ``suppressed``."""

    __tablename__ = "hub_equity_values"
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    metric_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    split: Mapped[str] = mapped_column(String(20), primary_key=True)
    group_label: Mapped[str] = mapped_column(String(40), primary_key=True)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    suppressed: Mapped[bool] = mapped_column(Boolean)


class HubValueBlock(TrustKeyed, Base):
    """The fingerprint of one block of a trust's values (one metric's rows of one day, or of one month) as last
    imported: an import rewrites only the blocks whose fingerprint changed (``metrics.store.hub_blocks``)."""

    __tablename__ = "hub_value_blocks"
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    digest: Mapped[str] = mapped_column(String(32))
    rows: Mapped[int] = mapped_column(Integer)
