"""The equity splits a bundle carries: each proportion metric's trust-month numerator and denominator per group of
deprivation quintile, ethnic group, age band and sex, with small numbers withheld before they leave the trust.

Why this exists: the system hub must show the same equity lens as a trust's executive view, and a small group (two
Black patients with sepsis in a month) can name a person. So the trust sums its stored splits
(``metrics.store.equity``) over its wards and over each calendar month, and applies the bundle's disclosure control
(``metrics.federation.disclosure``: NHS Digital 2018, counts from 1 to the threshold withheld, zero shown) to every
count of ``equity.csv``, whatever the metric's parts count: a group is a handful of people, so even a sum of hours
over it is treated as a count of them.

Secondary suppression: the groups of one split add up to the split's total, which the bundle publishes elsewhere
(the trust's month value in ``values.csv``), so each (month, metric, split) is one line of the rule with a total
that is always shown. A line with one withheld group gets a second (the smallest positive published group); where
no other group is positive the total would have to go, and since it cannot, every group of the line is withheld.
A group whose denominator is withheld has its numerator withheld too (it can be no larger), and the numerators'
line is then protected in its own right. Different splits partition the same patients, so no sum links a group of
one split to a group of another.

Only whole months are sent: a trust exports the month to date every morning, and two successive month-to-date
totals of a group would differ by one day's count, small or not. A month is sent once its last day is in the
bundle, and then it no longer changes (unless the trust reloads a day of it).

The SII is not sent: the hub works it out from the published quintiles (``metrics.federation.hub_equity``), and
only when none of them is withheld; a figure computed from withheld counts, with the total beside it, could give
two withheld groups away.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from metrics.equity.groups import SPLITS
from metrics.federation.bundle import EQUITY_FILE, BundleRefused, coerce_columns, first_row
from metrics.federation.disclosure import Line, primary, secondary

EQUITY_COLUMNS = ["month", "metric_id", "split", "group_label", "numerator", "denominator", "suppressed"]
LINE_KEY = ["month", "metric_id", "split"]


def whole_months(daily: pd.DataFrame, first_day: date, last_day: date) -> pd.DataFrame:
    """``metrics.store.equity.daily_split_totals`` summed per calendar month, for the months from ``first_day``'s to
    the last one ending on or before ``last_day``; every group of each split listed (0 of 0 where none)."""
    start = pd.Timestamp(first_day).to_period("M").start_time
    end = (pd.Timestamp(last_day) + pd.Timedelta(days=1)).to_period("M").start_time  # first month not yet whole
    frame = daily[(daily["date"] >= start) & (daily["date"] < end)]
    if frame.empty:
        return pd.DataFrame(columns=EQUITY_COLUMNS[:-1])
    frame = frame.assign(month=frame["date"].dt.to_period("M").dt.start_time)
    summed = frame.groupby(["month", "metric_id", "split", "group_label"], sort=False)[
        ["numerator", "denominator"]
    ].sum()
    every = [
        (month, metric, split, group)
        for (month, metric, split) in frame[LINE_KEY].drop_duplicates().itertuples(index=False)
        for group in SPLITS[split][1]
    ]
    full = summed.reindex(pd.MultiIndex.from_tuples(every, names=summed.index.names), fill_value=0.0).reset_index()
    full["month"] = full["month"].dt.date
    return full


def _withheld(cells: pd.DataFrame, counts: np.ndarray, also: np.ndarray, threshold: int) -> np.ndarray:
    """Which of ``counts`` (one per cell of ``cells``) to withhold: primary, ``also``, then secondary per line."""
    n = len(cells)
    totals = pd.DataFrame({"count": counts}).groupby([cells[k] for k in LINE_KEY], sort=False)["count"].sum()
    table = pd.concat(
        [
            cells[LINE_KEY].assign(count=counts, total=False),
            totals.reset_index().assign(total=True),
        ],
        ignore_index=True,
    )
    is_total = table["total"].to_numpy(dtype=bool)
    first = np.zeros(len(table), dtype=bool)
    first[:n] = primary(counts, np.ones(n, dtype=bool), threshold) | also
    withheld = secondary(table, first, [Line(~is_total, is_total, LINE_KEY)])
    forced = withheld & is_total  # the total is shown elsewhere: withhold its whole line instead
    if forced.any():
        lines = pd.MultiIndex.from_frame(table.loc[forced, LINE_KEY])
        withheld[:n] |= pd.MultiIndex.from_frame(cells[LINE_KEY]).isin(lines)
    return withheld[:n]


def disclosure_controlled(splits: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """``whole_months``' rows with withheld numbers blanked and ``suppressed`` set where either part is withheld."""
    cells = splits.reset_index(drop=True)
    denominators = cells["denominator"].to_numpy(dtype=float)
    numerators = cells["numerator"].to_numpy(dtype=float)
    den_hidden = _withheld(cells, denominators, np.zeros(len(cells), dtype=bool), threshold)
    num_hidden = _withheld(cells, numerators, den_hidden, threshold)
    out = cells.copy()
    out["numerator"] = np.where(num_hidden, np.nan, numerators)
    out["denominator"] = np.where(den_hidden, np.nan, denominators)
    out["suppressed"] = num_hidden | den_hidden
    return out[EQUITY_COLUMNS]


def build_equity(daily: pd.DataFrame, first_day: date, last_day: date, threshold: int) -> pd.DataFrame:
    """The bundle's ``equity.csv`` table from the trust's daily split totals, disclosure controlled."""
    months = whole_months(daily, first_day, last_day)
    if months.empty:
        return pd.DataFrame(columns=EQUITY_COLUMNS)
    out = disclosure_controlled(months, threshold)
    order = {split: i for i, split in enumerate(SPLITS)}
    groups = {(s, g): i for s, (_, labels) in SPLITS.items() for i, g in enumerate(labels)}
    out = out.assign(
        _s=out["split"].map(order), _g=[groups[(s, g)] for s, g in zip(out["split"], out["group_label"], strict=True)]
    )
    out["month"] = [m.isoformat()[:7] for m in out["month"]]
    return out.sort_values(["month", "metric_id", "_s", "_g"])[EQUITY_COLUMNS].reset_index(drop=True)


def read_equity(folder: Path, metric_ids: set[str], threshold: int) -> pd.DataFrame:
    """``equity.csv`` read and checked against the bundle's rules; refused (naming the row) if it breaks one.

    Besides the shape, the hub checks the disclosure rule itself: a count from 1 to the bundle's threshold, or a
    suppressed row that still carries both numbers, means the exporter did not withhold what it says it did.
    """
    path = folder / EQUITY_FILE
    frame = pd.read_csv(
        path,
        dtype={"month": str, "metric_id": str, "split": str, "group_label": str, "suppressed": str},
        keep_default_na=False,
        na_values={"numerator": [""], "denominator": [""]},
    )
    if list(frame.columns) != EQUITY_COLUMNS:
        raise BundleRefused(f"{path}: bundle refused: columns must be {EQUITY_COLUMNS}. Nothing was loaded.")
    problems: list[str] = []
    known = {(s, g) for s, (_, groups) in SPLITS.items() for g in groups}
    checks = (
        (~frame["metric_id"].isin(metric_ids), "`metric_id` is not in definitions.json"),
        (
            pd.Series([(s, g) not in known for s, g in zip(frame["split"], frame["group_label"], strict=True)]),
            "`split` and `group_label` are not a known split and group",
        ),
        (frame.duplicated(["month", "metric_id", "split", "group_label"]), "a group is given twice"),
    )
    for bad, message in checks:
        if bad.any():
            problems.append(f"row {first_row(bad)}: {message}")
    coerce_columns(frame, ("numerator", "denominator"), ("suppressed",), "month", "%Y-%m", problems)
    for column in ("numerator", "denominator"):
        small = frame[column].between(1, threshold) if threshold >= 1 else pd.Series(False, index=frame.index)
        if small.any():
            problems.append(f"row {first_row(small)}: `{column}` is a count from 1 to {threshold}, which is withheld")
    if problems:
        raise BundleRefused(f"{path}: bundle refused: {'; '.join(problems[:5])}. Nothing was loaded.")
    return frame
