"""An optional input a trust does not supply reads "not supplied" from the store to the hub, never zero.

Two synthetic trusts; the second's extracts leave out the optional encounter column ``clinical_frailty_scale``
and the optional incidents table, as a trust that records neither would. Its store records which optional
inputs each snapshot carried, its frailty and falls values are absent (not 0), its bundle marks them not
supplied, and the hub reads them back as not supplied; the first trust's are numbers. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from metrics.config.load import load_config
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.federation import hub_read
from metrics.federation.export import export_bundle
from metrics.federation.importer import import_bundle
from metrics.pipeline import refresh
from metrics.store import queries
from metrics.store.database import ready_engine
from metrics.synthetic.system import TrustSample, generate_system
from tests.system_builder import END, EXPORTED_AT

DAYS = 3
NOT_SUPPLIED_METRICS = ("frailty_cfs_recorded", "frailty_cfs_5_or_more", "falls_per_1000_bed_days")


def _without_frailty_and_incidents(trust: TrustSample) -> None:
    for folder in trust.folders:
        encounters = pd.read_csv(folder / "encounters.csv", dtype=str, keep_default_na=False)
        encounters.drop(columns=["clinical_frailty_scale"]).to_csv(folder / "encounters.csv", index=False)
        (folder / "incidents.csv").unlink()


@pytest.fixture(scope="module")
def trusts(tmp_path_factory: pytest.TempPathFactory) -> tuple[TrustSample, ...]:
    root = tmp_path_factory.mktemp("not_supplied")
    made = generate_system(root / "system", DEFAULT_CONFIG_DIR, trusts=2, days=DAYS, end=END, fmt="csv")
    _without_frailty_and_incidents(made[1])
    return tuple(made)


def _load(trust: TrustSample, url: str, out: Path) -> Path:
    engine = ready_engine(url)
    cfg = load_config(trust.config)
    for folder in trust.folders:
        refresh(folder, cfg, engine)
    return export_bundle(engine, cfg, out, since=date(END.year, END.month, 1), now=EXPORTED_AT).folder


def test_the_store_records_the_optional_inputs_and_reads_not_supplied_back(
    trusts, db_url: str, tmp_path: Path
) -> None:
    _load(trusts[1], db_url, tmp_path / "bundle")
    engine = ready_engine(db_url)
    snapshot = queries.current_snapshot(engine)
    assert snapshot is not None
    assert snapshot.supplied_columns is not None
    assert "clinical_frailty_scale" not in snapshot.supplied_columns["encounters"]
    assert {"imd_decile", "ethnic_category"} <= set(snapshot.supplied_columns["encounters"])
    assert "incidents" not in snapshot.row_counts
    values = queries.ward_values(engine, snapshot.id)
    absent = values[values["metric_id"].isin(NOT_SUPPLIED_METRICS)]
    assert len(absent) == 3 * len(load_config(trusts[1].config).wards.wards)
    assert absent[["value", "numerator", "denominator"]].isna().all().all()  # absent, never 0
    on_ward = values[values["metric_id"] == "patients_on_ward"]
    assert on_ward["value"].notna().all() and on_ward["value"].sum() > 100


def test_the_bundle_and_the_hub_say_not_supplied_for_the_trust_without_the_inputs(
    trusts, db_url: str, tmp_path: Path
) -> None:
    bundles = [_load(t, f"sqlite:///{tmp_path / (t.code + '.sqlite')}", tmp_path / t.code) for t in trusts]
    sent = {
        t.code: pd.read_csv(b / "values.csv", keep_default_na=False, na_values={"numerator": [""], "value": [""]})
        for t, b in zip(trusts, bundles, strict=True)
    }
    for code, want in (("RX1", False), ("RX2", True)):
        rows = sent[code][sent[code]["metric_id"].isin(NOT_SUPPLIED_METRICS)]
        assert len(rows) > 0 and set(rows["not_supplied"]) == {want}, code
        if want:
            assert rows["value"].isna().all() and rows["numerator"].isna().all()
    assert not sent["RX2"][~sent["RX2"]["metric_id"].isin(NOT_SUPPLIED_METRICS)]["not_supplied"].any()

    hub = ready_engine(db_url)
    for folder in bundles:
        import_bundle(hub, folder)
    system = hub_read.load_hub(hub)
    month = date(END.year, END.month, 1)
    values, withheld, absent = hub_read.grid(hub, system, month, "trust")
    for metric_id in NOT_SUPPLIED_METRICS:
        key = next(v.key for v in system.variants if v.metric_id == metric_id)
        assert absent.loc["RX2", key] and not absent.loc["RX1", key], metric_id
        assert math.isnan(values.loc["RX2", key]) and not math.isnan(values.loc["RX1", key]), metric_id
    falls = system.variant(next(v.key for v in system.variants if v.metric_id == "falls_per_1000_bed_days"))
    assert falls is not None
    data = hub_read.funnel_units(hub, system, falls, month, "trust")
    assert data.not_supplied == ("RX2",)
    assert data.units["trust_code"].tolist() == ["RX1"]
    assert data.funnel is not None and data.funnel.kind.value == "rate"


def test_the_bundle_carries_the_falls_rate_with_its_parts_and_withholds_small_counts(trusts, tmp_path: Path) -> None:
    trust = trusts[0]
    url = f"sqlite:///{tmp_path / 'rx1.sqlite'}"
    bundle = _load(trust, url, tmp_path / "bundle")
    history = queries.daily_history_all(ready_engine(url), ["falls_per_1000_bed_days"])
    sent = pd.read_csv(
        bundle / "values.csv", keep_default_na=False, na_values={c: [""] for c in ("value", "numerator", "denominator")}
    )
    rate = sent[sent["metric_id"] == "falls_per_1000_bed_days"]
    ward_days = rate[(rate["level"] == "ward") & (rate["period"] == "day")]
    assert len(ward_days) == len(history) == DAYS * len(load_config(trust.config).wards.wards)
    stored = history.assign(day=history["date"].dt.strftime("%Y-%m-%d")).set_index(["ward_code", "day"])
    small = 0
    for row in ward_days.itertuples():
        falls, bed_days = stored.loc[(row.unit_code, row.day), ["numerator", "denominator"]]
        if 1 <= falls <= 7 or 1 <= bed_days <= 7:
            small += 1
            assert row.suppressed and math.isnan(row.value), row  # a small count never leaves the trust
        if row.suppressed:
            assert math.isnan(row.numerator) or math.isnan(row.denominator)
        else:
            assert (row.numerator, row.denominator) == (falls, bed_days)
            assert row.value == pytest.approx(falls / bed_days) if bed_days else math.isnan(row.value)
    assert small > 0  # a few falls on a ward in a day: the rule had something to withhold
    month = rate[(rate["level"] == "trust") & (rate["period"] == "month")].iloc[0]
    assert not month["suppressed"] and not month["not_supplied"]
    assert month["numerator"] == history["numerator"].sum() and month["denominator"] == history["denominator"].sum()
    assert month["value"] == pytest.approx(month["numerator"] / month["denominator"])
