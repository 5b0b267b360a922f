"""The huddle's own inputs beside the tiles: the team's 1-5 ratings, the Safety Barometer and the huddle actions.

Why this exists: the reference ward board carries what the team says about
itself ("How reliable are our current processes?", counted per score) and
what it will do ("What could go wrong today?"). The huddle page calls
``render_huddle_inputs(ward_code)`` in its own column; the parts are drawn by
``ratings``, ``barometer``, ``actions`` and ``export`` beside this module.

Everything is written through the store gateway (``dashboard.common.store_access``,
then ``metrics.huddle.inputs``: checked, audited, optimistic concurrency for
actions) and read back from the store on every run, so two devices at the same
huddle see each other's entries. A device is known by a random id kept in the
browser session (no personal names). Text from people or config is escaped
before it is drawn as HTML.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from html import escape

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import store_access
from dashboard.huddle.actions import render_actions
from dashboard.huddle.barometer import render_barometer, ward_barometer_reading
from dashboard.huddle.entry_state import ACTOR_KEY, huddle_config, show_flash
from dashboard.huddle.export import render_export
from dashboard.huddle.ratings import render_counts, render_rating_form, trend_figure
from metrics.errors import ConfigError
from metrics.huddle import inputs as huddle
from metrics.huddle.barometer import TREND_DAYS
from metrics.store.audit import Actor

INPUTS_CSS = """
.hi-head{margin:14px 0 4px 0;font-size:1.15rem;font-weight:700;color:#212B32;border-bottom:2px solid #005EB8}
.hi-sub{margin:10px 0 2px 0;font-size:1rem;font-weight:700;color:#212B32}
.hi-board{background:#fff;border:1px solid #D8DDE0;border-radius:6px;padding:6px 8px;margin:4px 0}
.hi-q{font-size:0.9rem;font-weight:600;color:#212B32;line-height:1.2}
table.hi-counts{border-collapse:collapse;width:100%;margin:4px 0;table-layout:fixed}
table.hi-counts th{font-size:0.8rem;color:#4C6272;font-weight:600;text-align:center;padding:0}
table.hi-counts td{font-size:1.35rem;font-weight:800;text-align:center;border:1px solid #D8DDE0;padding:2px 0;
color:#212B32}
table.hi-counts td.hi-zero{color:#AEB7BD;font-weight:600}
.hi-median{font-size:0.85rem;color:#212B32}
.hi-ind{border-bottom:1px solid #E8EDEE;padding:4px 0}
.hi-ind-label{font-size:0.82rem;line-height:1.15;color:#212B32}
.hi-ind-row{display:flex;align-items:center;gap:6px;flex-wrap:wrap}
.hi-ind-value{font-size:1.05rem;font-weight:800;color:#212B32;min-width:2.6em}
.hi-ind-note{font-size:0.75rem;color:#4C6272;line-height:1.15}
.hi-ind .ws-badge{font-size:0.75rem;padding:0 6px}
.hi-spark{display:inline-flex;align-items:flex-end;gap:1px;height:16px;width:56px;margin-left:auto;
border-bottom:1px solid #AEB7BD}
.hi-spark i{flex:1;background:#4C6272;display:block;min-width:1px}
.hi-spark i.hi-gap{background:transparent}
.hi-domain{margin:8px 0 0 0;font-size:0.8rem;text-transform:uppercase;letter-spacing:0.04em;color:#4C6272;
font-weight:700}
.hi-aim{background:#F0F4F5;border-left:6px solid #005EB8;border-radius:4px;padding:6px 8px;margin:6px 0 2px 0}
.hi-aim b{font-size:0.9rem}
.hi-aim p{margin:2px 0;font-size:0.8rem;color:#212B32}
.hi-reading{font-size:0.8rem;color:#212B32;line-height:1.25}
.hi-missing{font-size:0.8rem;background:#FFF3C4;border-left:6px solid #D55E00;padding:4px 8px;border-radius:4px;
margin:4px 0}
.hi-action{background:#fff;border:1px solid #D8DDE0;border-left:6px solid #005EB8;border-radius:4px;padding:4px 8px;
margin:4px 0 0 0}
.hi-action.hi-carried{border-left-color:#D55E00}
.hi-action.hi-closed{border-left-color:#AEB7BD;color:#4C6272}
.hi-action p{margin:0;font-size:0.85rem;line-height:1.2}
.hi-action small{font-size:0.75rem;color:#4C6272}
"""


def render_huddle_inputs(
    ward_code: str, *, can_record: bool = True, can_export: bool = True, actor: Actor | None = None
) -> None:
    """The huddle inputs for ``ward_code``: ratings (counts per score, the form, the trend), the Safety Barometer,
    actions, export.

    ``can_record`` and ``can_export`` let the page pass its access decision (metrics.access.decisions); without them
    every
    visitor may record and export. ``actor`` (e.g. the page's ``Access.actor``) is who the audit log names; without
    it, this browser session's random device label. A rating row itself keeps only the device/session label.
    """
    if actor is not None:
        st.session_state[ACTOR_KEY] = actor
    st.html(f"<style>{INPUTS_CSS}</style>")
    st.html(f'<div class="hi-head" data-huddle-inputs="{escape(ward_code)}">Huddle inputs</div>')
    try:
        hcfg = huddle_config()
    except ConfigError as exc:
        st.warning("The huddle inputs need config/huddle.yaml and config/barometer.yaml, which have problems.")
        st.code(str(exc), language=None)
        return
    now = datetime.now(timezone.utc)
    today = huddle.london_today(now)
    try:
        frame = store_access.huddle_ratings(
            ward_code, today - timedelta(days=max(hcfg.huddle.trend_days, TREND_DAYS)), today
        )
    except SQLAlchemyError as exc:
        st.error(f"The huddle inputs cannot be read from the store ({type(exc).__name__}).")
        return
    st.caption(f"Today, {today:%a} {today.day} {today:%b}: what the team says")
    show_flash()
    render_counts(frame, hcfg, today)
    if can_record:
        render_rating_form(ward_code, hcfg, today, now)
    recent = frame[frame["huddle_date"] > today - timedelta(days=hcfg.huddle.trend_days)] if len(frame) else frame
    if len(recent):
        st.plotly_chart(
            trend_figure(frame, hcfg, today),
            width="stretch",
            config={"displayModeBar": False},
            key=f"hi-trend-{ward_code}",
        )
    else:
        st.caption(f"No ratings in the last {hcfg.huddle.trend_days} days yet: the trend starts with the first one.")
    render_barometer(ward_barometer_reading(ward_code, frame, today), ward_code)
    render_actions(ward_code, hcfg, today, now, can_record)
    if can_export:
        st.html('<div class="hi-sub">Export</div>')
        render_export(ward_code, hcfg, today)
