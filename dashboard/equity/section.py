"""The Equity section of the executive and system views: a proportion measure split by a group, with the SII.

Why this exists: a trust's rate can hide that one group of its patients fares worse. This section draws what the
engine stored per group (``metrics.store.equity``), suppressed where small (``metrics.equity.panel``); it counts
nothing itself. A page calls ``render_equity_section(board)`` once.
"""

from __future__ import annotations

from html import escape

import plotly.graph_objects as go
import streamlit as st

from dashboard.common import store_access
from dashboard.common.board import Board
from metrics.equity.groups import SPLITS
from metrics.equity.panel import SUPPRESSED, EquityView, equity_view
from metrics.equity.sii import NoSlopeIndex

SPLIT_NAMES = {code: label for code, (label, _) in SPLITS.items()}


def _count(value: float | None) -> str:
    return SUPPRESSED if value is None else f"{int(value):,}"


def _percent(value: float | None, suppressed: bool) -> str:
    if suppressed:
        return SUPPRESSED
    return "no patients" if value is None else f"{value * 100:.1f}%"


def groups_table_html(view: EquityView, of_label: str = "Patients") -> str:
    """The groups as a small HTML table: group, patients counted, ``of_label`` (patients), proportion (suppressed
    as such)."""
    rows = "".join(
        f"<tr><th scope='row'>{escape(r.group)}</th><td>{_count(r.numerator)}</td><td>{_count(r.denominator)}</td>"
        f"<td>{_percent(r.proportion, r.suppressed)}</td></tr>"
        for r in view.groups.itertuples()
    )
    return (
        "<style>.ws-equity-table th,.ws-equity-table td{padding:0.2rem 0.7rem;text-align:right}"
        ".ws-equity-table th[scope=row],.ws-equity-table thead th:first-child{text-align:left}"
        ".ws-equity-table thead th{border-bottom:1px solid #AEB7BD}</style>"
        "<table class='ws-equity-table' style='border-collapse:collapse;font-size:0.95rem'>"
        f"<thead><tr><th>{escape(view.split_label)}</th><th>Counted</th><th>{escape(of_label)}</th><th>Proportion</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
    )


def sii_text(view: EquityView) -> str:
    """The slope index of inequality in words, or why there is none."""
    if view.sii is None:
        return "The slope index of inequality is worked out across deprivation quintiles: pick that split to see it."
    if isinstance(view.sii, NoSlopeIndex):
        return f"Slope index of inequality: not available ({view.sii.reason})."
    s = view.sii
    return (
        f"Slope index of inequality: {s.sii * 100:+.1f} percentage points (95% interval {s.lower * 100:+.1f} to "
        f"{s.upper * 100:+.1f}): the most deprived end minus the least deprived end of the line fitted across "
        "the quintiles, each weighted by its patients. Above zero: more common among the most deprived."
    )


def _figure(view: EquityView, title: str) -> go.Figure:
    groups = view.groups
    pairs = list(zip(groups["proportion"], groups["suppressed"], strict=True))
    shown = [None if s else (p or 0.0) * 100 for p, s in pairs]
    labels = [SUPPRESSED if s else f"{(p or 0.0) * 100:.1f}%" for p, s in pairs]
    figure = go.Figure(
        go.Bar(
            x=list(groups["group"]),
            y=[0.0 if v is None else v for v in shown],
            text=labels,
            textposition="outside",
            marker_color=["#768692" if s else "#005EB8" for s in groups["suppressed"]],
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    top = max([v for v in shown if v is not None] or [1.0])
    figure.update_layout(
        title={"text": escape(title), "font": {"size": 14}, "x": 0.01},
        height=380,
        margin={"l": 50, "r": 10, "t": 50, "b": 90},
        yaxis={"title": "% of patients", "range": [0, top * 1.25 + 1]},
        xaxis={"tickangle": -20, "automargin": True},
        showlegend=False,
    )
    return figure


@st.fragment
def render_equity_section(board: Board) -> None:
    """Pick a proportion measure and a split; see the bars by group, the table and (deprivation) the SII."""
    st.subheader("Equity: proportion measures by deprivation, ethnic group, age band and sex")
    threshold = board.cfg.dashboard.small_numbers.suppress_up_to
    st.caption(
        "Every ward of the trust, at the current extract. Deprivation: quintiles of the Index of Multiple "
        "Deprivation 2019 (Q1, deciles 1-2, is the Core20). Ethnic group: the NHS Data Dictionary's broad groups. "
        f"Counts from 1 to {threshold} are suppressed, and one more where a total would reveal it."
    )
    stored = set(store_access.equity_metric_ids(board.db_url, board.snapshot.id))
    definitions = [d for d in board.cfg.metrics if d.id in stored]
    if not definitions:
        st.info("No measure has equity splits in this extract: it was loaded before splits were stored.")
        return
    by_id = {d.id: d for d in definitions}
    left, right = st.columns([3, 2])
    with left:
        metric_id = st.selectbox(
            "Measure", list(by_id), key="equity_metric", format_func=lambda m: by_id[m].label
        )
    with right:
        split = st.selectbox("Split by", list(SPLIT_NAMES), key="equity_split", format_func=SPLIT_NAMES.get)
    totals = store_access.equity_split_totals(board.db_url, board.snapshot.id, metric_id, split)
    view = equity_view(totals, split, threshold)
    chart, table = st.columns([3, 2])
    with chart:
        st.plotly_chart(
            _figure(view, f"{by_id[metric_id].label} by {view.split_label[0].lower()}{view.split_label[1:]}"),
            width="stretch",
            key="equity-chart",
        )
    with table:
        st.html(groups_table_html(view))
        st.markdown(sii_text(view))
