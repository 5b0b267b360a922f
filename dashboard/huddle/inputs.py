"""The huddle's own inputs beside the tiles: the team's 1-5 ratings, the Safety Barometer and the huddle actions.

Why this exists: the reference ward board carries what the team says about
itself ("How reliable are our current processes?", counted per score) and
what it will do ("What could go wrong today?"). The huddle page calls
``render_huddle_inputs(ward_code)`` in its own column; the wall and the
executive views call ``wall_huddle_summary`` and ``exec_huddle_summary``.

Everything is written through ``metrics.huddle.inputs`` (checked, audited,
optimistic concurrency for actions) and read back from the store on every
run, so two devices at the same huddle see each other's entries. A device is
known by a random id kept in the browser session (no personal names). Text
from people or config is escaped before it is drawn as HTML.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta, timezone
from html import escape
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import store_access
from dashboard.common.rag import RAG_STYLES, badge_html
from metrics.export.spreadsheet_csv import safe_csv
from metrics.huddle import inputs as huddle
from metrics.store.audit import Actor, record
from metrics.huddle.barometer import (
    AIM_STATUS_WORDS,
    TREND_DAYS,
    BarometerReading,
    IndicatorReading,
    barometer_reading,
    domain_label,
    ward_setup,
)
from metrics.store.barometer import SnapshotPart, barometer_inputs, epr_metric_ids, snapshot_part
from metrics.errors import ConfigError, UserFacingError
from metrics.huddle.config import Domain, HuddleConfig, RatingKind, load_huddle_config

DEVICE_KEY = "huddle_device"
FLASH_KEY = "hi-flash"
LONDON_TZ = huddle.LONDON
KIND_ORDER = (RatingKind.RELIABILITY, RatingKind.FEEL_SAFE)
SUMMARY_TTL_SECONDS = 10

INPUTS_CSS = """
.hi-head{margin:14px 0 4px 0;font-size:1.15rem;font-weight:700;color:#212B32;border-bottom:2px solid #005EB8}
.hi-sub{margin:10px 0 2px 0;font-size:1rem;font-weight:700;color:#212B32}
.hi-board{background:#fff;border:1px solid #D8DDE0;border-radius:6px;padding:6px 8px;margin:4px 0}
.hi-q{font-size:0.9rem;font-weight:600;color:#212B32;line-height:1.2}
table.hi-counts{border-collapse:collapse;width:100%;margin:4px 0;table-layout:fixed}
table.hi-counts th{font-size:0.8rem;color:#4C6272;font-weight:600;text-align:center;padding:0}
table.hi-counts td{font-size:1.35rem;font-weight:800;text-align:center;border:1px solid #D8DDE0;padding:2px 0;color:#212B32}
table.hi-counts td.hi-zero{color:#AEB7BD;font-weight:600}
.hi-median{font-size:0.85rem;color:#212B32}
.hi-ind{border-bottom:1px solid #E8EDEE;padding:4px 0}
.hi-ind-label{font-size:0.82rem;line-height:1.15;color:#212B32}
.hi-ind-row{display:flex;align-items:center;gap:6px;flex-wrap:wrap}
.hi-ind-value{font-size:1.05rem;font-weight:800;color:#212B32;min-width:2.6em}
.hi-ind-note{font-size:0.75rem;color:#4C6272;line-height:1.15}
.hi-ind .ws-badge{font-size:0.75rem;padding:0 6px}
.hi-spark{display:inline-flex;align-items:flex-end;gap:1px;height:16px;width:56px;margin-left:auto;border-bottom:1px solid #AEB7BD}
.hi-spark i{flex:1;background:#4C6272;display:block;min-width:1px}
.hi-spark i.hi-gap{background:transparent}
.hi-domain{margin:8px 0 0 0;font-size:0.8rem;text-transform:uppercase;letter-spacing:0.04em;color:#4C6272;font-weight:700}
.hi-aim{background:#F0F4F5;border-left:6px solid #005EB8;border-radius:4px;padding:6px 8px;margin:6px 0 2px 0}
.hi-aim b{font-size:0.9rem}
.hi-aim p{margin:2px 0;font-size:0.8rem;color:#212B32}
.hi-reading{font-size:0.8rem;color:#212B32;line-height:1.25}
.hi-missing{font-size:0.8rem;background:#FFF3C4;border-left:6px solid #D55E00;padding:4px 8px;border-radius:4px;margin:4px 0}
.hi-action{background:#fff;border:1px solid #D8DDE0;border-left:6px solid #005EB8;border-radius:4px;padding:4px 8px;margin:4px 0 0 0}
.hi-action.hi-carried{border-left-color:#D55E00}
.hi-action.hi-closed{border-left-color:#AEB7BD;color:#4C6272}
.hi-action p{margin:0;font-size:0.85rem;line-height:1.2}
.hi-action small{font-size:0.75rem;color:#4C6272}
"""


# ---- shared pieces ------------------------------------------------------------------------------


def device_label() -> str:
    """This browser session's device label: a random id, made once per session (never a name)."""
    if DEVICE_KEY not in st.session_state:
        st.session_state[DEVICE_KEY] = f"device-{secrets.token_hex(4)}"
    return str(st.session_state[DEVICE_KEY])


ACTOR_KEY = "hi-actor"  # the page's audit actor for this run (a signed-in user), kept for the callbacks


def _actor(role: str | None = None) -> Actor:
    """Who the audit log names: the page's actor when it gave one (the signed-in user), else this session's device label."""
    given = st.session_state.get(ACTOR_KEY)
    if isinstance(given, Actor):
        return given
    return Actor(device=device_label(), role=role, client="dashboard")


@st.cache_resource(show_spinner=False, max_entries=8)
def _huddle_config(directory: str, signature: tuple) -> HuddleConfig:
    return load_huddle_config(Path(directory), store_access.app_config())


def huddle_config() -> HuddleConfig:
    """The live huddle and barometer configuration; raises ConfigError (never cached) when it is missing or broken."""
    directory = store_access.config_dir()
    return _huddle_config(str(directory), store_access.config_signature(directory))


def _engine():  # type: ignore[no-untyped-def]
    return store_access.engine_for(store_access.database_url())


def _flash(kind: str, message: str) -> None:
    st.session_state[FLASH_KEY] = (kind, message)


def _show_flash() -> None:
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        kind, message = flash
        (st.success if kind == "success" else st.error)(message)


def _current_shift(hcfg: HuddleConfig, now: datetime) -> str:
    """'day' from 07:00 to 18:59 London time, else 'night' (when those shifts exist), else the first shift."""
    codes = hcfg.shift_codes
    local = now.astimezone(LONDON_TZ)
    wanted = "day" if 7 <= local.hour < 19 else "night"
    return wanted if wanted in codes else codes[0]


def _london_text(moment: object) -> str:
    if moment is None or pd.isna(moment):  # type: ignore[arg-type]
        return ""
    local = (
        pd.Timestamp(moment).tz_convert(LONDON_TZ)
        if pd.Timestamp(moment).tzinfo
        else pd.Timestamp(moment).tz_localize("UTC").tz_convert(LONDON_TZ)
    )
    return f"{local:%H:%M} {local.day} {local:%b}"


# ---- the counts per score -----------------------------------------------------------------------


def counts_html(kind: str, question: str, counts: dict[int, int], hints: dict[int, str]) -> str:
    """The reference board's row: each score 1-5 with how many gave it today, then the median."""
    median = huddle.median_score(counts)
    rated = sum(counts.values())
    heads = "".join(f'<th title="{escape(hints.get(s, ""))}">{s}</th>' for s in huddle.SCORES)
    cells = "".join(
        f'<td data-score="{s}" class="{"hi-zero" if counts[s] == 0 else ""}" title="{escape(hints.get(s, ""))}">{counts[s]}</td>'
        for s in huddle.SCORES
    )
    median_text = "–" if median is None else (f"{median:.0f}" if median.is_integer() else f"{median:.1f}")
    return (
        f'<div class="hi-board" data-kind="{escape(kind)}"><div class="hi-q">{escape(question)}</div>'
        f'<table class="hi-counts"><tr>{heads}</tr><tr>{cells}</tr></table>'
        f'<div class="hi-median">Median <b data-median>{median_text}</b> · <span data-rated>{rated}</span> rated today</div></div>'
    )


def _render_counts(frame: pd.DataFrame, hcfg: HuddleConfig, today: date) -> None:
    for kind in KIND_ORDER:
        scale = hcfg.scale(kind)
        st.html(counts_html(kind.value, scale.question, huddle.score_counts(frame, kind.value, today), scale.hints))


# ---- the rating form ----------------------------------------------------------------------------


def _submit_rating(ward_code: str) -> None:
    """Form callback: store the chosen rating(s); runs before the page is drawn again, so the counts include it."""
    state = st.session_state
    scores = {kind.value: state.get(f"hi-score-{kind.value}") for kind in KIND_ORDER}
    if all(v is None for v in scores.values()):
        _flash("error", "Not saved: choose a score from 1 to 5 for at least one question.")
        return
    try:
        cfg, hcfg = store_access.app_config(), huddle_config()
        comment = state.get("hi-comment") or None
        saved = []
        for kind, score in scores.items():
            if score is None:
                continue
            huddle.record_rating(
                _engine(),
                cfg,
                hcfg,
                ward_code=ward_code,
                score=int(score),
                kind=kind,
                huddle_date=state.get("hi-date"),
                shift=state.get("hi-shift"),
                role=state.get("hi-role"),
                comment=comment,
                actor=_actor(state.get("hi-role")),
            )
            comment = None  # the comment goes with the first rating saved
            saved.append(f"{hcfg.scale(kind).label.lower()} {score}")
    except (UserFacingError, ConfigError) as exc:
        _flash("error", str(exc))
        return
    except SQLAlchemyError as exc:
        _flash("error", f"Not saved: the store could not be written ({type(exc).__name__}). Try again.")
        return
    for kind in KIND_ORDER:
        state[f"hi-score-{kind.value}"] = None
    state["hi-comment"] = ""
    state[RATED_KEY] = state.get(RATED_KEY, set()) | {(ward_code.upper(), state.get("hi-date"))}
    _flash("success", "Thank you: " + " and ".join(saved) + " counted.")


RATED_KEY = "hi-rated"  # (ward, date) pairs this session has rated: the form folds away once you have


def _render_rating_form(ward_code: str, hcfg: HuddleConfig, today: date, now: datetime) -> None:
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
            st.session_state["hi-shift"] = _current_shift(hcfg, now)
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


# ---- the 30-day trend ---------------------------------------------------------------------------


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


# ---- the Safety Barometer -----------------------------------------------------------------------


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
        f'<div class="hi-ind" data-indicator="{escape(reading.id)}" data-rag="{escape(reading.rag or "")}" data-status="{escape(reading.status)}" title="{escape(note)}">'
        f'<div class="hi-ind-label">{escape(reading.label)}</div>'
        f'<div class="hi-ind-row"><span class="hi-ind-value">{escape(reading.value_text)}</span>{badge}{sparkline_html(reading.trend)}</div>'
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
            number={"font": {"size": 30, "color": "#212B32"}, "valueformat": ".0f"},
            gauge={
                "axis": {
                    "range": [0, 100],
                    "tickvals": [0, gauge.amber_min, gauge.green_min, 100],
                    "tickfont": {"size": 9},
                },
                "bar": {"color": "#212B32", "thickness": 0.3},
                "steps": steps,
                "borderwidth": 0,
            },
            domain={"x": [0, 1], "y": [0, 1]},
        )
    )
    fig.update_layout(height=150, margin={"l": 28, "r": 28, "t": 12, "b": 0}, font={"size": 10})
    return fig


@st.cache_data(show_spinner=False, max_entries=256)
def _snapshot_part(db_url: str, snapshot_id: int, ward_code: str, metric_ids: tuple[str, ...]) -> SnapshotPart:
    """The snapshot's share of the barometer: immutable per snapshot, so cached by its id."""
    return snapshot_part(store_access.engine_for(db_url), snapshot_id, ward_code, metric_ids)


def ward_barometer_reading(ward_code: str, ratings: pd.DataFrame, today: date) -> BarometerReading:
    cfg, hcfg = store_access.app_config(), huddle_config()
    db_url = store_access.database_url()
    snapshot = store_access.current_snapshot(db_url)
    part = (
        _snapshot_part(db_url, snapshot.id, ward_code, epr_metric_ids(hcfg, ward_code))
        if snapshot
        else SnapshotPart(None, None)
    )
    setup = ward_setup(hcfg.barometer, ward_code, cfg.metrics)
    return barometer_reading(setup, barometer_inputs(part, ratings, today), hcfg.barometer.gauge)


def _render_barometer(reading: BarometerReading, ward_code: str) -> None:
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
            f'<div class="hi-missing">Not supplied by this hospital\'s extract: <b>{escape(", ".join(reading.not_supplied))}</b>. '
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


# ---- huddle actions -----------------------------------------------------------------------------


def _close_action(action_id: int, version: int, status: str) -> None:
    try:
        huddle.set_action_status(
            _engine(), action_id=action_id, expected_version=version, status=status, actor=_actor()
        )
    except UserFacingError as exc:
        _flash("error", str(exc))
        return
    except SQLAlchemyError as exc:
        _flash("error", f"Not saved: the store could not be written ({type(exc).__name__}). Try again.")
        return
    _flash("success", f"Action #{action_id} marked {status}.")


def _add_action(ward_code: str) -> None:
    state = st.session_state
    try:
        due_date, due_time = state.get("hi-action-due-date"), state.get("hi-action-due-time")
        due_at = None
        if isinstance(due_date, date) and isinstance(due_time, time):
            due_at = datetime.combine(due_date, due_time, LONDON_TZ).astimezone(timezone.utc)
        action_id = huddle.add_action(
            _engine(),
            store_access.app_config(),
            huddle_config(),
            ward_code=ward_code,
            text=state.get("hi-action-text", ""),
            owner_role=state.get("hi-action-owner"),
            due_at=due_at,
            actor=_actor(),
        )
    except (UserFacingError, ConfigError) as exc:
        _flash("error", str(exc))
        return
    except SQLAlchemyError as exc:
        _flash("error", f"Not saved: the store could not be written ({type(exc).__name__}). Try again.")
        return
    state["hi-action-text"] = ""
    _flash("success", f"Action #{action_id} added; it stays on the board until it is closed.")


def action_html(row: pd.Series, hcfg: HuddleConfig, today: date) -> str:
    owner = escape(hcfg.role_label(row["owner_role"]))
    due = _london_text(row["due_at"])
    if row["status"] == "open":
        classes = "hi-action hi-carried" if row["carried_over"] else "hi-action"
        when = f"carried over from {row['created_on']:%d %b}" if row["carried_over"] else "raised today"
        meta = f"{owner}" + (f" · due {escape(due)}" if due else "") + f" · {escape(when)}"
    else:
        classes = "hi-action hi-closed"
        meta = f"{owner} · {escape(str(row['status']))} at {escape(_london_text(row['closed_at']))}"
    return (
        f'<div class="{classes}" data-action="{int(row["id"])}" data-status="{escape(str(row["status"]))}" data-carried="{str(bool(row["carried_over"])).lower()}">'
        f"<p>#{int(row['id'])} {escape(str(row['text']))}</p><small>{meta}</small></div>"
    )


def _render_actions(ward_code: str, hcfg: HuddleConfig, today: date, now: datetime, can_record: bool) -> None:
    st.html('<div class="hi-head">What could go wrong today?</div>')
    actions = huddle.actions_for_huddle(_engine(), ward_code, today)
    open_rows = actions[actions["status"] == "open"] if len(actions) else actions
    st.caption(f"{len(open_rows)} open action(s); open actions carry over to the next huddle until closed.")
    for _, row in actions.iterrows():
        st.html(action_html(row, hcfg, today))
        if row["status"] == "open" and can_record:
            done, cancel = st.columns(2, gap="small")
            done.button(
                "Done",
                key=f"hi-done-{int(row['id'])}",
                on_click=_close_action,
                args=(int(row["id"]), int(row["version"]), "done"),
                width="stretch",
            )
            cancel.button(
                "Cancel",
                key=f"hi-cancel-{int(row['id'])}",
                on_click=_close_action,
                args=(int(row["id"]), int(row["version"]), "cancelled"),
                width="stretch",
            )
    if not can_record:
        return
    with st.expander("Add a concern and action", icon=":material/add:"):
        with st.form("hi-action-form", border=False):
            st.text_area(
                "What could go wrong, and what we will do",
                key="hi-action-text",
                max_chars=hcfg.huddle.comment_max_chars,
                height=80,
            )
            role_labels = {r.code: r.label for r in hcfg.huddle.roles}
            st.selectbox("Owner (role)", list(role_labels), key="hi-action-owner", format_func=role_labels.get)
            due = (now.astimezone(LONDON_TZ) + timedelta(hours=4)).replace(
                minute=0, second=0, microsecond=0
            )  # default: four hours on
            if not isinstance(st.session_state.get("hi-action-due-date"), date):
                st.session_state["hi-action-due-date"] = due.date()
            st.date_input("Due date", key="hi-action-due-date", min_value=today, format="DD/MM/YYYY")
            if not isinstance(st.session_state.get("hi-action-due-time"), time):
                st.session_state["hi-action-due-time"] = due.time()
            st.time_input("Due by", key="hi-action-due-time", step=timedelta(minutes=30))
            st.form_submit_button("Add action", on_click=_add_action, args=(ward_code,), width="stretch")


# ---- export -------------------------------------------------------------------------------------


def _exported(ward_code: str, what: str) -> None:
    """Download callback: an export of entries is itself an entry in the audit log."""
    try:
        record(_engine(), _actor(), "entries.export", entity=f"huddle_{what}", ward_code=ward_code.upper())
    except SQLAlchemyError:
        _flash("error", "The export could not be written to the audit log.")


def _render_export(ward_code: str, hcfg: HuddleConfig, today: date) -> None:
    engine = _engine()
    start = today - timedelta(days=365)
    stem = "".join(ch for ch in ward_code if ch.isalnum())[:12]
    ratings_csv = safe_csv(huddle.ratings_export(engine, ward_code, start, today))
    actions_csv = safe_csv(huddle.actions_export(engine, ward_code))
    st.download_button(
        "Ratings (CSV)",
        ratings_csv,
        file_name=f"huddle_ratings_{stem}_{today:%Y-%m-%d}.csv",
        mime="text/csv",
        key="hi-export-ratings",
        on_click=_exported,
        args=(ward_code, "ratings"),
        icon=":material/download:",
        width="stretch",
        help="Every rating of the last year: roles and device labels, no names.",
    )
    st.download_button(
        "Actions (CSV)",
        actions_csv,
        file_name=f"huddle_actions_{stem}_{today:%Y-%m-%d}.csv",
        mime="text/csv",
        key="hi-export-actions",
        on_click=_exported,
        args=(ward_code, "actions"),
        icon=":material/download:",
        width="stretch",
        help="Every action, open and closed.",
    )


# ---- the panel ----------------------------------------------------------------------------------


def render_huddle_inputs(
    ward_code: str, *, can_record: bool = True, can_export: bool = True, actor: Actor | None = None
) -> None:
    """The huddle inputs for ``ward_code``: ratings (counts per score, the form, the trend), the Safety Barometer, actions, export.

    ``can_record`` and ``can_export`` let the page pass its access decision (metrics.access.decisions); without them every
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
        frame = huddle.ratings(
            _engine(), ward_code, today - timedelta(days=max(hcfg.huddle.trend_days, TREND_DAYS)), today
        )
    except SQLAlchemyError as exc:
        st.error(f"The huddle inputs cannot be read from the store ({type(exc).__name__}).")
        return
    st.caption(f"Today, {today:%a} {today.day} {today:%b}: what the team says")
    _show_flash()
    _render_counts(frame, hcfg, today)
    if can_record:
        _render_rating_form(ward_code, hcfg, today, now)
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
    _render_barometer(ward_barometer_reading(ward_code, frame, today), ward_code)
    _render_actions(ward_code, hcfg, today, now, can_record)
    if can_export:
        st.html('<div class="hi-sub">Export</div>')
        _render_export(ward_code, hcfg, today)


# ---- for the wall and the executive views -------------------------------------------------------


@st.cache_data(ttl=SUMMARY_TTL_SECONDS, show_spinner=False, max_entries=256)
def _summaries(db_url: str, ward_codes: tuple[str, ...], on: date) -> list[huddle.HuddleSummary]:
    return huddle.huddle_summaries(store_access.engine_for(db_url), ward_codes, on)


def wall_huddle_summary(ward_code: str) -> dict:
    """Today's reliability ratings counted per score 1-5, their median, how many rated, and the open actions, for a wall screen."""
    today = huddle.london_today()
    summary = _summaries(store_access.database_url(), (ward_code,), today)[0]
    return {
        "ward_code": ward_code,
        "date": today,
        "counts": dict(summary.counts),
        "median": summary.median,
        "rated": summary.rated,
        "open_actions": summary.open_actions,
    }


def exec_huddle_summary(ward_codes: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """One row per ward: ward_code, reliability_median and rated_today (today's reliability ratings) and open_actions."""
    today = huddle.london_today()
    rows = _summaries(store_access.database_url(), tuple(ward_codes), today)
    return pd.DataFrame(
        [
            {
                "ward_code": s.ward_code,
                "reliability_median": s.median,
                "rated_today": s.rated,
                "open_actions": s.open_actions,
            }
            for s in rows
        ],
        columns=["ward_code", "reliability_median", "rated_today", "open_actions"],
    )
