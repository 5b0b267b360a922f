"""Huddle inputs beside the board: the self-rating, the Safety Barometer and actions (issue 5)."""

import streamlit as st


def render_huddle_inputs(ward_code: str) -> None:
    """Placeholder until the huddle inputs land."""
    st.caption("Huddle inputs arrive with issue 5")
