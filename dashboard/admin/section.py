"""The top of each administration tab: the access check, the tab's title and what it holds.

Why this exists: every tab asks for its own permission before it draws anything, and says in a line what
it is for; the tabs share this one opening so that none draws before it checks.
"""

from __future__ import annotations

import streamlit as st

from dashboard.common.access_gate import Access
from metrics.access.decisions import Action


def open_section(access: Access, action: Action, title: str, caption: str) -> None:
    """Stop the page unless ``access`` allows ``action``; then the tab's title and ``caption``."""
    access.require(action)
    st.subheader(title)
    st.caption(caption)
