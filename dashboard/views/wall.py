"""Matron wall screen (kiosk): /wall?wards=7A,7B,8C&rotate=30 or /wall?matron=M01."""

import time

import streamlit as st

from dashboard.board import load_config_or_explain, open_board
from dashboard.styles import BOARD_CSS, WALL_CSS, inject
from dashboard.wall_screen import next_turn, wall_html, wall_request

st.set_page_config(layout="wide", initial_sidebar_state="collapsed", page_title="Ward safety wall")
inject(BOARD_CSS + WALL_CSS)
cfg = load_config_or_explain()
if cfg is not None:
    request = wall_request(cfg, st.query_params.to_dict())

    @st.fragment(run_every=request.interval)
    def wall_screen() -> None:
        """Redraws itself: the next ward when its turn is up, and the current snapshot every time."""
        board = open_board()
        if board is None:
            return
        index, since = st.session_state.get("wall_turn", (0, time.time()))
        index, since = next_turn(index, since, time.time(), request.rotate, len(request.wards))
        st.session_state["wall_turn"] = (index, since)
        st.html(wall_html(board, request, index))

    wall_screen()
