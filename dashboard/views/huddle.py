"""Ward huddle view (default page): /?ward=7A."""

from dashboard.board import open_board
from dashboard.huddle_board import choose_ward, render_huddle_board
from dashboard.status_strip import render_status_strip
from dashboard.styles import BOARD_CSS, inject

inject(BOARD_CSS)
board = open_board()
if board is not None:
    ward = choose_ward(board.cfg)
    render_status_strip(board)
    render_huddle_board(board, ward)
