"""The pages of the dashboard by view, and links to those a principal may open.

Why this exists: a role should see only the pages it may use, and a refusal should say where to go instead.
``metrics.access`` decides; this module only names the pages and draws the links (no access lookups here, so
the refusal in ``access_audit`` can use it without an import cycle).
"""

from __future__ import annotations

import streamlit as st

from metrics.access.decisions import Principal, View, openable_views

# View -> (title, url path, icon): the order of the navigation.
PAGES: dict[View, tuple[str, str, str]] = {
    View.HUDDLE: ("Ward huddle", "huddle", ":material/groups:"),
    View.WALL: ("Matron wall", "wall", ":material/tv:"),
    View.EXEC: ("Executive wall", "exec", ":material/grid_view:"),
    View.STATUS: ("Data status", "status", ":material/fact_check:"),
    View.ACCREDITATION: ("Ward accreditation", "accreditation", ":material/workspace_premium:"),
    View.ADMIN: ("Administration", "admin", ":material/admin_panel_settings:"),
    View.SYSTEM: ("System view", "system", ":material/hub:"),
}


def pages_for(principal: Principal | None) -> list[View]:
    """The dashboard's pages this principal may open, in navigation order."""
    return openable_views(principal, PAGES)


def page_titles(views: list[View]) -> str:
    """'Ward huddle, Matron wall and Data status'."""
    titles = [PAGES[v][0] for v in views]
    if len(titles) <= 1:
        return "".join(titles)
    return ", ".join(titles[:-1]) + " and " + titles[-1]


def refusal_pointer(principal: Principal | None, refused: View) -> str:
    """The sentence under a refusal naming the pages the principal can use instead ('' when there are none)."""
    others = [v for v in pages_for(principal) if v is not refused]
    return f"You can open: {page_titles(others)}." if others else ""


def draw_page_links(principal: Principal | None, refused: View) -> None:
    """Links under a refusal to the pages this principal may open."""
    for view in pages_for(principal):
        if view is not refused:
            title, path, icon = PAGES[view]
            st.page_link(f"views/{path}.py", label=title, icon=icon)
