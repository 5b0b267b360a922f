"""A ratio is shown as a percentage only when it is a proportion (fill rates), never care hours per patient day."""

import pytest

from dashboard.common.formatting import duration_text as on_screen
from dashboard.common.formatting import value_text
from metrics.rules.durations import duration_text
from metrics.config.load import load_config


def definition(metric_id: str):
    return next(m for m in load_config().metrics if m.id == metric_id)


def test_care_hours_per_patient_day_is_a_number_not_a_percentage():
    assert value_text(definition("care_hours_per_patient_day"), 10.73) == "10.7"


def test_fill_rates_are_percentages():
    assert value_text(definition("staff_registered_day"), 0.875) == "88%"
    assert value_text(definition("staff_fill_rate_overall"), 1.05) == "105%"


def test_counts_are_whole_numbers():
    assert value_text(definition("patients_on_ward"), 23.0) == "23"


@pytest.mark.parametrize(
    "minutes, text",
    [
        (0, "0 m"),
        (59.99, "59 m"),
        (60, "1 h 0 m"),
        (440, "7 h 20 m"),
        (1439.5, "23 h 59 m"),
        (1440, "1 d 0 h"),
        (3060, "2 d 3 h"),
        (-45, "-45 m"),
    ],
)
def test_one_duration_format_for_stored_reasons_and_screens(minutes: float, text: str) -> None:
    assert duration_text(minutes) == text
    assert on_screen(minutes) == text
