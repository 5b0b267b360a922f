"""The store's access tables: wall screen (kiosk) tokens.

Why this exists: a corridor wall screen has no person signed in; it holds a
long random token in its URL. Only the token's SHA-256 hash is stored, so a
copy of the database does not hand out working wall links. A token is scoped
to a list of wards, carries a label that the audit log records as "who"
("Ward 7 corridor"), and can be revoked or given an expiry.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from metrics.store.models import Base, UTCDateTime


class KioskToken(Base):
    """One wall screen's token: its hash, label, wards, who issued it, and when it stops working."""

    __tablename__ = "kiosk_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    wards: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(200))
