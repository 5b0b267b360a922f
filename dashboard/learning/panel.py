"""The huddle's learning panel: harm incidents whose learning response is due or overdue, recurring themes, and
the form that records a response (and the action it agreed).

Why this exists: under PSIRF each harm incident gets a swarm huddle, an
after-action review, or none with a reason (``metrics.learning.responses``
decides what is due and counts the themes). The panel draws what the store
says; a response is only ever added, through the store gateway, with its
audit row, and an action agreed at the response joins the ward's one actions
list, marked as coming from it. The incident's reference is never shown: an
incident reads as its kind, harm and date.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from html import escape

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import store_access
from dashboard.common.board import Board, panel_config_or_warn
from dashboard.huddle.entry_state import entry_actor, huddle_config
from metrics.errors import ConfigError, UserFacingError
from metrics.learning.config import LearningFile
from metrics.learning.responses import london_date, themes

LEARNING_CSS = """
.ln-counts{display:flex;gap:8px;margin:2px 0 6px 0}
.ln-count{border:1px solid #D8DDE0;border-radius:4px;padding:2px 10px;font-size:0.9rem;background:#fff}
.ln-count b{font-size:1.2rem;margin-right:4px}
.ln-count.ln-overdue{border-left:6px solid #D5281B}
.ln-count.ln-due{border-left:6px solid #FFB81C}
.ln-count.ln-responded{border-left:6px solid #007F3B}
table.ln-list{border-collapse:collapse;width:100%;font-size:0.85rem;background:#fff}
table.ln-list th,table.ln-list td{border-bottom:1px solid #D8DDE0;padding:3px 6px;text-align:left;vertical-align:top}
table.ln-list th{background:#E8EDEE}
.ln-status,.ln-dueby{font-weight:700;white-space:nowrap}
.ln-dueby{font-weight:400}
.ln-status-overdue{color:#D5281B}.ln-status-due{color:#7A5200}.ln-status-responded{color:#007F3B}
.ln-themes{font-size:0.85rem;margin:6px 0}
"""
STATUS_WORDS = {"overdue": "✖ Overdue", "due": "● Due", "responded": "✔ Responded"}
RESPONDED_SHOWN = 5
FLASH_KEY = "ln-flash"  # the panel's own message after a save (the huddle inputs keep theirs)


def flash(kind: str, message: str) -> None:
    st.session_state[FLASH_KEY] = (kind, message)


def show_flash() -> None:
    shown = st.session_state.pop(FLASH_KEY, None)
    if shown:
        kind, message = shown
        (st.success if kind == "success" else st.error)(message)


INCIDENT_WORDS = {"FALL": "Fall", "PRESSURE_ULCER": "Pressure ulcer", "MEDICATION": "Medication incident"}


def incident_text(row: pd.Series) -> str:
    """An incident as the ward reads it, never its reference: 'Fall · moderate harm · 3 Dec'."""
    harm = str(row["harm_level"])
    category = row["pressure_ulcer_category"]
    detail = f"category {int(category)}" if category is not None and not pd.isna(category) else f"{harm} harm"
    kind = INCIDENT_WORDS.get(str(row["incident_type"]), str(row["label"]))
    return f"{kind} · {detail} · {row['occurred_on'].day} {row['occurred_on']:%b}"


def _response_text(row: pd.Series, cfg: LearningFile) -> str:
    if row["status"] != "responded":
        return ""
    kind = cfg.responses[str(row["kind"])].label
    if row["kind"] == "none":
        return f"{kind}: {row['reason']}"
    factors = ", ".join(cfg.factor_label(f) for f in row["factors"]) or "no factor named"
    held = row["held_on"]
    return f"{kind} held {held.day} {held:%b} · {factors}"


def learning_list_html(status: pd.DataFrame, cfg: LearningFile) -> str:
    """Counts, then overdue and due incidents and the latest responded ones, as one table."""
    counts = status["status"].value_counts() if len(status) else pd.Series(dtype=int)
    boxes = "".join(
        f'<span class="ln-count ln-{s}" data-count="{s}"><b>{int(counts.get(s, 0))}</b>{escape(w)}</span>'
        for s, w in (("overdue", "overdue"), ("due", "due"), ("responded", "responded"))
    )
    shown = pd.concat(
        [status[status["status"] != "responded"], status[status["status"] == "responded"].head(RESPONDED_SHOWN)]
    )
    if shown.empty:
        body = f'<tr><td colspan="4">No harm incident in the last {cfg.lookback_days} days needs a learning response.</td></tr>'  # noqa: E501
    else:
        body = "".join(
            f'<tr data-status="{escape(str(r["status"]))}"><td>{escape(incident_text(r))}</td>'
            f'<td class="ln-status ln-status-{escape(str(r["status"]))}">{escape(STATUS_WORDS[str(r["status"])])}</td>'
            f'<td class="ln-dueby">{r["due_on"].day} {r["due_on"]:%b}</td><td>{escape(_response_text(r, cfg))}</td></tr>'  # noqa: E501
            for _, r in shown.iterrows()
        )
    return (
        f'<div class="ln-counts">{boxes}</div><table class="ln-list"><thead><tr><th>Harm incident</th>'
        f"<th>Response</th><th>Due by</th><th>What was done</th></tr></thead><tbody>{body}</tbody></table>"
    )


def themes_html(status: pd.DataFrame, cfg: LearningFile, today: date) -> str:
    found = themes(status, cfg, today)
    if not found:
        text = f"No contributory factor named in {cfg.theme_min_responses} or more responses in the last {cfg.theme_window_days} days."  # noqa: E501
    else:
        text = "Recurring themes: " + "; ".join(
            f'<span data-theme="{escape(t.code)}">{escape(t.label)} ({t.responses} responses)</span>' for t in found
        )
        return f'<div class="ln-themes">{text}</div>'
    return f'<div class="ln-themes">{escape(text)}</div>'


def _save_response(ward_code: str, snapshot_id: int) -> None:
    state = st.session_state
    try:
        actor = entry_actor()
        response_id = store_access.record_learning_response(
            snapshot_id=snapshot_id,
            ward_code=ward_code,
            incident_id=state.get("ln-incident"),
            kind=state.get("ln-kind"),
            held_on=state.get("ln-held-on"),
            reason=state.get("ln-reason"),
            factors=list(state.get("ln-factors") or []),
            summary=state.get("ln-summary"),
            actor=actor,
        )
        action_text = " ".join(str(state.get("ln-action") or "").split())
        if action_text:
            store_access.add_huddle_action(
                store_access.app_config(),
                huddle_config(),
                ward_code=ward_code,
                text=action_text,
                owner_role=state.get("ln-action-owner"),
                actor=actor,
                source="learning_response",
                learning_response_id=response_id,
            )
    except (UserFacingError, ConfigError) as exc:
        flash("error", str(exc))
        return
    except SQLAlchemyError as exc:
        flash("error", f"Not saved: the store could not be written ({type(exc).__name__}). Try again.")
        return
    for key in ("ln-reason", "ln-summary", "ln-action"):
        state[key] = ""
    state["ln-factors"] = []
    flash("success", f"Learning response #{response_id} recorded" + (" with its action." if action_text else "."))


def _response_form(board: Board, ward_code: str, status: pd.DataFrame, cfg: LearningFile, today: date) -> None:
    choices = {r["incident_id"]: f"{STATUS_WORDS[r['status']]} · {incident_text(r)}" for _, r in status.iterrows()}
    with st.expander("Record a learning response", icon=":material/add:"):
        if not choices:
            st.caption("No harm incident to respond to.")
            return
        with st.form("ln-form", border=False):
            st.selectbox("Harm incident", list(choices), key="ln-incident", format_func=choices.get)
            st.radio(
                "Response",
                list(cfg.responses),
                key="ln-kind",
                format_func=lambda k: cfg.responses[k].label,
                captions=[r.hint for r in cfg.responses.values()],
            )
            if not isinstance(st.session_state.get("ln-held-on"), date):
                st.session_state["ln-held-on"] = today
            st.date_input("Date held", key="ln-held-on", max_value=today, format="DD/MM/YYYY")
            labels = {f.code: f.label for f in cfg.contributory_factors}
            st.multiselect("Contributory factors", list(labels), key="ln-factors", format_func=labels.get)
            st.text_input("Reason (when there is no learning response)", key="ln-reason", max_chars=cfg.text_max_chars)
            st.text_area("What we learned", key="ln-summary", max_chars=cfg.text_max_chars, height=68)
            st.text_input(
                "Action agreed (joins the ward's actions list)", key="ln-action", max_chars=cfg.text_max_chars
            )
            try:
                roles = {r.code: r.label for r in huddle_config().huddle.roles}
            except ConfigError:
                roles = {}
            if roles:
                st.selectbox("Action owner (role)", list(roles), key="ln-action-owner", format_func=roles.get)
            st.form_submit_button(
                "Save response", on_click=_save_response, args=(ward_code, board.snapshot.id), width="stretch"
            )


def render_learning_panel(board: Board, ward_code: str, *, can_record: bool) -> None:
    """The whole panel for one ward: what is due and overdue, themes, and (for those allowed) the form."""
    with st.container(key="learning_panel"):
        _learning_panel(board, ward_code, can_record=can_record)


def _learning_panel(board: Board, ward_code: str, *, can_record: bool) -> None:
    st.html(f"<style>{LEARNING_CSS}</style>")
    st.html('<div class="ws-group">Are we responding and improving? Learning responses to harm (PSIRF)</div>')
    cfg = panel_config_or_warn(store_access.learning_config, "Learning responses are not configured")
    if cfg is None:
        return
    if "incidents" not in (board.snapshot.row_counts or {}):
        st.info("Incidents not supplied: the extract has no incidents table, so no learning response can be asked for.")
        return
    now = datetime.now(timezone.utc)
    today = london_date(now)
    try:
        status = store_access.learning_status(board.snapshot.id, (ward_code,), now)
    except SQLAlchemyError as exc:
        st.error(f"Learning responses could not be read from the store ({type(exc).__name__}).")
        return
    show_flash()
    st.html(learning_list_html(status, cfg) + themes_html(status, cfg, today))
    if can_record:
        _response_form(board, ward_code, status, cfg, today)
