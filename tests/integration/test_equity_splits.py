"""Store: the engine counts each proportion metric's parts per group from the patients it counted, and keeps them.

A literal extract a reader can check: ward 7A has E1 (Core20, Black British, female, 82, NEWS2 9) and E2 (least
deprived, White British, male, 45) on the ward and E3 discharged; ward 7B has E4 (decile 5, not stated, 91).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from metrics.pipeline import refresh
from metrics.store import queries
from metrics.store.equity import split_totals
from metrics.store.models import EquitySplitValue, QuarantinedRow
from tests.extract_builder import encounter, obs, write_extract
from tests.integration.test_refresh import NOW

Q1, Q3, Q5 = "Q1 most deprived (Core20)", "Q3", "Q5 least deprived"


def equity_world() -> dict[str, list[dict]]:
    return {
        "encounters": [
            encounter("E1", "7A", bed="B1", age=82, sex="F", imd_decile=1, ethnic_category="N"),
            encounter("E2", "7A", bed="B2", age=45, sex="M", imd_decile=10, ethnic_category="a"),
            encounter("E3", "7A", bed="B3", age=60, discharged_at="2026-11-24T18:00:00Z", imd_decile=2),
            encounter("E4", "7B", bed="SR1", age=91, sex="F", imd_decile=5, ethnic_category="Z"),
            encounter("E5", "7B", bed="SR2", age=50, imd_decile=11),  # no such decile: set aside
            encounter("E6", "7B", bed="SR3", age=50, ethnic_category="X"),  # no such code: set aside
        ],
        "observations": [
            obs("E1", "2026-11-25T07:00:00Z", rr=26, spo2=90, hr=120, temp=38.6),  # NEWS2 9
            obs("E2", "2026-11-25T06:00:00Z"),
            obs("E4", "2026-11-25T05:00:00Z"),
        ],
    }


def stored(engine, snapshot_id: int, ward: str, metric: str, split: str) -> dict[str, tuple[float, float]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(EquitySplitValue.group_label, EquitySplitValue.numerator, EquitySplitValue.denominator).where(
                EquitySplitValue.snapshot_id == snapshot_id,
                EquitySplitValue.ward_code == ward,
                EquitySplitValue.metric_id == metric,
                EquitySplitValue.split == split,
            )
        ).all()
    return {g: (n, d) for g, n, d in rows}


def test_a_proportion_metric_is_split_by_each_group_from_the_patients_it_counted(tmp_path, cfg, engine):
    result = refresh(write_extract(tmp_path / "x", NOW, equity_world()), cfg, engine)
    sid = result.snapshot_id
    assert stored(engine, sid, "7A", "news2_5_or_more", "deprivation") == {Q1: (1, 1), Q5: (0, 1)}
    assert stored(engine, sid, "7A", "news2_5_or_more", "ethnicity") == {
        "Black or Black British": (1, 1),
        "White": (0, 1),
    }
    assert stored(engine, sid, "7A", "news2_5_or_more", "age") == {"75-84": (1, 1), "18-64": (0, 1)}
    assert stored(engine, sid, "7A", "news2_5_or_more", "sex") == {"Female": (1, 1), "Male": (0, 1)}
    assert stored(engine, sid, "7B", "news2_5_or_more", "deprivation") == {Q3: (0, 1)}
    assert stored(engine, sid, "7B", "news2_5_or_more", "ethnicity") == {"Not stated or not known": (0, 1)}
    # summed over wards, as the executive view reads them
    totals = split_totals(engine, sid, "news2_5_or_more", "deprivation").set_index("group_label")
    assert totals.to_dict("index") == {
        Q1: {"numerator": 1, "denominator": 1},
        Q3: {"numerator": 0, "denominator": 1},
        Q5: {"numerator": 0, "denominator": 1},
    }


def test_every_split_adds_up_to_the_wards_own_value(tmp_path, cfg, engine):
    sid = refresh(write_extract(tmp_path / "x", NOW, equity_world()), cfg, engine).snapshot_id
    values = queries.ward_values(engine, sid).set_index(["ward_code", "metric_id"])
    with engine.connect() as conn:
        splits = pd.read_sql(select(EquitySplitValue).where(EquitySplitValue.snapshot_id == sid), conn)
    assert not splits.empty
    ratios = {m.id for m in cfg.metrics if m.ratio is not None}
    for (ward, metric, split), part in splits.groupby(["ward_code", "metric_id", "split"]):
        own = values.loc[(ward, metric)]
        if metric in ratios:  # a ratio over patient rows: its own numerator and denominator, split
            assert part["numerator"].sum() == own["numerator"], (ward, metric, split)
            assert part["denominator"].sum() == own["denominator"], (ward, metric, split)
        else:  # patients counted among the patients on the ward
            assert part["numerator"].sum() == own["value"], (ward, metric, split)
            assert part["denominator"].sum() == values.loc[(ward, "patients_on_ward"), "value"], (ward, metric, split)
    # staffing fill rates count no patient: never split
    assert not splits["metric_id"].str.startswith("staff_").any()


def test_an_impossible_decile_or_ethnic_category_sets_the_row_aside_with_its_reason(tmp_path, cfg, engine):
    sid = refresh(write_extract(tmp_path / "x", NOW, equity_world()), cfg, engine).snapshot_id
    with engine.connect() as conn:
        rows = conn.execute(
            select(QuarantinedRow.column_name, QuarantinedRow.reason).where(QuarantinedRow.snapshot_id == sid)
        ).all()
    by_column = {c: r for c, r in rows}
    assert set(by_column) == {"imd_decile", "ethnic_category"}
    assert "10" in by_column["imd_decile"]
    assert "99" in by_column["ethnic_category"]


def test_an_extract_without_either_column_loads_and_counts_every_patient_as_not_known(tmp_path, cfg, engine):
    folder = write_extract(tmp_path / "x", NOW, equity_world() | {"encounters": equity_world()["encounters"][:4]})
    frame = pd.read_csv(folder / "encounters.csv", dtype=str)
    frame.drop(columns=["imd_decile", "ethnic_category"]).to_csv(folder / "encounters.csv", index=False)
    result = refresh(folder, cfg, engine)
    assert result.status == "loaded" and result.quarantined == 0
    assert stored(engine, result.snapshot_id, "7A", "news2_5_or_more", "deprivation") == {"Not known": (1, 2)}
