"""What the team records at the huddle reaches the wall (counts per score, open actions) and the executive view
(median, how many rated)."""

from __future__ import annotations

import re

from dashboard.common.board import metrics_for
from metrics.huddle import inputs as huddle
from metrics.store.audit import Actor
from metrics.huddle.config import load_huddle_config
from metrics.store import queries
from tests.app.conftest import all_html, build_store, latest_extract_day


def test_ratings_and_actions_show_on_the_wall_and_in_the_exec_view(tmp_path, run_view):
    store = build_store(tmp_path, days=1, end=latest_extract_day())
    cfg, hcfg = store.cfg, load_huddle_config(store.config_dir)
    device = Actor(device="test-device")
    for score in (2, 4, 4, 5):
        huddle.record_rating(store.engine, cfg, hcfg, ward_code="7A", score=score, actor=device)
    huddle.add_action(
        store.engine, cfg, hcfg, ward_code="7A", text="Check the bed rails in bay 2", owner_role="nurse", actor=device
    )

    wall = all_html(run_view(store, "wall", wards="7A"))
    assert "Huddle today: reliability rated by 4 (scores 2, 4, 4, 5 of 5) · 1 open action" in wall

    at = run_view(store, "exec", mode="analyst")
    table = next(t.value for t in at.dataframe if "Rated reliability" in t.value.columns)
    row = table[table["Ward"].str.startswith("7A ")].iloc[0]
    assert (row["Reliability (median, 1-5)"], row["Rated reliability"], row["Open huddle actions"]) == ("4", 4, 1)
    other = table[table["Ward"].str.startswith("7B ")].iloc[0]
    assert (other["Rated reliability"], other["Reliability (median, 1-5)"]) == (0, "–")


def test_the_huddle_board_opens_on_its_red_and_amber_tiles_todays_ratings_and_open_actions(tmp_path, run_view):
    """The top of the huddle board: every red tile then every amber one (board order within each), beside
    today's two medians and the open actions' own words."""
    store = build_store(tmp_path, days=1, end=latest_extract_day())
    cfg, hcfg = store.cfg, load_huddle_config(store.config_dir)
    device = Actor(device="test-device")
    for score in (2, 4, 4):
        huddle.record_rating(store.engine, cfg, hcfg, ward_code="7A", score=score, actor=device)
    huddle.record_rating(store.engine, cfg, hcfg, ward_code="7A", score=3, kind="feel_safe", actor=device)
    huddle.add_action(
        store.engine, cfg, hcfg, ward_code="7A", text="Check the bed rails in bay 2", owner_role="nurse", actor=device
    )

    html = all_html(run_view(store, "huddle", ward="7A"))
    stored = queries.ward_values(store.engine, queries.current_snapshot(store.engine).id)
    rag = dict(
        zip(stored.loc[stored["ward_code"] == "7A", "metric_id"], stored.loc[stored["ward_code"] == "7A", "rag"])
    )
    board_order = [m.id for m in metrics_for(cfg, "huddle") if m.rag is not None]
    expected = [m for m in board_order if rag.get(m) == "red"] + [m for m in board_order if rag.get(m) == "amber"]
    assert expected, "the sample ward has tiles to act on"
    assert re.findall(r'data-attention="([^"]+)"', html) == expected
    reds, ambers = sum(rag[m] == "red" for m in expected), sum(rag[m] == "amber" for m in expected)
    assert f"Needs attention: ● {reds} Red · ▲ {ambers} Amber" in html
    today = html[html.index('data-testid="huddle-today"') :]
    assert "<b>Reliability</b>: median 4 of 5 <small>(3 rated)</small>" in today
    assert "<b>Feel safe</b>: median 3 of 5 <small>(1 rated)</small>" in today
    assert "<b>Open actions: 1</b>" in today and "<li>Check the bed rails in bay 2 <small>(nurse)</small></li>" in today
