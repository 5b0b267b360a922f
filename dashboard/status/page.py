"""The data status view: where the numbers came from and what was set aside.

Why this exists: before anyone trusts a board they may ask "how old is
this, what was loaded, what was thrown out, did the last refresh work, is
the configuration sound?". Quarantined rows are shown as counts by table
and column only; their raw content may hold identifiers and stays behind
an administrators-only switch. The extract folder, the configuration folder
and the store's URL are for administrators too; everyone else sees refresh
messages with their paths and URLs taken out. Text from the extract (its
source, its messages) is shown literally, never rendered as Markdown.
"""

from __future__ import annotations

from datetime import datetime, UTC

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import store_access
from dashboard.common.board import FILL_COMMAND, LOAD_COMMAND, explain_store_unreachable, safe_url
from dashboard.common.disclosure import markdown_table, markdown_text, without_locations
from dashboard.common.formatting import day_time
from dashboard.common.status_strip import rows_quarantined
from metrics.board.freshness import freshness
from metrics.config.models import AppConfig, DashboardFile
from metrics.errors import ConfigError

STATUS_ICONS = {
    "loaded": "✓ loaded",
    "duplicate": "= already loaded",
    "rejected": "✘ REJECTED",
    "failed": "✘ FAILED",
    "running": "… running",
}


def row_counts_table(row_counts: dict) -> pd.DataFrame:
    """One row per extract table: rows read, used and quarantined."""
    rows = []
    for table, counts in sorted((row_counts or {}).items()):
        counts = counts if isinstance(counts, dict) else {}
        rows.append(
            {
                "Table": table,
                "Rows read": counts.get("read"),
                "Rows used": counts.get("used"),
                "Rows quarantined": counts.get("quarantined"),
            }
        )
    return pd.DataFrame(rows, columns=["Table", "Rows read", "Rows used", "Rows quarantined"])


def attempt_message(message: object, show_locations: bool) -> str:
    """A refresh attempt's message, its paths and URLs taken out unless the reader is an administrator."""
    text = "" if message is None or pd.isna(message) else str(message)
    return text if show_locations else without_locations(text)


def attempts_table(attempts: pd.DataFrame, show_locations: bool = False) -> pd.DataFrame:
    """The refresh attempts, newest first; the extract folder column only for an administrator."""
    columns = ["Started", "Finished", "Outcome", "Extract", "Message", "Snapshot"]
    if not show_locations:
        columns.remove("Extract")
    if attempts.empty:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(
        {
            "Started": [day_time(t) if not pd.isna(t) else "" for t in attempts["started_at"]],
            "Finished": [day_time(t) if not pd.isna(t) else "" for t in attempts["finished_at"]],
            "Outcome": [STATUS_ICONS.get(str(s), str(s)) for s in attempts["status"]],
            "Extract": attempts["extract_path"].astype(str).tolist(),
            "Message": [attempt_message(m, show_locations) for m in attempts["message"]],
            "Snapshot": ["" if pd.isna(s) else str(int(s)) for s in attempts["snapshot_id"]],
        }
    )
    return table[columns]


def render_config_status(show_locations: bool = False) -> AppConfig | None:
    st.subheader("Configuration")
    try:
        cfg = store_access.app_config()
    except ConfigError as exc:
        where = f" in {markdown_text(store_access.config_dir())}" if show_locations else ""
        st.error(f"{len(exc.problems)} configuration problem(s){where}:")
        st.code(str(exc) if show_locations else without_locations(str(exc)), language=None)
        return None
    where = f", from {markdown_text(cfg.directory)}" if show_locations else ""
    st.success(
        f"Configuration OK: {len(cfg.wards.wards)} wards, {len(cfg.metrics)} metrics (fingerprint "
        f"`{cfg.fingerprint}`){where}."
    )
    return cfg


def render_status_page(show_raw: bool = False, show_locations: bool = False) -> None:
    """The whole page: the snapshot and its rows beside each other, then quarantine and configuration, then refresh
    attempts.

    ``show_locations`` (administrators only) shows the extract folder, the configuration folder and the store's URL.
    """
    st.header("Data status")
    top_left, top_right = st.columns(2, gap="medium")
    middle_left, middle_right = st.columns(2, gap="medium")
    with middle_right:
        cfg = render_config_status(show_locations)
    render_data_status(cfg, show_raw, top_left, top_right, middle_left, show_locations=show_locations)


def render_data_status(
    cfg: AppConfig | None,
    show_raw: bool = False,
    facts_area=None,
    rows_area=None,
    quarantine_area=None,
    *,
    show_locations: bool = False,
) -> None:
    """Snapshot facts, row counts, quarantine summary, refresh attempts; ``show_raw`` adds raw quarantined rows
    (administrators only)."""
    db_url = store_access.database_url()
    settings = cfg.dashboard if cfg is not None else DashboardFile()
    try:
        snapshot = store_access.current_snapshot(db_url)
        attempts = store_access.refresh_attempts(db_url)
    except SQLAlchemyError as exc:
        explain_store_unreachable(exc, db_url, show_locations)
        return
    facts_area = facts_area or st.container()
    rows_area = rows_area or st.container()
    quarantine_area = quarantine_area or st.container()
    if snapshot is None:
        with facts_area:
            st.subheader("Current snapshot")
            store = f" ({markdown_text(safe_url(db_url))})" if show_locations else ""
            st.info(
                f"The store{store} holds no data yet. Fill it with synthetic demo data: `{FILL_COMMAND}`, or load an "
                f"extract: `{LOAD_COMMAND}`."
            )
    else:
        fresh = freshness(
            snapshot.extracted_at, snapshot.loaded_at, attempts, settings.stale_after_minutes, datetime.now(UTC)
        )
        facts = pd.DataFrame(
            [
                ("Data as at (extracted)", day_time(snapshot.extracted_at)),
                ("Loaded into the store", day_time(snapshot.loaded_at)),
                ("Source", snapshot.source),
                *([("Extract folder", snapshot.extract_path)] if show_locations else []),
                ("Snapshot id", str(snapshot.id)),
                ("Rows quarantined", str(rows_quarantined(snapshot.row_counts))),
                ("Stale after", f"{settings.stale_after_minutes} minutes"),
                ("Status", "STALE" if fresh.is_stale else "Up to date"),
                *([("Store", safe_url(db_url))] if show_locations else []),
                (
                    "Evaluated with config",
                    snapshot.config_fingerprint
                    + (
                        ""
                        if cfg is None or cfg.fingerprint == snapshot.config_fingerprint
                        else " (differs from the live configuration)"
                    ),
                ),
            ],
            columns=["Fact", "Value"],
        )
        with facts_area:
            st.subheader("Current snapshot")
            st.table(markdown_table(facts), hide_index=True, hide_header=True)
        with rows_area:
            st.subheader("Rows per extract table")
            st.table(markdown_table(row_counts_table(snapshot.row_counts)), hide_index=True)
        with quarantine_area:
            st.subheader("Quarantined rows by table and reason")
            reasons = store_access.quarantine_reasons(db_url, snapshot.id)
            if reasons.empty:
                st.caption("No rows were quarantined in this snapshot.")
            else:
                st.table(markdown_table(reasons), hide_index=True)
                st.caption(
                    "Counts and reasons only, with the offending values taken out: the rows themselves may identify "
                    "patients and are for administrators."
                )
            if show_raw:  # the status page passes show_raw only for administrators (metrics.access.decisions)
                st.subheader("Quarantined rows (raw content: administrators only)")
                st.dataframe(store_access.quarantine_rows(db_url, snapshot.id), hide_index=True, width="stretch")
    st.subheader("Latest refresh attempts")
    if attempts.empty:
        st.caption("No refresh has been attempted yet.")
    else:
        latest = attempts.iloc[0]
        if latest["status"] in ("rejected", "failed"):
            st.error(
                f"The latest refresh was {latest['status']}. The last good snapshot stays on screen, marked stale. Its "
                "message:"
            )
            st.code(attempt_message(latest["message"], show_locations), language=None)
        st.dataframe(attempts_table(attempts, show_locations), hide_index=True, width="stretch")
