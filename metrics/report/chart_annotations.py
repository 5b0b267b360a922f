"""Drawing annotations on SPC charts, and the rare-event (g and t) chart figure.

Why this exists: an annotation (a date, a short text, who wrote it; ``metrics.improvement.annotations``) is drawn
on any plotly SPC chart as a dotted vertical line at its date with its text at the top, numbered so that several on
one chart stay readable; the full text and author are in the line's hover and in a list under the chart. A rare-event
chart (``metrics.spc.rare``) is drawn in the Making Data Count style of ``metrics.report.spc_chart``: each gap between
events as a point styled by its type, the centre line and the upper limit, and the gap still running (the days since
the last event) as a hollow point that says "so far".
"""

from __future__ import annotations

from html import escape

import pandas as pd
import plotly.graph_objects as go

from metrics.report.spc_chart import COMMON_GREY, LIMIT_COLOUR, MEAN_COLOUR, add_point_traces
from metrics.spc.rare import RareEventChart

ANNOTATION_COLOUR = "#4C6272"  # NHS dark grey: distinct from every point colour
LABEL_MAX_CHARS = 60


def annotation_label(number: int, text: str) -> str:
    """The words drawn on the chart: the number and the text, shortened to fit (the hover has it whole)."""
    short = text if len(text) <= LABEL_MAX_CHARS else text[: LABEL_MAX_CHARS - 1] + "…"
    return f"{number}. {short}"


def annotate_figure(fig: go.Figure, annotations: pd.DataFrame) -> go.Figure:
    """Draw each annotation (columns on_date, text, author) on ``fig``: a dotted line at its date and its label.

    Labels alternate between two heights so that annotations a few days apart do not overlap. Returns ``fig``.
    """
    if annotations is None or annotations.empty:
        return fig
    for k, row in enumerate(annotations.sort_values("on_date", kind="stable").itertuples(index=False), start=1):
        day = pd.Timestamp(row.on_date)
        fig.add_vline(x=day, line={"color": ANNOTATION_COLOUR, "width": 1, "dash": "dot"})
        fig.add_annotation(
            x=day,
            y=1.0 if k % 2 else 0.93,
            xref="x",
            yref="paper",
            xanchor="left",
            yanchor="top",
            showarrow=False,
            text=escape(annotation_label(k, str(row.text))),
            hovertext=escape(f"{day:%d %b %Y}: {row.text} ({row.author})"),
            font={"size": 11, "color": ANNOTATION_COLOUR},
            bgcolor="rgba(255,255,255,0.85)",
            name=f"annotation_{k}",
        )
    return fig


def rare_event_figure(chart: RareEventChart, title: str, unit: str = "days between") -> go.Figure:
    """A g or t chart: gaps between events by the date each ended, centre line, upper limit, and the gap so far."""
    frame = chart.points
    fig = go.Figure()
    if len(frame):
        fig.add_trace(
            go.Scatter(
                x=frame["event"],
                y=frame["value"],
                mode="lines",
                line={"color": COMMON_GREY, "width": 1.5},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        x_end = [frame["event"].iloc[0], chart.as_of if chart.as_of is not None else frame["event"].iloc[-1]]
        for column, label, colour, dash in (
            ("mean", "Centre line (mean gap)", MEAN_COLOUR, "solid"),
            ("upper_limit", "Upper process limit", LIMIT_COLOUR, "dash"),
        ):
            value = float(frame[column].iloc[-1])
            fig.add_trace(
                go.Scatter(
                    x=x_end,
                    y=[value, value],
                    mode="lines",
                    name=label,
                    line={"color": colour, "width": 1.3, "dash": dash},
                    hovertemplate=label + ": %{y:.1f}<extra></extra>",
                )
            )
        add_point_traces(fig, frame, x="event", value_format=".0f", unit=escape(unit), size=lambda _: 9)
    if chart.so_far is not None and chart.as_of is not None:
        fig.add_trace(
            go.Scatter(
                x=[chart.as_of],
                y=[chart.so_far],
                mode="markers",
                name="So far (since the last event)",
                marker={"color": "white", "size": 10, "line": {"color": MEAN_COLOUR, "width": 2}},
                hovertemplate="%{y:.0f} " + escape(unit) + " so far (still running)<extra></extra>",
            )
        )
        fig.add_annotation(
            x=chart.as_of,
            y=chart.so_far,
            text=f"{chart.so_far:.0f} so far",
            showarrow=True,
            arrowhead=0,
            ax=-30,
            ay=-40,
            font={"size": 11, "color": MEAN_COLOUR},
            bgcolor="rgba(255,255,255,0.85)",
            name="so_far",
        )
    fig.update_layout(
        title={"text": escape(title)},
        template="simple_white",
        yaxis_title=escape(unit),
        yaxis={"rangemode": "tozero"},
        hovermode="closest",
        legend={"orientation": "h", "yanchor": "top", "y": -0.18},
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
        height=360,
    )
    return fig
