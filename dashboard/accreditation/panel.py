"""Accreditation beside the board: the huddle's panel and the wall's badge, each one self-contained call.

Why this exists: the huddle and wall pages stay a few lines and do not know
how accreditation is stored; each calls one function here. A trust without
config/accreditation.yaml sees nothing (accreditation is optional); a broken
file says so; a store that cannot be read says so. Nothing here identifies a
patient.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.accreditation.badge import ACCREDITATION_CSS, panel_html, wall_badge_html
from dashboard.common import store_access
from metrics.accreditation.config import ACCREDITATION_FILE, AccreditationConfig
from metrics.errors import ConfigError
from metrics.rules.clock import LONDON


def _config() -> AccreditationConfig | None:
    """The framework, or None when the trust has not written accreditation.yaml; a broken file is shown and None."""
    if not (store_access.config_dir() / ACCREDITATION_FILE).exists():
        return None
    try:
        return store_access.accreditation_config()
    except ConfigError as exc:
        st.warning("Accreditation cannot be shown: config/accreditation.yaml has problems.")
        st.code(str(exc), language=None)
        return None


def latest_visit(ward_code: str) -> pd.Series | None:
    """The ward's newest visit, or None."""
    visits = store_access.accreditation_visits(store_access.database_url(), (ward_code,))
    return None if visits.empty else visits.iloc[0]


def london_today() -> datetime:
    return datetime.now(timezone.utc).astimezone(LONDON)


def render_accreditation_panel(ward_code: str) -> None:
    """The huddle's accreditation panel for one ward: level badge, domain scores, next visit, open actions."""
    acfg = _config()
    if acfg is None:
        return
    try:
        latest = latest_visit(ward_code)
        actions = store_access.open_accreditation_actions(ward_code)
    except SQLAlchemyError as exc:
        st.error(f"Accreditation cannot be read from the store ({type(exc).__name__}).")
        return
    st.html(f"<style>{ACCREDITATION_CSS}</style>" + panel_html(acfg, ward_code, latest, actions, london_today().date()))


def accreditation_wall_badge(ward_code: str) -> str:
    """The wall's accreditation badge for the ward on screen, as HTML for the wall's head ('' when the trust does not
    accredit, or accreditation cannot be read: the wall itself never fails for it)."""
    if not (store_access.config_dir() / ACCREDITATION_FILE).exists():
        return ""
    try:
        acfg = store_access.accreditation_config()
        latest = latest_visit(ward_code)
    except (ConfigError, SQLAlchemyError):
        return ""
    return f"<style>{ACCREDITATION_CSS}</style>" + wall_badge_html(acfg, ward_code, latest, london_today().date())
