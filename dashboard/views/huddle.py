"""Ward huddle view (default page): /?ward=7A."""

import streamlit as st

from dashboard.common.access_gate import enter
from dashboard.common.board import open_board
from dashboard.huddle.board import choose_ward, render_huddle_board
from dashboard.huddle.feel_safe_trend import render_feel_safe_trend
from dashboard.common.status_strip import render_status_strip
from dashboard.common.styles import BOARD_CSS, inject
from metrics.access.decisions import View

st.set_page_config(initial_sidebar_state="auto")  # a tablet at the huddle opens with the sidebar folded away
inject(BOARD_CSS)
access = enter(
    View.HUDDLE, ward_code=st.query_params.get("ward")
)  # a known ward outside the principal's is refused here
board = open_board()
if board is not None:
    ward = choose_ward(board.cfg, access.wards([w.code for w in board.cfg.wards.wards]))
    render_status_strip(board)
    render_huddle_board(board, ward, access)
    render_feel_safe_trend(ward.code)
