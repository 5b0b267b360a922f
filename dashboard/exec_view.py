"""The executive wall's layout: wards most in need of support, the wards × metrics grid, and a trend.

Why this exists: the exec page stays a few lines; this module lays the view
out and keeps its choices (sort order, trend metric and scope) in the URL so
a leadership screen is a bookmark too.
"""

from __future__ import annotations

import streamlit as st

from dashboard import store_access
from dashboard.board import Board, metrics_for
from dashboard.exec_grid import SORTS, exec_grid_html, most_in_need, support_cards_html
from dashboard.rag import legend_html
from dashboard.trend_chart import trend_figure
from metrics.definitions import MetricDefinition
from metrics.store.queries import aggregate_series


def _url_choice(key: str, param: str, options: list[str], default: str) -> None:
    """Start a widget from the URL in a new session; afterwards the widget leads and the URL follows."""
    if st.session_state.get(key) not in options:
        wanted = st.query_params.get(param)
        st.session_state[key] = wanted if wanted in options else default


def scope_options(board: Board) -> dict[str, str]:
    """'trust', 'site:CODE', 'ward:CODE' with their labels."""
    options = {"trust": f"Trust: {board.cfg.dashboard.trust_name}"}
    options.update({f"site:{s.code}": f"Site: {s.name}" for s in board.cfg.wards.sites})
    options.update({f"ward:{w.code}": f"Ward: {w.code} {w.name}" for w in board.cfg.wards.wards})
    return options


def scope_wards(board: Board, scope: str) -> list[str] | None:
    """The ward codes a scope covers (None for the whole trust)."""
    kind, _, code = scope.partition(":")
    if kind == "site":
        return [w.code.upper() for w in board.cfg.wards.wards if w.site == code]
    if kind == "ward":
        return [code.upper()]
    return None


def render_trend(board: Board, definitions: list[MetricDefinition]) -> None:
    st.subheader("Trend over the stored history")
    if not definitions:
        st.caption("No executive metric is configured.")
        return
    by_id = {d.id: d for d in definitions}
    scopes = scope_options(board)
    _url_choice("exec_metric", "metric", list(by_id), definitions[0].id)
    _url_choice("exec_scope", "scope", list(scopes), "trust")
    left, right = st.columns(2)
    with left:
        metric_id = st.selectbox("Measure", list(by_id), key="exec_metric", format_func=lambda m: by_id[m].label)
    with right:
        scope = st.selectbox("For", list(scopes), key="exec_scope", format_func=lambda s: scopes[s])
    st.query_params["metric"] = metric_id
    st.query_params["scope"] = scope
    definition = by_id[metric_id]
    history = store_access.daily_history(board.db_url, board.snapshot.id, metric_id)
    series = aggregate_series(history, scope_wards(board, scope), definition.ratio is not None)
    if series.empty:
        st.info("No stored history for this measure yet.")
        return
    trend = trend_figure(series, definition, f"{definition.label}: {scopes[scope]}")
    st.plotly_chart(trend.figure, width="stretch", key="exec-trend")
    st.caption(" · ".join(trend.notes) + f" · {len(series)} days; groups of wards: counts summed, ratios from summed numerators and denominators.")


def render_exec_view(board: Board) -> None:
    definitions = metrics_for(board.cfg, "executive")
    st.header(f"Every ward: {board.cfg.dashboard.trust_name}")
    st.subheader("Wards most in need of support")
    st.caption("Most red measures, then most amber.")
    st.html(support_cards_html(most_in_need(board, definitions)))
    st.subheader("All wards")
    _url_choice("exec_sort", "sort", list(SORTS), "site")
    left, right = st.columns([2, 3], vertical_alignment="center")
    with left:
        order = st.radio("Order wards within each site", list(SORTS), key="exec_sort", format_func=lambda s: SORTS[s], horizontal=True)
    st.query_params["sort"] = order
    with right:
        st.html(legend_html())
    st.html(exec_grid_html(board, definitions, order))
    render_trend(board, definitions)
