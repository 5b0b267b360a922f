"""What the equity panel shows for one metric and one split: each group's proportion, suppressed where small,
and for deprivation the slope index of inequality.

Why this exists: the view draws; this module decides what may be shown (``metrics.equity.suppression``) and does
the sums, so the executive and system views show the same thing and a test can check it without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics.equity.groups import QUINTILES, SPLITS
from metrics.equity.sii import NoSlopeIndex, SlopeIndex, slope_index
from metrics.equity.suppression import suppressed_cells

SUPPRESSED = "suppressed"
GROUP_COLUMNS = ["group", "numerator", "denominator", "proportion", "suppressed"]


@dataclass(frozen=True)
class EquityView:
    """The groups in order (suppressed counts and proportions as None) and, for deprivation, the SII."""

    split: str
    split_label: str
    groups: pd.DataFrame  # GROUP_COLUMNS, held as objects: a suppressed count is None, never NaN
    sii: SlopeIndex | NoSlopeIndex | None  # None: not the deprivation split


def equity_view(totals: pd.DataFrame, split: str, threshold: int) -> EquityView:
    """The groups of ``split`` from the stored totals (group_label, numerator, denominator), suppressed.

    Every group of the split is listed in its order, a group without patients as 0 of 0. The SII is worked out from
    the quintiles' full counts: it is a single figure over at least two groups and names no one.
    """
    label, order = SPLITS[split]
    by_group = {str(r.group_label): (float(r.numerator or 0), float(r.denominator or 0)) for r in totals.itertuples()}
    numerators = [by_group.get(g, (0.0, 0.0))[0] for g in order]
    denominators = [by_group.get(g, (0.0, 0.0))[1] for g in order]
    num_hidden, den_hidden = suppressed_cells(numerators, threshold), suppressed_cells(denominators, threshold)
    # a small denominator hides its numerator too (the numerator can be no larger); a small numerator alone leaves
    # the group's patients shown: the numerators' own secondary suppression keeps it from being worked out
    hidden = [a or b for a, b in zip(num_hidden, den_hidden, strict=True)]
    rows = [
        {
            "group": g,
            "numerator": None if h else n,
            "denominator": None if dh else d,
            "proportion": None if h or d == 0 else n / d,
            "suppressed": h,
        }
        for g, n, d, h, dh in zip(order, numerators, denominators, hidden, den_hidden, strict=True)
    ]
    sii = None
    if split == "deprivation":
        k = len(QUINTILES)
        sii = slope_index(numerators[:k], denominators[:k])
    return EquityView(split, label, pd.DataFrame(rows, columns=GROUP_COLUMNS, dtype=object), sii)
