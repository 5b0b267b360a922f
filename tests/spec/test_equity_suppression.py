"""Spec: small numbers are suppressed, and one more cell when a total would reveal the one suppressed.

Threshold 7 as config/dashboard.yaml ships it: counts 1 to 7 are "suppressed"; 0 and 8 upward are shown.
"""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.config.models import DashboardFile
from metrics.equity.panel import equity_view
from metrics.equity.sii import SlopeIndex, slope_index
from metrics.equity.suppression import is_small, suppressed_cells

T = 7


@pytest.mark.parametrize(("count", "small"), [(0, False), (1, True), (7, True), (8, False), (250, False)])
def test_counts_from_1_to_the_threshold_are_small_and_zero_is_not(count, small):
    assert is_small(count, T) is small


SETS = [
    # counts in a set adding to a shown total, which are suppressed (x)
    ([20, 30, 40], [False, False, False]),  # nothing small
    ([0, 30, 40], [False, False, False]),  # a zero names no one
    ([3, 30, 40], [True, True, False]),  # one small: the next smallest goes too, or 73 - 70 = 3 gives it away
    ([3, 5, 40], [True, True, False]),  # two small: neither can be worked out from the total
    ([3, 0, 40], [True, False, True]),  # the next smallest above zero, not the zero
    ([3, 0], [True, True]),  # nothing else above zero: the zero goes
    ([7, 8, 9], [True, True, False]),
]


@pytest.mark.parametrize(("counts", "hidden"), SETS)
def test_primary_and_secondary_suppression(counts, hidden):
    assert suppressed_cells(counts, T) == hidden


def test_the_shipped_threshold_is_7():
    assert DashboardFile().small_numbers.suppress_up_to == 7


def test_a_split_shows_suppressed_groups_as_such_and_no_count_of_1_to_7_survives():
    totals = pd.DataFrame(
        {
            "group_label": ["White", "Mixed", "Asian or Asian British", "Black or Black British",
                            "Other ethnic group", "Not stated or not known"],
            "numerator": [39.0, 0.0, 4.0, 0.0, 0.0, 1.0],
            "denominator": [395.0, 12.0, 43.0, 20.0, 8.0, 31.0],
        }
    )  # fmt: skip
    view = equity_view(totals, "ethnicity", T)
    rows = {r.group: r for r in view.groups.itertuples()}
    assert [g for g, r in rows.items() if r.suppressed] == ["Asian or Asian British", "Not stated or not known"]
    assert rows["Asian or Asian British"].numerator is None and rows["Asian or Asian British"].proportion is None
    assert rows["White"].numerator == 39 and rows["White"].denominator == 395
    assert rows["Mixed"].numerator == 0 and rows["Mixed"].denominator == 12
    shown = [v for r in rows.values() for v in (r.numerator, r.denominator) if v is not None]
    assert not [v for v in shown if 1 <= v <= T]
    # the suppressed pair cannot be separated from the shown total (44 counted): 44 - 39 - 0 - 0 - 0 = 5 = 4 + 1
    assert view.sii is None


def test_the_deprivation_split_carries_the_sii_of_the_full_counts():
    totals = pd.DataFrame(
        {
            "group_label": ["Q1 most deprived (Core20)", "Q2", "Q3", "Q4", "Q5 least deprived", "Not known"],
            "numerator": [12.0, 9.0, 11.0, 8.0, 4.0, 2.0],
            "denominator": [122.0, 111.0, 94.0, 90.0, 76.0, 16.0],
        }
    )
    view = equity_view(totals, "deprivation", T)
    assert isinstance(view.sii, SlopeIndex)
    assert view.sii == slope_index([12, 9, 11, 8, 4], [122, 111, 94, 90, 76])
    assert [r.suppressed for r in view.groups.itertuples()] == [False, False, False, False, True, True]
    # Q5's 76 patients are shown, its 4 counted are not; "Not known" hides its 2 counted, its 16 patients shown
    assert [r.denominator for r in view.groups.itertuples()] == [122, 111, 94, 90, 76, 16]
    assert [r.numerator for r in view.groups.itertuples()] == [12, 9, 11, 8, None, None]


def test_a_small_denominator_hides_the_group_whole():
    totals = pd.DataFrame({"group_label": ["Female", "Male"], "numerator": [1.0, 30.0], "denominator": [5.0, 300.0]})
    view = equity_view(totals, "sex", T)
    rows = list(view.groups.itertuples())
    # Female 1 of 5: both small; Male's counts go too (secondary), else 31 - 30 and 305 - 300 give them away
    assert [(r.numerator, r.denominator) for r in rows] == [(None, None), (None, None), (0, 0)]
