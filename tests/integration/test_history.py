"""Stored history as SPC series: one point per day, honest aggregation, gaps kept as gaps; and the board report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from metrics.config.load import load_config
from metrics.pipeline import refresh
from metrics.synthetic.trust import generate_trust
from metrics.store.spc_history import Scope, daily_series
from metrics.store import queries
from metrics.store.database import make_engine, migrate

ROOT = Path(__file__).resolve().parents[2]
DAYS = 12
SKIPPED_DAY = 5  # index of a day whose extract never arrived


@pytest.fixture(scope="module")
def history_store(tmp_path_factory):
    """A store holding 11 of 12 daily synthetic extracts (one day missing)."""
    base = tmp_path_factory.mktemp("history")
    cfg = load_config()
    folders = generate_trust(base / "extracts", days=DAYS, end=pd.Timestamp("2026-11-25").date(), fmt="parquet")
    url = f"sqlite:///{base / 'store.sqlite'}"
    engine = make_engine(url)
    migrate(engine)
    for i, folder in enumerate(folders):
        if i != SKIPPED_DAY:
            refresh(folder, cfg, engine)
    return url, engine, cfg, folders


def spc_cli(url: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "metrics", "spc", *args, "--db", url, "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_ward_series_has_one_point_per_day_and_a_gap_where_no_extract_came(history_store):
    url, engine, cfg, folders = history_store
    doc = spc_cli(url, "--metric", "assessments_overdue", "--ward", "7A")
    points = doc["points"]
    assert len(points) == DAYS
    missing_date = folders[SKIPPED_DAY].name
    gap = next(p for p in points if p["date"] == missing_date)
    assert gap["value"] is None and gap["point_type"] is None
    stored = queries.daily_history(engine, "assessments_overdue")
    stored = stored[stored.ward_code == "7A"].set_index(stored[stored.ward_code == "7A"]["date"].astype(str))["value"]
    for p in points:
        if p["value"] is not None:
            assert p["value"] == stored[p["date"]]


def test_site_ratio_is_recomputed_from_summed_parts_not_averaged(history_store):
    url, engine, cfg, _ = history_store
    doc = spc_cli(url, "--metric", "staff_registered_day", "--site", "RGH")
    hist = queries.daily_history(engine, "staff_registered_day")
    rgh = [w.code for w in cfg.wards.wards if w.site == "RGH"]
    day = hist[hist.ward_code.isin(rgh)].groupby("date")[["numerator", "denominator"]].sum()
    expected = (day["numerator"] / day["denominator"]).rename(index=str)
    for p in doc["points"]:
        if p["value"] is not None:
            assert p["value"] == pytest.approx(expected[p["date"]])
    averaged = hist[hist.ward_code.isin(rgh)].groupby("date")["value"].mean().rename(index=str)
    assert any(abs(expected[d] - averaged[d]) > 1e-6 for d in expected.index), (
        "fixture cannot tell summing from averaging"
    )


def test_trust_count_is_the_sum_of_ward_counts(history_store):
    _, engine, cfg, _ = history_store
    series = daily_series(engine, cfg, "patients_on_ward", Scope("trust", None)).dropna(subset=["value"])
    hist = queries.daily_history(engine, "patients_on_ward")
    totals = hist.groupby("date")["value"].sum()
    assert series.set_index(series["date"].dt.date)["value"].to_dict() == pytest.approx(totals.to_dict())


def test_unknown_ward_is_a_clear_error(history_store):
    url, *_ = history_store
    out = subprocess.run(
        [sys.executable, "-m", "metrics", "spc", "--metric", "aki", "--ward", "XX", "--db", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0
    assert "Unknown ward 'XX'" in out.stderr and "Traceback" not in out.stderr


def test_board_report_has_every_site_a_summary_and_charts_and_no_patient_data(history_store, tmp_path):
    url, engine, cfg, _ = history_store
    out = tmp_path / "report.html"
    result = subprocess.run(
        [sys.executable, "-m", "metrics", "report", "--month", "2026-11", "--out", str(out), "--db", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    for site in cfg.wards.sites:
        assert site.name in text
    assert "Variation" in text and "Assurance" in text
    assert text.count("class='chart'") >= len(cfg.wards.sites)
    enc = queries.encounter_values(engine, queries.current_snapshot(engine).id)
    assert not any(e in text for e in enc["encounter_id"].head(50))
