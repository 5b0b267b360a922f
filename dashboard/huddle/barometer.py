"""The ward's Safety Barometer beside the huddle: the gauge, each indicator with its RAG and trend, and the aim.

Why this exists: the barometer folds the EPR tiles, incidents, feedback,
workforce and the team's own ratings into one reading per ward
(``metrics.huddle.barometer``); this draws it. The snapshot's share is read
through the store gateway, cached per snapshot.
"""

from __future__ import annotations

from datetime import date
from html import escape

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.common import store_access
from dashboard.common.rag import RAG_STYLES, badge_html
from dashboard.huddle.entry_state import huddle_config
from metrics.huddle.barometer import (
    AIM_STATUS_WORDS,
    BarometerReading,
    IndicatorReading,
    barometer_reading,
    domain_label,
    ward_setup,
)
from metrics.huddle.config import Domain
from metrics.store.barometer import SnapshotPart, barometer_inputs, epr_metric_ids


def sparkline_html(points: tuple[tuple[date, float | None], ...]) -> str:
    """A small trend as a row of bars (plain HTML: the page's HTML sanitiser drops SVG); a gap where there is no value.

    Bars rise from zero to the largest value shown; the title lists the first and last points.
    """
    values = [v for _, v in points if v is not None]
    if len(values) < 2:
        return ""
    top = max(max(values), 1e-9)
    bars = "".join(
        '<i class="hi-gap"></i>' if v is None else f'<i style="height:{max(8.0, 100.0 * v / top):.0f}%"></i>'
        for _, v in points
    )
    first, last = points[0], points[-1]
    label = f"trend from {first[0]:%d %b} to {last[0]:%d %b}"
    return f'<span class="hi-spark" title="{escape(label)}" aria-label="{escape(label)}">{bars}</span>'


def indicator_html(reading: IndicatorReading) -> str:
    badge = badge_html(reading.rag, has_thresholds=bool(reading.thresholds_text))  # no value: "? No data"
    if reading.status == "not_supplied":
        badge = '<span class="ws-badge ws-badge-none">○ Not supplied</span>'
    note = reading.note + (f" RAG: {reading.thresholds_text}." if reading.thresholds_text else "")
    shown = (
        f'<div class="hi-ind-note">{escape(reading.note)}</div>' if reading.status != "ok" else ""
    )  # the rest is in the tooltip
    return (
        f'<div class="hi-ind" data-indicator="{escape(reading.id)}" data-rag="{escape(reading.rag or "")}" '
        f'data-status="{escape(reading.status)}" title="{escape(note)}">'
        f'<div class="hi-ind-label">{escape(reading.label)}</div>'
        '<div class="hi-ind-row"><span '
        f'class="hi-ind-value">{escape(reading.value_text)}</span>{badge}{sparkline_html(reading.trend)}</div>'
        f"{shown}</div>"
    )


def gauge_figure(reading: BarometerReading) -> go.Figure:
    """The overall reading as a gauge, its bands in the RAG colours (the band's word is printed under it too)."""
    gauge = reading.gauge
    steps = [
        {"range": [0, gauge.amber_min], "color": RAG_STYLES["red"].colour},
        {"range": [gauge.amber_min, gauge.green_min], "color": RAG_STYLES["amber"].colour},
        {"range": [gauge.green_min, 100], "color": RAG_STYLES["green"].colour},
    ]
    fig = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=reading.score,
            number={"font": {"size": 30, "color": "#212B32"}, "valueformat": "d"},  # already whole: metrics rounds once
            gauge={
                "axis": {
                    "range": [0, 100],
                    "tickvals": [0, gauge.amber_min, gauge.green_min, 100],
                    "tickfont": {"size": 11},
                },
                "bar": {"color": "#212B32", "thickness": 0.3},
                "steps": steps,
                "borderwidth": 0,
            },
            domain={"x": [0, 1], "y": [0, 1]},
        )
    )
    # Room on every side for the tick labels (0 and 100 sit below the arc's ends, the middle one above it)
    fig.update_layout(height=175, margin={"l": 36, "r": 36, "t": 28, "b": 18}, font={"size": 11})
    return fig


def ward_barometer_reading(ward_code: str, ratings: pd.DataFrame, today: date) -> BarometerReading:
    cfg, hcfg = store_access.app_config(), huddle_config()
    db_url = store_access.database_url()
    snapshot = store_access.current_snapshot(db_url)
    part = (
        store_access.barometer_snapshot_part(db_url, snapshot.id, ward_code, epr_metric_ids(hcfg, ward_code))
        if snapshot
        else SnapshotPart(None, None)
    )
    setup = ward_setup(hcfg.barometer, ward_code, cfg.metrics)
    return barometer_reading(setup, barometer_inputs(part, ratings, today), hcfg.barometer.gauge)


def render_barometer(reading: BarometerReading, ward_code: str) -> None:
    st.html(f'<div class="hi-head" data-barometer="{escape(ward_code)}">Safety Barometer</div>')
    st.caption(
        f"{ward_code}'s own indicators and aim"
        if reading.own_set
        else "The trust's default indicators (this ward has not chosen its own)"
    )
    if reading.score is not None:
        st.plotly_chart(
            gauge_figure(reading),
            width="stretch",
            config={"displayModeBar": False, "staticPlot": True},
            key=f"hi-gauge-{ward_code}",
        )
    band = badge_html(reading.band, has_thresholds=True) if reading.band else badge_html(None)
    score = "No reading" if reading.score is None else f"{reading.score:.0f} / 100"
    st.html(
        f'<div class="hi-reading" data-score="{"" if reading.score is None else f"{reading.score:.1f}"}">'
        f"<b>Overall: {score}</b> {band}<br>{escape(reading.statement)}</div>"
    )
    if reading.not_supplied:
        st.html(
            '<div class="hi-missing">Not supplied by this hospital\'s extract: '
            f'<b>{escape(", ".join(reading.not_supplied))}</b>. '
            "Indicators that need them are shown as not supplied and left out of the reading.</div>"
        )
    aim = reading.aim
    if aim is not None:
        progress = 0.0 if aim.progress is None else aim.progress
        st.html(
            f'<div class="hi-aim" data-aim-status="{escape(aim.status)}"><b>Our aim: {escape(aim.text)}</b>'
            f"<p>{escape(AIM_STATUS_WORDS[aim.status])}: {escape(aim.summary)}</p></div>"
        )
        st.progress(progress, text=f"{progress * 100:.0f}% of the way")
    for domain in Domain:
        chosen = [r for r in reading.indicators if r.domain is domain]
        if chosen:
            st.html(
                f'<div class="hi-domain">{escape(domain_label(domain))}</div>'
                + "".join(indicator_html(r) for r in chosen)
            )
