"""Charts for rare events: g charts (days or opportunities between events) and t charts (time between events).

Why this exists: a fall with harm or a pressure ulcer happens a few times a year on a ward. An XmR chart of daily
counts near zero shows a flat line with the odd spike and says nothing; charting the gap between events instead
shows whether harms are coming further apart (improvement) or closer together (concern).

* **g chart**: the number of days (or cases, or other opportunities) between consecutive events. The gaps follow a
  geometric distribution, so the limits are those of Benneyan, J.C. (2001) "Number-between g-type statistical
  quality control charts for monitoring adverse events", Health Care Management Science 4(4):305-318, also given by
  Provost, L.P. and Murray, S.K. (2011) "The Health Care Data Guide", Jossey-Bass, chapter 7:
  centre line = mean gap g; sigma = sqrt(g (g + 1)); upper limit = g + 3 sigma; lower limit = max(0, g - 3 sigma),
  which is always 0 (a gap cannot be negative), so a g chart signals concern through runs, not a low point.
* **t chart**: the time between events, as a real number of days. Times between events are skewed, so (Provost and
  Murray, chapter 7, after Nelson, L.S. (1994) "A control chart for parts-per-million nonconforming items", Journal
  of Quality Technology 26(3):239-240) each time t is transformed to y = t ** (1 / 3.6), an XmR chart is drawn on y,
  and its centre line and limits are transformed back (** 3.6; a negative lower limit becomes 0).

The Making Data Count reading of special cause applies to both, with the rules of ``metrics.spc.xmr`` (beyond a
limit, a trend of 7, two of three close to a limit, a shift of 7 on one side of the centre line) and the improvement
direction "increase": a longer gap between harms is better. ``docs/spc.md`` (rare events) states the choices.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from metrics.spc.xmr import RULES, TRIAL_LIMIT_POINTS, spc, variation_icon_for

NELSON_POWER = 3.6  # y = t ** (1 / 3.6) makes exponential times between events close to normal
G_SIGMAS = 3.0
RUN_LENGTH = 7
RARE_POINT_COLUMNS = (
    "event",
    "value",
    "mean",
    "lower_limit",
    "upper_limit",
    "lower_2sigma",
    "upper_2sigma",
    "trial_limits",
    "rule",
    "point_type",
)


@dataclass(frozen=True)
class RareEventChart:
    """A g or t chart: one row per gap (``RARE_POINT_COLUMNS``), ending at ``event``, and the gap still running.

    ``so_far`` is the gap from the last event to ``as_of`` (the days since the last event), drawn after the
    closed gaps but never used for the limits or the runs: it is not finished. ``so_far_beyond_limit`` says it
    is already longer than the upper limit, a sign of improvement that need not wait for the next event.
    """

    kind: str  # "g" or "t"
    points: pd.DataFrame
    last_event: Any
    as_of: Any
    so_far: float | None
    so_far_beyond_limit: bool
    variation_icon: str | None

    @property
    def events(self) -> int:
        """How many events the chart is drawn from (one more than the closed gaps, when there is any)."""
        return len(self.points) + 1 if self.last_event is not None else 0


# ---------------------------------------------------------------- the rules on given limits


def label_points(
    values: ArrayLike,
    mean: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    lower2: ArrayLike,
    upper2: ArrayLike,
    improvement: str = "increase",
) -> tuple[list[str | None], list[str]]:
    """The Making Data Count rule and point type of each point of one phase, against the limits given per point.

    The same rules, priorities and strictness as ``metrics.spc.xmr`` (checked against it in the tests), written
    point by point for charts whose limits do not come from moving ranges. Returns (rules, point types).
    """
    sign = {"increase": 1, "decrease": -1, "neutral": 0}[improvement]
    x = np.asarray(values, dtype=float)
    mu, lo, hi = (np.asarray(a, dtype=float) for a in (mean, lower, upper))
    lo2, hi2 = np.asarray(lower2, dtype=float), np.asarray(upper2, dtype=float)
    n = len(x)
    with np.errstate(invalid="ignore"):
        outside = (x > hi) | (x < lo)
        side = np.sign(x - mu).astype(int)
        close = ~outside & ((x < lo2) | (x > hi2))
    shift = np.zeros(n, dtype=bool)
    start = 0
    for i in range(1, n + 1):
        if i == n or side[i] != side[start]:
            if side[start] != 0 and i - start >= RUN_LENGTH:
                shift[start:i] = True
            start = i
    step = np.zeros(n, dtype=int)
    step[1:] = np.sign(np.diff(x))
    trend = np.zeros(n, dtype=bool)
    trend_dir = np.zeros(n, dtype=int)
    start = 1
    for i in range(2, n + 1):
        if i == n or step[i] != step[start]:
            if start < n and step[start] != 0 and i - start >= RUN_LENGTH - 1:
                trend[start - 1 : i] = True
                trend_dir[start - 1 : i] = step[start]  # a shared peak takes the later trend's direction
            start = i
    two_in_three = np.zeros(n, dtype=bool)
    for i in range(n - 2):
        window = slice(i, i + 3)
        if abs(side[window].sum()) == 3 and close[window].sum() >= 2:
            two_in_three[window] |= close[window]
    rules: list[str | None] = []
    types: list[str] = []
    for i in range(n):
        flags = (outside[i], trend[i], two_in_three[i], shift[i])
        rule = next((RULES[k] for k, flag in enumerate(flags) if flag), None)
        rules.append(rule)
        direction = int(trend_dir[i] if rule == "trend" else side[i])
        if rule is None or direction == 0:
            types.append("common_cause")
        elif sign == 0:
            types.append("special_cause_neutral_high" if direction > 0 else "special_cause_neutral_low")
        else:
            good = direction * sign > 0
            types.append("special_cause_improvement" if good else "special_cause_concern")
    return rules, types


# ---------------------------------------------------------------- g chart


def g_limits(mean_gap: float) -> tuple[float, float, float, float]:
    """(lower limit, upper limit, lower 2-sigma line, upper 2-sigma line) of a g chart with this mean gap (Benneyan)."""
    sigma = float(np.sqrt(mean_gap * (mean_gap + 1.0)))
    return (
        max(0.0, mean_gap - G_SIGMAS * sigma),
        mean_gap + G_SIGMAS * sigma,
        max(0.0, mean_gap - 2.0 * sigma),
        mean_gap + 2.0 * sigma,
    )


def g_chart_values(gaps: Sequence[float], events: Sequence[Any], baseline_points: int | None = None) -> pd.DataFrame:
    """A g chart's points (``RARE_POINT_COLUMNS``) over gaps already counted (``events[i]`` ends ``gaps[i]``).

    ``baseline_points``: compute the centre line and limits from the first so many gaps and extend them forward
    (a fixed baseline); None uses every gap.
    """
    values = np.asarray(gaps, dtype=float)
    if len(values) != len(events):
        raise ValueError(f"gaps and events differ in length ({len(values)} gaps, {len(events)} events)")
    if np.isnan(values).any() or (values < 0).any():
        raise ValueError("a gap between events must be a number of 0 or more; a negative or missing gap was given")
    used = values if baseline_points is None else values[: max(0, baseline_points)]
    n = len(values)
    if len(used) == 0:
        mean = lower = upper = lower2 = upper2 = float("nan")
    else:
        mean = float(np.mean(used))
        lower, upper, lower2, upper2 = g_limits(mean)
    full = [np.full(n, v) for v in (mean, lower, upper, lower2, upper2)]
    rules, types = label_points(values, full[0], full[1], full[2], full[3], full[4])
    return pd.DataFrame(
        {
            "event": list(events),
            "value": values,
            "mean": full[0],
            "lower_limit": full[1],
            "upper_limit": full[2],
            "lower_2sigma": full[3],
            "upper_2sigma": full[4],
            "trial_limits": np.full(n, len(used) < TRIAL_LIMIT_POINTS),
            "rule": pd.Series(rules, dtype=object),
            "point_type": pd.Series(types, dtype=object),
        },
        columns=list(RARE_POINT_COLUMNS),
    )


def days_between(event_days: Iterable[date]) -> tuple[list[date], list[int]]:
    """The days of the events in order, one per event (a day with two events is listed twice), and the gaps.

    Gap i is the number of days from event i to event i + 1: two events on one day are 0 days apart, events on
    consecutive days 1. Returns (the days each gap ends on, the gaps).
    """
    days = sorted(pd.Timestamp(d).date() for d in event_days)
    return days[1:], [(b - a).days for a, b in zip(days, days[1:], strict=False)]


def g_chart(event_days: Iterable[date], as_of: date, baseline_points: int | None = None) -> RareEventChart:
    """The g chart of days between events (one entry per event), with the days since the last one as of ``as_of``."""
    days = sorted(pd.Timestamp(d).date() for d in event_days)
    late = [d for d in days if d > as_of]
    if late:
        raise ValueError(f"an event on {late[0].isoformat()} is after the chart's date {as_of.isoformat()}")
    ends, gaps = days_between(days)
    points = g_chart_values(gaps, ends, baseline_points)
    last = days[-1] if days else None
    so_far = float((as_of - last).days) if last is not None else None
    return _chart("g", points, last, as_of, so_far)


# ---------------------------------------------------------------- t chart


def t_chart(event_times: Iterable[Any], as_of: Any | None = None) -> RareEventChart:
    """The t chart of the time between events (in days, from their timestamps), by Nelson's transformation.

    Two events at the same moment have no time between them to transform: refused, naming the moment.
    """
    times = sorted(pd.Timestamp(t) for t in event_times)
    gaps = [(b - a).total_seconds() / 86400.0 for a, b in zip(times, times[1:], strict=False)]
    for end, gap in zip(times[1:], gaps, strict=False):
        if gap <= 0:
            raise ValueError(
                f"two events at {end.isoformat()}: a t chart needs a time between events greater than 0; "
                "chart days between events with a g chart instead"
            )
    ends = times[1:]
    n = len(gaps)
    if n:
        y = np.asarray(gaps) ** (1.0 / NELSON_POWER)
        result = spc(ends, y, "increase").points
        back = {c: _back(result[c].to_numpy()) for c in ("mean", "lower_limit", "upper_limit")}
        back2 = {c: _back(result[c].to_numpy()) for c in ("lower_2sigma", "upper_2sigma")}
        rules = [None if pd.isna(r) else str(r) for r in result["rule"]]
        types = [str(t) for t in result["point_type"]]
        trial = result["trial_limits"].to_numpy()
    else:
        back = {c: np.zeros(0) for c in ("mean", "lower_limit", "upper_limit")}
        back2 = {c: np.zeros(0) for c in ("lower_2sigma", "upper_2sigma")}
        rules, types, trial = [], [], np.zeros(0, dtype=bool)
    points = pd.DataFrame(
        {
            "event": ends,
            "value": np.asarray(gaps, dtype=float),
            **back,
            **back2,
            "trial_limits": trial,
            "rule": pd.Series(rules, dtype=object),
            "point_type": pd.Series(types, dtype=object),
        },
        columns=list(RARE_POINT_COLUMNS),
    )
    last = times[-1] if times else None
    stamp = pd.Timestamp(as_of) if as_of is not None else None
    so_far = (stamp - last).total_seconds() / 86400.0 if stamp is not None and last is not None else None
    return _chart("t", points, last, stamp, so_far)


def _back(y: np.ndarray) -> np.ndarray:
    """A centre line or limit from the transformed scale back to days; a negative lower limit becomes 0."""
    out = np.where(y < 0, 0.0, y) ** NELSON_POWER
    return np.where(np.isnan(y), np.nan, out)


def _chart(kind: str, points: pd.DataFrame, last: Any, as_of: Any, so_far: float | None) -> RareEventChart:
    upper = float(points["upper_limit"].iloc[-1]) if len(points) else float("nan")
    beyond = so_far is not None and bool(np.isfinite(upper)) and so_far > upper
    last_type = str(points["point_type"].iloc[-1]) if len(points) else None
    if beyond:
        last_type = "special_cause_improvement"
    icon = variation_icon_for(last_type, "increase") if last_type is not None else None
    return RareEventChart(kind, points, last, as_of, so_far, beyond, icon)


def summary_text(chart: RareEventChart, what: str, unit: str = "days") -> str:
    """One sentence for a board: the gap so far set against the chart's centre line and upper limit."""
    if chart.last_event is None:
        return f"No {what} in the data."
    so_far = "" if chart.so_far is None else f"{chart.so_far:.0f} {unit} since the last {what}"
    if chart.points.empty:
        return f"{so_far}; one {what} in the data, so no gap to chart yet."
    mean = float(chart.points["mean"].iloc[-1])
    upper = float(chart.points["upper_limit"].iloc[-1])
    verdict = " (longer than the upper limit: improvement)" if chart.so_far_beyond_limit else ""
    return f"{so_far}{verdict}; typical gap {mean:.0f} {unit}, upper limit {upper:.0f} {unit}."


def event_days_from_counts(
    counts: pd.DataFrame, day_column: str = "day", count_column: str = "incidents"
) -> list[date]:
    """One entry per event from daily counts (a day with 2 events is listed twice), oldest first."""
    days: list[date] = []
    for day, n in sorted(zip(counts[day_column], counts[count_column], strict=False), key=lambda r: r[0]):
        days.extend([pd.Timestamp(day).date()] * int(n))
    return days
