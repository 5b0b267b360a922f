"""The executive wall's layout: wards most in need of support, the wards × metrics grid, and the
Making Data Count summary of every measure by trust, site and ward with its SPC chart.

Why this exists: the exec page stays a few lines; this module lays the view
out and keeps its choices (sort order, the chart's metric and scope) in the
URL so a leadership screen is a bookmark too.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.common import store_access
from dashboard.common.board import Board, metrics_for, open_board
from dashboard.common.huddle_summary import exec_huddle_summary
from dashboard.accreditation.exec_panel import render_accreditation_exec
from dashboard.dimensions.panel import render_dimensions_by_ward
from dashboard.improvement.board import render_improvement_counts
from dashboard.equity.section import render_equity_section
from dashboard.common.styles import inject
from dashboard.exec.grid import (
    EXEC_ANALYST_CSS,
    SORTS,
    exec_grid_for,
    exec_grid_html,
    support_cards_html,
    support_wards,
)
from dashboard.exec.wall import EXEC_WALL_CSS, exec_wall_html, exec_wall_title_html
from dashboard.wall.screen import MAX_ROTATE_SECONDS, MIN_ROTATE_SECONDS, next_turn
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
from metrics.board.exec_grid import ExecPage
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
def render_spc_summary(
    board: Board, definitions: list[MetricDefinition], spc: StoredSpc | None, page: ExecPage | None = None
) -> None:
    """Filters, the summary table (one row per measure × trust, site or ward) and the chart of the row picked.

    A fragment: picking a row or a filter redraws this part only, not the whole grid above it. With ``page``,
    the table holds the trust, the page's sites and the page's wards (a region's page, not all its wards).
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
    scopes = None
    if page is not None:
        scopes = ["trust", *(s for s in page.scopes if s != "trust"), *(f"ward:{c}" for c in page.ward_codes)]
    table = summary_table(board, spc, definitions, scopes)
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


def _mode() -> str:
    """'wall' (the default: one screenful, read from two metres) or 'analyst' (every measure, the SPC table),
    from ``?mode=`` in a new session and from the toggle afterwards; the URL follows the toggle."""
    if "exec_analyst" not in st.session_state:
        st.session_state["exec_analyst"] = st.query_params.get("mode") == "analyst"
    return "analyst" if st.session_state["exec_analyst"] else "wall"


def _rotate(board: Board) -> int | None:
    """Seconds per page from ``?rotate=`` (kept within the matron wall's limits), or None: no turning."""
    asked = st.query_params.get("rotate")
    if not asked:
        return None
    try:
        return min(MAX_ROTATE_SECONDS, max(MIN_ROTATE_SECONDS, int(float(asked))))
    except ValueError:
        return None


def _page_choice(pages: list[ExecPage], key: str) -> int:
    """The page picked in a box (started from ``?page=N``, 1-based); the URL follows the box."""
    if len(pages) == 1:
        return 0
    titles = [p.title for p in pages]
    if st.session_state.get(key) not in range(len(pages)):
        try:
            wanted = int(st.query_params.get("page", "1")) - 1
        except ValueError:
            wanted = 0
        st.session_state[key] = wanted if 0 <= wanted < len(pages) else 0
    index = st.selectbox(
        "Wards shown",
        range(len(pages)),
        key=key,
        format_func=lambda i: f"{titles[i]} ({len(pages[i].ward_codes)} wards)",
    )
    st.query_params["page"] = str(index + 1)
    return int(index)


def render_exec_view(board: Board) -> None:
    """The wall (default) or the analyst mode, with the toggle between them."""
    definitions = metrics_for(board.cfg, "executive")
    analyst = _mode() == "analyst"
    controls = st.container(horizontal=True, vertical_alignment="center", key="exec_controls")
    with controls:
        if not analyst:
            inject(EXEC_WALL_CSS)
            st.html(exec_wall_title_html(board), width="stretch")
        st.toggle("Analyst mode", key="exec_analyst")
    mode = _mode()
    if mode == "analyst":
        st.query_params["mode"] = "analyst"
        render_analyst_view(board, definitions, controls)
    else:
        st.query_params.pop("mode", None)
        render_wall_view(board, [d for d in definitions if "wall" in {a.value for a in d.audiences}], controls)


def render_wall_view(board: Board, definitions: list[MetricDefinition], controls: Any) -> None:
    """One page at a time; with ``?rotate=`` the pages turn by themselves, else a box picks the page."""
    rotate = _rotate(board)
    pages = exec_grid_for(board, definitions).pages(board.cfg.wards.sites)
    picked = 0
    if rotate is None:
        with controls:
            picked = _page_choice(pages, "exec_wall_page")
    interval = rotate if rotate is not None and len(pages) > 1 else board.cfg.dashboard.wall_refresh_seconds

    @st.fragment(run_every=interval)
    def wall_screen() -> None:
        """Redraws itself: the next page when its turn is up, and the current snapshot every time."""
        current = open_board(explain=False, with_yesterday=False) or board
        grid = exec_grid_for(current, definitions)
        now_pages = grid.pages(current.cfg.wards.sites)
        if rotate is not None:
            index, since = st.session_state.get("exec_wall_turn", (0, time.time()))
            index, since = next_turn(index, since, time.time(), rotate, len(now_pages))
            st.session_state["exec_wall_turn"] = (index, since)
            turn = (
                f"Page {index % len(now_pages) + 1} of {len(now_pages)}, next every {rotate} s"
                if len(now_pages) > 1
                else "One page"
            )
        else:
            index = picked
            turn = f"Page {index + 1} of {len(now_pages)}" if len(now_pages) > 1 else ""
        page = now_pages[index % len(now_pages)]
        st.html(exec_wall_html(current, grid, definitions, page, turn))

    wall_screen()


def render_analyst_view(board: Board, definitions: list[MetricDefinition], controls: Any) -> None:
    """Every executive measure, the wards most in need, today's huddles and the SPC summary; scrolls."""
    inject(EXEC_ANALYST_CSS)
    grid = exec_grid_for(board, definitions)
    pages = grid.pages(board.cfg.wards.sites)
    st.header(f"Every ward: {board.cfg.dashboard.trust_name}")
    st.subheader("Wards most in need of support")
    st.caption("Most red measures, then most amber.")
    st.html(support_cards_html(support_wards(board, grid)))
    st.subheader("All wards")
    _url_choice("exec_sort", "sort", list(SORTS), "site")
    left, middle, right = st.columns([2, 2, 3], vertical_alignment="center")
    with left:
        order = st.radio(
            "Order wards within each site",
            list(SORTS),
            key="exec_sort",
            format_func=lambda s: SORTS[s],
            horizontal=True,
        )
    st.query_params["sort"] = order
    with middle:
        picked = _page_choice(pages, "exec_analyst_page")
    with right:
        st.html(legend_html())
    st.html(exec_grid_html(board, definitions, pages[picked], order))
    render_huddle_summary(board, pages[picked])
    render_spc_summary(board, definitions, stored_spc(board), pages[picked])
    render_dimensions_by_ward(board)
    render_equity_section(board)
    render_accreditation_exec(board)
    render_improvement_counts(board)


def _median_text(value: object) -> str:
    """A 1-5 median as the table shows it: '3', '3.5', or '–' for a ward where nobody rated today."""
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return "–"
    number = float(value)  # type: ignore[arg-type]
    return f"{int(number)}" if number.is_integer() else f"{number:.1f}"


def render_huddle_summary(board: Board, page: ExecPage) -> None:
    """What each ward's team said at today's huddle: how safe they feel and how reliable their processes are
    (medians, how many rated), and open actions (no names, no patients). The wards of the page shown."""
    by_code = {w.code: w for w in board.cfg.wards.wards}
    wards = [by_code[code] for code in page.ward_codes]
    codes = [w.code for w in wards]
    reliable = exec_huddle_summary(codes, "reliability").set_index("ward_code")
    safe = exec_huddle_summary(codes, "feel_safe").set_index("ward_code")
    table = pd.DataFrame(
        {
            "Site": [w.site for w in wards],
            "Ward": [f"{w.code} · {w.name}" for w in wards],
            "Feel safe (median, 1-5)": [_median_text(safe["feel_safe_median"].get(c)) for c in codes],
            "Rated safety": [int(safe["rated_today"].get(c, 0) or 0) for c in codes],
            "Reliability (median, 1-5)": [_median_text(reliable["reliability_median"].get(c)) for c in codes],
            "Rated reliability": [int(reliable["rated_today"].get(c, 0) or 0) for c in codes],
            "Open huddle actions": [int(reliable["open_actions"].get(c, 0) or 0) for c in codes],
        }
    )
    st.subheader("Today's huddles: how safe the teams feel and how reliable they say their processes are")
    st.dataframe(table, hide_index=True, width="stretch", key="exec_huddle_table")
