"""Spec: when the board must say its data is stale (metrics.board.freshness).

Stale when the snapshot is older than stale_after_minutes (exactly at the limit it is still fresh), or when
the latest finished refresh attempt since it was loaded was rejected or failed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from metrics.board.freshness import freshness

EXTRACTED = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
LOADED = datetime(2026, 7, 1, 9, 5, tzinfo=UTC)
LIMIT = 90  # stale_after_minutes


def _attempts(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    """(status, started_at, message), newest first, as metrics.store.queries.refresh_attempts gives them."""
    frame = pd.DataFrame(rows, columns=["status", "started_at", "message"])
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    return frame


NO_ATTEMPTS = _attempts([])

AGE_CASES = [
    # minutes after extracted_at, stale?, why
    (0, False, "just extracted"),
    (89, False, "a minute inside the limit"),
    (90, False, "exactly at the limit is still fresh"),
    (90.01, True, "just past the limit is stale"),
    (600, True, "long past the limit"),
]


@pytest.mark.parametrize("minutes, stale, why", AGE_CASES, ids=[c[2] for c in AGE_CASES])
def test_age_against_the_limit(minutes: float, stale: bool, why: str) -> None:
    got = freshness(EXTRACTED, LOADED, NO_ATTEMPTS, LIMIT, EXTRACTED + timedelta(minutes=minutes))
    assert (got.too_old, got.is_stale, got.failed_status) == (stale, stale, None)
    assert got.age == timedelta(minutes=minutes)


ATTEMPT_CASES = [
    # attempts (newest first), failed_status expected, why
    ([("rejected", "2026-07-01T09:30Z", "encounters empty")], "rejected", "a rejected extract after the load"),
    ([("failed", "2026-07-01T09:05Z", "disk full")], "failed", "a failure exactly at the load time counts"),
    ([("failed", "2026-07-01T09:04Z", "disk full")], None, "a failure before this snapshot was loaded does not"),
    ([("loaded", "2026-07-01T09:30Z", None), ("failed", "2026-07-01T09:20Z", "x")], None, "a later load clears it"),
    (
        [("running", "2026-07-01T09:40Z", None), ("rejected", "2026-07-01T09:30Z", None)],
        "rejected",
        "a running one waits",
    ),
    ([("duplicate", "2026-07-01T09:30Z", None)], None, "an extract already loaded is not a failure"),
]


@pytest.mark.parametrize("rows, status, why", ATTEMPT_CASES, ids=[c[2] for c in ATTEMPT_CASES])
def test_the_latest_finished_attempt(rows: list, status: str | None, why: str) -> None:
    got = freshness(EXTRACTED, LOADED, _attempts(rows), LIMIT, EXTRACTED + timedelta(minutes=10))
    assert got.failed_status == status
    assert got.is_stale is (status is not None)
    assert got.too_old is False


def test_a_failure_keeps_its_time_and_message_and_a_missing_message_is_none() -> None:
    got = freshness(EXTRACTED, LOADED, _attempts([("rejected", "2026-07-01T09:30Z", None)]), LIMIT, EXTRACTED)
    assert got.failed_at == datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    assert got.failed_message is None


def test_as_dict_is_what_the_command_line_prints() -> None:
    got = freshness(
        EXTRACTED,
        LOADED,
        _attempts([("failed", "2026-07-01T09:30Z", "disk full")]),
        LIMIT,
        EXTRACTED + timedelta(hours=2),
    )
    assert got.as_dict() == {
        "is_stale": True,
        "age_minutes": 120.0,
        "too_old": True,
        "failed_status": "failed",
        "failed_at": "2026-07-01T09:30:00+00:00",
        "failed_message": "disk full",
    }
