"""The huddle inputs on the real huddle view: a rating goes in through the form, into the store, and onto the board.

Each test works on its own copy of the session's sample store (SQLite's backup
API), so what one test records is not seen by another.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from metrics.huddle import inputs as huddle
from metrics.store.audit import Actor
from metrics.store.audit_log import audit_entries
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.huddle.config import load_huddle_config
from metrics.pipeline import refresh
from metrics.synthetic.trust import generate_trust
from tests.app.conftest import Store, all_html, latest_extract_day


def copy_store(store: Store, folder: Path) -> Store:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "store.sqlite"
    source = sqlite3.connect(store.url.removeprefix("sqlite:///"))
    copy = sqlite3.connect(target)
    with copy:
        source.backup(copy)
    source.close()
    copy.close()
    return Store(f"sqlite:///{target}", store.config_dir)


@pytest.fixture
def store(sample_store: Store, tmp_path: Path) -> Store:
    return copy_store(sample_store, tmp_path / "copy")


def counts_on_board(at, kind: str = "reliability") -> dict[int, int]:
    board = re.search(rf'<div class="hi-board" data-kind="{kind}">.*?</table>', all_html(at), re.S)
    assert board is not None, f"no {kind} counts on the board"
    return {int(s): int(n) for s, n in re.findall(r'<td data-score="(\d)"[^>]*>(\d+)</td>', board.group(0))}


def rated_today(at, kind: str = "reliability") -> str:
    return re.search(rf'data-kind="{kind}">.*?<span data-rated>(\d+)</span>', all_html(at), re.S).group(1)


def today() -> date:
    return huddle.london_today()


def save_rating(at, score: int | None, role: str | None = None, comment: str = "") -> None:
    if score is not None:
        at.radio(key="hi-score-reliability").set_value(score)
    if role is not None:
        at.selectbox(key="hi-role").set_value(role)
    at.text_input(key="hi-comment").set_value(comment)
    next(b for b in at.button if b.label == "Save rating").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_a_rating_submitted_on_the_huddle_view_is_stored_and_counted_on_the_board(run_view, store):
    at = run_view(store, ward="7A")
    assert counts_on_board(at) == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    assert [r.label for r in at.radio if r.key.startswith("hi-")] == [
        "How reliable are our current processes?",
        "How safe do we feel today?",
    ]
    assert (
        "1 · Processes often fail: we get by on luck and workarounds" in at.radio(key="hi-score-reliability").options[0]
    )
    save_rating(at, 4, role="nurse", comment="pharmacy late again")
    stored = huddle.ratings(store.engine, "7A", today(), today())
    assert stored[["ward_code", "kind", "score", "role", "comment"]].values.tolist() == [
        ["7A", "reliability", 4, "nurse", "pharmacy late again"]
    ]
    assert re.fullmatch(r"(device|session)-[0-9a-f]+", stored.iloc[0]["device"])  # a random session label, never a name
    assert counts_on_board(at) == {1: 0, 2: 0, 3: 0, 4: 1, 5: 0}
    assert rated_today(at) == "1"
    assert any("Thank you: process reliability 4 counted." in s.value for s in at.success)
    assert at.radio(key="hi-score-reliability").value is None  # the form is ready for the next person
    log = audit_entries(store.engine, entity="huddle_rating", limit=None)
    # the audit log names the page's principal (in demo mode the picked role); the rating row names only the device
    assert log["actor"].tolist() == ["demo ward staff"] and log.iloc[0]["detail"]["after"]["score"] == 4


def test_two_devices_at_the_same_huddle_are_both_counted(run_view, store):
    first = run_view(store, ward="7A")
    second = run_view(store, ward="7A")
    save_rating(first, 4)
    save_rating(second, 5)
    assert counts_on_board(second) == {1: 0, 2: 0, 3: 0, 4: 1, 5: 1}
    devices = set(huddle.ratings(store.engine, "7A", today(), today())["device"])
    assert len(devices) == 2  # each browser session is its own device


def test_saving_without_a_score_is_refused_with_a_message(run_view, store):
    at = run_view(store, ward="7A")
    save_rating(at, None)
    assert any("choose a score from 1 to 5" in e.value for e in at.error)
    assert huddle.ratings(store.engine, "7A", today() - timedelta(days=30), today()).empty


def test_the_barometer_panel_shows_each_indicator_with_a_rag_word_and_the_gauge(run_view, store):
    at = run_view(store, ward="9A")
    html = all_html(at)
    hcfg = load_huddle_config(DEFAULT_CONFIG_DIR)
    chosen = [c.id for c in hcfg.barometer.wards["9A"].choices()]
    shown = re.findall(r'<div class="hi-ind" data-indicator="([a-z0-9_]+)" data-rag="(\w*)" data-status="(\w+)"', html)
    assert [i for i, _, _ in shown] == [
        c
        for d in ("harm", "positive", "culture")
        for c in chosen
        if next(x for x in hcfg.barometer.indicators if x.id == c).domain.value == d
    ]
    words = {"green": "✓ Green", "amber": "▲ Amber", "red": "● Red"}
    for indicator, rag, _ in shown:
        block = re.search(rf'data-indicator="{indicator}".*?</div></div>', html, re.S).group(0)
        if rag:
            assert words[rag] in block, indicator
    assert "9A's own indicators and aim" in [c.value for c in at.caption]
    assert "Our aim: No category 2+ pressure ulcers for 60 days by 31 March" in html
    assert re.search(r'<div class="hi-reading" data-score="\d+\.\d"><b>Overall: \d+ / 100</b>', html)
    assert any(chart.proto.spec and '"indicator"' in chart.proto.spec for chart in at.get("plotly_chart"))


def test_an_action_is_added_carried_and_closed_and_a_stale_close_is_refused(run_view, store):
    cfg, hcfg = store.cfg, load_huddle_config(store.config_dir)
    yesterday = today() - timedelta(days=1)
    old = huddle.add_action(
        store.engine,
        cfg,
        hcfg,
        ward_code="7A",
        text="Bay 3 falls risk: hourly checks",
        owner_role="hca",
        actor=Actor("device-other"),
        huddle_date=yesterday,
    )
    at = run_view(store, ward="7A")
    assert re.search(rf'data-action="{old}" data-status="open" data-carried="true"', all_html(at))
    assert "carried over from" in all_html(at)
    at.text_area(key="hi-action-text").set_value("Pharmacy shut until 09:00: chase 06:00 antibiotics")
    at.selectbox(key="hi-action-owner").set_value("doctor")
    next(b for b in at.button if b.label == "Add action").click()
    at.run()
    new = int(huddle.actions_for_huddle(store.engine, "7A", today())["id"].max())
    assert re.search(rf'data-action="{new}" data-status="open" data-carried="false"', all_html(at))
    assert "1 open action" not in " ".join(c.value for c in at.caption) and "2 open action(s)" in " ".join(
        c.value for c in at.caption
    )
    # another device closes the old one while this screen still shows it open: this screen's close is refused
    huddle.set_action_status(
        store.engine, action_id=old, expected_version=1, status="done", actor=Actor("device-other")
    )
    at.button(key=f"hi-cancel-{old}").click()
    at.run()
    assert any(f"action #{old} was changed on another device" in e.value for e in at.error)
    assert huddle.action(store.engine, old)["status"] == "done"
    assert re.search(rf'data-action="{old}" data-status="done"', all_html(at))  # the reloaded list shows it closed
    at.button(key=f"hi-done-{new}").click()
    at.run()
    assert huddle.action(store.engine, new)["status"] == "done"
    assert huddle.open_action_counts(store.engine, ["7A"]) == {}


def test_entries_can_be_exported_as_csv(run_view, store):
    at = run_view(store, ward="7A")
    labels = [b.label for b in at.get("download_button")]
    assert "Ratings (CSV)" in labels and "Actions (CSV)" in labels


def test_wall_and_executive_summaries(store, monkeypatch):
    from dashboard.common.huddle_summary import exec_huddle_summary, wall_huddle_summary

    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.setenv("WARD_DASHBOARD_CONFIG", str(store.config_dir))
    cfg, hcfg = store.cfg, load_huddle_config(store.config_dir)
    for score in (3, 4, 4):
        huddle.record_rating(store.engine, cfg, hcfg, ward_code="8C", score=score, actor=Actor("device-wall"))
    huddle.add_action(
        store.engine,
        cfg,
        hcfg,
        ward_code="8C",
        text="Check telemetry leads",
        owner_role="nurse",
        actor=Actor("device-wall"),
    )
    wall = wall_huddle_summary("8C")
    assert (wall["counts"], wall["median"], wall["rated"], wall["open_actions"]) == (
        {1: 0, 2: 0, 3: 1, 4: 2, 5: 0},
        4.0,
        3,
        1,
    )
    grid = exec_huddle_summary(["8C", "7B"])
    assert list(grid.columns) == ["ward_code", "reliability_median", "rated_today", "open_actions"]
    assert grid.iloc[0].tolist() == ["8C", 4.0, 3, 1]
    assert grid.iloc[1]["ward_code"] == "7B" and pd.isna(
        grid.iloc[1]["reliability_median"]
    )  # nobody rated: no median, not 0
    assert grid.iloc[1][["rated_today", "open_actions"]].tolist() == [0, 0]


@pytest.fixture(scope="module")
def epr_only_store(tmp_path_factory) -> Store:
    """One day of the synthetic trust without the optional tables: a hospital that supplies only its EPR extract."""
    root = tmp_path_factory.mktemp("epr_only")
    store = Store(f"sqlite:///{root / 'store.sqlite'}", DEFAULT_CONFIG_DIR)
    for folder in generate_trust(root / "extracts", days=1, end=latest_extract_day(), non_epr=False, bad_rows=False):
        refresh(folder, store.cfg, store.engine)
    return store


def test_without_the_optional_tables_the_panel_says_what_is_missing(run_view, epr_only_store):
    at = run_view(epr_only_store, ward="7A")
    html = all_html(at)
    assert "Not supplied by this hospital's extract: <b>incidents, patient_feedback, workforce</b>" in html
    assert re.search(r'data-indicator="falls_with_harm" data-rag="" data-status="not_supplied"', html)
    assert "○ Not supplied" in html
    assert re.search(r'data-indicator="missed_critical_doses" data-rag="\w+" data-status="ok"', html)
