"""The safety cross, day by day: green no harm, amber a near miss, red harm with its count (a table to check by eye)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.errors import ConfigError
from metrics.huddle.config import load_huddle_config
from metrics.huddle.safety_cross import safety_cross

#  day          type               harm        incidents
ROWS = [
    ("2026-02-02", "FALL", "low", 1),  # red 1
    ("2026-02-02", "FALL", "none", 1),  # a near miss the same day: still red
    ("2026-02-05", "FALL", "moderate", 2),  # red 2
    ("2026-02-05", "FALL", "death", 1),  # red 3 (2 + 1)
    ("2026-02-10", "FALL", "none", 3),  # amber
    ("2026-02-11", "PRESSURE_ULCER", "severe", 1),  # not a fall: green on the falls cross
    ("2026-02-27", "FALL", "low", 1),  # after the data's date (26 Feb): not yet coloured
]
INCIDENTS = pd.DataFrame(ROWS, columns=["day", "incident_type", "harm_level", "incidents"]).assign(
    day=lambda f: pd.to_datetime(f["day"]).dt.date
)


@pytest.mark.parametrize(
    ("day", "colour", "label"),
    [
        (1, "no_data", ""),  # the incident data begin on 2 Feb
        (2, "red", "1"),
        (3, "green", ""),
        (5, "red", "3"),
        (10, "amber", ""),
        (11, "green", ""),
        (26, "green", ""),
        (27, "not_yet", ""),
        (28, "not_yet", ""),
    ],
)
def test_each_box_of_the_falls_cross(day: int, colour: str, label: str) -> None:
    cross = safety_cross(INCIDENTS, "fall", date(2026, 2, 14), data_date=date(2026, 2, 26), data_since=date(2026, 2, 2))
    assert len(cross.days) == 28  # February 2026
    box = cross.days[day - 1]
    assert (box.day, box.colour, box.label) == (date(2026, 2, day), colour, label)


def test_the_month_totals() -> None:
    cross = safety_cross(INCIDENTS, "fall", date(2026, 2, 1), data_date=date(2026, 2, 26), data_since=date(2026, 2, 2))
    assert (cross.harms, cross.harm_days, cross.near_misses, cross.days_without_harm) == (4, 2, 4, 23)


def test_without_the_incidents_table_the_cross_is_not_supplied() -> None:
    cross = safety_cross(None, "fall", date(2026, 2, 1), data_date=date(2026, 2, 26))
    assert not cross.supplied and {d.colour for d in cross.days} == {"no_data"}


def test_a_harm_without_a_cross_is_refused() -> None:
    with pytest.raises(ValueError, match="a safety cross is drawn for fall, pressure_ulcer, medication, c_diff"):
        safety_cross(INCIDENTS, "good_catch", date(2026, 2, 1), data_date=date(2026, 2, 26))


def test_a_ward_chooses_its_harms_in_huddle_yaml(cfg) -> None:
    setup = load_huddle_config(DEFAULT_CONFIG_DIR, cfg).huddle.safety_cross
    assert setup.for_ward("7a") == ("fall", "pressure_ulcer", "medication")
    assert setup.for_ward("9A") == ("fall", "pressure_ulcer")


def test_an_unknown_ward_in_the_safety_cross_setting_names_file_and_line(cfg, config_dir) -> None:
    path = config_dir / "huddle.yaml"
    path.write_text(path.read_text().replace("    7A: [fall", "    7Z: [fall"))
    line = path.read_text().splitlines().index("    7Z: [fall, pressure_ulcer, medication]") + 1
    with pytest.raises(ConfigError, match=rf"huddle.yaml line {line}: safety_cross ward `7Z` is not in wards.yaml"):
        load_huddle_config(config_dir, cfg)
