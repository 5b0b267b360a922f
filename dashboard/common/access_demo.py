"""Demo mode's principal: a role picker in the sidebar, and the banner every demo page carries.

Why this exists: demo mode (``mode: demo`` in access.yaml, never a fallback)
lets anyone see what each role may see, over synthetic data. A fresh session
starts as the least role the page it opened needs.
"""

from __future__ import annotations

from html import escape
from typing import Any

import streamlit as st

from metrics.access.decisions import ROLE_LABELS, Principal, PrincipalKind, Role, View, demo_principal
from metrics.config.models import AppConfig

DEMO_ROLE = "access_demo_role"
DEMO_WARD = "access_demo_ward"
DEMO_MATRON = "access_demo_matron"
DEMO_ROLES = (
    Role.WARD_STAFF,
    Role.MATRON,
    Role.EXECUTIVE,
    Role.ANALYST,
    Role.ADMINISTRATOR,
    Role.ASSESSOR,
    Role.SYSTEM,
)
# The role a fresh demo session starts as on each page: the least the page needs (the picker changes it).
DEMO_START: dict[View, Role] = {
    View.HUDDLE: Role.WARD_STAFF,
    View.STATUS: Role.WARD_STAFF,
    View.EXEC: Role.EXECUTIVE,
    View.SPC: Role.ANALYST,
    View.ADMIN: Role.ADMINISTRATOR,
    View.WALL: Role.MATRON,
    View.ACCREDITATION: Role.ASSESSOR,  # the page is for recording visits; the picker shows what others see
    View.SYSTEM: Role.SYSTEM,
}
DEMO_BANNER_CSS = """
.ws-demo{margin:0 0 8px 0;padding:6px 12px;border-radius:4px;background:#330072;color:#fff;font-weight:700;
font-size:0.95rem}
.ws-demo span{font-weight:400}
.ws-demo-chip{display:inline-block;padding:0 8px;border-radius:4px;background:#330072;color:#fff;font-weight:700;
white-space:normal}
.ws-demo-chip span{font-weight:400}
"""


def _persisted_select(label: str, options: list[Any], store_key: str, widget_key: str, **kwargs: Any) -> Any:
    """A sidebar selectbox whose choice survives pages that do not draw it (Streamlit drops unrendered widgets'
    state)."""
    if st.session_state.get(store_key) not in options:
        st.session_state[store_key] = options[0]
    st.session_state[widget_key] = st.session_state[store_key]

    def keep() -> None:
        st.session_state[store_key] = st.session_state[widget_key]
        st.query_params.pop("ward", None)  # a new demo role starts on its own first ward, not a refusal of the old one

    st.sidebar.selectbox(label, options, key=widget_key, on_change=keep, **kwargs)
    return st.session_state[store_key]


def _demo_start(cfg: AppConfig, view: View, ward_hint: str | None) -> None:
    """A fresh demo session starts as the least role the page it opened needs (the ward from the URL for ward staff)."""
    st.session_state[DEMO_ROLE] = DEMO_START[view].value
    hinted = cfg.ward(ward_hint) if ward_hint else None
    st.session_state[DEMO_WARD] = hinted.code if hinted else cfg.wards.wards[0].code
    matrons = [m.code for m in cfg.wards.matrons]
    if matrons:
        st.session_state[DEMO_MATRON] = hinted.matron if hinted else matrons[0]


def demo_session_principal(cfg: AppConfig, view: View, ward_hint: str | None, picker: bool) -> Principal:
    if DEMO_ROLE not in st.session_state:
        _demo_start(cfg, view, ward_hint)
    codes = [w.code for w in cfg.wards.wards]
    matrons = {m.code: m.name for m in cfg.wards.matrons}
    role = Role(st.session_state[DEMO_ROLE])
    if picker:
        st.sidebar.markdown("**Demo: view as**")
        role = Role(
            _persisted_select(
                "Role",
                [r.value for r in DEMO_ROLES],
                DEMO_ROLE,
                "_demo_role_widget",
                format_func=lambda r: ROLE_LABELS[Role(r)].capitalize(),
            )
        )
        if role is Role.WARD_STAFF:
            _persisted_select("Ward staff of", codes, DEMO_WARD, "_demo_ward_widget")
        elif role is Role.MATRON and matrons:
            _persisted_select(
                "Matron",
                list(matrons),
                DEMO_MATRON,
                "_demo_matron_widget",
                format_func=lambda c: f"{c} · {matrons.get(c, c)}",
            )
    if role is Role.WARD_STAFF:
        return demo_principal(role, [st.session_state.get(DEMO_WARD) or codes[0]])
    if role is Role.MATRON:
        matron = st.session_state.get(DEMO_MATRON)
        wards = [w.code for w in cfg.wards.wards if w.matron == matron] or codes
        return demo_principal(role, wards)
    return demo_principal(role)


DEMO_SLOT = "_demo_header_slot"


def demo_notice_html(as_whom: str) -> str:
    """The demo notice as an inline chip: it opens the one header line (``status_strip``) or stands alone."""
    return (
        '<span class="ws-demo-chip" role="note" data-testid="demo-banner" '
        'title="Not for real patients: set mode: oidc in config/access.yaml.">DEMO: synthetic data, no sign-in. '
        f"<span>Viewing as {escape(as_whom)}.</span></span>"
    )


def demo_banner(principal: Principal, view: View, token: str | None) -> None:
    """The notice every demo page carries: synthetic data, no sign-in, and who the page is being viewed as.

    It is drawn at once (a refusal still says it is a demo) into a slot the status strip later fills with the one
    header line: demo notice, data time and state together.
    """
    as_whom = "a wall screen" if principal.kind is PrincipalKind.KIOSK and token is None else principal.describe()
    notice = demo_notice_html(as_whom)
    if view is View.WALL:  # the wall draws the notice in its own head, never over the ward's name
        st.session_state[DEMO_SLOT] = (None, notice)
        st.html(f"<style>{DEMO_BANNER_CSS}</style>")
        return
    slot = st.empty()
    slot.html(f'<style>{DEMO_BANNER_CSS}</style><div class="ws-demo">{notice}</div>')
    st.session_state[DEMO_SLOT] = (slot, notice)
