"""What the team records at the huddle reaches the wall (counts per score, open actions) and the executive view (median, how many rated)."""

from __future__ import annotations


from metrics.huddle import inputs as huddle
from metrics.store.audit import Actor
from metrics.huddle.config import load_huddle_config
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

    at = run_view(store, "exec")
    table = next(t.value for t in at.dataframe if "Rated today" in t.value.columns)
    row = table[table["Ward"].str.startswith("7A ")].iloc[0]
    assert (row["Reliability today (median, 1-5)"], row["Rated today"], row["Open huddle actions"]) == (4.0, 4, 1)
    other = table[table["Ward"].str.startswith("7B ")].iloc[0]
    assert other["Rated today"] == 0
