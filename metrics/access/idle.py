"""The idle-timeout policy: has a signed-in session gone without activity for longer than the limit?

Why this exists: a ward computer left signed in shows patient-level data to
whoever walks past. access.yaml's ``idle_timeout_minutes`` ends a sign-in that
has had no activity for longer than that (exactly at the limit it is still
active). Once ended, a sign-in stays ended (in every tab and after a reload)
until the person signs in again. The clock starts at the sign-in's issue time
when no activity has been seen yet. Times are seconds since the epoch, passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

ENDED = float("-inf")  # the last-activity mark of a sign-in that has timed out


@dataclass(frozen=True)
class IdleDecision:
    """Whether the session has timed out, whether that is news (audit it once), and the last-activity mark to keep."""

    timed_out: bool
    newly_timed_out: bool
    last_active: float


def issued_at(claim: object, now: float) -> float:
    """The sign-in's issue time from its ``iat`` claim; ``now`` when the claim is missing or not a number."""
    try:
        return float(claim) if claim not in (None, "") else now  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return now


def idle_decision(last_active: float | None, issued: float, now: float, limit_minutes: int) -> IdleDecision:
    """Timed out when more than ``limit_minutes`` have passed since the last activity (or the sign-in time when there
    has been none), or when this sign-in has already timed out; otherwise ``now`` becomes the last activity."""
    last = issued if last_active is None else last_active
    if now - last > limit_minutes * 60:
        return IdleDecision(timed_out=True, newly_timed_out=last != ENDED, last_active=ENDED)
    return IdleDecision(timed_out=False, newly_timed_out=False, last_active=now)


def forget_idle(last_seen: dict[str, float], now: float, keep_seconds: float = 86_400, above: int = 10_000) -> None:
    """Drop sign-ins idle over ``keep_seconds`` once more than ``above`` are remembered (ended ones included)."""
    if len(last_seen) <= above:
        return
    for key in [k for k, v in last_seen.items() if now - v > keep_seconds]:
        last_seen.pop(key, None)
