"""Which huddle shift a moment falls in, from the shift start times in config/huddle.yaml.

Why this exists: the rating form starts on the shift now running, so a rating
is counted with the right huddle. Shift times are a hospital's choice, made in
huddle.yaml (``shifts: - {code: day, label: ..., starts: "07:00"}``); when no
shift gives a start time, a ``day`` shift runs from 07:00 and a ``night`` shift
from 19:00 London local time (the NHS's usual twelve-hour shifts). A shift runs
from its start up to (not including) the next shift's start, wrapping past
midnight, in London local time through GMT and BST alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from metrics.huddle.config import HuddleShift
from metrics.rules.clock import LONDON

DEFAULT_STARTS = {"day": time(7, 0), "night": time(19, 0)}


def shift_starts(shifts: Sequence[HuddleShift]) -> list[tuple[time, str]]:
    """(start, code) for each shift with a start, earliest first: the configured times, else the defaults by code."""
    if any(s.starts is not None for s in shifts):
        given = [(s.starts, s.code) for s in shifts if s.starts is not None]
    else:
        given = [(DEFAULT_STARTS[s.code], s.code) for s in shifts if s.code in DEFAULT_STARTS]
    return sorted(given)


def current_shift(shifts: Sequence[HuddleShift], now: datetime) -> str:
    """The code of the shift running at ``now`` (tz-aware) in London local time; the first shift if none has a start."""
    if now.tzinfo is None:
        raise ValueError("current_shift needs a time with its time zone, got a naive time")
    starts = shift_starts(shifts)
    if not starts:
        return shifts[0].code
    local = now.astimezone(LONDON).time()
    running = [code for start, code in starts if start <= local]
    return running[-1] if running else starts[-1][1]  # before the first start: the last shift of the night before
