"""Executive wall: /exec (one screenful of every ward; ?rotate=SECONDS turns a region's pages, ?page=N picks one)
and its analyst mode /exec?mode=analyst (every measure, scrolls; ?sort=reds&metric=ID&scope=trust|site:CODE|ward:CODE).
"""

import streamlit as st

from dashboard.common.access_gate import enter
from dashboard.common.board import open_board
from dashboard.exec.layout import render_exec_view
from dashboard.common.status_strip import render_status_strip
from dashboard.common.styles import BOARD_CSS, inject
from metrics.access.decisions import View

inject(BOARD_CSS)
enter(View.EXEC)  # every ward, aggregate only: executives and analysts
# Only once let in: a refusal keeps the sidebar, and its sign-out, in view. A leadership screen: the grid gets the
# width.
st.set_page_config(layout="wide", initial_sidebar_state="collapsed", page_title="Executive wall")
board = open_board(with_yesterday=False)  # no 'since yesterday' on this view
if board is not None:
    render_status_strip(board)
    render_exec_view(board)
