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


def _export_button(ward_code: str, what: str, data: bytes, stem: str, today: date, help_text: str) -> None:
    """One CSV download of the ward's ``what`` (ratings or actions); a click is audited."""
    st.download_button(
        f"{what.capitalize()} (CSV)",
        data,
        file_name=f"huddle_{what}_{stem}_{today:%Y-%m-%d}.csv",
        mime="text/csv",
        key=f"hi-export-{what}",
        on_click=_exported,
        args=(ward_code, what),
        icon=":material/download:",
        width="stretch",
        help=help_text,
    )


def render_export(ward_code: str, hcfg: HuddleConfig, today: date) -> None:
    start = today - timedelta(days=365)
    stem = "".join(ch for ch in ward_code if ch.isalnum())[:12]
    ratings_csv = safe_csv(store_access.huddle_ratings_export(ward_code, start, today))
    actions_csv = safe_csv(store_access.huddle_actions_export(ward_code))
    ratings_help = "Every rating of the last year: roles and device labels, no names."
    _export_button(ward_code, "ratings", ratings_csv, stem, today, ratings_help)
    _export_button(ward_code, "actions", actions_csv, stem, today, "Every action, open and closed.")
