"""The form an assessor records an accreditation visit with, domain by domain.

Why this exists: a visit is scored question by question (1 met, 0.5 partly
met, 0 not met, n/a not applicable) and every question must be scored, n/a
stated rather than assumed. A finding written beside a question becomes one
of the ward's improvement actions on the huddle. The visit is checked,
levelled, stored and audited by ``metrics.accreditation.assessments``
through the store gateway; the page only reports what happened.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import store_access
from metrics.accreditation.assessments import FINDING_MAX_CHARS
from metrics.accreditation.config import AccreditationConfig
from metrics.errors import UserFacingError
from metrics.store.audit import Actor

SCORE_OPTIONS = ("1", "0.5", "0", "n/a")
SCORE_WORDS = {"1": "1 · met", "0.5": "0.5 · partly met", "0": "0 · not met", "n/a": "n/a · not applicable"}
FLASH = "acc-flash"


def score_key(question_id: str) -> str:
    return f"acc-score-{question_id}"


def finding_key(question_id: str) -> str:
    return f"acc-finding-{question_id}"


def _record(ward_code: str, actor: Actor, assessor: str) -> None:
    state = st.session_state
    acfg = store_access.accreditation_config()
    try:
        recorded = store_access.record_accreditation(
            store_access.app_config(),
            acfg,
            ward_code=ward_code,
            assessed_on=state.get("acc-date"),
            scores={q.id: state.get(score_key(q.id)) for q in acfg.questions},
            findings={q.id: state.get(finding_key(q.id)) or "" for q in acfg.questions},
            actor=actor,
            assessor=assessor,
        )
    except UserFacingError as exc:
        state[FLASH] = ("error", str(exc))
        return
    except SQLAlchemyError as exc:
        state[FLASH] = ("error", f"Not saved: the store could not be written ({type(exc).__name__}). Try again.")
        return
    store_access.accreditation_visits.clear()
    for q in acfg.questions:
        state[score_key(q.id)] = None
        state[finding_key(q.id)] = ""
    next_visit = recorded.award.next_visit
    state[FLASH] = (
        "success",
        f"Visit #{recorded.assessment_id} recorded: {acfg.level_label(recorded.award.level)} "
        f"({recorded.award.reason}). Next visit due {next_visit.day} {next_visit:%b %Y}; "
        f"{recorded.actions} finding(s) added to the ward's huddle actions.",
    )


def show_flash() -> None:
    flash = st.session_state.pop(FLASH, None)
    if flash:
        kind, message = flash
        (st.success if kind == "success" else st.error)(message)


def render_assessment_form(ward_code: str, acfg: AccreditationConfig, actor: Actor, assessor: str, today: date) -> None:
    """The visit form for ``ward_code``: the date, then each domain's questions with a score and an optional finding."""
    with st.form("acc-form", border=True):
        st.date_input("Date of the visit", key="acc-date", value=today, max_value=today, format="DD/MM/YYYY")
        for domain in acfg.domains:
            st.subheader(domain.label, anchor=False)
            for question in (q for q in acfg.questions if q.domain == domain.code):
                critical = " · critical" if question.critical else ""
                st.radio(
                    f"**{question.id}** {question.text}{critical}",
                    SCORE_OPTIONS,
                    index=None,
                    key=score_key(question.id),
                    horizontal=True,
                    format_func=SCORE_WORDS.get,
                    help=f"Evidence: {question.evidence.replace('metric:', 'the board tile ')}; "
                    f"weight {question.weight:g}.",
                )
                st.text_input(
                    f"Finding for {question.id} (becomes an improvement action on the huddle)",
                    key=finding_key(question.id),
                    max_chars=FINDING_MAX_CHARS,
                    placeholder="Optional: what must improve",
                )
        st.form_submit_button(
            "Record visit", on_click=_record, args=(ward_code, actor, assessor), type="primary", width="stretch"
        )
