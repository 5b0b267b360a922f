"""The funnel plot as a plotly figure: each unit against its size, with the 95 % and 99.8 % limits.

Why this exists: the system view and any report draw the same chart from ``metrics.stats.funnel``. Points
are coloured by trust (with a different marker per trust, so colour is never the only cue); a unit beyond
the 99.8 % limits is ringed and labelled. The limits' method, including any over-dispersion adjustment,
is written under the title: a reader must know what the lines mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from metrics.report.spc_chart import CONCERN_ORANGE, LIMIT_COLOUR, MEAN_COLOUR
from metrics.stats.funnel import Funnel, Kind

TRUST_STYLES = (
    ("#005EB8", "circle"),
    ("#330072", "diamond"),
    ("#007F3B", "square"),
    ("#8A1538", "triangle-up"),
    ("#00A499", "cross"),
    ("#425563", "star"),
)


def funnel_figure(
    units: pd.DataFrame,
    made: Funnel,
    title: str,
    percent: bool,
    trust_names: dict[str, str],
    per: int | None = None,
    unit: str = "",
) -> go.Figure:
    """``units``: trust_code, label, numerator, denominator, value, beyond_998 (``hub_read.funnel_units``).

    ``per``: a rate drawn per this many of its exposure (1,000 bed days), with ``unit`` ("per 1,000 occupied bed
    days") on its axis.
    """
    scale = 100.0 if percent and made.kind is Kind.PROPORTION else float(per or 1)
    fig = go.Figure()
    top = float(units["denominator"].max()) * 1.05
    sizes = np.linspace(max(1.0, float(units["denominator"].min()) * 0.5), top, 200)
    for level, dash, width in (("99.8%", "solid", 1.6), ("95%", "dash", 1.2)):
        low, high = made.limits(sizes, level)
        for part, ys in (("upper", high), ("lower", low)):
            fig.add_trace(
                go.Scatter(
                    x=sizes,
                    y=ys * scale,
                    mode="lines",
                    name=f"{level} limit",
                    legendgroup=level,
                    showlegend=part == "upper",
                    line={"color": LIMIT_COLOUR, "dash": dash, "width": width},
                    hoverinfo="skip",
                )
            )
    fig.add_trace(
        go.Scatter(
            x=[sizes[0], top],
            y=[made.target * scale] * 2,
            mode="lines",
            name="System value",
            line={"color": MEAN_COLOUR, "width": 1.2},
            hoverinfo="skip",
        )
    )
    for i, (code, rows) in enumerate(units.groupby("trust_code", sort=True)):
        colour, symbol = TRUST_STYLES[i % len(TRUST_STYLES)]
        fig.add_trace(
            go.Scatter(
                x=rows["denominator"],
                y=rows["value"] * scale,
                mode="markers",
                name=f"{code} · {trust_names.get(str(code), code)}",
                marker={"color": colour, "symbol": symbol, "size": 9, "line": {"color": "#FFFFFF", "width": 1}},
                text=rows["label"],
                customdata=np.stack([rows["numerator"], rows["denominator"]], axis=1),
                hovertemplate="%{text}<br>%{customdata[0]:.0f} of %{customdata[1]:.0f}: %{y:.1f}<extra></extra>"
                if made.kind is Kind.PROPORTION
                else "%{text}<br>%{customdata[0]:.0f} in %{customdata[1]:.0f}: %{y:.1f}<extra></extra>",
            )
        )
    out = units[units["beyond_998"]]
    if not out.empty:
        fig.add_trace(
            go.Scatter(
                x=out["denominator"],
                y=out["value"] * scale,
                mode="markers+text",
                name="Beyond 99.8 %",
                text=out["label"],
                textposition="top center",
                marker={"color": "rgba(0,0,0,0)", "size": 18, "line": {"color": CONCERN_ORANGE, "width": 2.5}},
                hoverinfo="skip",
            )
        )
    y_title, x_title = "%", "Denominator (patient-days, doses or hours in the month)"
    if made.kind is Kind.RATE:
        y_title = unit or (f"per {per:,} of exposure" if per else "per unit of exposure")
        exposure = unit.split(f"per {per:,}", 1)[-1].strip() if per and f"per {per:,}" in unit else ""
        x_title = f"Denominator ({exposure or 'exposure'} in the month)"
    fig.update_layout(
        title={
            "text": f"{title}<br><sup>95 % and 99.8 % limits; {made.adjustment_label}</sup>",
            "x": 0,
            "xanchor": "left",
            "font": {"size": 16},
        },
        xaxis_title=x_title,
        yaxis_title=y_title,
        margin={"l": 60, "r": 20, "t": 90, "b": 50},
        height=520,
        legend={"orientation": "h", "y": -0.18},
        plot_bgcolor="#FFFFFF",
    )
    fig.update_xaxes(gridcolor="#E8EDEE", rangemode="tozero")
    fig.update_yaxes(gridcolor="#E8EDEE")
    return fig
