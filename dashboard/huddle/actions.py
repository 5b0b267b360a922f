"""The huddle's actions ("What could go wrong today?"): the list, done and cancel, and the form to add one.

Why this exists: an open action carries over to the next huddle until it is
closed. Writes go through the store gateway, with optimistic concurrency: a
second device closing the same action is told, never silently overwritten.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from html import escape

import pandas as pd
import streamlit as st

from dashboard.common import store_access
from dashboard.huddle.entry_state import LONDON_TZ, entry_actor, flash, huddle_config, london_text, saving
from metrics.huddle.config import HuddleConfig


def _close_action(action_id: int, version: int, status: str) -> None:
    with saving() as outcome:
        store_access.set_huddle_action_status(
            action_id=action_id, expected_version=version, status=status, actor=entry_actor()
        )
    if not outcome.ok:
        return
    flash("success", f"Action #{action_id} marked {status}.")


def _add_action(ward_code: str) -> None:
    state = st.session_state
    with saving() as outcome:
        due_date, due_time = state.get("hi-action-due-date"), state.get("hi-action-due-time")
        due_at = None
        if isinstance(due_date, date) and isinstance(due_time, time):
            due_at = datetime.combine(due_date, due_time, LONDON_TZ).astimezone(timezone.utc)
        action_id = store_access.add_huddle_action(
            store_access.app_config(),
            huddle_config(),
            ward_code=ward_code,
            text=state.get("hi-action-text", ""),
            owner_role=state.get("hi-action-owner"),
            due_at=due_at,
            actor=entry_actor(),
        )
    if not outcome.ok:
        return
    state["hi-action-text"] = ""
    flash("success", f"Action #{action_id} added; it stays on the board until it is closed.")


SOURCE_WORDS = {
    "huddle": "",
    "accreditation": "from an accreditation visit",
    "learning_response": "from learning response",
}


def source_text(row: pd.Series) -> str:
    """Where an action came from, for the one actions list: '' for the huddle's own."""
    source = str(row.get("source") or "huddle")
    words = SOURCE_WORDS.get(source, f"from {source}")
    if source == "learning_response" and pd.notna(row.get("learning_response_id")):
        words += f" #{int(row['learning_response_id'])}"
    return words


def action_html(row: pd.Series, hcfg: HuddleConfig, today: date) -> str:
    owner = escape(hcfg.role_label(row["owner_role"]))
    came_from = source_text(row)
    if came_from:
        owner += f" · {escape(came_from)}"
    due = london_text(row["due_at"])
    if row["status"] == "open":
        classes = "hi-action hi-carried" if row["carried_over"] else "hi-action"
        when = f"carried over from {row['created_on']:%d %b}" if row["carried_over"] else "raised today"
        meta = f"{owner}" + (f" · due {escape(due)}" if due else "") + f" · {escape(when)}"
    else:
        classes = "hi-action hi-closed"
        meta = f"{owner} · {escape(str(row['status']))} at {escape(london_text(row['closed_at']))}"
    return (
        f'<div class="{classes}" data-action="{int(row["id"])}" data-status="{escape(str(row["status"]))}" '
        f'data-carried="{str(bool(row["carried_over"])).lower()}" '
        f'data-source="{escape(str(row.get("source") or "huddle"))}">'
        f"<p>#{int(row['id'])} {escape(str(row['text']))}</p><small>{meta}</small></div>"
    )


def render_actions(ward_code: str, hcfg: HuddleConfig, today: date, now: datetime, can_record: bool) -> None:
    st.html('<div class="hi-head">What could go wrong today?</div>')
    actions = store_access.huddle_actions(ward_code, today)
    open_rows = actions[actions["status"] == "open"] if len(actions) else actions
    st.caption(f"{len(open_rows)} open action(s); open actions carry over to the next huddle until closed.")
    for _, row in actions.iterrows():
        st.html(action_html(row, hcfg, today))
        if row["status"] == "open" and can_record:
            closings = (("Done", "done"), ("Cancel", "cancelled"))
            for column, (label, status) in zip(st.columns(2, gap="small"), closings, strict=True):
                column.button(
                    label,
                    key=f"hi-{label.lower()}-{int(row['id'])}",
                    on_click=_close_action,
                    args=(int(row["id"]), int(row["version"]), status),
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
