"""The SPC figure: mean and limit lines, points told apart by shape as well as colour, gaps, trial limits."""

from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from metrics.report.spc_chart import (
    POINT_STYLES,
    assurance_icon_label,
    sparkline_img_html,
    sparkline_svg,
    spc_figure,
    variation_icon_label,
    variation_icon_short,
)
from metrics.spc.xmr import ASSURANCE_ICONS, VARIATION_ICONS, spc, spc_many
from metrics.spc.csv_input import result_to_dict

WIDE = [6, 14] * 20


def chart(values, improvement="increase", **kwargs):
    return spc(pd.date_range("2024-01-01", periods=len(values)), values, improvement, **kwargs)


def trace(fig: go.Figure, name: str):
    found = [t for t in fig.data if t.name == name]
    assert found, f"no trace named {name!r}; have {[t.name for t in fig.data]}"
    return found[0]


def marker_traces(fig: go.Figure) -> dict[str, go.Scatter]:
    return {t.name: t for t in fig.data if t.mode == "markers"}


def test_the_figure_has_mean_dashed_limits_and_target():
    result = chart(WIDE + [40, -20] + WIDE[:6], target=25)
    fig = spc_figure(result, "Falls", "per 1,000 bed days")
    p = result.points.iloc[0]
    assert set(v for v in trace(fig, "Mean").y if v is not None) == {p["mean"]}
    upper, lower = trace(fig, "Upper process limit"), trace(fig, "Lower process limit")
    assert set(v for v in upper.y if v is not None) == {p["upper_limit"]} and upper.line.dash == "dash"
    assert set(v for v in lower.y if v is not None) == {p["lower_limit"]} and lower.line.dash == "dash"
    assert list(trace(fig, "Target").y) == [25, 25]
    assert fig.layout.title.text == "Falls" and fig.layout.yaxis.title.text == "per 1,000 bed days"


def test_point_types_differ_in_marker_symbol_as_well_as_colour():
    result = chart(WIDE + [40, -20] + WIDE[:6])
    markers = marker_traces(spc_figure(result, "t", "n"))
    improvement, concern, common = (
        markers[POINT_STYLES[k][0]] for k in ("special_cause_improvement", "special_cause_concern", "common_cause")
    )
    assert improvement.marker.color == "#005EB8" and concern.marker.color == "#ED8B00"
    symbols = {improvement.marker.symbol, concern.marker.symbol, common.marker.symbol}
    assert len(symbols) == 3
    assert list(improvement.y) == [40] and list(concern.y) == [-20]


def test_every_point_style_has_its_own_symbol_and_neutral_is_purple():
    assert len({symbol for _, _, symbol in POINT_STYLES.values()}) == len(POINT_STYLES)
    result = chart(WIDE + [40], "neutral")
    high = marker_traces(spc_figure(result, "t", "n"))[POINT_STYLES["special_cause_neutral_high"][0]]
    assert high.marker.color == POINT_STYLES["special_cause_neutral_high"][1] and high.marker.symbol == "triangle-up"


def test_hover_shows_date_value_and_the_rule_that_fired():
    result = chart(WIDE + [40])
    improvement = marker_traces(spc_figure(result, "t", "beds"))[POINT_STYLES["special_cause_improvement"][0]]
    assert (
        "%{x|%d %b %Y}" in improvement.hovertemplate
        and "%{y" in improvement.hovertemplate
        and "beds" in improvement.hovertemplate
    )
    assert improvement.customdata[0][1] == "Outside the process limits"
    common = marker_traces(spc_figure(result, "t", "beds"))[POINT_STYLES["common_cause"][0]]
    assert common.customdata[0][1] == "No rule fired"


def test_a_gap_breaks_the_value_line_and_has_no_marker():
    values = WIDE[:10] + [np.nan] + WIDE[10:]
    fig = spc_figure(chart(values), "t", "n")
    line = trace(fig, "Value")
    assert line.y[10] is None and line.connectgaps is False
    gap_date = pd.Timestamp("2024-01-11")
    for t in marker_traces(fig).values():
        assert gap_date not in set(pd.to_datetime(list(t.x)))


def test_phases_break_the_lines_and_trial_limits_are_labelled():
    result = chart(WIDE[:10] + [20, 30] * 10, rebase_dates=["2024-01-11"])
    fig = spc_figure(result, "t", "n")
    assert None in trace(fig, "Mean").y and None in trace(fig, "Upper process limit").y
    labels = [a.text for a in fig.layout.annotations]
    assert labels.count("Trial limits (fewer than 13 points)") == 1  # phase 0 has 10 points, phase 1 has 20


def test_the_icons_are_shown_as_text_on_the_chart():
    fig = spc_figure(chart(WIDE + [40], target=100), "t", "n")
    icons = [a.text for a in fig.layout.annotations if a.name == "icons"]
    assert icons == ["▲ Improvement (high)<br>✘ Will consistently miss the target"]


@pytest.mark.parametrize("form", ["result", "json", "frame"])
def test_the_figure_accepts_a_result_its_json_or_a_points_frame(form):
    result = chart(WIDE + [40])
    given = {
        "result": result,
        "json": result_to_dict(result),
        "frame": spc_many(
            pd.DataFrame({"series_id": "a", "date": result.points["date"], "value": result.points["value"]}),
            improvement="increase",
        ).points,
    }[form]
    fig = spc_figure(given, "t", "n")
    assert list(marker_traces(fig)[POINT_STYLES["special_cause_improvement"][0]].y) == [40]


def test_the_target_argument_overrides_the_results_target():
    fig = spc_figure(chart(WIDE, target=5), "t", "n", target=7)
    assert list(trace(fig, "Target").y) == [7, 7]


@pytest.mark.parametrize("icon", [*VARIATION_ICONS, None])
def test_every_variation_icon_has_a_label_with_a_symbol(icon):
    label = variation_icon_label(icon)
    assert label[0] in "●▲▼–" and label[1] == " " and len(label) < 45


def test_variation_labels_name_the_direction():
    assert variation_icon_label("improvement_high") == "▲ Improvement (high)"
    assert variation_icon_label("concern_low") == "▼ Concern (low)"


@pytest.mark.parametrize("icon", [*ASSURANCE_ICONS, None])
def test_every_assurance_icon_has_a_label_with_a_symbol(icon):
    label = assurance_icon_label(icon)
    assert label[0] in "✔✘↕–" and label[1] == " " and len(label) < 45


def test_an_unknown_icon_is_an_error():
    with pytest.raises(ValueError, match="unknown variation icon"):
        variation_icon_label("sideways")
    with pytest.raises(ValueError, match="unknown assurance icon"):
        assurance_icon_label("maybe")


# ---- the short variation words and the SVG sparkline (the boards' tiles)


@pytest.mark.parametrize("icon", VARIATION_ICONS)
def test_every_variation_icon_has_a_short_word_whose_arrow_is_not_a_rag_or_change_symbol(icon):
    short = variation_icon_short(icon)
    assert short[0] in "↑↓↔" and short[1] == " " and len(short) <= 16
    assert not set(short) & set("●▲▼✓")  # the RAG badge's and the since-yesterday change's symbols


def test_short_variation_words_say_which_side_and_whether_it_is_good():
    assert variation_icon_short("improvement_low") == "↓ improving"
    assert variation_icon_short("concern_high") == "↑ concern"
    assert variation_icon_short("common_cause") == "↔ stable"
    assert variation_icon_short(None) == "no history yet"
    with pytest.raises(ValueError, match="unknown variation icon"):
        variation_icon_short("sideways")


def svg_shapes(svg: str) -> dict[str, list[str]]:
    """fill colour -> the kinds of shape drawn in it (circle, polygon)."""
    out: dict[str, list[str]] = {}
    for kind, fill in re.findall(r'<(circle|polygon)[^>]*?fill="([^"]+)"', svg):
        out.setdefault(fill, []).append(kind)
    return out


def test_the_svg_sparkline_draws_only_the_last_30_days_with_special_causes_in_their_own_shape_and_colour():
    values = list(np.tile([6.0, 14.0], 30)) + [40.0]  # the last point is far above the limits
    svg = sparkline_svg(chart(values), days=30, label="Falls")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    shapes = svg_shapes(svg)
    colour_improvement = POINT_STYLES["special_cause_improvement"][1]
    assert shapes[colour_improvement] == ["polygon"]  # one diamond: the point beyond the upper limit
    assert shapes[POINT_STYLES["common_cause"][1]].count("circle") == 29  # the other 29 days of the window
    assert svg.count('stroke-dasharray="3 2"') == 2  # the two process limits
    assert "Falls: " in svg and "1 special-cause point" in svg


def test_a_gap_breaks_the_sparklines_value_line_and_a_rebase_breaks_every_line():
    values = [5.0, 6, 5, 7, np.nan, 6, 5, 6, 7, 5, 6, 5]
    gap = sparkline_svg(chart(values))
    value_lines = re.findall(r'<polyline points="([^"]+)" fill="none" stroke="#768692" stroke-width="1.4"', gap)
    assert [len(run.split()) for run in value_lines] == [4, 7]
    rebased = sparkline_svg(chart(values, rebase_dates=["2024-01-08"]))
    means = re.findall(r'<polyline points="[^"]+" fill="none" stroke="#231F20"', rebased)
    assert len(means) == 2


def test_an_empty_window_draws_nothing_and_the_image_form_is_a_data_uri_with_escaped_text():
    assert sparkline_svg(chart([])) == "" and sparkline_img_html(chart([np.nan, np.nan])) == ""
    img = sparkline_img_html(chart([1.0, 2, 3, 2]), label='<b>"Falls"</b>')
    assert img.startswith('<img class="ws-spark" src="data:image/svg+xml;base64,')
    assert 'alt="&lt;b&gt;&quot;Falls&quot;&lt;/b&gt;: ' in img and "<b>" not in img
    svg = base64.b64decode(re.search(r"base64,([^\"]+)", img).group(1)).decode()
    assert svg.startswith("<svg") and "&lt;b&gt;" in svg
