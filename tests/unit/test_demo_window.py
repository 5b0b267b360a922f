"""The demo store stays current: which synthetic days `python -m metrics demo` loads, at every edge."""

from datetime import UTC, date, datetime, timedelta

import pytest

from metrics.synthetic.demo_window import demo_plan, latest_extract_day

STALE = 1500  # minutes, as config/dashboard.yaml ships


@pytest.mark.parametrize(
    ("now_utc", "expected_day"),
    [
        # winter: London is UTC; the 07:30 extract of the day has happened from 07:30 UTC
        (datetime(2026, 12, 1, 7, 29, tzinfo=UTC), date(2026, 11, 30)),
        (datetime(2026, 12, 1, 7, 30, tzinfo=UTC), date(2026, 12, 1)),
        (datetime(2026, 12, 1, 23, 59, tzinfo=UTC), date(2026, 12, 1)),
        # summer: London is UTC+1, so 07:30 London is 06:30 UTC
        (datetime(2026, 7, 1, 6, 29, tzinfo=UTC), date(2026, 6, 30)),
        (datetime(2026, 7, 1, 6, 30, tzinfo=UTC), date(2026, 7, 1)),
        # just after midnight UTC in summer is already the next London day, before its extract
        (datetime(2026, 7, 1, 23, 30, tzinfo=UTC), date(2026, 7, 1)),
    ],
)
def test_latest_extract_day_is_the_last_0730_london_extract_already_taken(now_utc, expected_day):
    assert latest_extract_day(now_utc) == expected_day


NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
EXTRACT_TODAY = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("latest", "expected_days"),
    [
        (None, 90),  # an empty store: the whole history up to today
        (EXTRACT_TODAY, 0),  # current
        (NOW - timedelta(minutes=STALE), 0),  # exactly at the stale limit: still current
        (NOW - timedelta(minutes=STALE + 1), 1),  # one minute past it (30 Nov 10:59): today's extract to load
        (EXTRACT_TODAY - timedelta(days=6), 6),  # the bundled sample's age: six days to load
        (EXTRACT_TODAY - timedelta(days=400), 90),  # never more than the history asked for
    ],
)
def test_demo_plan_loads_only_the_days_the_store_is_missing(latest, expected_days):
    plan = demo_plan(latest, NOW, STALE, 90)
    assert plan.end == date(2026, 12, 1)
    assert plan.days == expected_days


def test_a_stale_store_with_no_newer_extract_due_loads_nothing():
    """Past the threshold (a short one) but today's 07:30 extract is already stored: nothing newer exists yet."""
    plan = demo_plan(EXTRACT_TODAY, NOW, 60, 90)
    assert (plan.days, plan.reason) == (0, "no newer synthetic extract is due yet")
