"""'How safe do we feel today?' over the last 90 days, read as an SPC chart: a small panel on the huddle view.

Why this exists: the team's own answer is an early signal of whether care will be safe later today (the
Health Foundation's "anticipation and preparedness" question), and a drift in it means more than one low day.
The answers are already stored (append-only, audited) with every huddle rating; this panel reads each day's median
and charts it as an XmR chart in the Making Data Count style (``metrics.spc``), higher being better. It draws only;
it computes no rule and writes nothing. Self-contained so the huddle layout can place it with one call.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import store_access
from metrics.huddle import inputs as huddle
from metrics.huddle.config import RatingKind
from metrics.report.spc_chart import spc_figure, variation_icon_label
from metrics.spc.xmr import SpcResult, spc

WINDOW_DAYS = 90
MIN_RATED_DAYS = 10  # fewer days with a rating make limits that mean little: the panel says so instead


def feel_safe_spc(ratings: pd.DataFrame, today: date, days: int = WINDOW_DAYS) -> SpcResult | None:
    """The XmR chart of the daily median 'how safe do we feel' score over ``days`` up to ``today``; None when
    fewer than MIN_RATED_DAYS days have a rating. Days nobody rated are gaps, never zero."""
    start = today - timedelta(days=days - 1)
    daily = huddle.daily_medians(ratings, RatingKind.FEEL_SAFE.value, start, today)
    if int(daily["median"].notna().sum()) < MIN_RATED_DAYS:
        return None
    values = pd.to_numeric(daily["median"], errors="coerce")
    return spc(pd.to_datetime(daily["date"]), values, improvement="increase")


def render_feel_safe_trend(ward_code: str, today: date | None = None) -> None:
    """The panel: the chart with its variation reading, or a line saying why there is none yet."""
    today = today or huddle.london_today(datetime.now(timezone.utc))
    st.html('<div class="hi-sub">How safe do we feel? The last 90 days as an SPC chart</div>')
    try:
        ratings = store_access.huddle_ratings(ward_code, today - timedelta(days=WINDOW_DAYS - 1), today)
    except SQLAlchemyError as exc:
        st.caption(f"The ratings cannot be read from the store ({type(exc).__name__}).")
        return
    result = feel_safe_spc(ratings, today)
    if result is None:
        st.caption(f"Fewer than {MIN_RATED_DAYS} days with a rating in the last {WINDOW_DAYS} days: no chart yet.")
        return
    fig = spc_figure(result, "Daily median: how safe do we feel (1-5)", "median score")
    fig.update_layout(height=280, margin={"l": 48, "r": 12, "t": 40, "b": 40}, font={"size": 10})
    fig.update_yaxes(range=[0.5, 5.5], dtick=1)
    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False}, key=f"feel-safe-spc-{ward_code}")
    st.caption(f"Variation: {variation_icon_label(result.variation_icon)}. Higher is better.")
