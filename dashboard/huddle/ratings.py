"""The team's 1-5 ratings at the huddle: today's counts per score, the rating form and the trend.

Why this exists: the reference ward board asks "How reliable are our current
processes?" and "How safe do we feel today?", counts each score and shows the
median. A rating is written through the store gateway (checked and audited).
The form starts on the shift now running (``metrics.huddle.shifts``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.common import store_access
from dashboard.huddle.entry_state import entry_actor, flash, huddle_config, saving
from metrics.huddle import inputs as huddle
from metrics.huddle.config import HuddleConfig, RatingKind
from metrics.huddle.shifts import current_shift

KIND_ORDER = (RatingKind.RELIABILITY, RatingKind.FEEL_SAFE)


def counts_html(kind: str, question: str, counts: dict[int, int], hints: dict[int, str]) -> str:
    """The reference board's row: each score 1-5 with how many gave it today, then the median."""
    median = huddle.median_score(counts)
    rated = sum(counts.values())
    heads = "".join(f'<th title="{escape(hints.get(s, ""))}">{s}</th>' for s in huddle.SCORES)
    cells = "".join(
        f'<td data-score="{s}" class="{"hi-zero" if counts[s] == 0 else ""}" '
        f'title="{escape(hints.get(s, ""))}">{counts[s]}</td>'
        for s in huddle.SCORES
    )
    median_text = "–" if median is None else (f"{median:.0f}" if median.is_integer() else f"{median:.1f}")
    return (
        f'<div class="hi-board" data-kind="{escape(kind)}"><div class="hi-q">{escape(question)}</div>'
        f'<table class="hi-counts"><tr>{heads}</tr><tr>{cells}</tr></table>'
        f'<div class="hi-median">Median <b data-median>{median_text}</b> · <span data-rated>{rated}</span> rated '
        'today</div></div>'
    )


def render_counts(frame: pd.DataFrame, hcfg: HuddleConfig, today: date) -> None:
    for kind in KIND_ORDER:
        scale = hcfg.scale(kind)
        st.html(counts_html(kind.value, scale.question, huddle.score_counts(frame, kind.value, today), scale.hints))


def _submit_rating(ward_code: str) -> None:
    """Form callback: store the chosen rating(s); runs before the page is drawn again, so the counts include it."""
    state = st.session_state
    scores = {kind.value: state.get(f"hi-score-{kind.value}") for kind in KIND_ORDER}
    if all(v is None for v in scores.values()):
        flash("error", "Not saved: choose a score from 1 to 5 for at least one question.")
        return
    with saving() as outcome:
        cfg, hcfg = store_access.app_config(), huddle_config()
        comment = state.get("hi-comment") or None
        saved = []
        for kind, score in scores.items():
            if score is None:
                continue
            store_access.record_huddle_rating(
                cfg,
                hcfg,
                ward_code=ward_code,
                score=int(score),
                kind=kind,
                huddle_date=state.get("hi-date"),
                shift=state.get("hi-shift"),
                role=state.get("hi-role"),
                comment=comment,
                actor=entry_actor(state.get("hi-role")),
            )
            comment = None  # the comment goes with the first rating saved
            saved.append(f"{hcfg.scale(kind).label.lower()} {score}")
    if not outcome.ok:
        return
    for kind in KIND_ORDER:
        state[f"hi-score-{kind.value}"] = None
    state["hi-comment"] = ""
    state[RATED_KEY] = state.get(RATED_KEY, set()) | {(ward_code.upper(), state.get("hi-date"))}
    flash("success", "Thank you: " + " and ".join(saved) + " counted.")


RATED_KEY = "hi-rated"  # (ward, date) pairs this browser tab has rated: the form folds away once you have


def render_rating_form(ward_code: str, hcfg: HuddleConfig, today: date, now: datetime) -> None:
    rated = (ward_code.upper(), today) in st.session_state.get(RATED_KEY, set())
    with (
        st.expander("Rate today (1-5)", expanded=not rated, icon=":material/how_to_vote:"),
        st.form("hi-rating-form", border=False),
    ):
        for kind in KIND_ORDER:
            scale = hcfg.scale(kind)
            st.radio(
                scale.question,
                huddle.SCORES,
                index=None,
                key=f"hi-score-{kind.value}",
                format_func=lambda s, hints=scale.hints: f"{s} · {hints[s]}",
            )
        role_labels = {r.code: r.label for r in hcfg.huddle.roles}
        st.selectbox(
            "Your role (optional)",
            list(role_labels),
            index=None,
            key="hi-role",
            format_func=role_labels.get,
            placeholder="Not given",
        )
        shift_labels = {s.code: s.label for s in hcfg.huddle.shifts}
        if st.session_state.get("hi-shift") not in shift_labels:
            st.session_state["hi-shift"] = current_shift(hcfg.huddle.shifts, now)
        st.selectbox("Huddle", list(shift_labels), key="hi-shift", format_func=shift_labels.get)
        if st.session_state.get("hi-date-day") != today:  # a new session, or a screen left open past midnight
            st.session_state["hi-date"], st.session_state["hi-date-day"] = today, today
        st.date_input(
            "Date",
            key="hi-date",
            min_value=today - timedelta(days=hcfg.huddle.late_entry_days),
            max_value=today,
            format="DD/MM/YYYY",
        )
        st.text_input("Comment (optional, no names)", key="hi-comment", max_chars=hcfg.huddle.comment_max_chars)
        st.form_submit_button(
            "Save rating", on_click=_submit_rating, args=(ward_code,), type="primary", width="stretch"
        )


def trend_figure(frame: pd.DataFrame, hcfg: HuddleConfig, today: date) -> go.Figure:
    """Daily median of each rating over the trend window (gaps where nobody rated)."""
    start = today - timedelta(days=hcfg.huddle.trend_days - 1)
    fig = go.Figure()
    for kind, colour, dash in ((RatingKind.RELIABILITY, "#005EB8", "solid"), (RatingKind.FEEL_SAFE, "#D55E00", "dot")):
        daily = huddle.daily_medians(frame, kind.value, start, today)
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(daily["date"]),
                y=daily["median"],
                mode="lines+markers",
                name=hcfg.scale(kind).label,
                line={"color": colour, "dash": dash},
                marker={"size": 5},
                connectgaps=False,
                customdata=daily["rated"],
                hovertemplate="%{x|%d %b}: median %{y} (%{customdata} rated)<extra></extra>",
            )
        )
    fig.update_layout(
        template="simple_white",
        height=200,
        margin={"l": 24, "r": 8, "t": 28, "b": 24},
        title={"text": f"Daily median, last {hcfg.huddle.trend_days} days", "font": {"size": 12}},
        legend={"orientation": "h", "y": -0.3, "font": {"size": 10}},
        font={"size": 10},
    )
    fig.update_yaxes(range=[0.5, 5.5], dtick=1)
    fig.update_xaxes(
        range=[pd.Timestamp(start) - pd.Timedelta(hours=12), pd.Timestamp(today) + pd.Timedelta(hours=12)],
        tickformat="%-d/%-m",
        nticks=4,
    )
    return fig
