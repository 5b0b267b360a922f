"""Data status: /status. Everyone sees counts and reasons; only administrators may show quarantined rows' content."""

import streamlit as st

from dashboard.common import access_gate
from dashboard.common.access_gate import enter
from dashboard.common.board import open_board
from dashboard.status.page import render_status_page
from dashboard.common.status_strip import render_status_strip
from dashboard.common.styles import BOARD_CSS, inject
from metrics.access.decisions import Action, View

inject(BOARD_CSS)
access = enter(View.STATUS)
show_raw = False
if access.allows(Action.VIEW_QUARANTINE_RAW):
    show_raw = st.sidebar.toggle(
        "Show quarantined rows' content",
        key="status_show_raw",
        help="The rows may hold patient identifiers: administrators only, and each showing is audited.",
    )
    if show_raw and not st.session_state.get("_status_raw_audited"):
        access.record(access_gate.QUARANTINE_SHOWN)
    st.session_state["_status_raw_audited"] = show_raw
board = open_board(explain=False)  # this page explains problems itself, in full
if board is not None:
    render_status_strip(board)
render_status_page(show_raw=show_raw, show_locations=access.may_see_locations)
