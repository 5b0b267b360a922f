"""SPC in the views: the executive Making Data Count table and its charts, the huddle tiles' sparklines,
and the wall's variation icons. Every icon is checked against ``spc()`` run on the scope's own daily
series (``daily_series``), the one-series path, so a wrong aggregation or a wrong icon fails here.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from metrics.spc.xmr import spc
from metrics.spc.target_cap import capped_variation_icon
from metrics.store.spc_history import IMPROVEMENT, Scope, daily_series, rebase_dates
from metrics.store import queries
from tests.app.conftest import all_html, build_store, latest_extract_day

DAYS = 20
TABLE = ["Measure", "Scope", "Latest", "Target", "Variation", "Assurance"]
# What each icon must read as, written out here rather than taken from the app.
VARIATION_WORDS = {
    "common_cause": "● Common cause",
    "improvement_high": "▲ Improvement (high)",
    "improvement_low": "▼ Improvement (low)",
    "concern_high": "▲ Concern (high)",
    "concern_low": "▼ Concern (low)",
    "neutral_high": "▲ Special cause (high)",
    "neutral_low": "▼ Special cause (low)",
}
ASSURANCE_WORDS = {
    "consistent_pass": "✔ Consistently passes",
    "consistent_fail": "✘ Consistently fails",
    "inconsistent": "↕ Hit and miss",
    None: "– No target",
}
CHIP_WORDS = {
    "common_cause": "↔ stable",
    "improvement_high": "↑ improving",
    "improvement_low": "↓ improving",
    "concern_high": "↑ concern",
    "concern_low": "↓ concern",
    "neutral_high": "↑ unusually high",
    "neutral_low": "↓ unusually low",
}


@pytest.fixture(scope="module")
def history_store(tmp_path_factory):
    """Twenty daily synthetic extracts ending today: enough days for limits and signals."""
    return build_store(tmp_path_factory.mktemp("spc_views"), days=DAYS, end=latest_extract_day())


def audience(store, name: str):
    return [m for m in store.cfg.metrics if name in {a.value for a in m.audiences}]


_READ: dict[object, object] = {}


def reference(store, metric, scope: Scope):
    """The chart of one scope by the one-series path: its daily series, then spc()."""
    # The config and each metric's history are read once per store (Store reads them afresh on every use).
    if store.url not in _READ:
        _READ[store.url] = store.cfg
    cfg = _READ[store.url]
    if (store.url, metric.id) not in _READ:
        _READ[(store.url, metric.id)] = queries.daily_history(store.engine, metric.id)
    series = daily_series(store.engine, cfg, metric.id, scope, _READ[(store.url, metric.id)])
    result = spc(
        series["date"],
        series["value"],
        IMPROVEMENT[metric.direction],
        metric.target,
        rebase_dates(cfg, metric.id, scope),
    )
    return series, result


@pytest.fixture(scope="module")
def exec_page(history_store):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    mp = pytest.MonkeyPatch()  # kept for the whole module: the filter tests run the page again
    mp.setenv("DATABASE_URL", history_store.url)
    mp.setenv("WARD_DASHBOARD_CONFIG", str(history_store.config_dir))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page("views/exec.py")
    at.query_params["mode"] = "analyst"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    yield at
    mp.undo()


def summary(at):
    tables = [t for t in at.dataframe if list(t.value.columns) == TABLE]
    assert len(tables) == 1
    return tables[0]


def chart_spec(at) -> dict:
    charts = [c for c in at.get("plotly_chart") if c.key == "exec-trend"]  # not the equity lens's bars
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


# ---------------------------------------------------------------- executive view


def test_the_summary_table_has_a_row_for_every_measure_for_the_trust_each_site_and_each_ward(exec_page, history_store):
    cfg = history_store.cfg
    table = summary(exec_page).value
    metrics = audience(history_store, "executive")
    scopes = ["Trust"] + [s.name for s in cfg.wards.sites] + [f"{w.code} {w.name}" for w in cfg.wards.wards]
    assert len(table) == len(metrics) * len(scopes)
    assert set(table["Scope"]) == set(scopes)
    assert set(table["Measure"]) == {m.label for m in metrics}
    assert table.groupby("Scope").size().eq(len(metrics)).all()


@pytest.mark.parametrize("scope", [Scope("trust", None), Scope("site", "NVH"), Scope("ward", "7A")])
def test_each_rows_latest_value_and_icons_are_what_spc_gives_for_that_scope(exec_page, history_store, scope):
    cfg = history_store.cfg
    labels = (
        {"trust": "Trust"}
        | {f"site:{s.code}": s.name for s in cfg.wards.sites}
        | {f"ward:{w.code}": f"{w.code} {w.name}" for w in cfg.wards.wards}
    )
    label = labels[scope.key]
    table = summary(exec_page).value
    rows = table[table["Scope"] == label].set_index("Measure")
    special = 0
    for metric in audience(history_store, "executive"):
        series, result = reference(history_store, metric, scope)
        row = rows.loc[metric.label]
        assert row["Variation"] == VARIATION_WORDS[result.variation_icon], metric.id
        assert row["Assurance"] == ASSURANCE_WORDS[result.assurance_icon], metric.id
        assert row["Latest"] == pytest.approx(series["value"].dropna().iloc[-1]), metric.id
        special += result.variation_icon != "common_cause"
    assert special, "no special cause in this scope: the test could not tell a right icon from a constant one"


def test_filtering_by_site_keeps_the_sites_own_rows_and_its_wards_only(exec_page, history_store):
    cfg = history_store.cfg
    table = summary(exec_page.selectbox(key="exec_spc_site").set_value("NVH").run()).value
    exec_page.selectbox(key="exec_spc_site").set_value("all").run()
    nvh = {"Northvale Hospital"} | {f"{w.code} {w.name}" for w in cfg.wards.wards if w.site == "NVH"}
    assert set(table["Scope"]) == nvh
    assert len(table) == len(audience(history_store, "executive")) * len(nvh)


def test_filtering_wards_with_special_cause_concern_lists_exactly_those(exec_page, history_store):
    exec_page.selectbox(key="exec_spc_level").set_value("ward").run()
    table = summary(exec_page.selectbox(key="exec_spc_variation").set_value("concern").run()).value
    exec_page.selectbox(key="exec_spc_level").set_value("all").run()
    exec_page.selectbox(key="exec_spc_variation").set_value("all").run()
    expected = set()
    wards = history_store.cfg.wards.wards
    for metric in audience(history_store, "executive"):
        for ward in wards:
            _, result = reference(history_store, metric, Scope("ward", ward.code))
            if result.variation_icon in ("concern_high", "concern_low"):
                expected.add((metric.label, f"{ward.code} {ward.name}"))
    assert expected, "no ward has a concern: the filter cannot be told from no filter"
    assert set(zip(table["Measure"], table["Scope"], strict=True)) == expected
    assert table["Variation"].isin(["▲ Concern (high)", "▼ Concern (low)"]).all()


def test_selecting_a_row_opens_its_chart_with_a_ratio_drawn_as_a_percentage(run_view, history_store):
    at = run_view(history_store, "exec", mode="analyst")
    table = summary(at)
    frame = table.value
    row = int(
        np.flatnonzero(
            (frame["Measure"] == "Nursing fill rate, all shifts") & (frame["Scope"] == "Northvale Hospital")
        )[0]
    )
    at.session_state[table.key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.selectbox(key="exec_metric").value == "staff_fill_rate_overall"
    assert at.selectbox(key="exec_scope").value == "site:NVH"
    spec = chart_spec(at)
    assert spec["layout"]["title"]["text"] == "Nursing fill rate, all shifts: Site: Northvale Hospital"
    metric = next(m for m in history_store.cfg.metrics if m.id == "staff_fill_rate_overall")
    series, _ = reference(history_store, metric, Scope("site", "NVH"))
    value_line = next(t for t in spec["data"] if t.get("name") == "Value")
    drawn = [y for y in value_line["y"] if y is not None]
    assert drawn == pytest.approx((series["value"].dropna() * 100).tolist())
    assert at.query_params["metric"] == "staff_fill_rate_overall" and at.query_params["scope"] == "site:NVH"


# ---------------------------------------------------------------- huddle board and wall


def tile_blocks(html: str, tile_class: str) -> dict[str, str]:
    """metric id -> the HTML of its tile (up to the next tile)."""
    parts = re.split(rf'(?=<div class="ws-tile {tile_class})', html)
    out = {}
    for part in parts[1:]:
        metric = re.search(r'data-metric="([^"]+)"', part).group(1)
        out[metric] = part
    return out


def test_each_huddle_tile_has_its_last_30_days_as_a_sparkline_and_its_variation_icon(run_view, history_store):
    every_section_open = {f"sec-{g.code}": True for g in history_store.cfg.dashboard.groups}
    at = run_view(history_store, "huddle", ward="7A", session=every_section_open)
    tiles = tile_blocks(all_html(at), "ws-tile-")
    assert len(tiles) >= 15
    by_id = {m.id: m for m in history_store.cfg.metrics}
    special = 0
    for metric_id, html in tiles.items():
        _, result = reference(history_store, by_id[metric_id], Scope("ward", "7A"))
        assert html.count('<img class="ws-spark" src="data:image/svg+xml;base64,') == 1, metric_id
        assert f'data-variation="{result.variation_icon}"' in html, metric_id
        assert f">{CHIP_WORDS[result.variation_icon]}</span>" in html, metric_id
        special += result.variation_icon != "common_cause"
    assert special, "no special cause on ward 7A: the test could not tell a right icon from a constant one"
    others = {"hi-gauge-7A", "rare-fall-7A"}  # the barometer's gauge and the days-since g chart, not tiles
    tile_charts = [c.key for c in at.get("plotly_chart") if c.key not in others]
    assert tile_charts == [], "the sparklines are images, not one plotly chart per tile"


def test_a_folded_sections_tiles_carry_their_variation_words_and_draw_their_sparkline_once_opened(
    run_view, history_store
):
    folded = {f"sec-{g.code}": False for g in history_store.cfg.dashboard.groups}
    at = run_view(history_store, "huddle", ward="7A", session=folded)
    tiles = tile_blocks(all_html(at), "ws-tile-")
    assert len(tiles) >= 15
    assert all('<img class="ws-spark"' not in html and "data-variation=" in html for html in tiles.values())
    assert not at.get("popover"), "a folded section's patient lists are drawn once it is opened"
    at.session_state["sec-" + history_store.cfg.dashboard.groups[0].code] = True
    at.run()
    assert '<img class="ws-spark"' in all_html(at)


def test_staffing_grid_cells_and_by_type_rows_carry_their_own_variation_icon(run_view, history_store):
    at = run_view(history_store, "huddle", ward="7A")
    html = all_html(at)
    by_id = {m.id: m for m in history_store.cfg.metrics}
    cells = dict(re.findall(r'<td class="ws-staff-cell"[^>]*data-metric="([^"]+)"(.*?)</td>', html, flags=re.S))
    rows = dict(re.findall(r'<tr data-metric="([^"]+)"[^>]*>(.*?)</tr>', html, flags=re.S))
    assert len(cells) == 4 and len(rows) >= 8
    for metric_id, block in {**cells, **rows}.items():
        _, result = reference(history_store, by_id[metric_id], Scope("ward", "7A"))
        last = result.points["value"].dropna()
        # past its target, an improvement signal reads as unusual (a fill rate over 100 % is not improving)
        shown = capped_variation_icon(
            result.variation_icon, result.improvement, result.target, float(last.iloc[-1]) if len(last) else None
        )
        assert f'data-variation="{shown}"' in block, metric_id
        assert block.count('class="ws-spc ') == 1, metric_id


def test_the_wall_shows_a_variation_icon_beside_every_tile(run_view, history_store):
    at = run_view(history_store, "wall", wards="8C")
    tiles = tile_blocks(all_html(at), "wall-tile")
    wall = audience(history_store, "wall")
    assert set(tiles) == {m.id for m in wall}
    for metric in wall:
        _, result = reference(history_store, metric, Scope("ward", "8C"))
        assert len(re.findall(r'class="ws-spc ', tiles[metric.id])) == 1, metric.id
        chip = re.search(r'<span class="ws-spc [^"]*" data-variation="([^"]+)"[^>]*>([^<]+)</span>', tiles[metric.id])
        assert chip.groups() == (result.variation_icon, CHIP_WORDS[result.variation_icon]), metric.id
    assert "↑ ↓ ↔ SPC trend" in all_html(at)


def test_with_one_day_of_history_tiles_say_no_history_yet_and_draw_no_sparkline(run_view, rejected_store):
    huddle = all_html(run_view(rejected_store, "huddle", ward="7A"))
    assert '<img class="ws-spark"' not in huddle and "no history yet" in huddle
    wall = tile_blocks(all_html(run_view(rejected_store, "wall", wards="7A")), "wall-tile")
    assert all("no history yet" in html and "data-variation" not in html for html in wall.values())
