"""The improvement board on the huddle view: a ward's improvement projects, each with its chart and PDSA cycles.

Why this exists: daily coaching control grows improvement out of the huddle (``metrics.improvement.projects``). A
ward opens a project from one of its huddle actions, records each Plan-Do-Study-Act cycle, and reads the measure's
SPC chart with every cycle annotated on it and its limits fixed before the first cycle, so a change that worked shows
as special cause improvement. Ward staff and matrons (``Action.RECORD_HUDDLE_INPUT``) may open projects and add
cycles and annotations; others who may open the huddle read the board. Every entry is added, never changed, and
audited.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import store_access
from dashboard.common.access_gate import Access
from dashboard.common.board import Board
from dashboard.huddle.entry_state import entry_actor
from metrics.access.decisions import Action
from metrics.config.models import Ward
from metrics.errors import UserFacingError
from metrics.huddle.inputs import london_today
from metrics.report.chart_annotations import annotate_figure, rare_event_figure
from metrics.report.spc_chart import spc_figure, variation_icon_label
from metrics.spc.rare import RareEventChart, summary_text

FLASH_KEY = "ib-flash"


def _flash(kind: str, message: str) -> None:
    st.session_state[FLASH_KEY] = (kind, message)


def _save(what: str, write: Any) -> None:
    """Run one write from a form's callback; say what happened on the next run."""
    try:
        new_id = write()
    except UserFacingError as exc:
        _flash("error", str(exc))
        return
    except SQLAlchemyError as exc:
        _flash("error", f"Not saved: the store could not be written ({type(exc).__name__}). Try again.")
        return
    _flash("success", f"{what} #{new_id} saved.")


def _open_project(ward_code: str) -> None:
    state = st.session_state
    ideas = [line for line in str(state.get("ib-ideas", "")).splitlines() if line.strip()]
    action = state.get("ib-action")
    _save(
        "Improvement project",
        lambda: store_access.open_improvement_project(
            store_access.app_config(),
            ward_code=ward_code,
            action_id=None if action in (None, 0) else int(action),
            title=state.get("ib-title", ""),
            problem=state.get("ib-problem", ""),
            metric_id=state.get("ib-metric"),
            aim_target=state.get("ib-aim", ""),
            target_date=state.get("ib-target-date"),
            change_ideas=ideas,
            actor=entry_actor(),
        ),
    )


def _add_cycle(project_id: int) -> None:
    state = st.session_state
    _save(
        "PDSA cycle",
        lambda: store_access.add_improvement_cycle(
            project_id=project_id,
            cycle_date=state.get(f"ib-cycle-date-{project_id}"),
            note=state.get(f"ib-cycle-note-{project_id}", ""),
            actor=entry_actor(),
        ),
    )


def _add_annotation(metric_id: str, ward_code: str, project_id: int) -> None:
    from metrics.store.spc_history import Scope

    state = st.session_state
    _save(
        "Annotation",
        lambda: store_access.add_chart_annotation(
            store_access.app_config(),
            metric_id=metric_id,
            scope=Scope("ward", ward_code),
            on_date=state.get(f"ib-note-date-{project_id}"),
            text=state.get(f"ib-note-text-{project_id}", ""),
            actor=entry_actor(),
        ),
    )


def _verdict(chart: Any) -> str:
    if chart.result is None:
        return "No stored history for this measure on this ward yet."
    if isinstance(chart.result, RareEventChart) and chart.result.last_event is None:
        return "No event in the stored history yet: the days between events are charted from the second one."
    if isinstance(chart.result, RareEventChart) and chart.baseline is None:
        where = (
            "Too few gaps between events before the first cycle to fix a baseline (2 needed)"
            if len(chart.cycles)
            else "No PDSA cycle yet"
        )
        return f"{summary_text(chart.result, 'event')} {where}: the limits come from every gap."
    if chart.baseline is None and len(chart.cycles):
        return (
            "Too little history before the first cycle to fix a baseline (2 days needed): "
            "the limits come from every point."
        )
    if chart.baseline is None:
        return "No PDSA cycle yet: the limits come from every point."
    start, end = chart.baseline
    if isinstance(chart.result, RareEventChart):
        fixed = f"the days between events from {start:%d %b} to {end:%d %b %Y}"
        if chart.shows_improvement:
            return f"Special cause improvement since the first cycle: events further apart than {fixed} allow."
        return f"No special cause improvement since the first cycle yet (limits fixed on {fixed}; longer is better)."
    if chart.shows_improvement:
        return f"Special cause improvement since the first cycle, against limits fixed on {start:%d %b}–{end:%d %b %Y}."
    return f"No special cause improvement since the first cycle yet (limits fixed on {start:%d %b}–{end:%d %b %Y})."


def render_project(board: Board, project: dict[str, Any], today: date, can_record: bool) -> None:
    """One project: problem, aim, change ideas, cycles, the annotated chart, and (to record) the two forms."""
    pid = int(project["id"])
    definition = next((m for m in board.cfg.metrics if m.id == project["metric_id"]), None)
    label = definition.label if definition else str(project["metric_id"])
    aim = f"{label}" + (f": {project['aim_target']}" if project["aim_target"] else "")
    st.markdown(f"**Problem.** {project['problem']}")
    st.markdown(f"**Aim.** {aim}, by {project['target_date']:%d %b %Y}.")
    if project["action_id"]:
        st.caption(f"Opened on {project['opened_on']:%d %b %Y} from huddle action #{int(project['action_id'])}.")
    ideas = list(project["change_ideas"] or [])
    if ideas:
        st.markdown("**Change ideas**\n" + "\n".join(f"- {idea}" for idea in ideas))
    chart = store_access.improvement_project_chart(board.cfg, project)
    cycles = chart.cycles
    if len(cycles):
        st.markdown(
            "**PDSA cycles**\n"
            + "\n".join(
                f"{k + 1}. {row.cycle_date:%d %b %Y}: {row.note} ({row.author})"
                for k, row in enumerate(cycles.itertuples(index=False))
            )
        )
    if chart.result is not None:
        unit = definition.unit if definition else ""
        title = f"{label}: ward {project['ward_code']}"
        if isinstance(chart.result, RareEventChart):
            figure = rare_event_figure(chart.result, f"{title}, days between {unit or 'events'}", "days between")
            days = pd.Series([*chart.result.points["event"], chart.result.as_of], dtype="datetime64[ns]")
        else:
            figure = spc_figure(chart.result, title, unit)
            days = chart.result.points["date"]
        notes = store_access.chart_annotations(str(project["metric_id"]), f"ward:{project['ward_code']}")
        annotate_figure(figure, pd.concat([chart.annotations, notes], ignore_index=True))
        figure.update_layout(height=420)
        short = len(days) and (days.max() - days.min()).days < 14
        figure.update_xaxes(tickformat="%-d %b", **({"dtick": 86_400_000} if short else {}))
        st.plotly_chart(figure, width="stretch", config={"displayModeBar": False}, key=f"ib-chart-{pid}")
        st.caption(f"{variation_icon_label(chart.result.variation_icon)} · {_verdict(chart)}")
    else:
        st.caption(_verdict(chart))
    if not can_record:
        return
    left, right = st.columns(2)
    with left.form(f"ib-cycle-form-{pid}", border=True):
        st.date_input("Cycle date", value=today, max_value=today, key=f"ib-cycle-date-{pid}", format="DD/MM/YYYY")
        st.text_area("What we tried and learnt (Plan, Do, Study, Act)", key=f"ib-cycle-note-{pid}", height=80)
        st.form_submit_button("Add PDSA cycle", on_click=_add_cycle, args=(pid,), width="stretch")
    with right.form(f"ib-note-form-{pid}", border=True):
        st.date_input("Date on the chart", value=today, max_value=today, key=f"ib-note-date-{pid}", format="DD/MM/YYYY")
        st.text_input("Annotation", key=f"ib-note-text-{pid}", max_chars=200)
        st.form_submit_button(
            "Annotate the chart",
            on_click=_add_annotation,
            args=(str(project["metric_id"]), str(project["ward_code"]), pid),
            width="stretch",
        )


def render_open_form(board: Board, ward: Ward, today: date) -> None:
    """The form that opens a project, from one of the ward's huddle actions (or none)."""
    actions = store_access.huddle_actions(ward.code, today)
    choices: dict[int, str] = {0: "(not from an action)"}
    for row in actions.itertuples(index=False):
        choices[int(row.id)] = f"#{int(row.id)} {str(row.text)[:60]}"
    metrics = {m.id: m.label for m in board.cfg.metrics}
    with st.expander("Open an improvement project", icon=":material/add:"):
        with st.form(f"ib-open-{ward.code}", border=False):
            st.selectbox("From huddle action", list(choices), format_func=choices.get, key="ib-action")
            st.text_input("Title", key="ib-title", max_chars=120)
            st.text_area("The problem", key="ib-problem", height=80)
            st.selectbox("Aim: the measure", list(metrics), format_func=metrics.get, key="ib-metric")
            st.text_input("Aim: what we want it to reach", key="ib-aim", max_chars=200)
            st.date_input(
                "Aim: by when",
                value=today + timedelta(days=90),
                min_value=today + timedelta(days=1),
                key="ib-target-date",
                format="DD/MM/YYYY",
            )
            st.text_area("Change ideas (one a line)", key="ib-ideas", height=80)
            st.form_submit_button("Open project", on_click=_open_project, args=(ward.code,), width="stretch")


def render_improvement_board(board: Board, ward: Ward, access: Access | None) -> None:
    """The ward's improvement board: every project (newest first) and, for the ward team, the forms."""
    can_record = access is not None and access.allows(Action.RECORD_HUDDLE_INPUT, ward.code)
    today = london_today(datetime.now(timezone.utc))
    st.subheader("Improvement board")
    shown = st.session_state.pop(FLASH_KEY, None)
    if shown:
        (st.success if shown[0] == "success" else st.error)(shown[1])
    try:
        projects = store_access.improvement_projects([ward.code])
    except SQLAlchemyError as exc:
        st.error(f"The improvement board cannot be read from the store ({type(exc).__name__}).")
        return
    active = [p for p in projects.to_dict("records") if p["target_date"] >= today]
    st.caption(f"{len(active)} active project(s), {len(projects) - len(active)} past their target date.")
    for project in reversed(projects.to_dict("records")):
        state = "active" if project["target_date"] >= today else "past its date"
        with st.expander(f"#{int(project['id'])} {project['title']} ({state})", expanded=len(projects) == 1):
            render_project(board, project, today, can_record)
    if can_record:
        render_open_form(board, ward, today)


def render_improvement_counts(board: Board) -> None:
    """For the executive view: how many improvement projects are active and how many show improvement."""
    counts = store_access.improvement_board_counts(board.snapshot.id, london_today(datetime.now(timezone.utc)))
    st.html(
        f'<div data-improvement-counts="{counts.active}/{counts.showing_improvement}">'
        f"<strong>Improvement projects:</strong> {counts.active} active, "
        f"{counts.showing_improvement} showing special cause improvement.</div>"
    )
