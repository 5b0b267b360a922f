"""Federation end to end: two synthetic trusts export bundles and a hub imports them, on SQLite and PostgreSQL.

The trusts are built once (``tests.system_builder``): extracts generated, refreshed into each trust's store,
exported. Every hub test then starts from an empty store on each database.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import delete, func, select

from metrics.cli.main import main
from metrics.config.load import load_config
from metrics.equity.sii import NoSlopeIndex
from metrics.federation import hub_equity, hub_read
from metrics.federation.bundle import (
    DATA_FILES,
    EQUITY_FILE,
    MANIFEST_FILE,
    MANIFEST_HASH_FILE,
    BundleRefused,
    write_manifest,
)
from metrics.federation.definitions import protected_parts
from metrics.federation.export import export_bundle
from metrics.federation.importer import import_bundle
from metrics.store import hub, queries
from metrics.store.database import make_engine, migrate, ready_engine
from metrics.store.hub_models import HubBundle, HubEquityValue, HubValue, HubValueBlock
from tests.system_builder import EXPORTED_AT, SystemWorld, build_system


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> SystemWorld:
    return build_system(tmp_path_factory.mktemp("federation"))


@pytest.fixture
def hub_engine(db_url: str):
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _hub_rows(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(HubBundle)).scalar_one(),
            conn.execute(select(func.count()).select_from(HubValue)).scalar_one(),
        )


def _equity_rows(engine, trust: str | None = None) -> int:
    query = select(func.count()).select_from(HubEquityValue)
    if trust is not None:
        query = query.where(HubEquityValue.trust_code == trust)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _identifiers(world: SystemWorld, code: str) -> set[str]:
    trust = next(t for t in world.trusts if t.code == code)
    ids: set[str] = set()
    for folder in trust.folders:
        encounters = pd.read_csv(folder / "encounters.csv", dtype=str)
        ids |= set(encounters["encounter_id"].dropna()) | set(encounters["patient_id"].dropna())
    return ids


@pytest.mark.parametrize("code", ["RX1", "RX2"])
def test_a_bundle_holds_no_patient_or_encounter_identifier_of_the_extracts(world: SystemWorld, code: str) -> None:
    ids = _identifiers(world, code)
    assert len(ids) > 1000
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(world.bundles[code].iterdir()))
    found = sorted(i for i in ids if i in text)
    assert found == []
    assert {p.name for p in world.bundles[code].iterdir()} == {*DATA_FILES, MANIFEST_FILE, MANIFEST_HASH_FILE}


def test_every_small_count_of_a_ward_day_is_withheld_and_larger_ones_are_sent(world: SystemWorld) -> None:
    trust = world.trusts[0]
    cfg = load_config(trust.config)
    history = queries.daily_history_all(ready_engine(world.store_urls[trust.code]))
    protected = {m.id for m in cfg.metrics if protected_parts(m)[0]}
    ratios = {m.id for m in cfg.metrics if m.ratio is not None}
    history["numerator"] = history["numerator"].where(
        history["metric_id"].isin(ratios) | history["numerator"].notna(), history["value"]
    )
    bundle = pd.read_csv(world.bundles[trust.code] / "values.csv", keep_default_na=False, na_values={"numerator": [""]})
    days = bundle[(bundle["level"] == "ward") & (bundle["period"] == "day")].copy()
    days["date"] = pd.to_datetime(days["day"])
    both = history.merge(
        days,
        left_on=["metric_id", "ward_code", "date"],
        right_on=["metric_id", "unit_code", "date"],
        suffixes=("", "_sent"),
    )
    small = both[both["metric_id"].isin(protected) & both["numerator"].between(1, 7)]
    assert len(small) > 100
    assert small["numerator_sent"].isna().all()
    assert small["suppressed"].astype(str).eq("True").all()
    zero = both[both["metric_id"].isin(protected) & both["numerator"].eq(0)]
    assert len(zero) > 0
    # a zero is withheld only as a partner of a small count, never on its own account; most are sent
    assert zero["numerator_sent"].eq(0).sum() > len(zero) / 2
    # a ward-day's staffing hours run to hundreds: nothing in their lines is small, so they are sent as they are
    hours = both[both["metric_id"] == "staff_fill_rate_overall"]
    assert len(hours) > 0 and (hours["numerator_sent"] == hours["numerator"]).all()


def test_two_trusts_load_into_a_fresh_hub_and_the_planted_outlier_is_found(world: SystemWorld, hub_engine) -> None:
    for code in ("RX1", "RX2"):
        result = import_bundle(hub_engine, world.bundles[code])
        assert result.status == "loaded"
        sent = len(pd.read_csv(world.bundles[code] / "values.csv"))
        assert result.rows == sent
    assert _hub_rows(hub_engine)[0] == 2
    system = hub_read.load_hub(hub_engine)
    assert system.trusts["trust_code"].tolist() == ["RX1", "RX2"]
    assert system.conflicts == []
    variant = next(v for v in system.variants if v.metric_id == "frailty_cfs_recorded")
    assert variant.trusts == ("RX1", "RX2")
    data = hub_read.funnel_units(hub_engine, system, variant, system.months[0], "ward")
    outliers = hub_read.outlier_table(data)
    assert outliers[["trust_code", "unit_code", "side"]].values.tolist() == [["RX1", "8D", "below"]]
    trusts = hub_read.funnel_units(hub_engine, system, variant, system.months[0], "trust")
    assert sorted(trusts.units["trust_code"]) == ["RX1", "RX2"]
    assert set(hub_read.trust_spc(hub_engine, variant)) == {"RX1", "RX2"}


@pytest.mark.parametrize("name", [*DATA_FILES, MANIFEST_FILE, MANIFEST_HASH_FILE])
def test_a_bundle_with_one_changed_byte_is_refused_and_nothing_is_loaded(
    world: SystemWorld, hub_engine, tmp_path: Path, name: str
) -> None:
    bundle = shutil.copytree(world.bundles["RX1"], tmp_path / "bundle")
    data = bytearray((bundle / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (bundle / name).write_bytes(bytes(data))
    with pytest.raises(BundleRefused, match="checksum mismatch|not readable"):
        import_bundle(hub_engine, bundle)
    assert _hub_rows(hub_engine) == (0, 0)


def test_the_command_line_refuses_a_tampered_bundle_with_exit_4(
    world: SystemWorld, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = shutil.copytree(world.bundles["RX2"], tmp_path / "bundle")
    with (bundle / "values.csv").open("a", encoding="utf-8") as handle:
        handle.write("ward,7A,day,2026-11-30,aki,1.0,1.0,,False\n")
    assert main(["import-aggregate", str(bundle), "--db", db_url, "--create-store"]) == 4
    assert "values.csv: bundle refused: checksum mismatch" in capsys.readouterr().err
    assert _hub_rows(ready_engine(db_url)) == (0, 0)


def _rewritten(bundle: Path, change) -> Path:
    """The bundle with its manifest changed and honestly re-hashed (what a different exporter would send)."""
    manifest = json.loads((bundle / MANIFEST_FILE).read_text())
    manifest.pop("files")
    change(manifest)
    write_manifest(bundle, manifest)
    return bundle


def test_an_unknown_contract_version_is_refused(world: SystemWorld, hub_engine, tmp_path: Path) -> None:
    bundle = _rewritten(
        shutil.copytree(world.bundles["RX1"], tmp_path / "bundle"), lambda m: m.update(contract_version=99)
    )
    with pytest.raises(BundleRefused, match="unknown extract contract version 99"):
        import_bundle(hub_engine, bundle)
    assert _hub_rows(hub_engine) == (0, 0)


def test_a_bundle_giving_one_value_twice_is_refused_naming_the_row(
    world: SystemWorld, hub_engine, tmp_path: Path
) -> None:
    """The hub keeps one value per trust, unit, period, day and metric: the import, not an index, holds this."""
    bundle = shutil.copytree(world.bundles["RX1"], tmp_path / "bundle")
    lines = (bundle / "values.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (bundle / "values.csv").write_text("".join([*lines, lines[1]]), encoding="utf-8")
    bundle = _rewritten(bundle, lambda m: None)
    with pytest.raises(BundleRefused, match=rf"values.csv: bundle refused: row {len(lines) + 1}: .* is repeated"):
        import_bundle(hub_engine, bundle)
    assert _hub_rows(hub_engine) == (0, 0)


def test_a_bundle_older_than_the_one_held_is_refused_and_the_newer_stays(
    world: SystemWorld, hub_engine, tmp_path: Path
) -> None:
    trust = world.trusts[0]
    assert import_bundle(hub_engine, world.bundles[trust.code]).status == "loaded"
    held = _hub_rows(hub_engine)
    older = export_bundle(
        ready_engine(world.store_urls[trust.code]),
        load_config(trust.config),
        tmp_path / "older",
        now=EXPORTED_AT - timedelta(days=1),
    ).folder
    with pytest.raises(BundleRefused, match="before the bundle the hub already holds for RX1"):
        import_bundle(hub_engine, older)
    assert _hub_rows(hub_engine) == held
    assert import_bundle(hub_engine, world.bundles[trust.code]).status == "already held"
    assert _hub_rows(hub_engine) == held


def test_a_metric_two_trusts_define_differently_is_flagged_and_never_mixed(
    world: SystemWorld, hub_engine, tmp_path: Path
) -> None:
    bundle = shutil.copytree(world.bundles["RX2"], tmp_path / "bundle")
    definitions = json.loads((bundle / "definitions.json").read_text())
    for entry in definitions:
        if entry["metric_id"] == "frailty_cfs_recorded":
            entry["definition_hash"] = "f" * 64  # as if RX2 counted from age 75
    (bundle / "definitions.json").write_text(json.dumps(definitions))
    _rewritten(bundle, lambda m: None)
    import_bundle(hub_engine, world.bundles["RX1"])
    import_bundle(hub_engine, bundle)
    system = hub_read.load_hub(hub_engine)
    assert system.conflicts == ["frailty_cfs_recorded"]
    variants = [v for v in system.variants if v.metric_id == "frailty_cfs_recorded"]
    assert sorted(v.trusts for v in variants) == [("RX1",), ("RX2",)]
    for variant in variants:
        data = hub_read.funnel_units(hub_engine, system, variant, system.months[0], "ward")
        assert set(data.units["trust_code"]) == set(variant.trusts)
        assert variant.trusts[0] in variant.title


def _falls(hub_engine, world: SystemWorld, codes: tuple[str, ...]):
    for code in codes:
        import_bundle(hub_engine, world.bundles[code])
    system = hub_read.load_hub(hub_engine)
    variant = next(v for v in system.variants if v.metric_id == "falls_per_1000_bed_days")
    month = system.months[0]
    wards = hub_read.funnel_units(hub_engine, system, variant, month, "ward")
    trusts = hub_read.breakdown(hub_engine, system, variant, month, "trust")
    return wards, trusts


def test_a_ward_funnel_with_withheld_wards_centres_on_the_trusts_totals(world: SystemWorld, hub_engine) -> None:
    wards, trusts = _falls(hub_engine, world, ("RX2",))  # RX2 sent its month's total: 10 falls
    assert wards.withheld > 0 and wards.funnel is not None  # wards with 1 to 7 falls in the month are withheld
    assert trusts[["trust_code", "numerator", "suppressed"]].values.tolist() == [["RX2", 10.0, False]]
    expected = trusts["numerator"].sum() / trusts["denominator"].sum()
    assert wards.funnel.target == pytest.approx(expected)
    assert "(the trusts' totals, which include the wards withheld)" in wards.funnel.statement


def test_a_ward_funnel_whose_trust_total_is_withheld_says_its_centre_is_biased(world: SystemWorld, hub_engine) -> None:
    wards, trusts = _falls(hub_engine, world, ("RX1", "RX2"))  # RX1's month total is itself 1 to 7: withheld
    assert trusts[["trust_code", "suppressed"]].values.tolist() == [["RX1", True], ["RX2", False]]
    assert wards.funnel is not None and wards.withheld > 0
    shown = wards.units
    assert wards.funnel.target == pytest.approx(shown["numerator"].sum() / shown["denominator"].sum())
    assert f"the {wards.withheld} withheld are not in it, and it is biased by their absence" in wards.funnel.statement


def test_each_trusts_falls_chart_reads_per_1000_bed_days_as_the_funnel_does(world: SystemWorld, hub_engine) -> None:
    _falls(hub_engine, world, ("RX2",))
    system = hub_read.load_hub(hub_engine)
    variant = next(v for v in system.variants if v.metric_id == "falls_per_1000_bed_days")
    days = hub.values(hub_engine, period="day", levels=("trust",), metric_ids=(variant.metric_id,))
    days = days[days["trust_code"] == "RX2"].set_index(pd.to_datetime(days.loc[days["trust_code"] == "RX2", "day"]))
    sent = days["value"].where(~days["suppressed"])
    chart = hub_read.trust_spc(hub_engine, variant)["RX2"].points.set_index("date")["value"]
    assert variant.per == 1000
    pd.testing.assert_series_equal(chart, sent.reindex(chart.index) * 1000, check_names=False)


@pytest.mark.parametrize("code", ["RX1", "RX2"])
def test_no_numerator_or_denominator_from_one_to_seven_is_anywhere_in_the_bundle(world: SystemWorld, code: str) -> None:
    bundle = world.bundles[code]
    values = pd.read_csv(bundle / "values.csv")
    equity = pd.read_csv(bundle / EQUITY_FILE)
    definitions = json.loads((bundle / "definitions.json").read_text())
    counts = {d["metric_id"] for d in definitions if not d["is_ratio"]}
    assert len(values) > 10_000 and len(equity) > 500
    sent = [
        values["numerator"],
        values["denominator"],
        values.loc[values["metric_id"].isin(counts), "value"],  # a count's value is its numerator
        equity["numerator"],
        equity["denominator"],
    ]
    assert [int(column.between(1, 7).sum()) for column in sent] == [0, 0, 0, 0, 0]
    # the small groups were there to withhold: the splits of one month of two trusts' patients have many
    assert equity["suppressed"].sum() > 50
    assert equity["suppressed"].eq(equity["numerator"].isna() | equity["denominator"].isna()).all()


def test_the_equity_splits_are_imported_and_each_trust_reads_back_what_it_sent(world: SystemWorld, hub_engine) -> None:
    for code in ("RX1", "RX2"):
        import_bundle(hub_engine, world.bundles[code])
        assert _equity_rows(hub_engine, code) == len(pd.read_csv(world.bundles[code] / EQUITY_FILE))
    system = hub_read.load_hub(hub_engine)
    contents = hub_equity.equity_contents(hub_engine, system)
    assert contents.months == (date(2026, 11, 1),)
    variant = next(v for v in contents.variants if v.metric_id == "aki")
    for split in ("deprivation", "ethnicity", "age", "sex"):
        views = hub_equity.trust_equity(hub_engine, variant, split, date(2026, 11, 1))
        assert list(views) == ["RX1", "RX2"]
        for code, view in views.items():
            sent = pd.read_csv(world.bundles[code] / EQUITY_FILE)
            sent = sent[(sent["metric_id"] == "aki") & (sent["split"] == split)]
            assert view.groups["group"].tolist() == sent["group_label"].tolist()
            shown = [None if n is None else float(n) for n in view.groups["numerator"]]
            assert shown == [None if pd.isna(n) else float(n) for n in sent["numerator"]]
            assert view.groups["suppressed"].tolist() == sent["suppressed"].tolist()
            assert all(p is None for p, s in zip(view.groups["proportion"], view.groups["suppressed"]) if s)
    deprivation = hub_equity.trust_equity(hub_engine, variant, "deprivation", date(2026, 11, 1))
    for view in deprivation.values():
        quintiles_withheld = bool(view.groups["suppressed"].iloc[:5].any())
        assert isinstance(view.sii, NoSlopeIndex) == quintiles_withheld
        if not quintiles_withheld:
            assert view.sii.lower < view.sii.sii < view.sii.upper


def test_a_newer_bundle_replaces_the_trusts_splits_rather_than_adding_to_them(
    world: SystemWorld, hub_engine, tmp_path: Path
) -> None:
    import_bundle(hub_engine, world.bundles["RX1"])
    held = _equity_rows(hub_engine, "RX1")
    newer = _rewritten(
        shutil.copytree(world.bundles["RX1"], tmp_path / "newer"),
        lambda m: m.update(exported_at=(EXPORTED_AT + timedelta(days=1)).isoformat()),
    )
    assert import_bundle(hub_engine, newer).status == "loaded"
    assert _equity_rows(hub_engine, "RX1") == held > 0


def test_a_bundle_from_an_exporter_older_than_the_splits_still_imports_without_them(
    world: SystemWorld, hub_engine, tmp_path: Path
) -> None:
    bundle = shutil.copytree(world.bundles["RX2"], tmp_path / "format1")
    (bundle / EQUITY_FILE).unlink()
    _rewritten(bundle, lambda m: m.update(bundle_format=1))
    files = json.loads((bundle / MANIFEST_FILE).read_text())["files"]
    assert sorted(files) == ["definitions.json", "values.csv", "wards.csv"]
    import_bundle(hub_engine, world.bundles["RX1"])
    assert import_bundle(hub_engine, bundle).status == "loaded"
    assert _equity_rows(hub_engine, "RX2") == 0 and _equity_rows(hub_engine, "RX1") > 0
    system = hub_read.load_hub(hub_engine)
    variant = next(v for v in system.variants if v.metric_id == "aki")
    views = hub_equity.trust_equity(hub_engine, variant, "sex", date(2026, 11, 1))
    assert views["RX2"] == NoSlopeIndex(hub_equity.NOT_SENT)


def test_a_format_2_bundle_without_its_splits_is_refused(world: SystemWorld, hub_engine, tmp_path: Path) -> None:
    bundle = shutil.copytree(world.bundles["RX1"], tmp_path / "bundle")
    (bundle / EQUITY_FILE).unlink()
    with pytest.raises(BundleRefused, match="bundle refused: missing equity.csv"):
        import_bundle(hub_engine, bundle)
    assert _hub_rows(hub_engine) == (0, 0)


def test_splits_carrying_a_small_count_are_refused_and_nothing_of_the_bundle_is_loaded(
    world: SystemWorld, hub_engine, tmp_path: Path
) -> None:
    """A hub does not trust an exporter's word that it withheld small numbers: it checks, and refuses the lot."""
    import_bundle(hub_engine, world.bundles["RX2"])
    before = (_hub_rows(hub_engine), _equity_rows(hub_engine))
    bundle = shutil.copytree(world.bundles["RX1"], tmp_path / "bundle")
    equity = pd.read_csv(bundle / EQUITY_FILE)
    row = int(equity["suppressed"].idxmax())
    equity.loc[row, ["numerator", "denominator", "suppressed"]] = [3.0, 40.0, False]
    equity.to_csv(bundle / EQUITY_FILE, index=False)
    _rewritten(bundle, lambda m: None)
    with pytest.raises(BundleRefused, match=rf"equity.csv: bundle refused: row {row + 2}: `numerator` is a count"):
        import_bundle(hub_engine, bundle)
    assert (_hub_rows(hub_engine), _equity_rows(hub_engine)) == before
    assert _equity_rows(hub_engine, "RX1") == 0


def _held_values(engine, trust: str) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                HubValue.level,
                HubValue.unit_code,
                HubValue.period,
                HubValue.day,
                HubValue.metric_id,
                HubValue.numerator,
            ).where(HubValue.trust_code == trust)
        ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["level", "unit_code", "period", "day", "metric_id", "n"])
    frame["day"] = frame["day"].astype(str)
    return frame.sort_values(["level", "unit_code", "period", "day", "metric_id"]).reset_index(drop=True)


def _newer(world: SystemWorld, tmp_path: Path, change) -> Path:
    """RX1's bundle with values.csv changed by ``change`` and exported a day later (honestly re-hashed)."""
    bundle = shutil.copytree(world.bundles["RX1"], tmp_path / "newer")
    values = pd.read_csv(bundle / "values.csv", keep_default_na=False, dtype={"unit_code": str})
    change(values).to_csv(bundle / "values.csv", index=False)
    return _rewritten(bundle, lambda m: m.update(exported_at=(EXPORTED_AT + timedelta(days=1)).isoformat()))


def test_a_newer_bundle_with_one_day_changed_leaves_the_hub_holding_exactly_what_it_sent(
    world: SystemWorld, hub_engine, tmp_path: Path
) -> None:
    """Only changed days are rewritten (by their fingerprints), yet the hub ends with the newer bundle's rows."""
    import_bundle(hub_engine, world.bundles["RX1"])
    before = _held_values(hub_engine, "RX1")

    changed: list[tuple[str, str, str]] = []

    def change(values: pd.DataFrame) -> pd.DataFrame:
        sent = pd.to_numeric(values["numerator"], errors="coerce")
        row = values.index[(values["day"] == "2026-11-28") & (values["level"] == "ward") & (sent >= 8)][0]
        values.loc[row, ["numerator", "value"]] = [str(sent[row] + 1), str(sent[row] + 1)]
        changed.append((values.loc[row, "unit_code"], values.loc[row, "metric_id"], str(sent[row] + 1)))
        return values[values["day"] != "2026-11-30"]  # a day the trust no longer sends

    newer = _newer(world, tmp_path, change)
    assert import_bundle(hub_engine, newer).status == "loaded"
    after = _held_values(hub_engine, "RX1")
    assert (
        len(after) == len(pd.read_csv(newer / "values.csv")) == len(before) - int((before["day"] == "2026-11-30").sum())
    )
    assert (after["day"] == "2026-11-30").sum() == 0
    unit, metric, numerator = changed[0]
    hit = after[(after["unit_code"] == unit) & (after["metric_id"] == metric) & (after["day"] == "2026-11-28")]
    assert hit[hit["period"] == "day"]["n"].tolist() == [float(numerator)]
    kept = before[before["day"] != "2026-11-30"]
    assert len(kept.merge(after, how="inner")) == len(after) - 1  # every other row exactly as held before


def test_values_held_without_fingerprints_are_replaced_not_doubled(
    world: SystemWorld, hub_engine, tmp_path: Path
) -> None:
    """A hub upgraded with values but no fingerprints yet: the next bundle rewrites its range once, whole."""
    import_bundle(hub_engine, world.bundles["RX1"])
    held = _held_values(hub_engine, "RX1")
    with hub_engine.begin() as conn:
        conn.execute(delete(HubValueBlock))
    assert import_bundle(hub_engine, _newer(world, tmp_path, lambda v: v)).status == "loaded"
    assert _held_values(hub_engine, "RX1").equals(held)
