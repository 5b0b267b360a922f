"""Small-number suppression of the equity lens's group counts: the federation's disclosure control, reused.

Why this exists: a count of one to a few patients in a small group (one Black patient with sepsis on a ward) can
name a person. The rule is the one aggregates leaving the trust follow (``metrics.federation.disclosure``: NHS
Digital's disclosure control, counts from 1 to the threshold withheld, zero shown, and secondary suppression so
that no total gives a withheld cell away). The threshold is config/dashboard.yaml ``small_numbers.suppress_up_to``.

The groups of a split add up to a total the board shows elsewhere (the trust's value of the metric), so they are
one line of that rule with its total. Where only the total could protect a lone small count (every other group is
zero), the total cannot be withheld here, since the board shows it, so every group of the line is withheld.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from metrics.federation.disclosure import DEFAULT_THRESHOLD, Line, primary, secondary

__all__ = ["DEFAULT_THRESHOLD", "is_small", "suppressed_cells"]


def is_small(count: float, threshold: int) -> bool:
    """A count from 1 up to the threshold: too small to show."""
    return bool(primary(np.array([count], dtype=float), np.array([True]), threshold)[0])


def suppressed_cells(counts: Sequence[float], threshold: int) -> list[bool]:
    """Which of a set of counts that add up to a shown total must be suppressed (True), primary and secondary."""
    n = len(counts)
    values = np.array([*counts, float(sum(counts))], dtype=float)
    members = np.array([True] * n + [False])
    cells = pd.DataFrame({"count": values, "line": np.zeros(n + 1, dtype=np.int64)})
    withheld = secondary(cells, primary(values, members, threshold), [Line(members, ~members, ["line"])])
    if withheld[n]:  # the total would have to go, but the board shows it: withhold the whole line instead
        return [True] * n
    return [bool(w) for w in withheld[:n]]
