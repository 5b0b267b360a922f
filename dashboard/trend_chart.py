"""A metric's trend over the stored history, for the trust, a site or a ward.

Why this exists: the executive wall asks "is this getting better?". The
series comes from the store (one value per London day, groups of wards
aggregated by ``queries.aggregate_series``); the chart is an SPC chart
(``metrics.spc_chart``) when that module is present, else a plain line,
behind the one function ``trend_figure`` so either can be swapped in.
Ratios are shown as percentages.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from metrics.definitions import Direction, MetricDefinition

try:  # the SPC chart module is optional: a plain line chart stands in without it
    from metrics.spc_chart import assurance_icon_label, spc_figure, variation_icon_label

    from metrics.spc import spc
except ImportError:  # pragma: no cover - exercised only when spc_chart is absent
    spc_figure = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Trend:
    figure: go.Figure
    notes: tuple[str, ...]  # plain-English icon labels (SPC) or what the chart is


def improvement_for(definition: MetricDefinition) -> str:
    return {Direction.LOWER: "decrease", Direction.HIGHER: "increase"}.get(definition.direction, "neutral")


def display_series(series: pd.DataFrame, definition: MetricDefinition) -> tuple[pd.DataFrame, str, float | None]:
    """(date, value) ready to draw, its unit, and the target on the same scale."""
    frame = series[["date", "value"]].copy()
    frame["date"] = pd.to_datetime(frame["date"])
    target = definition.target
    if definition.ratio is not None:
        frame["value"] = frame["value"] * 100
        return frame, "%", None if target is None else target * 100
    return frame, definition.unit, target


def trend_figure(series: pd.DataFrame, definition: MetricDefinition, title: str) -> Trend:
    """An SPC chart of ``series`` (date, value), or a line chart when SPC is not available or there are too few points."""
    frame, unit, target = display_series(series, definition)
    if spc_figure is not None and frame["value"].notna().sum() >= 2:
        result = spc(frame["date"], frame["value"], improvement_for(definition), target=target)
        notes = (variation_icon_label(result.variation_icon), assurance_icon_label(result.assurance_icon))
        return Trend(spc_figure(result, title, unit, target), notes)
    fig = go.Figure(go.Scatter(x=frame["date"], y=frame["value"], mode="lines+markers", name=definition.label, line={"color": "#005EB8"}))
    if target is not None:
        fig.add_hline(y=target, line_dash="dot", line_color="#DA291C", annotation_text="Target")
    fig.update_layout(title={"text": title}, template="simple_white", yaxis_title=unit, margin={"l": 60, "r": 20, "t": 60, "b": 40})
    return Trend(fig, ("Daily values (too few points for SPC limits)",))
