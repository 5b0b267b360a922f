"""The administrator's page: the audit log (filter, export) and the wall screens' kiosk tokens (issue, list, revoke).

Why this exists: data-protection rules expect every access to patient-level
data to be attributable, and someone has to be able to answer "who opened
ward 7A's patient list last Tuesday?" without a database client. The log is
read through ``metrics.store.audit`` only; nothing here can change or delete a row
(and the database refuses it as well). Exporting the log is itself audited.
Tokens are issued and revoked through ``metrics.access.kiosk_tokens``, which audits
both; a new token is shown once and never again.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from dashboard.common import access_gate
from dashboard.common import store_access
from dashboard.common.access_gate import Access
from metrics.export.spreadsheet_csv import safe_csv
from metrics.store import audit_log as audit
from metrics.access.decisions import Action
from metrics.config.models import AppConfig
from metrics.errors import UserFacingError
from metrics.access.kiosk_tokens import create_token, list_tokens, revoke_token

LONDON = ZoneInfo("Europe/London")
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


def _detail_text(detail: object) -> str:
    if not isinstance(detail, dict):
        return "" if detail is None else str(detail)
    shown = {k: v for k, v in detail.items() if v not in (None, {}, [])}
    return json.dumps(shown, ensure_ascii=False, sort_keys=True, default=str)


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
    """Rows from ``start`` to ``end`` (UK dates, inclusive), for ``ward`` (a token over several wards counts for each), ``actions`` and who contains ``who``."""
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
    access.require(Action.VIEW_AUDIT)
    st.subheader("Audit log")
    st.caption(
        "Every patient list opened, CSV exported, huddle sheet printed, rating or action recorded, wall token issued or revoked, "
        "and every refusal. Rows can be added, never changed or deleted."
    )
    today = datetime.now(LONDON).date()
    c1, c2, c3, c4 = st.columns([2, 1, 2, 2])
    with c1:
        span = st.date_input(
            "Dates", value=(today - timedelta(days=7), today), max_value=today, key="audit_dates", format="DD/MM/YYYY"
        )
    start, end = (span[0], span[-1]) if isinstance(span, tuple | list) and span else (today, today)
    since = datetime.combine(start, time.min, LONDON).astimezone(UTC)
    entries = audit.audit_entries(store_access.engine_for(store_access.database_url()), since=since, limit=AUDIT_LIMIT)
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
    st.dataframe(table, hide_index=True, width="stretch", height=420)
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


def token_table(tokens: list) -> pd.DataFrame:
    columns = ["Id", "Label", "Wards", "Status", "Issued", "Issued by", "Expires", "Revoked by"]
    if not tokens:
        return pd.DataFrame(columns=columns)

    def uk(moment: datetime | None) -> str:
        return "" if moment is None else moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")

    return pd.DataFrame(
        [
            [
                t.id,
                t.label,
                ", ".join(t.wards),
                t.status(),
                uk(t.created_at),
                t.created_by,
                uk(t.expires_at) or "never",
                t.revoked_by or "",
            ]
            for t in tokens
        ],
        columns=columns,
    )


def _app_origin() -> str:
    try:
        url = st.context.url or ""
    except Exception:  # noqa: BLE001 - AppTest has no browser URL
        url = ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "http://localhost:8501"


REVOKED_NOTE = "_admin_revoked_note"


def _revoke(access: Access, token_id: int) -> None:
    """Button callback: runs before the page redraws, so the list below already shows the token revoked."""
    info = revoke_token(store_access.engine_for(store_access.database_url()), token_id, actor=access.actor)
    st.session_state[REVOKED_NOTE] = (
        f"Token {info.id} ({info.label}) revoked: its screen shows a refusal from its next refresh."
    )


def render_tokens(access: Access, cfg: AppConfig) -> None:
    access.require(Action.MANAGE_TOKENS)
    engine = store_access.engine_for(store_access.database_url())
    st.subheader("Wall screen tokens")
    st.caption(
        "A corridor screen has nobody signed in: it holds a token in its address, scoped to its wards and to the wall alone. "
        "Only a hash of each token is kept. Also: python -m metrics kiosk-token create|list|revoke."
    )
    with st.form("issue_token", clear_on_submit=True):
        c1, c2, c3 = st.columns([2, 2, 1])
        label = c1.text_input("Label (where the screen is)", placeholder="Ward 7 corridor", key="token_label")
        wards = c2.multiselect("Wards", [w.code for w in cfg.wards.wards], key="token_wards")
        days = c3.number_input(
            "Expires in days (0: never)", min_value=0, max_value=3650, value=0, step=30, key="token_days"
        )
        issue = st.form_submit_button("Issue token", icon=":material/key:", key="token_issue")
    if issue:
        try:
            expires = datetime.now(UTC) + timedelta(days=int(days)) if days else None
            issued = create_token(engine, wards, label, actor=access.actor, expires_at=expires)
        except UserFacingError as exc:
            st.error(str(exc))
        else:
            st.success(
                f"Token {issued.info.id} issued for {issued.info.label} ({', '.join(issued.info.wards)}). "
                "Open this address on the screen; it is shown this once and is not stored:"
            )
            st.code(f"{_app_origin()}{issued.wall_path}", language=None)
    tokens = list_tokens(engine)
    st.dataframe(token_table(tokens), hide_index=True, width="stretch")
    active = [t for t in tokens if t.status() == "active"]
    if active:
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        chosen = c1.selectbox(
            "Revoke",
            [t.id for t in active],
            key="revoke_token_id",
            format_func=lambda i: next(f"{t.id} · {t.label} ({', '.join(t.wards)})" for t in active if t.id == i),
        )
        c2.button(
            "Revoke token", icon=":material/block:", key="revoke_token", on_click=_revoke, args=(access, int(chosen))
        )
    if REVOKED_NOTE in st.session_state:
        st.success(st.session_state.pop(REVOKED_NOTE))


def render_admin_page(access: Access, cfg: AppConfig) -> None:
    st.title("Administration")
    log, tokens = st.tabs(["Audit log", "Wall screen tokens"])
    with log:
        render_audit_log(access, cfg)
    with tokens:
        render_tokens(access, cfg)
