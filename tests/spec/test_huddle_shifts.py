"""Spec: which huddle shift the rating form starts on (metrics.huddle.shifts), in London local time.

Default (no start times in huddle.yaml): day from 07:00 to 18:59, night from 19:00 to 06:59. In summer (BST)
07:00 London is 06:00 UTC; in winter (GMT) it is 07:00 UTC.
"""

from __future__ import annotations

from datetime import datetime

import pytest
import yaml
from pydantic import ValidationError

from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.huddle.config import HuddleFile, HuddleShift
from metrics.huddle.shifts import current_shift

DAY_NIGHT = (HuddleShift(code="day", label="Day"), HuddleShift(code="night", label="Night"))

DEFAULT_CASES = [
    # UTC moment, shift, why
    ("2026-01-15T06:59:59+00:00", "night", "winter: 06:59:59 GMT is still the night"),
    ("2026-01-15T07:00:00+00:00", "day", "winter: 07:00 GMT starts the day"),
    ("2026-01-15T18:59:59+00:00", "day", "winter: 18:59:59 GMT is still the day"),
    ("2026-01-15T19:00:00+00:00", "night", "winter: 19:00 GMT starts the night"),
    ("2026-01-15T00:30:00+00:00", "night", "winter: after midnight is the night before's shift"),
    ("2026-07-01T05:59:59+00:00", "night", "summer: 06:59:59 BST is still the night"),
    ("2026-07-01T06:00:00+00:00", "day", "summer: 07:00 BST (06:00 UTC) starts the day"),
    ("2026-07-01T17:59:59+00:00", "day", "summer: 18:59:59 BST is still the day"),
    ("2026-07-01T18:00:00+00:00", "night", "summer: 19:00 BST (18:00 UTC) starts the night"),
    ("2026-07-01T07:00:00+01:00", "day", "an offset time is read as the same moment"),
    ("2026-03-29T06:00:00+00:00", "day", "spring change day: 07:00 BST"),
    ("2026-10-25T06:59:00+00:00", "night", "autumn change day: 06:59 GMT"),
    ("2026-10-25T07:00:00+00:00", "day", "autumn change day: 07:00 GMT"),
]


@pytest.mark.parametrize("moment, shift, why", DEFAULT_CASES, ids=[c[2] for c in DEFAULT_CASES])
def test_default_day_and_night(moment: str, shift: str, why: str) -> None:
    assert current_shift(DAY_NIGHT, datetime.fromisoformat(moment)) == shift


THREE = (
    HuddleShift(code="early", label="Early", starts="07:30"),
    HuddleShift(code="late", label="Late", starts="14:30"),
    HuddleShift(code="night", label="Night", starts="21:00"),
)
CONFIGURED_CASES = [
    ("2026-01-15T07:29:00+00:00", "night", "before the first start: the night before"),
    ("2026-01-15T07:30:00+00:00", "early", "exactly at a start"),
    ("2026-01-15T14:29:00+00:00", "early", "a minute before the next start"),
    ("2026-01-15T14:30:00+00:00", "late", "the next start"),
    ("2026-07-01T20:00:00+00:00", "night", "summer: 21:00 BST is 20:00 UTC"),
    ("2026-07-01T19:59:00+00:00", "late", "summer: 20:59 BST is still the late shift"),
]


@pytest.mark.parametrize("moment, shift, why", CONFIGURED_CASES, ids=[c[2] for c in CONFIGURED_CASES])
def test_configured_start_times(moment: str, shift: str, why: str) -> None:
    assert current_shift(THREE, datetime.fromisoformat(moment)) == shift


def test_shifts_without_a_start_time_or_a_default_give_the_first_shift() -> None:
    shifts = (HuddleShift(code="morning", label="Morning"), HuddleShift(code="evening", label="Evening"))
    assert current_shift(shifts, datetime.fromisoformat("2026-01-15T20:00:00+00:00")) == "morning"


def test_only_a_day_shift_is_always_the_day() -> None:
    assert current_shift(DAY_NIGHT[:1], datetime.fromisoformat("2026-01-15T23:00:00+00:00")) == "day"


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        current_shift(DAY_NIGHT, datetime(2026, 1, 15, 7, 0))


BAD_STARTS = [
    (1140, "an unquoted 19:00 read by YAML as a number"),
    ("7:00", "not HH:MM"),
    ("25:00", "not a time"),
]


@pytest.mark.parametrize("value, why", BAD_STARTS, ids=[c[1] for c in BAD_STARTS])
def test_a_start_must_be_a_quoted_hh_mm(value: object, why: str) -> None:
    with pytest.raises(ValidationError, match="starts"):
        HuddleShift(code="day", label="Day", starts=value)


SHIFT_LIST_CASES = [
    ([{"code": "day", "label": "D", "starts": "07:00"}, {"code": "night", "label": "N"}], "every shift"),
    (
        [{"code": "day", "label": "D", "starts": "07:00"}, {"code": "night", "label": "N", "starts": "07:00"}],
        "same time",
    ),
]


@pytest.mark.parametrize("shifts, message", SHIFT_LIST_CASES, ids=[c[1] for c in SHIFT_LIST_CASES])
def test_huddle_yaml_gives_every_shift_a_distinct_start_or_none(shifts: list, message: str) -> None:
    data = yaml.safe_load((DEFAULT_CONFIG_DIR / "huddle.yaml").read_text())
    HuddleFile.model_validate(data)  # the shipped file is sound
    with pytest.raises(ValidationError, match=message):
        HuddleFile.model_validate({**data, "shifts": shifts})


SHIPPED_CASES = [
    ("2026-01-15T06:59:00+00:00", "night"),
    ("2026-01-15T07:00:00+00:00", "day"),
    ("2026-07-01T18:00:00+00:00", "night"),
    ("2026-07-01T17:59:00+00:00", "day"),
]


@pytest.mark.parametrize("moment, shift", SHIPPED_CASES)
def test_the_shipped_huddle_yaml_starts_day_at_07_and_night_at_19_london_time(moment: str, shift: str) -> None:
    shipped = HuddleFile.model_validate(yaml.safe_load((DEFAULT_CONFIG_DIR / "huddle.yaml").read_text()))
    assert current_shift(shipped.shifts, datetime.fromisoformat(moment)) == shift
