"""The equity splits a bundle carries: whole months only, and disclosure control applied before they leave the trust.

The rule is the bundle's (NHS Digital 2018): a count from 1 to 7 is withheld, zero is shown; the groups of a split
add up to the trust's published month value, so a line with one withheld group gets a second, and a line whose
other groups are all zero is withheld whole (its total is shown elsewhere and cannot be withheld).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metrics.equity.groups import SPLITS
from metrics.federation.bundle import BundleRefused
from metrics.federation.equity_bundle import (
    EQUITY_COLUMNS,
    build_equity,
    disclosure_controlled,
    read_equity,
    whole_months,
)

AGE = SPLITS["age"][1]  # 0-17, 18-64, 65-74, 75-84, 85+, Not known


def _daily(rows: list[tuple[str, str, str, float, float]], split: str = "age") -> pd.DataFrame:
    """(day, metric, group, numerator, denominator) rows of one split, as the trust's store sums them per day."""
    frame = pd.DataFrame(rows, columns=["date", "metric_id", "group_label", "numerator", "denominator"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["split"] = split
    return frame[["date", "metric_id", "split", "group_label", "numerator", "denominator"]]


def _line(numerators: list[float], denominators: list[float]) -> pd.DataFrame:
    """One month's age split of metric 'm' with these parts per group, in the split's order."""
    return pd.DataFrame(
        {
            "month": date(2026, 10, 1),
            "metric_id": "m",
            "split": "age",
            "group_label": list(AGE),
            "numerator": numerators,
            "denominator": denominators,
        }
    )


def _shown(out: pd.DataFrame, part: str) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in out[part]]


def test_days_are_summed_into_whole_months_and_the_month_in_progress_is_left_out() -> None:
    daily = _daily(
        [
            ("2026-10-30", "m", "18-64", 10, 100),
            ("2026-10-31", "m", "18-64", 12, 110),
            ("2026-10-31", "m", "85+", 9, 40),
            ("2026-11-01", "m", "18-64", 50, 500),  # November runs to the 1st only: not whole yet
        ]
    )
    months = whole_months(daily, date(2026, 10, 1), date(2026, 11, 1))
    assert months["month"].unique().tolist() == [date(2026, 10, 1)]
    assert months["group_label"].tolist() == list(AGE)  # every group of the split, 0 of 0 where none
    assert months["numerator"].tolist() == [0, 22, 0, 0, 9, 0]
    assert months["denominator"].tolist() == [0, 210, 0, 0, 40, 0]
    # on the month's last day the month is whole
    assert whole_months(daily, date(2026, 10, 1), date(2026, 11, 30))["month"].nunique() == 2


def test_a_small_group_is_withheld_with_the_smallest_other_so_the_total_does_not_give_it_away() -> None:
    #            0-17  18-64  65-74  75-84  85+  Not known
    out = disclosure_controlled(_line([3, 40, 12, 30, 25, 0], [20, 400, 90, 200, 150, 10]), 7)
    assert _shown(out, "numerator") == [None, 40, None, 30, 25, 0]
    assert _shown(out, "denominator") == [20, 400, 90, 200, 150, 10]
    assert out["suppressed"].tolist() == [True, False, True, False, False, False]


def test_a_lone_small_group_among_zeros_withholds_every_group_of_the_line() -> None:
    out = disclosure_controlled(_line([4, 0, 0, 0, 0, 0], [20, 400, 90, 200, 150, 10]), 7)
    assert _shown(out, "numerator") == [None] * 6
    assert out["suppressed"].all()
    assert _shown(out, "denominator") == [20, 400, 90, 200, 150, 10]


def test_a_group_whose_patients_are_withheld_has_its_count_withheld_too() -> None:
    # 5 patients aged 0-17 (withheld, with the smallest other group, Not known's 10); their 2 and Not known's 0
    # go with them, which leaves the counts' line two withheld already
    out = disclosure_controlled(_line([2, 40, 12, 30, 25, 0], [5, 400, 90, 200, 150, 10]), 7)
    assert _shown(out, "denominator") == [None, 400, 90, 200, 150, None]
    assert _shown(out, "numerator") == [None, 40, 12, 30, 25, None]
    assert out["suppressed"].tolist() == [True, False, False, False, False, True]


def test_zero_is_shown_and_counts_of_eight_and_more_are_sent_as_they_are() -> None:
    out = disclosure_controlled(_line([0, 8, 9, 0, 100, 0], [0, 80, 90, 8, 1000, 0]), 7)
    assert _shown(out, "numerator") == [0, 8, 9, 0, 100, 0]
    assert _shown(out, "denominator") == [0, 80, 90, 8, 1000, 0]
    assert not out["suppressed"].any()


def test_a_higher_threshold_withholds_more() -> None:
    out = disclosure_controlled(_line([9, 40, 12, 30, 25, 0], [20, 400, 90, 200, 150, 10]), 10)
    assert _shown(out, "denominator") == [None, 400, 90, 200, 150, None]  # 10, and 20 as its partner
    assert _shown(out, "numerator") == [None, 40, 12, 30, 25, None]


def _random_daily(seed: int) -> pd.DataFrame:
    """Three metrics' every split over 61 days, each group's daily patients Poisson around 0.02, 0.1 or 3: over a
    month, many groups of a few patients."""
    rng = np.random.Generator(np.random.PCG64(seed))
    days = pd.date_range("2026-09-01", "2026-10-31")
    frames = []
    for metric in ("a", "b", "c"):
        for split, (_, groups) in SPLITS.items():
            for group in groups:
                den = rng.poisson(rng.choice([0.02, 0.1, 3.0]), len(days))
                frames.append(
                    pd.DataFrame(
                        {
                            "date": days,
                            "metric_id": metric,
                            "split": split,
                            "group_label": group,
                            "numerator": rng.binomial(den, 0.4).astype(float),
                            "denominator": den.astype(float),
                        }
                    )
                )
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_count_from_one_to_seven_is_sent_and_no_line_has_exactly_one_withheld_group(seed: int) -> None:
    out = build_equity(_random_daily(seed), date(2026, 9, 1), date(2026, 10, 31), 7)
    assert list(out.columns) == EQUITY_COLUMNS
    assert len(out) == 2 * 3 * sum(len(groups) for _, groups in SPLITS.values())
    for part in ("numerator", "denominator"):
        sent = out[part].dropna()
        assert not sent.between(1, 7).any()
        withheld = out[part].isna().groupby([out["month"], out["metric_id"], out["split"]]).sum()
        assert (withheld != 1).all()
        assert withheld.sum() > 0
    assert (out["suppressed"] == out["numerator"].isna() | out["denominator"].isna()).all()


def _written(tmp_path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(tmp_path / "equity.csv", index=False)
    return tmp_path


def _sent_line() -> pd.DataFrame:
    out = build_equity(
        _daily([("2026-10-31", "m", "18-64", 22, 210), ("2026-10-31", "m", "85+", 9, 40)]),
        date(2026, 10, 1),
        date(2026, 10, 31),
        7,
    )
    return out


def test_the_hub_reads_the_table_the_trust_wrote() -> None:
    sent = _sent_line()
    assert sent["month"].tolist() == ["2026-10"] * 6
    assert sent["numerator"].tolist() == [0, 22, 0, 0, 9, 0]


def test_the_hub_refuses_a_table_with_a_count_the_rule_withholds(tmp_path: Path) -> None:
    sent = _sent_line()
    assert len(read_equity(_written(tmp_path, sent), {"m"}, 7)) == 6
    sent.loc[4, "numerator"] = 5.0
    with pytest.raises(BundleRefused, match=r"equity.csv: bundle refused: row 6: `numerator` is a count from 1 to 7"):
        read_equity(_written(tmp_path, sent), {"m"}, 7)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("metric_id", "unknown", "row 2: `metric_id` is not in definitions.json"),
        ("group_label", "Martians", "row 2: `split` and `group_label` are not a known split and group"),
        ("denominator", "many", "row 2: `denominator` is not a number"),
        ("month", "October", "`month` must be YYYY-MM"),
    ],
)
def test_the_hub_refuses_a_table_that_breaks_the_bundles_rules(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    sent = _sent_line().astype(object)
    sent.loc[0, column] = value
    with pytest.raises(BundleRefused, match=message):
        read_equity(_written(tmp_path, sent), {"m"}, 7)
