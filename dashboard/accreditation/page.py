"""The accreditation page: one ward's level and visit history, and, for an assessor, the form to record a visit.

Why this exists: accreditation lived in spreadsheets apart from the live
data. Here an assessor records a visit domain by domain; the ward's own team
and executives see its level, scores, history and open actions; nobody else
may record one (``metrics.access``: the ``record_assessment`` action belongs
to the assessor role alone).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.accreditation.form import render_assessment_form, show_flash
from dashboard.accreditation.panel import london_today, render_accreditation_panel
from dashboard.common import store_access
from dashboard.common.access_gate import Access
from dashboard.common.board import explain_store_unreachable
from metrics.access.decisions import Action
from metrics.accreditation.config import AccreditationConfig
from metrics.config.models import AppConfig, Ward
from metrics.errors import ConfigError

WARD_KEY = "accreditation_ward"


def choose_ward(cfg: AppConfig, allowed: list[str]) -> Ward | None:
    """The ward from ``?ward=`` or the sidebar, among those the principal may open; written back to the URL."""
    wards = [w for w in cfg.wards.wards if w.code in allowed]
    if not wards:
        return None
    codes = [w.code for w in wards]
    requested = cfg.ward(st.query_params.get("ward") or "")
    if st.session_state.get(WARD_KEY) not in codes:
        st.session_state[WARD_KEY] = requested.code if requested is not None and requested.code in codes else codes[0]
    names = {w.code: w.name for w in wards}
    chosen = st.sidebar.selectbox("Ward", codes, key=WARD_KEY, format_func=lambda c: f"{c} · {names[c]}")
    st.query_params["ward"] = chosen
    return cfg.ward(chosen)


def history_table(acfg: AccreditationConfig, visits: pd.DataFrame) -> pd.DataFrame:
    """The ward's visits, newest first, as people read them."""
    rows = []
    for visit in visits.itertuples():
        scores = dict(visit.domain_percent or {})
        rows.append(
            {
                "Visited": visit.assessed_on.strftime("%d %b %Y"),
                "Level": acfg.level_label(visit.level),
                **{d.label: ("n/a" if scores.get(d.code) is None else f"{scores[d.code]:g}%") for d in acfg.domains},
                "Why": visit.level_reason,
                "Next visit due": visit.next_visit.strftime("%d %b %Y"),
                "Recorded by": visit.assessor,
                "From": "audit app extract" if visit.source == "extract" else "this app",
            }
        )
    return pd.DataFrame(rows)


def render_accreditation_page(access: Access, cfg: AppConfig) -> None:
    st.title("Ward accreditation")
    try:
        acfg = store_access.accreditation_config()
    except ConfigError as exc:
        st.warning("Accreditation needs config/accreditation.yaml, which is missing or has problems.")
        st.code(str(exc), language=None)
        return
    ward = choose_ward(cfg, access.wards([w.code for w in cfg.wards.wards]))
    if ward is None:
        st.info("No ward is open to you here.")
        return
    st.subheader(f"{ward.code} · {ward.name}", anchor=False)
    show_flash()
    try:
        render_accreditation_panel(ward.code)
        visits = store_access.accreditation_visits(store_access.database_url(), (ward.code,))
    except SQLAlchemyError as exc:
        explain_store_unreachable(exc, store_access.database_url(), access.may_see_locations)
        return
    if access.allows(Action.RECORD_ASSESSMENT, ward.code):
        st.markdown("#### Record a visit")
        st.caption(
            "Score every question: 1 met, 0.5 partly met, 0 not met, n/a where it does not apply (left out of the "
            "domain's score). The level follows from accreditation.yaml's rules; each finding becomes an action."
        )
        render_assessment_form(ward.code, acfg, access.actor, access.principal.name, london_today().date())
    else:
        st.info("Only an assessor records an accreditation visit; you can see the ward's level and history here.")
    st.markdown("#### Visits")
    if visits.empty:
        st.caption("No visit recorded yet.")
    else:
        st.dataframe(history_table(acfg, visits), hide_index=True, width="stretch", key="acc-history")
