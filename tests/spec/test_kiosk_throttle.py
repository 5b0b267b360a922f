"""Wrong kiosk tokens per client address: five a minute are audited each, the sixth starts one audited burst.

Read the table as a timeline for one client; times are seconds after 08:00:00.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from metrics.access.kiosk_throttle import KioskMissThrottle, MissVerdict

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)
A, T, S = MissVerdict.AUDIT, MissVerdict.THROTTLED, MissVerdict.THROTTLE_STARTED


@pytest.mark.parametrize(
    ("seconds", "verdicts"),
    [
        # misses at (seconds)             what each one gets
        ([0, 1, 2, 3, 4], [A, A, A, A, A]),  # the limit itself: all audited
        ([0, 1, 2, 3, 4, 5], [A, A, A, A, A, S]),  # one over: refused, audited once as a burst
        ([0, 1, 2, 3, 4, 5, 6, 7, 30], [A, A, A, A, A, S, T, T, T]),  # the burst: not audited again
        ([0, 1, 2, 3, 4, 59.999], [A, A, A, A, A, S]),  # just inside the minute
        ([0, 1, 2, 3, 4, 60], [A, A, A, A, A, A]),  # the first miss has left the window at exactly 60 s
        ([0, 1, 2, 3, 4, 5, 65, 66, 67], [A, A, A, A, A, S, A, A, A]),  # a quiet minute: audited again
        ([0, 1, 2, 3, 4, 5, 62], [A, A, A, A, A, S, A]),  # at 62 s only 3, 4 and 5 remain in the minute: audited
    ],
)
def test_misses_over_five_a_minute_from_one_client_are_refused_and_audited_once(seconds, verdicts):
    throttle = KioskMissThrottle(limit=5, window=timedelta(minutes=1))
    assert [throttle.miss("203.0.113.9", T0 + timedelta(seconds=s)) for s in seconds] == verdicts


def test_clients_are_counted_apart():
    throttle = KioskMissThrottle(limit=2, window=timedelta(minutes=1))
    assert [throttle.miss("a", T0), throttle.miss("a", T0), throttle.miss("a", T0)] == [A, A, S]
    assert throttle.miss("b", T0) == A
    assert (throttle.is_throttled("a", T0), throttle.is_throttled("b", T0)) == (True, False)
    assert throttle.is_throttled("a", T0 + timedelta(minutes=1)) is False


def test_the_number_of_clients_remembered_is_bounded():
    throttle = KioskMissThrottle(limit=1, window=timedelta(minutes=1), max_clients=3)
    for client in ("a", "b", "c", "d"):
        throttle.miss(client, T0)
        throttle.miss(client, T0)
    assert [throttle.is_throttled(c, T0) for c in ("a", "b", "c", "d")] == [False, True, True, True]


@pytest.mark.parametrize(("limit", "window"), [(0, timedelta(minutes=1)), (5, timedelta(0))])
def test_a_throttle_without_a_limit_or_window_is_refused(limit, window):
    with pytest.raises(ValueError, match="a kiosk throttle needs limit >= 1 and a positive window"):
        KioskMissThrottle(limit=limit, window=window)
