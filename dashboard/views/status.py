"""Data status: /status."""

from dashboard.board import open_board
from dashboard.data_status import render_status_page
from dashboard.status_strip import render_status_strip
from dashboard.styles import BOARD_CSS, inject

# Issue 8: raw quarantined rows may identify patients; administrators only, once access control exists.
show_raw = False

inject(BOARD_CSS)
board = open_board(explain=False)  # this page explains problems itself, in full
if board is not None:
    render_status_strip(board)
render_status_page(show_raw=show_raw)
