"""The executive wall's layout: wards most in need of support, the wards × metrics grid, and the
Making Data Count summary of every measure by trust, site and ward with its SPC chart.

Why this exists: the exec page stays a few lines; this module lays the view
out and keeps its choices (sort order, the chart's metric and scope) in the
URL so a leadership screen is a bookmark too.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.common import store_access
from dashboard.common.board import Board, metrics_for
from dashboard.common.huddle_summary import exec_huddle_summary
from dashboard.dimensions.panel import render_dimensions_by_ward
from dashboard.equity.section import render_equity_section
from dashboard.exec.grid import SORTS, exec_grid_html, exec_standing, support_cards_html, support_wards
from dashboard.common.rag import legend_html
from dashboard.common.spc_summary import (
    LEVELS,
    VARIATION_FILTERS,
    StoredSpc,
    filter_table,
    scope_options,
    stored_spc,
    styled_table,
    summary_table,
    unit_of,
)
from metrics.evaluate.definitions import MetricDefinition
from metrics.report.chart_annotations import annotate_figure
from metrics.report.spc_chart import assurance_icon_label, spc_figure, variation_icon_label

TABLE_HEIGHT = 38 + 35 * 14  # fourteen rows: as tall as the chart beside it


def _url_choice(key: str, param: str, options: list[str], default: str) -> None:
    """Start a widget from the URL in a new session; afterwards the widget leads and the URL follows."""
    if st.session_state.get(key) not in options:
        wanted = st.query_params.get(param)
        st.session_state[key] = wanted if wanted in options else default


@st.fragment
def render_spc_summary(board: Board, definitions: list[MetricDefinition], spc: StoredSpc | None) -> None:
    """Filters, the summary table (one row per measure × trust, site or ward) and the chart of the row picked.

    A fragment: picking a row or a filter redraws this part only, not the whole grid above it.
    """
    st.subheader("Making Data Count: every measure for the trust, each site and each ward")
    st.caption(
        "Latest daily value with its SPC variation and assurance icons (XmR charts, NHSRplotthedots rules). "
        "Click a column heading to sort; pick a row to open its chart. Sites and the trust: counts summed, "
        "ratios recomputed from summed numerators and denominators."
    )
    if spc is None or not definitions:
        st.info("No SPC is available: the store could not be read, or no executive measure is configured.")
        return
    by_id = {d.id: d for d in definitions}
    table = summary_table(board, spc, definitions)
    sites = {s.code: s.name for s in board.cfg.wards.sites}
    f_site, f_level, f_variation, f_metric = st.columns(4)
    with f_site:
        site = st.selectbox(
            "Site", ["all", *sites], key="exec_spc_site", format_func=lambda s: "All sites" if s == "all" else sites[s]
        )
    with f_level:
        level = st.selectbox("Show", list(LEVELS), key="exec_spc_level", format_func=lambda v: LEVELS[v])
    with f_variation:
        variation = st.selectbox(
            "Variation", list(VARIATION_FILTERS), key="exec_spc_variation", format_func=lambda v: VARIATION_FILTERS[v]
        )
    with f_metric:
        metric = st.selectbox(
            "Measure",
            ["all", *by_id],
            key="exec_spc_measure",
            format_func=lambda m: "All measures" if m == "all" else by_id[m].label,
        )
    shown = filter_table(table, site, level, variation, metric)

    left, right = st.columns([11, 7], gap="medium")
    with left:
        if shown.empty:
            st.info("No row matches these filters.")
        else:
            # A new key for each set of filters: a row picked under other filters must not pick a different row here.
            event = st.dataframe(
                styled_table(shown, definitions),
                key=f"exec_spc_table:{site}:{level}:{variation}:{metric}",
                on_select="rerun",
                selection_mode="single-row",
                hide_index=True,
                width="stretch",
                height=min(TABLE_HEIGHT, 38 + 35 * len(shown)),
                column_config={
                    "Measure": st.column_config.TextColumn(width=255),
                    "Scope": st.column_config.TextColumn(width=175),
                    "Latest": st.column_config.NumberColumn(
                        width=64,
                        help="The latest daily value, as the tiles show it "
                        "(with its day if that is not the latest day)",
                    ),
                    "Target": st.column_config.TextColumn(
                        width=58, help="The target in config/metrics.yaml ('–': none)"
                    ),
                    "Variation": st.column_config.TextColumn(
                        width=175,
                        help="Making Data Count variation icon: what the latest point's type says (see the chart)",
                    ),
                    "Assurance": st.column_config.TextColumn(
                        help="Making Data Count assurance icon: "
                        "whether the process, as it runs now, will meet its target"
                    ),
                },
            )
            _follow_selection(shown, event.selection.rows)
        st.caption(f"{len(shown)} of {len(table)} rows.")
    with right:
        render_spc_chart(board, definitions, spc)


def _follow_selection(shown: pd.DataFrame, rows: list[int]) -> None:
    """A newly picked row sets the chart's measure and scope (before their widgets are drawn)."""
    if not rows or rows[0] >= len(shown):
        return
    picked = shown.iloc[rows[0]]
    choice = (picked["metric_id"], picked["scope"])
    if st.session_state.get("exec_spc_picked") == choice:
        return  # the same row as before: the chart's own widgets lead
    st.session_state["exec_spc_picked"] = choice
    st.session_state["exec_metric"], st.session_state["exec_scope"] = choice


def render_spc_chart(board: Board, definitions: list[MetricDefinition], spc: StoredSpc) -> None:
    """The XmR chart of one measure for one scope, chosen by a row, by these two boxes or by ?metric=&scope=."""
    by_id = {d.id: d for d in definitions}
    scopes = scope_options(board)
    _url_choice("exec_metric", "metric", list(by_id), definitions[0].id)
    _url_choice("exec_scope", "scope", list(scopes), "trust")
    left, right = st.columns(2)
    with left:
        metric_id = st.selectbox("Chart of", list(by_id), key="exec_metric", format_func=lambda m: by_id[m].label)
    with right:
        scope = st.selectbox("For", list(scopes), key="exec_scope", format_func=lambda s: scopes[s])
    st.query_params["metric"] = metric_id
    st.query_params["scope"] = scope
    definition = by_id[metric_id]
    chart = spc.chart(scope, definition)
    if chart is None or chart.points["value"].notna().sum() == 0:
        st.info("No stored history for this measure yet.")
        return
    figure = spc_figure(chart, f"{definition.label}: {scopes[scope]}", unit_of(definition))
    annotate_figure(figure, store_access.chart_annotations(metric_id, scope))
    # The chart is narrow beside the table: the title and the icons above the plot, the legend under it.
    figure.update_layout(
        height=470,
        margin={"l": 50, "r": 10, "t": 75, "b": 20},
        title={"font": {"size": 14}, "x": 0.01, "y": 0.98},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "font": {"size": 11}},
    )
    figure.update_xaxes(tickformat="%-d %b")
    st.plotly_chart(figure, width="stretch", key="exec-trend")
    days = len(chart.points)
    st.caption(
        f"{variation_icon_label(chart.variation_icon)} · {assurance_icon_label(chart.assurance_icon)} · "
        f"{days} days, one point per day (the day's latest extract); a day without an extract is a gap."
    )


def render_exec_view(board: Board) -> None:
    definitions = metrics_for(board.cfg, "executive")
    st.header(f"Every ward: {board.cfg.dashboard.trust_name}")
    st.subheader("Wards most in need of support")
    st.caption("Most red measures, then most amber.")
    st.html(support_cards_html(support_wards(board, exec_standing(board, definitions))))
    st.subheader("All wards")
    _url_choice("exec_sort", "sort", list(SORTS), "site")
    left, right = st.columns([2, 3], vertical_alignment="center")
    with left:
        order = st.radio(
            "Order wards within each site",
            list(SORTS),
            key="exec_sort",
            format_func=lambda s: SORTS[s],
            horizontal=True,
        )
    st.query_params["sort"] = order
    with right:
        st.html(legend_html())
    st.html(exec_grid_html(board, definitions, order))
    render_huddle_summary(board)
    render_spc_summary(board, definitions, stored_spc(board))
    render_dimensions_by_ward(board)
    render_equity_section(board)


def render_huddle_summary(board: Board) -> None:
    """What each ward's team said at today's huddle: reliability median, how many rated, open actions (no names, no
    patients)."""
    wards = board.cfg.wards.wards
    summary = exec_huddle_summary([w.code for w in wards]).set_index("ward_code")
    table = pd.DataFrame(
        {
            "Site": [w.site for w in wards],
            "Ward": [f"{w.code} · {w.name}" for w in wards],
            "Reliability today (median, 1-5)": [summary["reliability_median"].get(w.code) for w in wards],
            "Rated today": [int(summary["rated_today"].get(w.code, 0) or 0) for w in wards],
            "Open huddle actions": [int(summary["open_actions"].get(w.code, 0) or 0) for w in wards],
        }
    )
    st.subheader("Today's huddles: how reliable the teams say their processes are")
    st.dataframe(table, hide_index=True, width="stretch", key="exec_huddle_table")
