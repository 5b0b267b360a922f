"""Plotly figures for SPC charts in the Making Data Count style, and plain-English icon labels.

Why this exists: the dashboard shows each measure as an XmR chart and each
tile with its variation and assurance icons. Special-cause points differ by
colour (blue improvement, orange concern, purple neutral, grey common cause)
and by marker shape, so colour is never the only signal; every point's hover
names the rule that fired. Missing days are gaps in the line. Phases break
the lines, and a phase with trial limits says so on the chart.

Accepts an ``SpcResult`` (``metrics.spc.spc``), the dict of
``metrics.spc.csv_input.result_to_dict``, or one series' rows of ``spc_many``'s
points frame.

``sparkline_svg`` draws a last-30-days sparkline as a few kilobytes of SVG,
for boards that show thirty of them at once (a plotly chart each would be
thirty more charting components to load and lay out). ``variation_icon_short``
is the one or two words a tile or a wall screen has room for.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from metrics.spc.xmr import SpcResult

# NHS identity colours; the point colours follow Making Data Count.
IMPROVEMENT_BLUE = "#005EB8"
CONCERN_ORANGE = "#ED8B00"
NEUTRAL_PURPLE = "#330072"
COMMON_GREY = "#768692"
MEAN_COLOUR = "#231F20"
LIMIT_COLOUR = "#425563"
TARGET_RED = "#DA291C"

# (legend label, colour, marker symbol) per point type: shapes differ as well as colours.
POINT_STYLES: dict[str, tuple[str, str, str]] = {
    "common_cause": ("Common cause", COMMON_GREY, "circle"),
    "special_cause_improvement": ("Special cause: improvement", IMPROVEMENT_BLUE, "diamond"),
    "special_cause_concern": ("Special cause: concern", CONCERN_ORANGE, "square"),
    "special_cause_neutral_high": ("Special cause: high (neutral)", NEUTRAL_PURPLE, "triangle-up"),
    "special_cause_neutral_low": ("Special cause: low (neutral)", NEUTRAL_PURPLE, "triangle-down"),
}

RULE_TEXT = {
    "beyond_limit": "Outside the process limits",
    "trend": "Trend: 7 points rising or falling",
    "two_in_three": "2 of 3 points close to a limit",
    "shift": "Shift: 7 points on one side of the mean",
}

_VARIATION_LABELS = {
    "common_cause": "● Common cause: no significant change",
    "improvement_high": "▲ Improvement (high)",
    "improvement_low": "▼ Improvement (low)",
    "concern_high": "▲ Concern (high)",
    "concern_low": "▼ Concern (low)",
    "neutral_high": "▲ Special cause (high)",
    "neutral_low": "▼ Special cause (low)",
}
_ASSURANCE_LABELS = {
    "consistent_pass": "✔ Will consistently meet the target",
    "consistent_fail": "✘ Will consistently miss the target",
    "inconsistent": "↕ May meet or miss the target",
}


# The few words a tile has room for. The arrows say which side of the mean (high or low), the word
# whether that is good; common cause reads "stable". These symbols differ from the RAG badge's
# (● ▲ ✓) and from the since-yesterday change (▲ ▼), so the three are never confused.
_VARIATION_SHORT = {
    "common_cause": "↔ stable",
    "improvement_high": "↑ improving",
    "improvement_low": "↓ improving",
    "concern_high": "↑ concern",
    "concern_low": "↓ concern",
    "neutral_high": "↑ unusually high",
    "neutral_low": "↓ unusually low",
}


def _icon_text(labels: Mapping[str, str], icon: str | None, kind: str, when_none: str) -> str:
    """``labels[icon]``, or ``when_none`` for no icon; an unknown ``kind`` icon is an error naming the known ones."""
    if icon is None:
        return when_none
    try:
        return labels[icon]
    except KeyError:
        raise ValueError(f"unknown {kind} icon {icon!r}; expected one of {', '.join(labels)}") from None


def variation_icon_short(icon: str | None) -> str:
    """The variation icon in a word or two with an arrow, for a tile: "↓ improving", "↑ concern", "↔ stable"."""
    return _icon_text(_VARIATION_SHORT, icon, "variation", "no history yet")


def variation_icon_label(icon: str | None) -> str:
    """Short text with a symbol for a variation icon, e.g. "▲ Improvement (high)"."""
    return _icon_text(_VARIATION_LABELS, icon, "variation", "– No data to judge variation")


def assurance_icon_label(icon: str | None) -> str:
    """Short text with a symbol for an assurance icon; None (no target, or a neutral measure) has its own text."""
    return _icon_text(_ASSURANCE_LABELS, icon, "assurance", "– No target assurance")


def _as_points(result: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The points frame (date-sorted) and what is known about icons and target."""
    if isinstance(result, SpcResult):
        meta = {
            "variation_icon": result.variation_icon,
            "assurance_icon": result.assurance_icon,
            "target": result.target,
        }
        frame = result.points
    elif isinstance(result, dict):
        meta = {
            "variation_icon": result.get("variation_icon"),
            "assurance_icon": result.get("assurance_icon"),
            "target": None,
        }
        frame = pd.DataFrame(result["points"])
    elif isinstance(result, pd.DataFrame):
        meta = {"variation_icon": None, "assurance_icon": None, "target": None}
        frame = result
    else:
        raise TypeError("result must be an SpcResult, the dict from result_to_dict, or a points DataFrame")
    frame = frame.copy()
    frame["date"] = pd.to_datetime(frame["date"])
    for col in ("phase", "trial_limits", "rule"):
        if col not in frame.columns:
            frame[col] = 0 if col == "phase" else (False if col == "trial_limits" else None)
    for col in ("value", "mean", "lower_limit", "upper_limit"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    frame = frame.sort_values("date").reset_index(drop=True)
    return frame, meta


def _none_if_nan(values: Any) -> list[Any]:
    return [None if pd.isna(v) else v for v in values]


def _phase_lines(frame: pd.DataFrame, column: str) -> tuple[list[Any], list[Any]]:
    """x and y for a per-phase horizontal line, broken (None) between phases."""
    xs: list[Any] = []
    ys: list[Any] = []
    for _, part in frame.groupby("phase", sort=True):
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(part["date"].tolist())
        ys.extend(_none_if_nan(part[column]))
    return xs, ys


def _value_line(frame: pd.DataFrame) -> tuple[list[Any], list[Any]]:
    """The process line: gaps (NaN) and phase boundaries both break it."""
    xs: list[Any] = []
    ys: list[Any] = []
    previous_phase = None
    for d, v, ph in zip(frame["date"], frame["value"], frame["phase"], strict=True):
        if previous_phase is not None and ph != previous_phase:
            xs.append(None)
            ys.append(None)
        xs.append(d)
        ys.append(None if pd.isna(v) else float(v))
        previous_phase = ph
    return xs, ys


def _add_line(fig: go.Figure, xy: tuple[Any, Any], name: str, line: dict[str, Any], **extra: Any) -> None:
    """One line of the chart (the values, the mean, a limit, the target); a hover names the line and its value
    unless ``extra`` says otherwise."""
    if not extra:
        extra = {"hovertemplate": name + ": %{y:.3~f}<extra></extra>"}
    fig.add_trace(go.Scatter(x=xy[0], y=xy[1], mode="lines", name=name, line=line, **extra))


def add_point_traces(
    fig: go.Figure, points: pd.DataFrame, *, x: str, value_format: str, unit: str, size: Callable[[str], int]
) -> None:
    """One marker trace per point type (``POINT_STYLES``: colour and symbol), each point's hover giving its date,
    its value (``value_format``) with ``unit``, its type and the rule that fired.

    ``points``: the chart's points (columns ``x``, value, point_type, rule); ``size``: a marker's size by its type.
    """
    for point_type, (label, colour, symbol) in POINT_STYLES.items():
        part = points[points["point_type"].astype(object) == point_type]
        if part.empty:
            continue
        rules = [RULE_TEXT.get(str(r), "No rule fired") for r in part["rule"]]
        fig.add_trace(
            go.Scatter(
                x=part[x],
                y=part["value"],
                mode="markers",
                name=label,
                marker={
                    "color": colour,
                    "symbol": symbol,
                    "size": size(point_type),
                    "line": {"color": "white", "width": 0.5},
                },
                customdata=[[label, rule] for rule in rules],
                hovertemplate=f"%{{x|%d %b %Y}}<br>%{{y:{value_format}}} "
                + unit
                + "<br>%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
            )
        )


def spc_figure(result: Any, title: str, unit: str, target: float | None = None) -> go.Figure:
    """An XmR chart: values, mean (solid), process limits (dashed), target, points styled by type.

    ``target`` defaults to the result's own target when it has one.
    """
    frame, meta = _as_points(result)
    if target is None:
        target = meta["target"]
    fig = go.Figure()

    value_line = {"color": COMMON_GREY, "width": 1.5}
    _add_line(fig, _value_line(frame), "Value", value_line, connectgaps=False, hoverinfo="skip", showlegend=False)
    _add_line(fig, _phase_lines(frame, "mean"), "Mean", {"color": MEAN_COLOUR, "width": 1.5})
    for column, label in (("upper_limit", "Upper process limit"), ("lower_limit", "Lower process limit")):
        _add_line(fig, _phase_lines(frame, column), label, {"color": LIMIT_COLOUR, "width": 1.2, "dash": "dash"})

    if target is not None and not pd.isna(target) and len(frame):
        ends = ([frame["date"].iloc[0], frame["date"].iloc[-1]], [target, target])
        _add_line(fig, ends, "Target", {"color": TARGET_RED, "width": 1.5, "dash": "dot"})

    add_point_traces(
        fig,
        frame[frame["value"].notna()],
        x="date",
        value_format=".3~f",
        unit=unit,
        size=lambda point_type: 8 if point_type == "common_cause" else 10,
    )

    for phase, part in frame.groupby("phase", sort=True):
        if bool(part["trial_limits"].iloc[0]) and part["upper_limit"].notna().any():
            fig.add_annotation(
                x=part["date"].iloc[0],
                y=float(part["upper_limit"].max()),
                xanchor="left",
                yanchor="bottom",
                showarrow=False,
                text="Trial limits (fewer than 13 points)",
                font={"size": 11, "color": LIMIT_COLOUR},
                name=f"trial_limits_phase_{phase}",
            )

    icon_text = [variation_icon_label(meta["variation_icon"])] if meta["variation_icon"] else []
    if meta["assurance_icon"]:
        icon_text.append(assurance_icon_label(meta["assurance_icon"]))
    if icon_text:
        fig.add_annotation(
            xref="paper",
            yref="paper",
            x=1,
            y=1.02,
            xanchor="right",
            yanchor="bottom",
            showarrow=False,
            align="right",
            text="<br>".join(icon_text),
            name="icons",
        )

    fig.update_layout(
        title={"text": title},
        template="simple_white",
        yaxis_title=unit,
        hovermode="closest",
        legend={"orientation": "h", "yanchor": "top", "y": -0.15},
        margin={"l": 60, "r": 20, "t": 70, "b": 60},
    )
    return fig


# ---------------------------------------------------------------- the sparkline as inline SVG

SPARK_WIDTH = 200
SPARK_HEIGHT = 50
_SPARK_PAD = 7


def _svg_marker(point_type: str, x: float, y: float, size: float) -> str:
    """One point: the chart's colour and shape (circle, diamond, square, triangle up or down)."""
    _, colour, symbol = POINT_STYLES.get(point_type, POINT_STYLES["common_cause"])
    r = size
    if symbol == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}"/>'
    if symbol == "diamond":
        pts = [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)]
    elif symbol == "square":
        pts = [(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]
    elif symbol == "triangle-up":
        pts = [(x, y - r * 1.3), (x + r * 1.2, y + r), (x - r * 1.2, y + r)]
    else:  # triangle-down
        pts = [(x, y + r * 1.3), (x + r * 1.2, y - r), (x - r * 1.2, y - r)]
    coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
    return f'<polygon points="{coords}" fill="{colour}" stroke="#fff" stroke-width="0.6"/>'


def _svg_runs(xs: np.ndarray, ys: np.ndarray, breaks: np.ndarray) -> list[str]:
    """Polyline point lists, a new one after each break (a gap or a new phase)."""
    runs: list[str] = []
    current: list[str] = []
    for x, y, brk in zip(xs, ys, breaks, strict=True):
        if brk and current:
            runs.append(" ".join(current))
            current = []
        if np.isfinite(y):
            current.append(f"{x:.1f},{y:.1f}")
        elif current:
            runs.append(" ".join(current))
            current = []
    if current:
        runs.append(" ".join(current))
    return [r for r in runs if " " in r]


def sparkline_svg(result: Any, days: int = 30, label: str = "") -> str:
    """The last ``days`` days as a small SVG: value line, mean (solid), process limits (dashed),
    every point coloured and shaped by its type (special causes larger), the latest point ringed.

    No axes. A gap breaks the value line; a new phase breaks every line. Empty string when the window
    holds no observed value. ``label`` starts the text read out by a screen reader and shown on hover.
    """
    return _sparkline(result, days, label)[0]


def sparkline_img_html(result: Any, days: int = 30, label: str = "", css_class: str = "ws-spark") -> str:
    """``sparkline_svg`` as an ``<img>`` with a data URI, its text as alt and hover title.

    For HTML that is sanitised without the SVG profile (Streamlit's ``st.html`` strips inline SVG but
    keeps images with data URIs). Empty string when there is nothing to draw.
    """
    svg, text = _sparkline(result, days, label)
    if not svg:
        return ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class="{escape(css_class)}" src="data:image/svg+xml;base64,{data}" alt="{text}" title="{text}">'


def _sparkline(result: Any, days: int, label: str) -> tuple[str, str]:
    """(SVG, its escaped description), or ("", "") when the window holds no observed value."""
    frame, meta = _as_points(result)
    if len(frame):
        frame = frame[frame["date"] > frame["date"].max() - pd.Timedelta(days=days)].reset_index(drop=True)
    observed = frame["value"].notna()
    if not observed.any():
        return "", ""
    n = len(frame)
    values = frame["value"].to_numpy(dtype=float)
    lines = {c: frame[c].to_numpy(dtype=float) for c in ("mean", "lower_limit", "upper_limit")}
    span = np.concatenate([values[observed.to_numpy()], *(v[np.isfinite(v)] for v in lines.values())])
    low, high = float(span.min()), float(span.max())
    if high - low < 1e-9:
        low, high = low - 1, high + 1

    def sx(i: np.ndarray) -> np.ndarray:
        return _SPARK_PAD + i * (SPARK_WIDTH - 2 * _SPARK_PAD) / max(n - 1, 1)

    def sy(v: np.ndarray) -> np.ndarray:
        return SPARK_HEIGHT - _SPARK_PAD - (v - low) * (SPARK_HEIGHT - 2 * _SPARK_PAD) / (high - low)

    xs = sx(np.arange(n, dtype=float))
    phase = frame["phase"].to_numpy()
    new_phase = np.r_[False, phase[1:] != phase[:-1]]
    parts = []
    for column, style in (
        ("upper_limit", 'stroke="#768692" stroke-dasharray="3 2"'),
        ("lower_limit", 'stroke="#768692" stroke-dasharray="3 2"'),
        ("mean", f'stroke="{MEAN_COLOUR}"'),
    ):
        for run in _svg_runs(xs, sy(lines[column]), new_phase):
            ends = run.split(" ")  # flat within a phase: its two ends draw it
            parts.append(f'<polyline points="{ends[0]} {ends[-1]}" fill="none" {style} stroke-width="1"/>')
    for run in _svg_runs(xs, sy(values), new_phase):
        parts.append(f'<polyline points="{run}" fill="none" stroke="{COMMON_GREY}" stroke-width="1.4"/>')
    types = frame["point_type"].astype(object).to_numpy()
    ys = sy(values)
    last = int(np.flatnonzero(observed.to_numpy())[-1])
    special = 0
    for i in np.flatnonzero(observed.to_numpy()):
        point_type = str(types[i]) if types[i] is not None and not pd.isna(types[i]) else "common_cause"
        is_special = point_type != "common_cause"
        special += is_special
        parts.append(_svg_marker(point_type, xs[i], ys[i], 3.2 if is_special else 1.8))
    parts.append(
        f'<circle cx="{xs[last]:.1f}" cy="{ys[last]:.1f}" r="5.5" fill="none" stroke="{MEAN_COLOUR}" '
        'stroke-width="1.2"/>'
    )

    first_day, last_day = frame["date"].iloc[0], frame["date"].iloc[-1]
    words = [
        f"{first_day.day} {first_day:%b} to {last_day.day} {last_day:%b}",
        f"{special} special-cause point{'s' if special != 1 else ''}" if special else "no special-cause points",
    ]
    if meta["variation_icon"]:
        words.append(variation_icon_label(meta["variation_icon"]))
    text = escape((f"{label}: " if label else "") + ", ".join(words))
    svg = (
        f'<svg viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" role="img" '
        f'aria-label="{text}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{text}</title>{"".join(parts)}</svg>'
    )
    return svg, text
