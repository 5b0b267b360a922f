"""One way to write a length of time for a ward: '45 m', '7 h 20 m', '2 d 3 h'.

Why this exists: the same kind of duration appears in reason texts the engine
stores (NEWS2: "last set 7 h 20 m ago") and on screens (how long a dose has
been missed, how overdue an assessment is). Two formatters had drifted apart
(one rounded, one floored; days from 24 h in one, from 48 h in the other), so
the board could say "8 h 0 m" beside a reason saying "7h 59m". This is the
only one. Minutes are floored: 59.9 minutes has not yet been an hour.
"""

from __future__ import annotations

import math


def duration_text(minutes: float) -> str:
    """Whole minutes (floored) as '45 m' under an hour, '7 h 20 m' under a day, '2 d 3 h' from a day; negative with a
    leading '-'."""
    sign = "-" if minutes < 0 else ""
    total = int(math.floor(abs(minutes) + 1e-9))
    if total < 60:
        return f"{sign}{total} m"
    hours, mins = divmod(total, 60)
    if hours < 24:
        return f"{sign}{hours} h {mins} m"
    days, hours = divmod(hours, 24)
    return f"{sign}{days} d {hours} h"
