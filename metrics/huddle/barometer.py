"""The Safety Barometer: each chosen indicator's value, RAG and trend, the aim's progress, and one overall reading.

Why this exists: a ward's safety is more than its harms. The barometer puts
harm data, positive safety data and the team's safety culture side by side,
from indicators each ward chooses in config/barometer.yaml, and sums them up
in one gauge by a rule anyone can check by hand. Everything here is pure:
plain frames in (``BarometerInputs``), a ``BarometerReading`` out; the store
side is ``metrics.store.barometer``.

The values, as at the data date (the London date of the snapshot's
extracted_at; huddle ratings are taken on the huddle's own date):

* ``epr``: the tile's value for the ward in the current snapshot.
* ``incidents`` / count: matching incidents in the last ``window_days`` days
  (the data date and the days before it). Matching means one of
  ``incident_types``, harm at least ``min_harm`` (none < low < moderate <
  severe < death) and, for pressure ulcers, category at least ``min_category``.
* ``incidents`` / days_since: days from the last matching incident to the data
  date (a safety-cross count: 0 when one happened that day). With none in the
  data, the days since the data begins, shown as "at least".
* ``patient_feedback``: compliments or complaints counted in the window; fft:
  positive answers as a % of answered responses in the window.
* ``workforce``: the figure for the latest month supplied.
* ``huddle``: the median of the day's ratings of that kind.

The overall reading (also in docs/barometer.md):

1. Each chosen indicator gets a RAG from its thresholds (the ward's own if it
   set them, else the library's; an EPR indicator otherwise takes its
   metric's): lower is better, green at or below ``green_max``, amber at or
   below ``amber_max``, else red; higher is better, green at or above
   ``green_min``, amber at or above ``amber_min``, else red.
2. An indicator with no value (its table not supplied, or no data) has no RAG
   and is left out; the reading says how many counted and what was missing.
3. Points per RAG: green 100, amber 50, red 0 (``gauge.points``).
4. Each domain (harm, positive safety, safety culture and staff) scores the
   mean points of its indicators that have a RAG.
5. The reading is the mean of the domain scores over the domains that have
   one, so each domain weighs the same however many indicators it has,
   rounded once, half up, to the whole number every screen shows (92.5 is 93).
6. Harm first: while any harm indicator is red the reading is capped just
   below the green band (``gauge.green_min`` - 1): good culture cannot hide harm.
7. Band, on the rounded reading: green at or above ``gauge.green_min`` (75),
   amber at or above ``gauge.amber_min`` (50), else red. No indicator with a RAG: no reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from metrics.extract.contract import HARM_LEVELS
from metrics.evaluate.definitions import Direction
from metrics.evaluate.rag import rag_of
from metrics.huddle.barometer_model import (
    AimProgress,
    ResolvedIndicator,
    WardSetup,
    figure_text,
    thresholds_text,
    value_text,
)
from metrics.huddle.barometer_model import AIM_STATUS_WORDS as AIM_STATUS_WORDS  # callers name these from here
from metrics.huddle.barometer_model import BarometerInputs as BarometerInputs
from metrics.huddle.barometer_model import BarometerReading as BarometerReading
from metrics.huddle.barometer_model import IndicatorReading as IndicatorReading
from metrics.huddle.barometer_model import ward_setup as ward_setup
from metrics.huddle.config import (
    DOMAIN_LABELS,
    Aim,
    Domain,
    EprIndicator,
    FeedbackIndicator,
    Gauge,
    HuddleIndicator,
    IncidentIndicator,
    WorkforceIndicator,
)

TREND_WINDOWS = 6  # count indicators: the last six windows
TREND_DAYS = 30  # daily indicators: the last thirty days
TREND_MONTHS = 12
HARM_RANK = {h: i for i, h in enumerate(HARM_LEVELS)}
SOURCE_TABLES = {"incidents": "incidents", "patient_feedback": "patient_feedback", "workforce": "workforce"}
RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red"}


# ---- valuing one indicator ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Value:
    value: float | None
    status: str
    note: str
    trend: tuple[tuple[date, float | None], ...] = ()
    at_least: bool = False


def _not_supplied(table: str) -> _Value:
    return _Value(None, "not_supplied", f"Not supplied: the extract has no {table} table.")


def _matching_incidents(frame: pd.DataFrame, spec: IncidentIndicator) -> pd.DataFrame:
    types = {t.value if hasattr(t, "value") else str(t) for t in spec.incident_types}
    kind = frame["incident_type"].astype(str).str.upper()
    harm = frame["harm_level"].astype(str).str.lower().map(HARM_RANK).fillna(-1)
    mask = kind.isin(types) & (harm >= HARM_RANK[spec.min_harm.value])
    if spec.min_category is not None:
        category = pd.to_numeric(frame["pressure_ulcer_category"], errors="coerce")
        mask &= (kind != "PRESSURE_ULCER") | (category >= spec.min_category)
    matched = frame[mask]
    return pd.DataFrame({"day": matched["day"], "n": pd.to_numeric(matched["incidents"]).astype(int)})


def _window_sum(daily: pd.DataFrame, end: date, window: int, column: str = "n") -> float:
    start = end - timedelta(days=window - 1)
    chosen = daily[(daily["day"] >= start) & (daily["day"] <= end)]
    return float(chosen[column].sum()) if len(chosen) else 0.0


def _window_ends(data_date: date, window: int) -> list[date]:
    return [data_date - timedelta(days=window * k) for k in range(TREND_WINDOWS - 1, -1, -1)]


def _covered(end: date, window: int, since: date | None) -> bool:
    return since is None or end - timedelta(days=window - 1) >= since


def _incident_value(spec: IncidentIndicator, inputs: BarometerInputs) -> _Value:
    if inputs.incidents is None:
        return _not_supplied("incidents")
    daily = _matching_incidents(inputs.incidents, spec)
    daily = daily[daily["day"] <= inputs.data_date]
    since = inputs.incidents_since
    if spec.measure == "count":
        window = spec.window_days
        trend = tuple(
            (end, _window_sum(daily, end, window) if _covered(end, window, since) else None)
            for end in _window_ends(inputs.data_date, window)
        )
        partial = "" if _covered(inputs.data_date, window, since) else f" (the data only goes back to {since:%d %b %Y})"
        return _Value(
            _window_sum(daily, inputs.data_date, window),
            "ok",
            f"In the {window} days to {inputs.data_date:%d %b %Y}{partial}.",
            trend,
        )

    def days_since(day: date) -> tuple[float | None, bool]:
        before = daily.loc[daily["day"] <= day, "day"]
        if len(before):
            return float((day - max(before)).days), False
        if since is None:
            return None, False
        return float(max((day - since).days, 0)), True

    trend = tuple(
        (d, days_since(d)[0]) for d in (inputs.data_date - timedelta(days=k) for k in range(TREND_DAYS - 1, -1, -1))
    )
    value, at_least = days_since(inputs.data_date)
    if value is None:
        return _Value(None, "no_data", "No incidents in the extract to count from.", trend)
    if at_least:
        return _Value(value, "ok", f"None since the data begins on {since:%d %b %Y}.", trend, at_least=True)
    last = inputs.data_date - timedelta(days=int(value))
    return _Value(value, "ok", f"The last was on {last:%d %b %Y}.", trend)


def _feedback_value(spec: FeedbackIndicator, inputs: BarometerInputs) -> _Value:
    if inputs.feedback is None:
        return _not_supplied("patient_feedback")
    frame = inputs.feedback[inputs.feedback["kind"].astype(str) == spec.feedback]
    daily = pd.DataFrame(
        {
            "day": frame["day"],
            "responses": pd.to_numeric(frame["responses"]).astype(float),
            "positive": pd.to_numeric(frame["positive"]).astype(float).fillna(0.0),
        }
    )
    window, since = spec.window_days, inputs.feedback_since
    ends = _window_ends(inputs.data_date, window)
    if spec.feedback != "fft":
        trend = tuple(
            (end, _window_sum(daily, end, window, "responses") if _covered(end, window, since) else None)
            for end in ends
        )
        return _Value(
            _window_sum(daily, inputs.data_date, window, "responses"),
            "ok",
            f"In the {window} days to {inputs.data_date:%d %b %Y}.",
            trend,
        )

    def percent(end: date) -> tuple[float | None, int]:
        answered = _window_sum(daily, end, window, "responses")
        return (
            (None, 0)
            if answered == 0
            else (100.0 * _window_sum(daily, end, window, "positive") / answered, int(answered))
        )

    trend = tuple((end, percent(end)[0] if _covered(end, window, since) else None) for end in ends)
    value, answered = percent(inputs.data_date)
    if value is None:
        return _Value(None, "no_data", f"No Friends and Family Test responses in the last {window} days.", trend)
    return _Value(value, "ok", f"{answered} responses in the {window} days to {inputs.data_date:%d %b %Y}.", trend)


def _workforce_value(spec: WorkforceIndicator, inputs: BarometerInputs) -> _Value:
    if inputs.workforce is None:
        return _not_supplied("workforce")
    frame = inputs.workforce[["month", spec.field]].dropna()
    frame = frame[frame["month"] <= inputs.data_date].sort_values("month")
    trend = tuple((m, float(v)) for m, v in frame.tail(TREND_MONTHS).itertuples(index=False))
    if frame.empty:
        return _Value(None, "no_data", "No workforce figures for this ward.", trend)
    month, value = frame.iloc[-1]
    return _Value(float(value), "ok", f"{month:%B %Y}.", trend)


def _huddle_value(spec: HuddleIndicator, inputs: BarometerInputs) -> _Value:
    frame = inputs.ratings
    kind = spec.rating.value
    chosen = frame[frame["kind"] == kind] if len(frame) else frame
    trend = []
    for k in range(TREND_DAYS - 1, -1, -1):
        day = inputs.huddle_date - timedelta(days=k)
        scores = chosen.loc[chosen["huddle_date"] == day, "score"] if len(chosen) else pd.Series(dtype=float)
        trend.append((day, float(scores.median()) if len(scores) else None))
    today = chosen.loc[chosen["huddle_date"] == inputs.huddle_date, "score"] if len(chosen) else pd.Series(dtype=float)
    if not len(today):
        return _Value(None, "no_data", "Nobody has rated yet today.", tuple(trend))
    return _Value(float(today.median()), "ok", f"Median of {len(today)} rating(s) today.", tuple(trend))


def _epr_value(spec: EprIndicator, inputs: BarometerInputs) -> _Value:
    history = inputs.epr_history.get(spec.metric)
    trend: tuple[tuple[date, float | None], ...] = ()
    if history is not None and len(history):
        recent = history[
            (history["date"] > inputs.data_date - timedelta(days=TREND_DAYS)) & (history["date"] <= inputs.data_date)
        ]
        trend = tuple(
            (d, None if pd.isna(v) else float(v)) for d, v in recent[["date", "value"]].itertuples(index=False)
        )
    value = inputs.epr_values.get(spec.metric)
    if not inputs.has_snapshot:
        return _Value(None, "no_data", "No extract has been loaded yet.", trend)
    if value is None or pd.isna(value):
        return _Value(None, "no_data", "No value for this ward in the current snapshot.", trend)
    return _Value(float(value), "ok", f"From the EPR, as at {inputs.data_date:%d %b %Y}.", trend)


def indicator_reading(ind: ResolvedIndicator, inputs: BarometerInputs) -> IndicatorReading:
    """One indicator's value, RAG, note and trend."""
    spec = ind.spec
    if isinstance(spec, IncidentIndicator):
        found = _incident_value(spec, inputs)
    elif isinstance(spec, FeedbackIndicator):
        found = _feedback_value(spec, inputs)
    elif isinstance(spec, WorkforceIndicator):
        found = _workforce_value(spec, inputs)
    elif isinstance(spec, HuddleIndicator):
        found = _huddle_value(spec, inputs)
    else:
        found = _epr_value(spec, inputs)
    rag = rag_of(found.value, ind.direction, ind.rag)
    return IndicatorReading(
        ind.id,
        ind.label,
        ind.domain,
        ind.source,
        ind.direction,
        ind.unit,
        found.value,
        rag,
        found.status,
        found.note,
        found.trend,
        value_text(found.value, ind, found.at_least),
        thresholds_text(ind.direction, ind.rag, ind.percent),
        found.at_least,
    )


# ---- the aim and the gauge ----------------------------------------------------------------------


def aim_progress(aim: Aim, reading: IndicatorReading, spec: Any, data_date: date) -> AimProgress:
    """How far the ward is towards its aim: met, the share of the way (0-1), and whether the date still allows it.

    Higher is better: progress = value / target. Lower is better: with a baseline, the share of the way from the
    baseline down to the target; without one, 1 when met, else 0. A days-since aim not yet met is out of reach when
    even an unbroken run from today would not reach the target by the date.
    """
    days_left = (aim.by - data_date).days
    value = reading.value

    def done(status: str, progress: float | None, met: bool, summary: str) -> AimProgress:
        return AimProgress(
            aim.text,
            reading.id,
            reading.label,
            aim.target,
            aim.by,
            aim.baseline,
            value,
            progress,
            met,
            days_left,
            status,
            summary,
        )

    if value is None:
        return done("no_data", None, False, f"No value for {reading.label.lower()} yet.")
    if reading.direction is Direction.LOWER:
        met = value <= aim.target
        if aim.baseline is not None and aim.baseline > aim.target:
            progress = min(max((aim.baseline - value) / (aim.baseline - aim.target), 0.0), 1.0)
        else:
            progress = 1.0 if met else 0.0
        summary = f"Now {reading.value_text}, aim {figure_text(aim.target)} or fewer" + (
            f" (from {figure_text(aim.baseline)})" if aim.baseline is not None else ""
        )
    else:
        met = value >= aim.target
        progress = min(max(value / aim.target, 0.0), 1.0) if aim.target > 0 else (1.0 if met else 0.0)
        summary = f"Now {reading.value_text} of {figure_text(aim.target)}"
    when = (
        f"{days_left} days left (by {aim.by:%d %b %Y})"
        if days_left >= 0
        else f"the date ({aim.by:%d %b %Y}) has passed"
    )
    summary = f"{summary} · {when}"
    if met:
        return done("met", progress, True, summary)
    if days_left < 0:
        return done("missed", progress, False, summary)
    if isinstance(spec, IncidentIndicator) and spec.measure == "days_since" and value + days_left < aim.target:
        return done(
            "out_of_reach",
            progress,
            False,
            f"{summary} · an unbroken run from today reaches {figure_text(value + days_left)} by then",
        )
    return done("working", progress, False, summary)


def shown_score(exact: float) -> float:
    """The reading rounded once, half up, to the whole number every screen shows (gauge, text, sheet): 92.5 is 93.

    The band is decided on this number, so a reading shown as 80 is never 'amber' below a green_min of 80.
    """
    return float(Decimal(repr(exact)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def gauge_score(
    readings: Sequence[IndicatorReading], gauge: Gauge
) -> tuple[float | None, str | None, dict[str, float | None], bool]:
    """(reading 0-100, band, score per domain, capped by a red harm indicator), by the rule in this module's
    docstring."""
    points = {"green": gauge.points.green, "amber": gauge.points.amber, "red": gauge.points.red}
    domain_scores: dict[str, float | None] = {}
    for domain in Domain:
        got = [points[r.rag] for r in readings if r.domain is domain and r.rag in points]
        domain_scores[domain.value] = sum(got) / len(got) if got else None
    present = [s for s in domain_scores.values() if s is not None]
    if not present:
        return None, None, domain_scores, False
    score = shown_score(sum(present) / len(present))
    capped = False
    if any(r.domain is Domain.HARM and r.rag == "red" for r in readings) and score >= gauge.green_min:
        score, capped = gauge.green_min - 1, True
    band = "green" if score >= gauge.green_min else "amber" if score >= gauge.amber_min else "red"
    return score, band, domain_scores, capped


def _statement(
    score: float | None,
    band: str | None,
    capped: bool,
    readings: Sequence[IndicatorReading],
    not_supplied: Sequence[str],
) -> str:
    counted = [r for r in readings if r.rag is not None]
    if score is None:
        text = f"No reading: none of the {len(readings)} indicators has a value with thresholds yet."
    else:
        domains = len({r.domain for r in counted})
        text = (
            f"{score:.0f} out of 100 ({RAG_WORDS[band or 'red']}), over {len(counted)} of {len(readings)} indicators; "
            f"each of the {domains} domain(s) with a value weighs the same."
        )
    if capped:
        text += " Held below green because a harm indicator is red."
    left_out = [r for r in readings if r.rag is None]
    if left_out:
        text += " Left out: " + ", ".join(r.label for r in left_out) + "."
    if not_supplied:
        text += " Not supplied in the extract: " + ", ".join(not_supplied) + "."
    return text


def barometer_reading(setup: WardSetup, inputs: BarometerInputs, gauge: Gauge) -> BarometerReading:
    """The whole panel for one ward: every chosen indicator, the aim's progress and the overall reading."""
    readings = tuple(indicator_reading(ind, inputs) for ind in setup.indicators)
    score, band, domain_scores, capped = gauge_score(readings, gauge)
    not_supplied = tuple(sorted({SOURCE_TABLES[r.source] for r in readings if r.status == "not_supplied"}))
    aim = None
    if setup.aim is not None:
        by_id = {r.id: r for r in readings}
        spec = next(i.spec for i in setup.indicators if i.id == setup.aim.indicator)
        aim = aim_progress(setup.aim, by_id[setup.aim.indicator], spec, inputs.data_date)
    return BarometerReading(
        setup.ward_code,
        setup.own_set,
        inputs.data_date,
        inputs.huddle_date,
        readings,
        domain_scores,
        score,
        band,
        capped,
        sum(1 for r in readings if r.rag is not None),
        len(readings),
        not_supplied,
        _statement(score, band, capped, readings, not_supplied),
        aim,
        gauge,
    )


def domain_label(domain: Domain | str) -> str:
    return DOMAIN_LABELS[Domain(domain)]
