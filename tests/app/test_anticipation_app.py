"""Today's risks and the reference board's tiles on the real huddle view: nurses on shift read 'actual (planned)',
a tile over an optional table the extract did not carry reads 'not supplied', and 'how safe do we feel' is charted."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.huddle import inputs as huddle
from metrics.huddle.config import load_huddle_config
from metrics.pipeline import refresh
from metrics.store.audit import Actor
from metrics.synthetic.trust import generate_trust
from tests.app.conftest import Store, all_html, latest_extract_day, tiles_in
from tests.app.test_huddle_inputs_app import copy_store

OPTIONAL_TILES = (
    "next_shift_care_hours_required",
    "next_shift_care_hours_short",
    "next_shift_patients_not_scored",
    "falls_high_risk_no_plan",
    "expected_admissions",
    "free_beds",
    "admissions_without_bed",
)


@pytest.fixture(scope="module")
def epr_only(tmp_path_factory) -> Store:
    """One day of the synthetic trust without the optional tables."""
    root = tmp_path_factory.mktemp("epr_only_anticipation")
    store = Store(f"sqlite:///{root / 'store.sqlite'}", DEFAULT_CONFIG_DIR)
    for folder in generate_trust(root / "extracts", days=1, end=latest_extract_day(), non_epr=False, bad_rows=False):
        refresh(folder, store.cfg, store.engine)
    return store


def test_nurses_on_shift_read_actual_then_planned_headcount(run_view, sample_store):
    at = run_view(sample_store, ward="7A")
    tiles = tiles_in(at)
    stored = sample_store.values("7A")
    for shift in ("day", "night"):
        for group in ("registered", "unregistered"):
            row = stored[f"nurses_{group}_{shift}"]
            expected = f"{int(row['numerator'])} ({int(row['denominator'])})"
            assert tiles[("7A", f"nurses_{group}_{shift}")]["value"] == expected


def test_the_anticipation_tiles_show_values_when_the_tables_are_supplied(run_view, sample_store):
    tiles = tiles_in(run_view(sample_store, ward="7A"))
    for metric_id in OPTIONAL_TILES:
        assert tiles[("7A", metric_id)]["value"] not in ("not supplied", "–"), metric_id


def test_without_the_optional_tables_their_tiles_read_not_supplied(run_view, epr_only):
    tiles = tiles_in(run_view(epr_only, ward="7A"))
    for metric_id in OPTIONAL_TILES:
        assert tiles[("7A", metric_id)]["value"] == "not supplied", metric_id
    assert tiles[("7A", "next_shift_staff_gap")]["value"] != "not supplied"  # the staffing table is always there


def test_how_safe_we_feel_is_charted_once_ten_days_are_rated(run_view, sample_store, tmp_path: Path):
    store = copy_store(sample_store, tmp_path / "copy")
    at = run_view(store, ward="7A")
    assert "Fewer than 10 days with a rating in the last 90 days: no chart yet." in [c.value for c in at.caption]
    cfg, hcfg = store.cfg, load_huddle_config(store.config_dir)
    today = huddle.london_today()
    for back in range(12):
        day = today - timedelta(days=back)
        moment = datetime.combine(day, time(9, 0), tzinfo=timezone.utc)
        huddle.record_rating(
            store.engine, cfg, hcfg, ward_code="7A", score=3 + back % 2, kind="feel_safe", actor=Actor("d"), now=moment
        )
    at = run_view(store, ward="7A")
    assert "How safe do we feel? The last 90 days as an SPC chart" in all_html(at)
    charts = [c for c in at.get("plotly_chart") if "feel-safe-spc" in str(c.proto)]
    assert len(charts) == 1
    assert any(c.value.startswith("Variation: ") for c in at.caption)
