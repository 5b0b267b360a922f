"""The safety cross on the huddle board, and its printable page.

Why this exists: the team reads a month of one harm at a glance, as on the paper cross by the nurses' station
(``metrics.huddle.safety_cross``). Each box carries its colour, a word for the colour (never colour alone) and, on a
red day, the count. The ward's harms come from config/huddle.yaml (``safety_cross``); the page offers the month.
The same HTML downloads as a self-contained page to print.
"""

from __future__ import annotations

from datetime import date
from html import escape

import streamlit as st

from dashboard.common import store_access
from dashboard.common.access_gate import Access
from dashboard.common.board import Board
from dashboard.huddle.entry_state import huddle_config
from metrics.access.decisions import Action
from metrics.config.models import Ward
from metrics.errors import ConfigError
from metrics.huddle.safety_cross import COLOUR_WORDS, HARM_LABELS, SafetyCross, safety_cross

MONTHS_OFFERED = 12
# (row, first column) of each day's box: two arms of two boxes above and below a band of three rows of six.
_ROWS = [(1, 3, 2), (2, 3, 2), (3, 1, 6), (4, 1, 6), (5, 1, 6), (6, 3, 2), (7, 3, 2), (8, 3, 2), (9, 3, 2), (10, 3, 2)]
FILL = {"green": "#007F3B", "amber": "#FFB81C", "red": "#DA291C", "not_yet": "#FFFFFF", "no_data": "#E8EDEE"}
INK = {"green": "#FFFFFF", "amber": "#212B32", "red": "#FFFFFF", "not_yet": "#768692", "no_data": "#4C6272"}

CROSS_CSS = """
.sc-wrap{font-family:Arial,Helvetica,sans-serif;color:#212B32}
.sc-grid{display:grid;grid-template-columns:repeat(6,3.2rem);grid-auto-rows:3.2rem;gap:4px;margin:.4rem 0}
.sc-day{border:1px solid #425563;border-radius:4px;display:flex;flex-direction:column;align-items:center;
 justify-content:center;line-height:1.05}
.sc-day b{font-size:1rem}.sc-day small{font-size:.62rem}.sc-day .sc-n{font-size:1.05rem;font-weight:700}
.sc-key{display:flex;flex-wrap:wrap;gap:.8rem;font-size:.8rem;margin-top:.3rem}
.sc-key span{display:inline-flex;align-items:center;gap:.3rem}
.sc-key i{display:inline-block;width:.9rem;height:.9rem;border:1px solid #425563}
@media print{.sc-day{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def _positions(n_days: int) -> list[tuple[int, int]]:
    spots = [(row, col + k) for row, col, width in _ROWS for k in range(width)]
    return spots[:n_days]


def cross_html(cross: SafetyCross, ward: Ward) -> str:
    """The cross as HTML: a heading, one box per day (number, colour word, count on red days), totals and a key."""
    title = f"{HARM_LABELS[cross.harm]}: {ward.code} {ward.name}, {cross.month:%B %Y}"
    if not cross.supplied:
        return (
            f'<div class="sc-wrap" data-safety-cross="{escape(cross.harm)}"><strong>{escape(title)}</strong>'
            "<p>Incidents: not supplied. This trust's extract carries no incidents table, so the cross "
            "cannot be coloured.</p></div>"
        )
    boxes = []
    for day, (row, col) in zip(cross.days, _positions(len(cross.days)), strict=True):
        word = COLOUR_WORDS[day.colour]
        count = f'<span class="sc-n">{day.harms}</span>' if day.colour == "red" else f"<small>{escape(word)}</small>"
        boxes.append(
            f'<div class="sc-day" data-day="{day.day.isoformat()}" data-colour="{day.colour}" '
            f'data-count="{day.harms}" title="{day.day:%d %b}: {escape(word)}'
            f"{f', {day.harms} harmed' if day.harms else ''}"
            f'{f", {day.near_misses} near miss(es)" if day.near_misses else ""}" '
            f'style="grid-row:{row};grid-column:{col};background:{FILL[day.colour]};color:{INK[day.colour]}">'
            f"<b>{day.day.day}</b>{count}</div>"
        )
    key = "".join(
        f'<span><i style="background:{FILL[c]}"></i>{escape(COLOUR_WORDS[c])}</span>'
        for c in ("green", "amber", "red", "not_yet")
    )
    totals = (
        f"{cross.harms} harmed on {cross.harm_days} day(s); {cross.near_misses} near miss(es); "
        f"{cross.days_without_harm} day(s) without harm."
    )
    return (
        f'<div class="sc-wrap" data-safety-cross="{escape(cross.harm)}"><strong>{escape(title)}</strong>'
        f'<div class="sc-grid">{"".join(boxes)}</div><div>{escape(totals)}</div>'
        f'<div class="sc-key">{key} · a red day shows how many patients were harmed</div></div>'
    )


def printable_cross(cross: SafetyCross, ward: Ward) -> str:
    """A self-contained page holding the cross, to print or pin up."""
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Safety cross {escape(ward.code)}</title>"
        f"<style>{CROSS_CSS} .sc-grid{{grid-template-columns:repeat(6,5rem);grid-auto-rows:5rem}}</style></head>"
        f"<body>{cross_html(cross, ward)}</body></html>"
    )


def _months(data_date: date) -> list[date]:
    """The data's month and the eleven before it, newest first."""
    year, month = data_date.year, data_date.month
    months = []
    for _ in range(MONTHS_OFFERED):
        months.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


def render_safety_cross(board: Board, ward: Ward, access: Access | None) -> None:
    """The ward's safety cross for a chosen harm and month, with a printable copy for those who print at the huddle."""
    try:
        harms = huddle_config().huddle.safety_cross.for_ward(ward.code)
    except ConfigError as exc:
        st.warning("The safety cross needs config/huddle.yaml, which has problems.")
        st.code(str(exc), language=None)
        return
    part = store_access.barometer_snapshot_part(board.db_url, board.snapshot.id, ward.code, ())
    data_date = part.data_date or date.today()
    st.html(f"<style>{CROSS_CSS}</style>")
    st.subheader("Safety cross")
    left, right = st.columns(2)
    harm = left.selectbox("Harm", list(harms), format_func=HARM_LABELS.get, key=f"sc-harm-{ward.code}")
    month = right.selectbox(
        "Month", _months(data_date), format_func=lambda m: f"{m:%B %Y}", key=f"sc-month-{ward.code}"
    )
    cross = safety_cross(part.incidents, str(harm), month, data_date, part.incidents_since)
    st.html(cross_html(cross, ward))
    if access is None or not access.allows(Action.PRINT_SHEET, ward.code):
        return
    st.download_button(
        "Print the safety cross",
        printable_cross(cross, ward),
        file_name=f"safety-cross-{ward.code}-{harm}-{month:%Y-%m}.html",
        mime="text/html",
        icon=":material/print:",
        key=f"sc-print-{ward.code}",
    )
