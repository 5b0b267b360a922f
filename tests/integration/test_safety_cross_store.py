"""The safety cross from a real extract: falls planted in November colour those days red with their counts.

The incidents go through the one way data enters the store (``metrics.pipeline.refresh``), on SQLite and
PostgreSQL, and the cross is drawn from what the snapshot holds for the ward.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from metrics.huddle.safety_cross import safety_cross
from metrics.pipeline import refresh
from metrics.store.barometer import snapshot_part
from tests.extract_builder import encounter, obs, write_extract


def _incident(i: int, ward: str, when: str, kind: str = "FALL", harm: str = "low") -> dict:
    return {
        "incident_id": f"I{i}",
        "ward_code": ward,
        "occurred_at": when,
        "incident_type": kind,
        "harm_level": harm,
        "pressure_ulcer_category": None,
    }


#  ward 7A, November 2026          (London days; 23:30Z on 1 Nov is 23:30 London, still 1 Nov)
PLANTED = [
    _incident(1, "7A", "2026-11-01T23:30:00Z", harm="moderate"),  # 1 Nov: 1 harmed
    _incident(2, "7A", "2026-11-09T08:00:00Z", harm="low"),  # 9 Nov: 2 harmed
    _incident(3, "7A", "2026-11-09T21:00:00Z", harm="severe"),
    _incident(4, "7A", "2026-11-15T10:00:00Z", harm="none"),  # 15 Nov: a near miss
    _incident(5, "7A", "2026-11-20T10:00:00Z", kind="PRESSURE_ULCER"),  # another harm: not on the falls cross
    _incident(6, "9A", "2026-11-03T10:00:00Z"),  # another ward
    _incident(7, "7A", "2026-10-31T10:00:00Z"),  # October: the data begin here
]


def _load(folder: Path, engine, cfg, incidents: list[dict] | None) -> int:
    tables = {
        "encounters": [encounter("E1", "7A", admitted="2026-11-01T10:00:00Z")],
        "observations": [obs("E1", "2026-11-01T12:00:00Z")],
        "incidents": incidents or [],
    }
    write_extract(folder, "2026-11-23T07:30:00Z", tables)
    if incidents is None:
        (folder / "incidents.csv").unlink()
    return refresh(folder, cfg, engine).snapshot_id


def test_a_month_with_planted_falls_colours_those_days_red_with_counts(engine, cfg, tmp_path):
    snapshot_id = _load(tmp_path / "x", engine, cfg, PLANTED)
    part = snapshot_part(engine, snapshot_id, "7A")
    cross = safety_cross(part.incidents, "fall", date(2026, 11, 1), part.data_date, part.incidents_since)
    by_day = {d.day.day: (d.colour, d.label) for d in cross.days}
    assert len(cross.days) == 30
    assert {day: v for day, v in by_day.items() if v[0] != "green"} == {
        1: ("red", "1"),
        9: ("red", "2"),
        15: ("amber", ""),
        **{day: ("not_yet", "") for day in range(24, 31)},  # after the data's date, 23 Nov
    }
    assert (cross.harms, cross.harm_days, cross.near_misses, cross.days_without_harm) == (3, 2, 1, 21)
    ulcers = safety_cross(part.incidents, "pressure_ulcer", date(2026, 11, 1), part.data_date, part.incidents_since)
    assert [d.day.day for d in ulcers.days if d.colour == "red"] == [20]
    october = safety_cross(part.incidents, "fall", date(2026, 10, 1), part.data_date, part.incidents_since)
    assert [d.colour for d in october.days[:30]] == ["no_data"] * 30  # before the incident data begin
    assert october.days[30].colour == "red"


def test_without_an_incidents_table_the_cross_says_not_supplied(engine, cfg, tmp_path):
    snapshot_id = _load(tmp_path / "x", engine, cfg, None)
    part = snapshot_part(engine, snapshot_id, "7A")
    cross = safety_cross(part.incidents, "fall", date(2026, 11, 1), part.data_date, part.incidents_since)
    assert not cross.supplied
    assert {d.colour for d in cross.days} == {"no_data"}

