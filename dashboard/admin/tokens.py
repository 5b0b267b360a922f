"""The wall screens' kiosk tokens: issue, list and revoke them.

Why this exists: a corridor screen has nobody signed in. It holds a token in
its address, scoped to its wards and to the wall alone. Tokens are issued and
revoked through the store gateway (``metrics.access.kiosk_tokens`` audits both);
a new token is shown once and never again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from dashboard.admin.section import open_section
from dashboard.common import store_access
from dashboard.common.access_gate import Access
from metrics.access.decisions import Action
from metrics.config.models import AppConfig
from metrics.errors import UserFacingError
from metrics.rules.clock import LONDON

DEFAULT_EXPIRY_DAYS = 90  # a forgotten wall token lapses by itself; 0 (never) is a deliberate choice


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
    info = store_access.revoke_kiosk_token(token_id, actor=access.actor)
    st.session_state[REVOKED_NOTE] = (
        f"Token {info.id} ({info.label}) revoked: its screen shows a refusal from its next refresh."
    )


def render_tokens(access: Access, cfg: AppConfig) -> None:
    open_section(
        access,
        Action.MANAGE_TOKENS,
        "Wall screen tokens",
        "A corridor screen has nobody signed in: it holds a token in its address, scoped to its wards and to "
        "the wall alone. Only a hash of each token is kept. Also: python -m metrics kiosk-token create|list|revoke.",
    )
    with st.form("issue_token", clear_on_submit=True):
        c1, c2, c3 = st.columns([2, 2, 1])
        label = c1.text_input("Label (where the screen is)", placeholder="Ward 7 corridor", key="token_label")
        wards = c2.multiselect("Wards", [w.code for w in cfg.wards.wards], key="token_wards")
        days = c3.number_input(
            "Expires in days (0: never)",
            min_value=0,
            max_value=3650,
            value=DEFAULT_EXPIRY_DAYS,
            step=30,
            key="token_days",
        )
        issue = st.form_submit_button("Issue token", icon=":material/key:", key="token_issue")
    if issue:
        try:
            expires = datetime.now(UTC) + timedelta(days=int(days)) if days else None
            issued = store_access.create_kiosk_token(wards, label, actor=access.actor, expires_at=expires)
        except UserFacingError as exc:
            st.error(str(exc))
        else:
            st.success(
                f"Token {issued.info.id} issued for {issued.info.label} ({', '.join(issued.info.wards)}). "
                "Open this address on the screen; it is shown this once and is not stored:"
            )
            st.code(f"{_app_origin()}{issued.wall_path}", language=None)
    tokens = store_access.list_kiosk_tokens()
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
