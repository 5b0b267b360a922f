"""What an SPC chart is given, checked and shaped: dates, values, the improvement direction and the target.

Why this exists: ``metrics.spc.xmr`` does the maths on clean numpy arrays; every check of what a caller
passed (a date that cannot be read, a value that is not a number, a date given twice, a direction or a
target that varies within one series) lives here, each failing with a message that names what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

IMPROVEMENTS = ("increase", "decrease", "neutral")
IMPROVEMENT_SIGN = {"increase": 1, "decrease": -1, "neutral": 0}


def check_improvement(improvement: object) -> str:
    """``improvement`` if it is one of IMPROVEMENTS; else a ValueError listing them."""
    if improvement not in IMPROVEMENT_SIGN:
        raise ValueError(f"improvement must be one of {', '.join(IMPROVEMENTS)}, not {improvement!r}")
    return str(improvement)


def check_target(target: object) -> float | None:
    """The target as a float; None for no target (None or NaN); a ValueError for anything else."""
    if target is None:
        return None
    try:
        value = float(target)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"target must be a number, not {target!r}") from None
    if np.isnan(value):
        return None
    if not np.isfinite(value):
        raise ValueError(f"target must be a finite number, not {target!r}")
    return value


def to_datetime_array(dates: Iterable[Any], what: str) -> np.ndarray:
    """``dates`` as naive datetime64[ns]; a ValueError naming ``what`` if one cannot be read or is missing."""
    if isinstance(dates, (str, bytes)):
        raise ValueError(f"{what} must be a sequence of dates, not a single string")
    seq = dates if isinstance(dates, (pd.Series, pd.Index, np.ndarray, list, tuple)) else list(dates)
    try:
        parsed = pd.to_datetime(seq)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{what}: not all dates could be read ({exc})") from None
    index = pd.DatetimeIndex(parsed)
    if index.tz is not None:
        index = index.tz_localize(None)
    if index.hasnans:
        raise ValueError(f"{what}: a date is missing; every row needs a date")
    as_dates: np.ndarray = index.to_numpy().astype("datetime64[ns]")
    return as_dates


def to_float_array(values: Iterable[Any], what: str) -> np.ndarray:
    """``values`` as float64 with NaN for a gap; a ValueError naming ``what`` for text or an infinite value."""
    if isinstance(values, (pd.Series, pd.Index)):
        series = values
    else:
        series = pd.Series(values if isinstance(values, (np.ndarray, list, tuple)) else list(values), dtype=object)
    try:
        arr: np.ndarray = pd.to_numeric(series, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{what}: not all values are numbers ({exc})") from None
    if np.isinf(arr).any():
        raise ValueError(f"{what}: infinite values are not allowed; use NaN for a missing day")
    return arr


def reject_duplicate_dates(codes: np.ndarray, dates: np.ndarray, name: Any) -> None:
    """A ValueError if one series (``codes``, sorted with ``dates``) has a date twice; ``name(code)`` names it."""
    if len(dates) < 2:
        return
    dup = (codes[1:] == codes[:-1]) & (dates[1:] == dates[:-1])
    if dup.any():
        i = int(np.flatnonzero(dup)[0]) + 1
        day = pd.Timestamp(dates[i]).date().isoformat()
        raise ValueError(f"{name(codes[i])} has the date {day} more than once; each date may appear once")


def per_row_improvement(
    frame: pd.DataFrame, improvement: Any, codes: np.ndarray, uniques: Sequence[Any]
) -> np.ndarray:
    """Each row's improvement sign (+1, -1, 0): one direction for all, a mapping per series, or a column."""
    n = len(codes)
    if isinstance(improvement, str):
        return np.full(n, IMPROVEMENT_SIGN[check_improvement(improvement)], dtype=np.int64)
    if isinstance(improvement, Mapping):
        per_series = np.empty(len(uniques), dtype=np.int64)
        for i, sid in enumerate(uniques):
            if sid not in improvement:
                raise ValueError(f"spc_many: no improvement direction given for series {sid!r}")
            per_series[i] = IMPROVEMENT_SIGN[check_improvement(improvement[sid])]
        per_row: np.ndarray = per_series[codes]
        return per_row
    if improvement is not None:
        raise ValueError("improvement must be a direction, a mapping series_id -> direction, or None")
    if "improvement" not in frame.columns:
        raise ValueError("spc_many: give improvement= or an 'improvement' column (increase, decrease or neutral)")
    col_codes, col_uniques = pd.factorize(frame["improvement"], use_na_sentinel=True)
    lookup = np.array([IMPROVEMENT_SIGN[check_improvement(u)] for u in col_uniques] + [0], dtype=np.int64)
    if len(col_codes) and col_codes.min() < 0:
        raise ValueError("spc_many: the improvement column has missing values")
    from_column: np.ndarray = lookup[col_codes]
    return from_column


def per_row_target(frame: pd.DataFrame, target: Any, codes: np.ndarray, uniques: Sequence[Any]) -> np.ndarray:
    """Each row's target (NaN for none): one for all, a mapping per series, or the frame's target column."""
    n = len(codes)
    if isinstance(target, Mapping):
        per_series = np.array(
            [np.nan if (v := check_target(target.get(sid))) is None else v for sid in uniques], dtype=float
        )
        per_row: np.ndarray = per_series[codes]
        return per_row
    if target is not None:
        value = check_target(target)
        return np.full(n, np.nan if value is None else value)
    if "target" not in frame.columns:
        return np.full(n, np.nan)
    arr = to_float_array(frame["target"], "target")
    return arr


def constant_per_series(
    rows: np.ndarray, starts: np.ndarray, n: int, uniques: Sequence[Any], what: str
) -> np.ndarray:
    """The one value of ``rows`` per series (series start at ``starts``); a ValueError if a series has two."""
    if not n:
        return rows[:0]
    first: np.ndarray = rows[starts]
    counts = np.diff(np.r_[starts, n])
    broadcast = np.repeat(first, counts)
    same = (rows == broadcast) | (np.isnan(rows) & np.isnan(broadcast)) if rows.dtype.kind == "f" else rows == broadcast
    if not same.all():
        row = int(np.flatnonzero(~same)[0])
        code = int(np.searchsorted(starts, row, side="right") - 1)
        raise ValueError(f"spc_many: series {uniques[code]!r} has more than one {what}; give one per series")
    return first
