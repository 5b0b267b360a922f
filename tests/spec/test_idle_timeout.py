"""Spec: when a signed-in session has been idle too long (metrics.access.idle).

More than idle_timeout_minutes since the last activity (or since sign-in, when there has been none) ends
the sign-in; exactly at the limit it is still active. An ended sign-in stays ended, and is audited once.
"""

from __future__ import annotations

import pytest

from metrics.access.idle import ENDED, forget_idle, idle_decision, issued_at

SIGNED_IN = 1_750_000_000.0  # seconds since the epoch
LIMIT = 30  # idle_timeout_minutes

CASES = [
    # last activity (None: none yet), seconds later, timed out?, newly (audit)?, why
    (SIGNED_IN, 0, False, False, "active just now"),
    (SIGNED_IN, 30 * 60 - 1, False, False, "a second inside the limit"),
    (SIGNED_IN, 30 * 60, False, False, "exactly at the limit is still active"),
    (SIGNED_IN, 30 * 60 + 1, True, True, "a second past the limit ends it, audited"),
    (None, 30 * 60, False, False, "no activity yet: the clock starts at sign-in"),
    (None, 30 * 60 + 1, True, True, "no activity since sign-in, past the limit"),
    (ENDED, 0, True, False, "already ended stays ended, not audited again"),
]


@pytest.mark.parametrize("last, later, timed_out, newly, why", CASES, ids=[c[4] for c in CASES])
def test_idle_decision(last: float | None, later: float, timed_out: bool, newly: bool, why: str) -> None:
    got = idle_decision(last, SIGNED_IN, SIGNED_IN + later, LIMIT)
    assert (got.timed_out, got.newly_timed_out) == (timed_out, newly)
    assert got.last_active == (ENDED if timed_out else SIGNED_IN + later)


ISSUED_CASES = [
    (1_700_000_000, 1_700_000_000.0, "a number"),
    ("1700000000", 1_700_000_000.0, "a number as text"),
    (None, SIGNED_IN, "missing: now"),
    ("", SIGNED_IN, "empty: now"),
    ("yesterday", SIGNED_IN, "not a number: now"),
]


@pytest.mark.parametrize("claim, expected, why", ISSUED_CASES, ids=[c[2] for c in ISSUED_CASES])
def test_issued_at(claim: object, expected: float, why: str) -> None:
    assert issued_at(claim, SIGNED_IN) == expected


def test_forget_idle_drops_only_sign_ins_idle_over_a_day_once_the_memory_is_full() -> None:
    seen = {"recent": SIGNED_IN - 60, "old": SIGNED_IN - 86_401, "ended": ENDED}
    forget_idle(seen, SIGNED_IN, above=3)
    assert set(seen) == {"recent", "old", "ended"}  # not over the size yet
    forget_idle(seen, SIGNED_IN, above=2)
    assert set(seen) == {"recent"}
