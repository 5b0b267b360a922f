"""The administrator's page: the audit log (``audit_log``) and the wall screens' kiosk tokens (``tokens``), as two tabs.

When the store cannot be reached the page says so plainly, with the store's
URL (without its password) for the administrator, rather than a traceback.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.admin.audit_log import render_audit_log
from dashboard.admin.tokens import render_tokens
from dashboard.common import store_access
from dashboard.common.access_gate import Access
from dashboard.common.board import explain_store_unreachable
from metrics.config.models import AppConfig


def render_admin_page(access: Access, cfg: AppConfig) -> None:
    st.title("Administration")
    try:
        log, tokens = st.tabs(["Audit log", "Wall screen tokens"])
        with log:
            render_audit_log(access, cfg)
        with tokens:
            render_tokens(access, cfg)
    except SQLAlchemyError as exc:
        explain_store_unreachable(exc, store_access.database_url(), access.may_see_locations)
