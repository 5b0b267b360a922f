"""The administrator's page: the audit log (``audit_log``) and the wall screens' kiosk tokens (``tokens``), as two tabs."""

from __future__ import annotations

import streamlit as st

from dashboard.admin.audit_log import render_audit_log
from dashboard.admin.tokens import render_tokens
from dashboard.common.access_gate import Access
from metrics.config.models import AppConfig


def render_admin_page(access: Access, cfg: AppConfig) -> None:
    st.title("Administration")
    log, tokens = st.tabs(["Audit log", "Wall screen tokens"])
    with log:
        render_audit_log(access, cfg)
    with tokens:
        render_tokens(access, cfg)
