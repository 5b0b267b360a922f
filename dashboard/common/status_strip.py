"""The one-line status strip on every view, and the stale banner.

Why this exists: nobody should act on yesterday's numbers thinking they are
today's. Every screen says what moment the data reflects, when it was
loaded, whether it is stale, and how many rows were set aside; a rejected
refresh is said out loud while the last good data stays on screen.
"""

from __future__ import annotations

from datetime import datetime, UTC
from html import escape

import streamlit as st

from dashboard.common.access_demo import DEMO_BANNER_CSS, DEMO_SLOT
from dashboard.common.board import Board
from dashboard.common.disclosure import without_locations
from dashboard.common.formatting import age_text, date_time, day_time


def rows_quarantined(row_counts: dict) -> int:
    """Total quarantined rows over every table of a snapshot's row counts."""
    total = 0
    for counts in (row_counts or {}).values():
        if isinstance(counts, dict):
            total += int(counts.get("quarantined", 0) or 0)
    return total


def data_as_at_text(board: Board) -> str:
    return f"Data as at {day_time(board.snapshot.extracted_at)}"


def status_strip_html(board: Board, with_as_at: bool = True, demo_notice: str = "") -> str:
    """One line: (the demo notice,) data as at, loaded at, stale or current, rows quarantined, a failed refresh.

    ``with_as_at=False`` leaves out 'Data as at' for a screen that already shows it large (the wall).
    """
    fresh = board.freshness
    parts = [demo_notice] if demo_notice else []
    parts += [f"<b>{escape(data_as_at_text(board))}</b>"] if with_as_at else []
    parts.append(f"loaded {escape(day_time(board.snapshot.loaded_at))}")
    if fresh.failed_status:
        when = day_time(fresh.failed_at) if fresh.failed_at else "recently"
        parts.append(
            f"<b>⚠ Latest refresh {escape(fresh.failed_status.upper())} at {escape(when)}: showing the last good "
            "data</b>"
        )
    if fresh.too_old:
        parts.append(f"<b>⚠ STALE ({escape(age_text(fresh.age).removesuffix(' ago'))} old)</b>")
    elif not fresh.failed_status:
        parts.append("✓ Up to date")
    quarantined = rows_quarantined(board.snapshot.row_counts)
    parts.append(f"{quarantined} row{'s' if quarantined != 1 else ''} quarantined")
    cls = "ws-strip ws-strip-stale" if fresh.is_stale else "ws-strip"
    cls += " ws-header" if demo_notice else ""
    return f'<div class="{cls}" data-testid="ws-status-strip" role="status">' + " · ".join(parts) + "</div>"


def stale_banner_text(board: Board, now: datetime | None = None) -> str | None:
    """'DATA IS STALE: reflects 24 Nov 07:30, 26 h ago', or None when the data is current."""
    if not board.freshness.is_stale:
        return None
    now = now or datetime.now(UTC)
    age = now - board.snapshot.extracted_at
    text = f"DATA IS STALE: reflects {date_time(board.snapshot.extracted_at)}, {age_text(age)}"
    if board.freshness.failed_status == "held":
        held = board.freshness.failed_message or "it failed a plausibility check"
        text += f". Today's extract was held: {without_locations(held)}"
    return text


def stale_banner_html(board: Board, detail: bool = True) -> str:
    text = stale_banner_text(board)
    if text is None:
        return ""
    fresh = board.freshness
    extra = ""
    if fresh.failed_status == "held":
        pass  # the reason is in the banner's text
    elif fresh.failed_status and detail:
        message = f": {without_locations(fresh.failed_message)}" if fresh.failed_message else ""  # no path on a board
        extra = f"<small>The latest refresh was {escape(fresh.failed_status)}{escape(message)}</small>"
    elif fresh.failed_status:
        extra = f"<small>The latest refresh was {escape(fresh.failed_status)}</small>"
    return f'<div class="ws-banner" role="alert" data-testid="ws-stale-banner">{escape(text)}{extra}</div>'


def render_status_strip(board: Board) -> None:
    """The strip, and under it the stale banner when the data is stale (for data that really is stale only).

    In demo mode the strip replaces the demo notice drawn at the top of the page, so one header line holds the
    demo notice, the data time and the state.
    """
    slot, notice = st.session_state.pop(DEMO_SLOT, (None, ""))
    html = status_strip_html(board, demo_notice=notice if slot is not None else "") + stale_banner_html(board)
    if slot is not None:
        slot.html(f"<style>{DEMO_BANNER_CSS}</style>{html}")
    else:
        st.html(html)
