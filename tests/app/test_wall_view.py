"""The matron wall screen: kiosk parameters, rotation, wall-only tiles, no patient identity, stale banner."""

from __future__ import annotations

import re

from dashboard.common.formatting import column_title
from dashboard.wall.screen import grid_shape, next_turn
from metrics.extract.contract import IDENTIFYING_COLUMNS
from tests.app.conftest import all_html, expected_value_text, tiles_in
from tests.identity import identifying_values, identity_shown, latest_extract


def wall_metrics(store):
    return [m for m in store.cfg.metrics if "wall" in {a.value for a in m.audiences}]


def wall_root(at) -> str:
    roots = [e.value for e in at.html if e.value.startswith('<div class="wall-root"')]
    assert len(roots) == 1
    return roots[0]


def test_the_wall_shows_the_first_listed_ward_with_only_wall_metrics_and_their_stored_values(run_view, sample_store):
    at = run_view(sample_store, "wall", wards="7A,7B,8C", rotate="30")
    assert 'data-ward="7A"' in wall_root(at)[:60]
    tiles = tiles_in(at)
    assert {m for _, m in tiles} == {m.id for m in wall_metrics(sample_store)}
    stored = sample_store.values("7A")
    for metric in wall_metrics(sample_store):
        assert tiles[("7A", metric.id)]["value"] == expected_value_text(metric, stored[metric.id]), metric.id
    assert "Ward 1 of 3, next every 30 s" in wall_root(at)


def test_the_wall_moves_to_the_next_ward_when_its_turn_is_up(run_view, sample_store):
    at = run_view(sample_store, "wall", session={"wall_turn": (0, 0.0)}, wards="7A,7B,8C", rotate="30")
    assert wall_root(at).startswith('<div class="wall-root" data-ward="7B"')
    assert "Ward 2 of 3" in wall_root(at)


def test_rotation_waits_for_the_rotate_seconds():
    assert next_turn(0, since=100.0, now=110.0, rotate=30, count=3) == (0, 100.0)
    assert next_turn(0, since=100.0, now=130.0, rotate=30, count=3) == (1, 130.0)
    assert next_turn(2, since=100.0, now=131.0, rotate=30, count=3) == (0, 131.0)
    assert next_turn(0, since=100.0, now=500.0, rotate=30, count=1) == (0, 100.0)


def test_a_matron_code_shows_that_matrons_wards(run_view, sample_store):
    at = run_view(sample_store, "wall", matron="M01")
    root = wall_root(at)
    expected = [w.code for w in sample_store.cfg.wards.wards if w.matron == "M01"]
    assert f"Ward 1 of {len(expected)}" in root
    assert root.startswith(f'<div class="wall-root" data-ward="{expected[0]}"')
    assert "Matron Medicine North" in root


def test_rotate_is_clamped_and_unknown_wards_are_noted_not_fatal(run_view, sample_store):
    at = run_view(sample_store, "wall", wards="7A,NOPE,7B", rotate="1")
    root = wall_root(at)
    assert "Ward 1 of 2, next every 5 s" in root
    assert "unknown ward NOPE" in root


def test_the_wall_never_shows_a_patient(run_view, sample_store):
    at = run_view(sample_store, "wall", wards="7A")
    assert not at.expander and not at.get("popover") and not at.dataframe and not at.get("download_button")
    html = all_html(at)
    visible = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    for column in sorted(IDENTIFYING_COLUMNS):
        assert column not in visible and column_title(column) not in visible, column
    values = identifying_values(latest_extract(sample_store.url))
    assert values and not identity_shown(html, values)


def test_the_wall_is_a_kiosk_with_no_sidebar_header_or_toolbar(run_view, sample_store):
    at = run_view(sample_store, "wall", wards="7A")
    css = all_html(at)
    for testid in ("stSidebar", "stHeader", "stToolbar", "stMainMenu"):
        assert re.search(rf'\[data-testid="{testid}"\][^{{]*\{{display:none !important\}}', css), testid


def test_the_wall_says_what_moment_its_data_reflects(run_view, sample_store):
    root = wall_root(run_view(sample_store, "wall", wards="7A"))
    assert re.search(r"Data as at \d\d:\d\d \w{3} \d{1,2} \w{3}", root)
    assert "DATA IS STALE" not in root


def test_stale_data_gets_a_banner_on_the_wall(run_view, stale_store):
    root = wall_root(run_view(stale_store, "wall", wards="7A"))
    assert re.search(r"DATA IS STALE: reflects \d{1,2} \w{3} \d\d:\d\d, \d+ (h|days) ago", root)


def test_tiles_fill_a_wide_screen_in_a_grid_without_scrolling():
    assert grid_shape(23) == (5, 5)
    cols, rows = grid_shape(30)
    assert cols * rows >= 30 and cols >= rows
    assert grid_shape(1) == (1, 1)


def test_the_wall_summarises_the_ward_and_shows_fewer_tiles_when_asked(run_view, sample_store):
    at = run_view(sample_store, "wall", wards="7A", tiles="staff_registered_day,nope")
    html = all_html(at)
    assert set(tiles_in(at)) == {("7A", "staff_registered_day")}
    tile = tiles_in(at)[("7A", "staff_registered_day")]["text"]
    word = next(w for w in ("Red", "Amber", "Green") if w in tile)
    counts = {w: (1 if w == word else 0) for w in ("Red", "Amber", "Green")}
    summary = re.sub(r"<[^>]+>", "|", re.search(r'data-testid="wall-summary">(.*?)</div>', html).group(1))
    assert [p for p in summary.split("|") if p] == [
        f"● {counts['Red']} Red",
        f"▲ {counts['Amber']} Amber",
        f"✓ {counts['Green']} Green",
    ]
    assert "ignored: unknown tile nope" in html
    assert "Green (blue edge)" in html
