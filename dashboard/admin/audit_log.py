"""The administrator's audit log: filter it, read it, export it (the export itself audited).

Why this exists: data-protection rules expect every access to patient-level
data to be attributable, and someone has to be able to answer "who opened
ward 7A's patient list last Tuesday?" without a database client. The log is
read through the store gateway only; nothing here can change or delete a row
(and the database refuses it as well).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from dashboard.admin.section import open_section
from dashboard.common import access_gate, store_access
from dashboard.common.access_gate import Access
from metrics.access.decisions import Action
from metrics.config.models import AppConfig
from metrics.export.spreadsheet_csv import safe_csv
from metrics.rules.clock import LONDON

AUDIT_LIMIT = 20_000
LOG_COLUMNS = {
    "at": "When (UK time)",
    "actor": "Who",
    "role": "Role",
    "action": "What",
    "ward_code": "Ward",
    "client": "Client address",
    "detail": "Detail",
}


def _field_text(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {_field_text(v)}" for k, v in sorted(value.items()) if v is not None)
    if isinstance(value, (list, tuple)):
        return ", ".join(_field_text(v) for v in value)
    return str(value)


def _detail_text(detail: object) -> str:
    """The detail as fields a person reads ('reason: …; wards: 7A, 7B'), never raw JSON."""
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            return detail
    if not isinstance(detail, dict):
        return "" if detail is None else _field_text(detail)
    shown = {k: v for k, v in detail.items() if v not in (None, {}, [], "")}
    return "; ".join(f"{k.replace('_', ' ')}: {_field_text(v)}" for k, v in sorted(shown.items()))


def log_table(entries: pd.DataFrame) -> pd.DataFrame:
    """The audit rows as an administrator reads them (and exports them): newest first, UK time, detail as one line."""
    if entries.empty:
        return pd.DataFrame(columns=list(LOG_COLUMNS.values()))
    frame = entries.sort_values("id", ascending=False)
    table = pd.DataFrame(
        {
            LOG_COLUMNS["at"]: [pd.Timestamp(t).tz_convert(LONDON).strftime("%Y-%m-%d %H:%M:%S") for t in frame["at"]],
            LOG_COLUMNS["actor"]: frame["actor"].astype(str).tolist(),
            LOG_COLUMNS["role"]: frame["role"].fillna("").astype(str).tolist(),
            LOG_COLUMNS["action"]: frame["action"].astype(str).tolist(),
            LOG_COLUMNS["ward_code"]: frame["ward_code"].fillna("").astype(str).tolist(),
            LOG_COLUMNS["client"]: frame["client"].fillna("").astype(str).tolist(),
            LOG_COLUMNS["detail"]: [_detail_text(d) for d in frame["detail"]],
        }
    )
    return table.reset_index(drop=True)


def filter_entries(
    entries: pd.DataFrame, *, start: date, end: date, ward: str | None, actions: list[str], who: str
) -> pd.DataFrame:
    """Rows from ``start`` to ``end`` (UK dates, inclusive), for ``ward`` (a token over several wards counts for each),
    ``actions`` and who contains ``who``."""
    if entries.empty:
        return entries
    at = pd.to_datetime(entries["at"], utc=True).dt.tz_convert(LONDON).dt.date
    keep = (at >= start) & (at <= end)
    if ward:
        keep &= (
            entries["ward_code"]
            .fillna("")
            .astype(str)
            .str.upper()
            .str.split(",")
            .apply(lambda codes: ward.upper() in codes)
        )
    if actions:
        keep &= entries["action"].isin(actions)
    if who.strip():
        keep &= entries["actor"].astype(str).str.contains(who.strip(), case=False, regex=False)
    return entries[keep]


def _export_recorded(access: Access, rows: int, filters: dict) -> None:
    access.record(access_gate.CSV_EXPORTED, what="audit log", rows=rows, filters=filters)


def render_audit_log(access: Access, cfg: AppConfig) -> None:
    open_section(
        access,
        Action.VIEW_AUDIT,
        "Audit log",
        "Every patient list opened, CSV exported, huddle sheet printed, rating or action recorded, "
        "wall token issued or revoked, and every refusal. Rows can be added, never changed or deleted.",
    )
    today = datetime.now(LONDON).date()
    c1, c2, c3, c4 = st.columns([2, 1, 2, 2])
    with c1:
        span = st.date_input(
            "Dates", value=(today - timedelta(days=7), today), max_value=today, key="audit_dates", format="DD/MM/YYYY"
        )
    start, end = (span[0], span[-1]) if isinstance(span, tuple | list) and span else (today, today)
    since = datetime.combine(start, time.min, LONDON).astimezone(UTC)
    entries = store_access.audit_entries(since, AUDIT_LIMIT)
    with c2:
        ward = st.selectbox("Ward", ["any"] + [w.code for w in cfg.wards.wards], key="audit_ward")
    with c3:
        actions = st.multiselect(
            "What", sorted(entries["action"].unique()) if not entries.empty else [], key="audit_actions"
        )
    with c4:
        who = st.text_input("Who (contains)", key="audit_who")
    shown = filter_entries(
        entries, start=start, end=end, ward=None if ward == "any" else ward, actions=actions, who=who
    )
    table = log_table(shown)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=420,
        column_config={LOG_COLUMNS["detail"]: st.column_config.TextColumn(width="large")},
    )
    if len(entries) >= AUDIT_LIMIT:
        st.caption(f"Showing the latest {AUDIT_LIMIT:,} rows of this period; narrow the dates to see older ones.")
    filters = {"from": start.isoformat(), "to": end.isoformat(), "ward": ward, "actions": actions, "who": who}
    st.download_button(
        f"Export {len(table)} row(s) as CSV",
        data=safe_csv(table),
        file_name=f"audit_log_{start:%Y%m%d}-{end:%Y%m%d}.csv",
        mime="text/csv",
        key="audit_export",
        icon=":material/download:",
        on_click=_export_recorded,
        args=(access, len(table), filters),
    )
