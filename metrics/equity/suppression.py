"""Small-number suppression of counts shown outside the ward: primary and secondary.

Why this exists: a count of one to a few patients in a small group (one Black patient with sepsis on a ward) can
name a person. Counts from 1 up to the threshold (config/dashboard.yaml ``small_numbers.suppress_up_to``) are
shown as "suppressed"; zero is shown, since it names no one. Because the groups of a split add up to a total
shown elsewhere (the trust's value of the metric), one suppressed cell could be worked out by subtraction, so
when exactly one cell of a set is suppressed the next smallest is suppressed too (secondary suppression), after
NHS Digital's statistical disclosure control practice for published counts (suppress 1 to 7; suppress further
cells so a total cannot reveal a suppressed one).
"""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_THRESHOLD = 7


def is_small(count: float, threshold: int) -> bool:
    """A count from 1 up to the threshold: too small to show."""
    return 0 < count <= threshold


def suppressed_cells(counts: Sequence[float], threshold: int) -> list[bool]:
    """Which of a set of counts that add up to a shown total must be suppressed (True), primary and secondary."""
    hidden = [is_small(c, threshold) for c in counts]
    if sum(hidden) == 1:
        shown = [i for i, h in enumerate(hidden) if not h]
        if shown:
            # the next smallest: prefer a count above zero (hiding a zero beside it protects less)
            nxt = min(shown, key=lambda i: (counts[i] == 0, counts[i], i))
            hidden[nxt] = True
    return hidden
