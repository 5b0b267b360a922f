"""The system view across trusts: /system (?metric=KEY&month=YYYY-MM&level=ward|trust). Aggregate bundles only."""

import streamlit as st

from dashboard.common.access_gate import enter
from dashboard.common.styles import BOARD_CSS, inject
from dashboard.system.page import render_system_page
from metrics.access.decisions import View

inject(BOARD_CSS)
enter(View.SYSTEM)  # the system role: every trust's aggregates, never a patient row (the hub holds none)
st.set_page_config(layout="wide", initial_sidebar_state="collapsed", page_title="System view")
render_system_page()
