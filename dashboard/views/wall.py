"""Matron wall screen (kiosk): /wall?token=… (a kiosk token's wards), /wall?wards=7A,7B,8C&rotate=30 or
/wall?matron=M01."""

import time

import streamlit as st

from dashboard.accreditation.panel import accreditation_wall_badge
from dashboard.common.access_gate import enter
from dashboard.common.access_demo import DEMO_SLOT
from dashboard.common.board import load_config_or_explain, open_board
from dashboard.common.styles import BOARD_CSS, WALL_CSS, inject
from dashboard.common.huddle_summary import wall_huddle_summary
from dashboard.wall.screen import next_turn, wall_html, wall_request
from metrics.access.decisions import Action, PrincipalKind, View

st.set_page_config(layout="wide", initial_sidebar_state="collapsed", page_title="Ward safety wall")
inject(BOARD_CSS + WALL_CSS)
cfg = load_config_or_explain()
if cfg is not None:
    params = st.query_params.to_dict()
    asked = params.get("wards") or params.get("matron")
    access = enter(View.WALL, wall_wards=[w.code for w in wall_request(cfg, params).wards] if asked else None)
    if not asked:  # a token's wall (or a person's) shows the wards it covers
        params = {**params, "wards": ",".join(access.wards([w.code for w in cfg.wards.wards]))}
    request = wall_request(cfg, params)
    for ward in request.wards:  # every ward on the screen must be the principal's: one outside refuses the whole wall
        access.require(Action.VIEW_BOARD, ward.code)

    @st.fragment(run_every=request.interval)
    def wall_screen() -> None:
        """Redraws itself: the next ward when its turn is up, and the current snapshot every time."""
        access.still_valid()  # a revoked or expired token blanks the screen at its next refresh
        board = open_board()
        if board is None:
            return
        index, since = st.session_state.get("wall_turn", (0, time.time()))
        index, since = next_turn(index, since, time.time(), request.rotate, len(request.wards))
        st.session_state["wall_turn"] = (index, since)
        ward = request.wards[index % len(request.wards)]
        notice = st.session_state.get(DEMO_SLOT, (None, ""))[1]
        badge = accreditation_wall_badge(ward.code)
        st.html(wall_html(board, request, index, wall_huddle_summary(ward.code), notice, badge))

    wall_screen()
    if access.principal.kind is not PrincipalKind.KIOSK:  # a signed-in person gets a discreet way back; a kiosk none
        with st.container(key="wall_back"):
            st.page_link("views/huddle.py", label="Back to the board", icon=":material/arrow_back:")
