"""The huddle's export: a ward's ratings and actions as CSV, each download itself written to the audit log."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import store_access
from dashboard.huddle.entry_state import entry_actor, flash
from metrics.export.spreadsheet_csv import safe_csv
from metrics.huddle.config import HuddleConfig


def _exported(ward_code: str, what: str) -> None:
    """Download callback: an export of entries is itself an entry in the audit log."""
    try:
        store_access.record_audit(entry_actor(), "entries.export", entity=f"huddle_{what}", ward_code=ward_code.upper())
    except SQLAlchemyError:
        flash("error", "The export could not be written to the audit log.")


def render_export(ward_code: str, hcfg: HuddleConfig, today: date) -> None:
    start = today - timedelta(days=365)
    stem = "".join(ch for ch in ward_code if ch.isalnum())[:12]
    ratings_csv = safe_csv(store_access.huddle_ratings_export(ward_code, start, today))
    actions_csv = safe_csv(store_access.huddle_actions_export(ward_code))
    st.download_button(
        "Ratings (CSV)",
        ratings_csv,
        file_name=f"huddle_ratings_{stem}_{today:%Y-%m-%d}.csv",
        mime="text/csv",
        key="hi-export-ratings",
        on_click=_exported,
        args=(ward_code, "ratings"),
        icon=":material/download:",
        width="stretch",
        help="Every rating of the last year: roles and device labels, no names.",
    )
    st.download_button(
        "Actions (CSV)",
        actions_csv,
        file_name=f"huddle_actions_{stem}_{today:%Y-%m-%d}.csv",
        mime="text/csv",
        key="hi-export-actions",
        on_click=_exported,
        args=(ward_code, "actions"),
        icon=":material/download:",
        width="stretch",
        help="Every action, open and closed.",
    )
