"""Every stored SPC series at once (``spc_for_store``): the same answer as charting each series alone.

The reference for every comparison is the one-series path the command line and the board report
already use: ``daily_series`` for a scope, then ``spc`` on it. ``spc_for_store`` must give the same
points and icons for every ward, site and the trust, from one read of the store.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import event

from metrics.config.models import SpcRebase
from metrics.config.load import load_config
from metrics.errors import UserFacingError
from metrics.pipeline import refresh
from metrics.synthetic.trust import generate_trust
from metrics.spc.xmr import spc
from metrics.store.spc_history import (
    IMPROVEMENT,
    Scope,
    daily_series,
    rebase_dates,
    series_id,
    spc_for_store,
    store_series,
)
from metrics.store import queries
from metrics.store.database import make_engine, migrate, ready_engine

DAYS = 16
SKIPPED_DAY = 6  # no extract arrived that day: a gap in every series
END = date(2026, 11, 25)
COMPARED = ("value", "phase", "mean", "lower_limit", "upper_limit", "rule", "point_type")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """16 daily synthetic extracts but one, on SQLite."""
    base = tmp_path_factory.mktemp("spc_store")
    cfg = load_config()
    folders = generate_trust(base / "extracts", days=DAYS, end=END, fmt="parquet")
    engine = make_engine(f"sqlite:///{base / 'store.sqlite'}")
    migrate(engine)
    for i, folder in enumerate(folders):
        if i != SKIPPED_DAY:
            refresh(folder, cfg, engine)
    return engine, cfg, folders


@pytest.fixture(scope="module")
def charts(store):
    engine, cfg, _ = store
    return spc_for_store(engine, cfg)


def one_chart(result, sid: str) -> pd.DataFrame:
    points = result.points[result.points["series_id"] == sid]
    assert len(points), f"no series {sid}"
    return points.drop(columns="series_id").reset_index(drop=True)


def reference(engine, cfg, metric_id: str, scope: Scope):
    """The one-series path: daily_series then spc, with the metric's direction, target and rebase dates."""
    definition = next(m for m in cfg.metrics if m.id == metric_id)
    series = daily_series(engine, cfg, metric_id, scope)
    return spc(
        series["date"],
        series["value"],
        IMPROVEMENT[definition.direction],
        definition.target,
        rebase_dates(cfg, metric_id, scope),
    )


def assert_same_chart(result, engine, cfg, metric_id: str, scope: Scope) -> None:
    sid = series_id(metric_id, scope)
    ours = one_chart(result, sid)
    expected = reference(engine, cfg, metric_id, scope)
    theirs = expected.points
    assert ours["date"].tolist() == theirs["date"].tolist(), sid
    for column in COMPARED:
        left, right = ours[column], theirs[column]
        if column in ("rule", "point_type"):
            assert (
                left.astype(object).where(left.notna(), None).tolist()
                == right.astype(object).where(right.notna(), None).tolist()
            ), (sid, column)
        else:
            np.testing.assert_allclose(
                left.to_numpy(dtype=float),
                right.to_numpy(dtype=float),
                rtol=1e-12,
                equal_nan=True,
                err_msg=f"{sid} {column}",
            )
    row = result.summary.set_index("series_id").loc[sid]
    assert (row["variation_icon"], row["assurance_icon"]) == (expected.variation_icon, expected.assurance_icon), sid


def test_series_ids_name_the_scope_then_the_metric():
    assert series_id("aki", Scope("ward", "7A")) == "ward:7A|aki"
    assert series_id("aki", Scope("site", "RGH")) == "site:RGH|aki"
    assert series_id("aki", Scope("trust", None)) == "trust|aki"
    assert Scope.from_key("site:RGH") == Scope("site", "RGH") and Scope.from_key("trust") == Scope("trust", None)
    with pytest.raises(ValueError, match="a scope key is"):
        Scope.from_key("ward:")


def test_there_is_one_series_per_metric_for_every_ward_every_site_and_the_trust(charts, store):
    _, cfg, _ = store
    scopes = ["trust"] + [f"site:{s.code}" for s in cfg.wards.sites] + [f"ward:{w.code}" for w in cfg.wards.wards]
    expected = [f"{scope}|{m.id}" for scope in scopes for m in cfg.metrics]
    assert charts.summary["series_id"].tolist() == expected
    assert set(charts.summary["scope_kind"]) == {"trust", "site", "ward"}
    row = charts.summary.set_index("series_id").loc["site:RGH|aki"]
    assert (row["metric_id"], row["scope"], row["scope_kind"]) == ("aki", "site:RGH", "site")


@pytest.mark.parametrize("metric_id", ["patients_on_ward", "staff_registered_night", "missed_critical_doses_today"])
def test_every_ward_series_equals_spc_on_its_daily_series(charts, store, metric_id):
    engine, cfg, _ = store
    for ward in cfg.wards.wards:
        assert_same_chart(charts, engine, cfg, metric_id, Scope("ward", ward.code))


def test_every_metric_of_one_ward_equals_spc_on_its_daily_series(charts, store):
    engine, cfg, _ = store
    for metric in cfg.metrics:
        assert_same_chart(charts, engine, cfg, metric.id, Scope("ward", "7A"))


@pytest.mark.parametrize(
    "metric_id", ["staff_fill_rate_overall", "staff_unregistered_night", "assessments_overdue", "falls_last_24h"]
)
def test_site_and_trust_series_equal_spc_on_their_daily_series(charts, store, metric_id):
    engine, cfg, _ = store
    for scope in [Scope("trust", None)] + [Scope("site", s.code) for s in cfg.wards.sites]:
        assert_same_chart(charts, engine, cfg, metric_id, scope)


def test_a_site_ratio_is_its_summed_numerator_over_its_summed_denominator_not_an_average(charts, store):
    engine, cfg, _ = store
    history = queries.daily_history(engine, "staff_registered_night")
    nvh = [w.code for w in cfg.wards.wards if w.site == "NVH"]
    parts = history[history["ward_code"].isin(nvh)].groupby("date")[["numerator", "denominator"]].sum()
    summed = parts["numerator"] / parts["denominator"]
    averaged = history[history["ward_code"].isin(nvh)].groupby("date")["value"].mean()
    ours = one_chart(charts, "site:NVH|staff_registered_night").dropna(subset=["value"])
    ours = ours.set_index(ours["date"].dt.date)["value"]
    assert ours.to_dict() == pytest.approx(summed.to_dict())
    assert (ours - averaged.reindex(ours.index)).abs().max() > 1e-6, "the fixture cannot tell summing from averaging"


def test_a_day_without_an_extract_is_a_gap_in_every_series_never_a_zero(charts, store):
    _, cfg, folders = store
    missing = pd.Timestamp(folders[SKIPPED_DAY].name)
    on_that_day = charts.points[charts.points["date"] == missing]
    assert on_that_day["series_id"].nunique() == len(cfg.metrics) * (1 + len(cfg.wards.sites) + len(cfg.wards.wards))
    assert on_that_day["value"].isna().all() and on_that_day["point_type"].isna().all()
    # The lines stay continuous across the gap, in every series that has a value at all (a ward with no patient a
    # metric counts, such as no one aged 65 or over for the frailty measures, has no line to continue).
    charted = charts.points.loc[charts.points["value"].notna(), "series_id"].unique()
    assert len(charted) > 0
    assert on_that_day.loc[on_that_day["series_id"].isin(charted), "mean"].notna().all()
    assert on_that_day.loc[~on_that_day["series_id"].isin(charted), "mean"].isna().all()


def test_a_day_on_which_no_ward_of_a_group_has_a_part_is_a_gap_not_a_zero(store):
    _, cfg, _ = store
    day = pd.Timestamp("2026-01-01")
    history = pd.DataFrame(
        {
            "date": [day, day + pd.Timedelta(days=1), day + pd.Timedelta(days=2)],
            "metric_id": ["staff_registered_day"] * 3,
            "ward_code": ["7A"] * 3,
            "value": [0.9, np.nan, 1.0],
            "numerator": [9.0, np.nan, 10.0],
            "denominator": [10.0, np.nan, 10.0],
        }
    )
    series = store_series(cfg, history)
    site = series[series["series_id"] == "site:RGH|staff_registered_day"]
    assert site["value"].tolist()[0] == pytest.approx(0.9) and np.isnan(site["value"].tolist()[1])


def test_a_configured_rebase_starts_a_new_phase_only_in_its_scope(store):
    engine, cfg, folders = store
    rebase_day = pd.Timestamp(folders[9].name).date()
    rebased = dataclasses.replace(
        cfg,
        dashboard=cfg.dashboard.model_copy(
            update={"spc_rebase": (SpcRebase(metric="aki", date=rebase_day, site="RGH"),)}
        ),
    )
    result = spc_for_store(engine, rebased, ["aki"])
    phases = result.points.groupby("series_id", observed=True)["phase"].max()
    assert phases["site:RGH|aki"] == 1
    assert phases.drop("site:RGH|aki").eq(0).all()
    assert_same_chart(result, engine, rebased, "aki", Scope("site", "RGH"))


def test_metric_ids_limit_the_series_and_an_unknown_one_is_a_clear_error(store):
    engine, cfg, _ = store
    result = spc_for_store(engine, cfg, ["aki", "staff_fill_rate_overall"])
    assert set(result.summary["metric_id"]) == {"aki", "staff_fill_rate_overall"}
    with pytest.raises(UserFacingError, match="Unknown metric"):
        spc_for_store(engine, cfg, ["aki", "no_such_metric"])


def test_the_history_of_every_metric_is_read_in_one_query(store):
    engine, cfg, _ = store
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        spc_for_store(engine, cfg)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 2, (
        statements
    )  # which snapshot is each day's latest; then every ward value of those snapshots


def test_daily_history_all_holds_what_daily_history_holds_for_each_metric(store):
    engine, cfg, _ = store
    everything = queries.daily_history_all(engine)
    for metric_id in ("aki", "staff_fill_rate_overall"):
        one = queries.daily_history(engine, metric_id)
        ours = everything[everything["metric_id"] == metric_id].drop(columns="metric_id").reset_index(drop=True)
        assert ours["date"].dt.date.tolist() == one["date"].tolist()
        assert ours["ward_code"].tolist() == one["ward_code"].tolist()
        for column in ("value", "numerator", "denominator"):
            np.testing.assert_allclose(
                ours[column].to_numpy(dtype=float), pd.to_numeric(one[column]).to_numpy(dtype=float), equal_nan=True
            )


def test_an_empty_store_has_no_series(tmp_path):
    engine = ready_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    result = spc_for_store(engine, load_config())
    assert result.points.empty and result.summary.empty


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_on_postgresql_a_site_ratio_and_a_ward_count_equal_spc_on_their_daily_series(db_url, tmp_path):
    cfg = load_config()
    engine = ready_engine(db_url)
    for folder in generate_trust(tmp_path / "extracts", days=4, end=END - timedelta(days=30), fmt="parquet"):
        refresh(folder, cfg, engine)
    result = spc_for_store(engine, cfg, ["staff_fill_rate_overall", "patients_on_ward"])
    assert_same_chart(result, engine, cfg, "staff_fill_rate_overall", Scope("site", "SCH"))
    assert_same_chart(result, engine, cfg, "patients_on_ward", Scope("ward", "7A"))
    assert_same_chart(result, engine, cfg, "patients_on_ward", Scope("trust", None))


def _one_ward_matches_the_store(engine, cfg, ward: str) -> None:
    """A huddle board's reads of one ward equal that ward's part of the region-wide reads."""
    whole = spc_for_store(engine, cfg)
    ours = spc_for_store(engine, cfg, ward_codes=[ward.lower()])  # compared case-blind
    assert set(ours.summary["scope"]) == {f"ward:{ward}"}
    theirs = whole.summary[whole.summary["scope"] == f"ward:{ward}"]
    columns = ["series_id", "metric_id", "variation_icon", "assurance_icon"]
    assert ours.summary[columns].sort_values("series_id").values.tolist() == (
        theirs[columns].sort_values("series_id").values.tolist()
    )
    snapshot = queries.current_snapshot(engine).id
    every = queries.ward_values(engine, snapshot)
    mine = queries.ward_values(engine, snapshot, [ward.lower()])
    assert len(mine) > 0
    pd.testing.assert_frame_equal(mine, every[every["ward_code"] == ward].reset_index(drop=True))
    lists = queries.ward_drilldowns(engine, snapshot, ward)
    assert lists, "the ward has patient lists"
    for metric in cfg.metrics:
        alone = queries.drilldown(engine, snapshot, ward, metric.id)
        if alone.empty:
            assert metric.id not in lists
        else:
            pd.testing.assert_frame_equal(lists[metric.id], alone)


def test_one_wards_values_spc_and_patient_lists_equal_its_part_of_the_whole_store(store):
    engine, cfg, _ = store
    _one_ward_matches_the_store(engine, cfg, "7A")


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_on_postgresql_one_wards_reads_equal_its_part_of_the_whole_store(db_url, tmp_path):
    cfg = load_config()
    engine = ready_engine(db_url)
    for folder in generate_trust(tmp_path / "extracts", days=3, end=END - timedelta(days=30), fmt="parquet"):
        refresh(folder, cfg, engine)
    _one_ward_matches_the_store(engine, cfg, "7A")
