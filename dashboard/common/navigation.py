"""Navigation by role: the sidebar lists only the pages the person at the screen may open.

Why this exists: a menu of five pages, most of which refuse, teaches people the dashboard is broken. The app
routes every page (``st.navigation`` with its own menu hidden), then this module asks ``metrics.access`` which
pages the current principal may open and lists those. It never lets anyone in: every page still asks
``access_gate.enter`` before drawing anything.
"""

from __future__ import annotations

import streamlit as st

from dashboard.common import store_access
from dashboard.common.access_demo import DEMO_START, demo_session_principal
from dashboard.common.access_gate import DEMO_ROLE, access_settings
from dashboard.common.page_links import PAGES, pages_for
from metrics.access.decisions import Principal, View
from metrics.errors import ConfigError


def navigation_principal(view: View) -> Principal | None:
    """Who the menu is for, without drawing anything: the demo role (the page's starting role in a fresh session),
    or the signed-in user; None for a wall's kiosk token, an unsigned visitor or a broken configuration."""
    if view is View.WALL and st.query_params.get("token") is not None:
        return None
    try:
        cfg = store_access.app_config()
        settings = access_settings(cfg)
    except ConfigError:
        return None  # the page itself shows the problems
    if settings.is_demo:
        if view is View.WALL and DEMO_ROLE not in st.session_state:
            return None  # a bookmarked demo wall is a screen, not a person
        if DEMO_ROLE not in st.session_state and view not in DEMO_START:
            return None
        return demo_session_principal(cfg, view, st.query_params.get("ward"), picker=False)
    try:
        if not st.user.is_logged_in:
            return None
        return settings.principal_for(st.user.to_dict())
    except (AttributeError, KeyError):  # sign-in not configured: the page says so and stops
        return None


def render_navigation(view: View) -> None:
    """The sidebar's page list for the current principal (nothing for a kiosk or someone not signed in)."""
    principal = navigation_principal(view)
    if principal is None or view is View.WALL:
        return
    for page in pages_for(principal):
        title, path, icon = PAGES[page]
        st.sidebar.page_link(f"views/{path}.py", label=title, icon=icon)
    st.sidebar.divider()
