"""Falls per 1,000 occupied bed days (config/metrics.yaml ``falls_per_1000_bed_days``), edge by edge, as a table.

Each case is one ward's day: the stays around the midnight census and the falls reported, and what the shipped
metric counts. The extract is stamped 2026-03-10 08:00 London, so the day counted is 9 March and the census is
taken at the midnight that ends it (2026-03-10 00:00 London). A ward with no bed days has no rate ("no data"),
never zero; without the incidents table the rate is not supplied.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.config.models import AppConfig
from metrics.evaluate.derive import DerivedExtract
from metrics.evaluate.engine import evaluate
from metrics.evaluate.optional_sources import missing_inputs
from metrics.evaluate.ward_days import ward_days

NOW = pd.Timestamp("2026-03-10 08:00", tz="Europe/London").tz_convert("UTC")


def _t(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="Europe/London").tz_convert("UTC")


# stays on ward 7A: (admitted, discharged or None)
ON_AT_MIDNIGHT = ("2026-03-08 10:00", None)
LEFT_BEFORE_MIDNIGHT = ("2026-03-08 10:00", "2026-03-09 23:59")
LEFT_AFTER_MIDNIGHT = ("2026-03-08 10:00", "2026-03-10 00:01")
CAME_AFTER_MIDNIGHT = ("2026-03-10 00:30", None)

CASES = [
    # id, stays, falls (London time, harm), numerator, denominator, per 1,000
    ("no stays, no falls", [], [], 0, 0, None),
    ("a fall but no bed days", [], [("2026-03-09 12:00", "none")], 1, 0, None),
    ("one bed day, no fall", [ON_AT_MIDNIGHT], [], 0, 1, 0.0),
    ("one bed day, one fall", [ON_AT_MIDNIGHT], [("2026-03-09 12:00", "low")], 1, 1, 1000.0),
    ("left before midnight: no bed day", [LEFT_BEFORE_MIDNIGHT, ON_AT_MIDNIGHT], [], 0, 1, 0.0),
    ("left after midnight: a bed day", [LEFT_AFTER_MIDNIGHT, ON_AT_MIDNIGHT], [], 0, 2, 0.0),
    ("came after midnight: not yet", [CAME_AFTER_MIDNIGHT, ON_AT_MIDNIGHT], [], 0, 1, 0.0),
    ("fall at 00:00 on the day counts", [ON_AT_MIDNIGHT] * 4, [("2026-03-09 00:00", "none")], 1, 4, 250.0),
    ("fall at 23:59 on the day counts", [ON_AT_MIDNIGHT] * 4, [("2026-03-09 23:59", "none")], 1, 4, 250.0),
    ("fall the day before: not counted", [ON_AT_MIDNIGHT] * 4, [("2026-03-08 23:59", "none")], 0, 4, 0.0),
    ("fall today: counted tomorrow", [ON_AT_MIDNIGHT] * 4, [("2026-03-10 00:00", "none")], 0, 4, 0.0),
    ("3 falls in 8 bed days", [ON_AT_MIDNIGHT] * 8, [("2026-03-09 09:00", "none")] * 3, 3, 8, 375.0),
]


def _encounters(stays: list[tuple[str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "encounter_id": [f"E{i}" for i in range(len(stays))],
            "patient_id": [f"P{i}" for i in range(len(stays))],
            "ward_code": ["7A"] * len(stays),
            "admitted_at": pd.Series([_t(a) for a, _ in stays], dtype="datetime64[ns, UTC]"),
            "discharged_at": pd.Series([_t(d) if d else pd.NaT for _, d in stays], dtype="datetime64[ns, UTC]"),
            "age_years": [80] * len(stays),
            "on_ward": [d is None or _t(d) > NOW for _, d in stays],
        }
    )


def _incidents(falls: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "incident_id": [f"I{i}" for i in range(len(falls))],
            "ward_code": ["7A"] * len(falls),
            "occurred_at": pd.Series([_t(w) for w, _ in falls], dtype="datetime64[ns, UTC]"),
            "incident_type": ["FALL"] * len(falls),
            "harm_level": [h for _, h in falls],
        }
    )


def _rate(cfg: AppConfig, encounters: pd.DataFrame, incidents: pd.DataFrame | None) -> pd.Series:
    definition = next(m for m in cfg.metrics if m.id == "falls_per_1000_bed_days")
    supplied = frozenset({"encounters"} | ({"incidents"} if incidents is not None else set()))
    tables = {"encounters": encounters, "ward_days": ward_days(encounters, incidents, sorted(cfg.ward_codes), NOW)}
    values = evaluate(DerivedExtract(NOW, tables, supplied), cfg, (definition,)).ward_values
    return values.set_index("ward_code").loc["7A"]


@pytest.mark.parametrize(
    ("stays", "falls", "numerator", "denominator", "per_1000"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_falls_per_1000_occupied_bed_days(cfg, stays, falls, numerator, denominator, per_1000) -> None:
    row = _rate(cfg, _encounters(stays), _incidents(falls))
    assert (row["numerator"], row["denominator"]) == (numerator, denominator)
    if per_1000 is None:
        assert math.isnan(row["value"])  # no bed days: no data, never zero
    else:
        assert row["value"] * 1000 == pytest.approx(per_1000)


def test_without_the_incidents_table_the_rate_is_not_supplied_not_zero(cfg) -> None:
    row = _rate(cfg, _encounters([ON_AT_MIDNIGHT] * 4), None)
    assert math.isnan(row["value"]) and math.isnan(row["numerator"]) and math.isnan(row["denominator"])
    definition = next(m for m in cfg.metrics if m.id == "falls_per_1000_bed_days")
    assert missing_inputs(definition, {"encounters"}) == ("incidents",)
    assert missing_inputs(definition, {"encounters", "incidents"}) == ()


def test_falls_with_harm_count_only_harm_above_none() -> None:
    falls = [("2026-03-09 09:00", h) for h in ("none", "low", "moderate", "severe", "death")]
    frame = ward_days(_encounters([ON_AT_MIDNIGHT]), _incidents(falls), ["7A"], NOW)
    assert frame[["falls", "falls_with_harm", "occupied_bed_days"]].iloc[0].tolist() == [5, 4, 1]


def test_the_rate_is_shown_per_1000_and_drawn_with_poisson_limits(cfg) -> None:
    definition = next(m for m in cfg.metrics if m.id == "falls_per_1000_bed_days")
    assert (definition.display, definition.per, definition.unit) == ("rate", 1000, "per 1,000 occupied bed days")
    assert "Model Health System" in definition.description
    assert "National Audit of Inpatient Falls" in definition.description
