"""Ward huddle view (default page): /?ward=7A."""

import streamlit as st

from dashboard.accreditation.panel import render_accreditation_panel
from dashboard.common.access_gate import enter
from dashboard.common.board import load_config_or_explain, open_board
from dashboard.huddle.board import choose_ward, render_huddle_board
from dashboard.huddle.feel_safe_trend import render_feel_safe_trend
from dashboard.huddle.rare_events import render_days_since_harm
from dashboard.huddle.safety_cross import render_safety_cross
from dashboard.improvement.board import render_improvement_board
from dashboard.common.status_strip import render_status_strip
from dashboard.common.styles import BOARD_CSS, inject
from metrics.access.decisions import View

# The sidebar starts folded away: a tablet at the huddle (1024 wide) needs the whole width for the board; the
# ward and the pages are one tap away.
st.set_page_config(initial_sidebar_state="collapsed")
inject(BOARD_CSS)
access = enter(
    View.HUDDLE, ward_code=st.query_params.get("ward")
)  # a known ward outside the principal's is refused here
cfg = load_config_or_explain()
if cfg is not None:
    ward = choose_ward(cfg, access.wards([w.code for w in cfg.wards.wards]))
    board = open_board(ward_code=ward.code)  # the chosen ward's values and SPC only, not the region's
    if board is not None:
        render_status_strip(board)
        render_huddle_board(board, ward, access)  # what needs attention first, above the fold
        render_accreditation_panel(ward.code)
        render_feel_safe_trend(ward.code)
        render_days_since_harm(board, ward)
        render_safety_cross(board, ward, access)
        render_improvement_board(board, ward, access)
