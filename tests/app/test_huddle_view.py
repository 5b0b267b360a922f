"""The ward huddle view: the board for one ward, its patient lists and its printable sheet."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard.common.board import Board, indexed_values
from dashboard.common.formatting import staffing_text
from metrics.board.freshness import freshness
from dashboard.huddle.sheet import actions_html, huddle_sheet_html, ratings_html
from dashboard.common.formatting import column_title
from metrics.extract.contract import NEVER_SHOWN_COLUMNS, Identifying
from metrics.store import queries
from tests.app.conftest import all_html, expected_value_text, tiles_in
from tests.identity import identifying_values, latest_extract

RAG_TEXT = {"red": "● Red", "amber": "▲ Amber", "green": "✓ Green"}


def list_blocks(at):
    """The popovers under tiles and the expanders under compact tables ('… (N rows)'): where patient lists open
    (not the board's fold-away sections, which are expanders too)."""
    return list(at.get("popover")) + [e for e in at.expander if re.search(r"\(\d+ rows\)$", e.label)]


def huddle_metrics(store):
    return [m for m in store.cfg.metrics if "huddle" in {a.value for a in m.audiences}]


def open_every_list(at, store, ward: str) -> None:
    """Patient lists are drawn only while open: open every one before the run, as a nurse clicking each would."""
    from dashboard.huddle.patient_list import list_key

    for metric in huddle_metrics(store):
        at.session_state[list_key(ward, metric.id)] = True
        at.session_state[list_key(ward, "group-" + metric.group)] = True


@pytest.fixture(scope="module")
def huddle_7a(sample_store, tmp_path_factory):
    """The huddle board for 7A, run once for the module (AppTest runs are the slow part)."""
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", sample_store.url)
    mp.setenv("WARD_DASHBOARD_CONFIG", str(sample_store.config_dir))
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.query_params["ward"] = "7A"
    open_every_list(at, sample_store, "7A")
    at.run()
    mp.undo()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_every_huddle_metric_shows_the_stored_value_for_the_ward(huddle_7a, sample_store):
    tiles = tiles_in(huddle_7a)
    stored = sample_store.values("7A")
    for metric in huddle_metrics(sample_store):
        tile = tiles.get(("7A", metric.id))
        assert tile is not None, f"no tile for {metric.id}"
        row = stored[metric.id]
        if metric.display == "staffing":
            assert tile["value"] == staffing_text(row["numerator"], row["denominator"]), metric.id  # hours
            assert f"fill rate {expected_value_text(metric, row)}" in tile["text"], metric.id
        else:
            assert tile["value"] == expected_value_text(metric, row), metric.id


def test_no_tile_for_a_metric_outside_the_huddle_audience(huddle_7a, sample_store):
    shown = {metric for _, metric in tiles_in(huddle_7a)}
    assert shown == {m.id for m in huddle_metrics(sample_store)}


def test_rag_is_an_icon_and_a_word_on_every_tile_that_has_one(huddle_7a, sample_store):
    tiles = tiles_in(huddle_7a)
    stored = sample_store.values("7A")
    checked = 0
    for metric in huddle_metrics(sample_store):
        rag = stored[metric.id]["rag"]
        if isinstance(rag, str):
            assert RAG_TEXT[rag] in tiles[("7A", metric.id)]["text"], metric.id
            checked += 1
    assert checked >= 10


def test_each_tile_says_how_it_changed_since_yesterday(huddle_7a, sample_store):
    engine = sample_store.engine
    current = sample_store.current()
    previous = queries.previous_day_snapshot(engine, current)
    assert previous is not None
    before = queries.ward_values(engine, previous.id).set_index(["ward_code", "metric_id"])["value"]
    tiles = tiles_in(huddle_7a)
    for metric in huddle_metrics(sample_store):
        if metric.ratio is not None:
            continue
        now = sample_store.values("7A")[metric.id]["value"]
        diff = now - before[("7A", metric.id)]
        text = tiles[("7A", metric.id)]["text"]
        if diff == 0:
            assert "no change" in text, metric.id
        else:
            arrow = "▲" if diff > 0 else "▼"
            size = abs(float(diff))
            shown = f"{int(size)}" if size.is_integer() else f"{size:.1f}"  # care hours may be fractional
            assert f"{arrow} {shown} since yesterday" in text, metric.id


def test_the_ward_comes_from_the_url_and_the_sidebar_follows(run_view, sample_store):
    at = run_view(sample_store, ward="8c")
    assert at.sidebar.selectbox(key="huddle_ward").value == "8C"
    wards = {ward for ward, _ in tiles_in(at)}
    assert wards == {"8C"}
    assert "8C · Cardiology" in all_html(at)


def test_an_unknown_ward_in_the_url_is_said_plainly(run_view, sample_store):
    at = run_view(sample_store, ward="ZZ9")
    assert any("ZZ9" in w.value and "not in the configuration" in w.value for w in at.warning)
    assert {ward for ward, _ in tiles_in(at)} == {"7A"}


def _metric_with_longest_list(store, ward):
    engine = store.engine
    snap = store.current()
    best = None
    for metric in huddle_metrics(store):
        if metric.drilldown is None:
            continue
        rows = queries.drilldown(engine, snap.id, ward, metric.id)
        if best is None or len(rows) > len(best[1]):
            best = (metric, rows)
    assert best is not None and len(best[1]) > 0
    return best


def test_a_tile_opens_its_patient_list_without_identifiers(huddle_7a, sample_store):
    metric, rows = _metric_with_longest_list(sample_store, "7A")
    lists = [
        b for b in list_blocks(huddle_7a) if any(c.value == f"{metric.label}: most urgent first" for c in b.caption)
    ]
    assert len(lists) == 1, metric.id
    table = lists[0].dataframe[0].value
    assert len(table) == len(rows)
    assert "Bed" in table.columns and "Age" in table.columns
    for column in sorted(NEVER_SHOWN_COLUMNS):
        assert column not in table.columns and column_title(column) not in table.columns, column
    shown = set(table.astype(str).to_numpy().ravel())
    keys = set(rows[sorted(NEVER_SHOWN_COLUMNS & set(rows.columns))].astype(str).to_numpy().ravel())
    assert keys and not shown & keys, "a patient or stay key reached the screen"
    assert list(table["Bed"]) == [str(b) for b in rows["bed"]], (
        "the list is not in the stored (most urgent first) order"
    )
    assert any(b.label == "Download CSV" for b in lists[0].get("download_button"))


def test_durations_in_a_patient_list_read_as_hours_and_minutes(huddle_7a, sample_store):
    durations = [m for m in huddle_metrics(sample_store) if m.drilldown and m.drilldown.duration]
    found = False
    for block in list_blocks(huddle_7a):
        for frame in block.dataframe:
            table = frame.value
            for column in ("Overdue for", "Since due", "Obs taken", "For how long"):
                if column in table.columns and len(table):
                    assert all(re.fullmatch(r"-?(\d+ m|\d+ h \d+ m|\d+ d \d+ h)|", v) for v in table[column]), table[
                        column
                    ].tolist()
                    found = True
    assert durations and found


def test_the_outstanding_assessments_by_type_are_a_compact_table_not_tiles(huddle_7a, sample_store):
    by_type = [m for m in sample_store.cfg.metrics if m.group == "assessments_by_type"]
    html = all_html(huddle_7a)
    for metric in by_type:
        assert re.search(rf'<tr data-metric="{metric.id}" data-ward="7A"', html), metric.id
        assert not re.search(rf'class="ws-tile[^"]*"[^>]*data-metric="{metric.id}"', html), metric.id


def test_the_staffing_grid_is_registered_and_unregistered_by_day_and_night(huddle_7a):
    html = all_html(huddle_7a)
    grid = re.search(r'<table class="ws-staff-grid">.*?</table>', html, re.S)
    assert grid is not None
    assert re.search(r"<th>Day</th><th>Night</th>", grid.group(0))
    assert "Registered</th>" in grid.group(0) and "Unregistered</th>" in grid.group(0)


def test_the_board_folds_into_sections_the_most_red_first(sample_store):
    """Each group is a fold-away section; sections with more red come first (then more amber, then the
    configuration's order); a section with a red or amber tile opens unfolded, the rest start folded (no patient
    list is open on this board: a section holding an open list opens unfolded too)."""
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", sample_store.url)
    mp.setenv("WARD_DASHBOARD_CONFIG", str(sample_store.config_dir))
    huddle_7a = AppTest.from_file(str(APP), default_timeout=90)
    huddle_7a.query_params["ward"] = "7A"
    huddle_7a.run()
    mp.undo()
    engine = sample_store.engine
    stored = queries.ward_values(engine, queries.current_snapshot(engine).id)
    rag = dict(
        zip(stored.loc[stored["ward_code"] == "7A", "metric_id"], stored.loc[stored["ward_code"] == "7A", "rag"])
    )
    shown = huddle_metrics(sample_store)
    groups = [(g.code, g.label) for g in sample_store.cfg.dashboard.groups]
    expected = []
    for position, (code, label) in enumerate(groups):
        rags = [rag.get(m.id) for m in shown if m.group == code]
        if rags:
            red, amber = rags.count("red"), rags.count("amber")
            expected.append((-red, -amber, position, label, red + amber > 0))
    expected.sort()
    assert expected[0][0] < 0, "the sample ward has a red tile"
    sections = [e for e in huddle_7a.expander if any(e.label.split(" · ")[0] == label for _, label in groups)]
    assert [e.label.split(" · ")[0] for e in sections] == [label for *_, label, _ in expected]
    assert [e.proto.expanded for e in sections] == [opened for *_, opened in expected]
    first = sections[0].label
    assert re.fullmatch(r".+ · ● \d+ Red( · ▲ \d+ Amber)?|.+ · ▲ \d+ Amber|[^·]+", first)


def test_there_is_a_print_button_and_the_sheet_as_a_file(huddle_7a):
    assert [b.label for b in huddle_7a.button if b.label == "Print sheet (A4)"] == ["Print sheet (A4)"]
    assert [b.label for b in huddle_7a.get("download_button") if b.label == "Sheet as a file"] == ["Sheet as a file"]


def test_the_sheet_carries_todays_ratings_and_open_actions():
    huddle = {"rated": 4, "counts": {2: 1, 4: 2, 5: 1}, "median": 4.0}
    assert "Rated by 4 · median 4" in ratings_html(huddle)
    assert "<td>0</td><td>1</td><td>0</td><td>2</td><td>1</td>" in ratings_html(huddle)
    assert ratings_html({"rated": 0, "counts": {}}) == "<p>No reliability ratings recorded yet today.</p>"
    actions = pd.DataFrame(
        {
            "text": ["Check the hoist", "Done one"],
            "owner_role": ["nurse in charge", "HCA"],
            "due_at": [None, None],
            "status": ["open", "closed"],
            "carried_over": [True, False],
        }
    )
    assert actions_html(actions) == '<ul class="actions"><li>Check the hoist · nurse in charge (carried over)</li></ul>'
    assert actions_html(actions.iloc[1:]) == "<p>No open actions.</p>"


def test_the_printable_sheet_is_one_a4_page_of_the_board_without_identifiers(sample_store):
    cfg = sample_store.cfg
    engine = sample_store.engine
    snap = sample_store.current()
    prev = queries.previous_day_snapshot(engine, snap)
    board = Board(
        cfg,
        sample_store.url,
        snap,
        prev,
        freshness(
            snap.extracted_at,
            snap.loaded_at,
            queries.refresh_attempts(engine),
            cfg.dashboard.stale_after_minutes,
            pd.Timestamp.now(tz="UTC").to_pydatetime(),
        ),
        indexed_values(queries.ward_values(engine, snap.id)),
        indexed_values(queries.ward_values(engine, prev.id)),
    )
    ward = cfg.ward("7A")
    sheet = huddle_sheet_html(board, ward, "Riverside General Hospital")
    assert sheet.startswith("<!DOCTYPE html>") and "@page{size:A4 portrait" in sheet
    assert "<script" not in sheet and "http" not in sheet
    for metric in huddle_metrics(sample_store):
        assert f'data-metric="{metric.id}"' in sheet, metric.id
    keys = identifying_values(latest_extract(sample_store.url), kinds=frozenset({Identifying.KEY}))
    assert keys and not any(k in sheet for k in keys)
