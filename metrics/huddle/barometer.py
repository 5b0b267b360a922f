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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from metrics.extract.contract import HARM_LEVELS
from metrics.evaluate.definitions import Direction, MetricDefinition
from metrics.evaluate.rag import rag_of
from metrics.huddle.config import (
    DOMAIN_LABELS,
    Aim,
    BarometerFile,
    Domain,
    EprIndicator,
    FeedbackIndicator,
    Gauge,
    HuddleIndicator,
    IncidentIndicator,
    Thresholds,
    WorkforceIndicator,
)

TREND_WINDOWS = 6  # count indicators: the last six windows
TREND_DAYS = 30  # daily indicators: the last thirty days
TREND_MONTHS = 12
HARM_RANK = {h: i for i, h in enumerate(HARM_LEVELS)}
SOURCE_TABLES = {"incidents": "incidents", "patient_feedback": "patient_feedback", "workforce": "workforce"}
RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red"}


# ---- the ward's indicators, resolved ------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedIndicator:
    """A chosen indicator with everything needed to value it: the library entry, the effective direction and
    thresholds."""

    id: str
    label: str
    domain: Domain
    source: str
    spec: Any  # the library entry (EprIndicator, IncidentIndicator, ...)
    direction: Direction
    rag: Thresholds | None
    unit: str = ""
    percent: bool = False  # an EPR ratio, stored 0-1 and shown as %


@dataclass(frozen=True)
class WardSetup:
    ward_code: str
    own_set: bool  # False: the default set
    indicators: tuple[ResolvedIndicator, ...]
    aim: Aim | None


def _metric_thresholds(metric: MetricDefinition) -> Thresholds | None:
    rag = metric.rag
    return (
        None
        if rag is None
        else Thresholds(
            green_max=rag.green_max, amber_max=rag.amber_max, green_min=rag.green_min, amber_min=rag.amber_min
        )
    )


def ward_setup(barometer: BarometerFile, ward_code: str, metrics: Sequence[MetricDefinition] = ()) -> WardSetup:
    """The ward's chosen indicators (its own set, or the default) with their effective thresholds."""
    setup, own = barometer.for_ward(ward_code)
    library = barometer.library()
    by_id = {m.id: m for m in metrics}
    resolved = []
    for choice in setup.choices():
        spec = library[choice.id]
        direction, rag, unit, percent = spec.direction, choice.rag or spec.rag, spec.unit, False
        if isinstance(spec, EprIndicator) and spec.metric in by_id:
            metric = by_id[spec.metric]
            direction = direction or metric.direction
            rag = rag or _metric_thresholds(metric)
            percent = metric.ratio is not None or metric.display == "percent"
            unit = unit or ("%" if percent else "")
        resolved.append(
            ResolvedIndicator(
                choice.id,
                choice.label or spec.label,
                spec.domain,
                spec.source,
                spec,
                direction or Direction.NEUTRAL,
                rag,
                unit,
                percent,
            )
        )
    return WardSetup(ward_code, own, tuple(resolved), setup.aim)


# ---- inputs and readings ------------------------------------------------------------------------


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns)


@dataclass(frozen=True)
class BarometerInputs:
    """Everything the barometer reads for one ward. A table left as None was not supplied in the extract."""

    data_date: date  # London date of the snapshot's extracted_at
    huddle_date: date  # the huddle's date (ratings)
    epr_values: Mapping[str, float | None] = field(default_factory=dict)  # metric id -> today's value
    epr_history: Mapping[str, pd.DataFrame] = field(default_factory=dict)  # metric id -> date, value
    incidents: pd.DataFrame | None = None  # day, incident_type, harm_level, pressure_ulcer_category, incidents
    incidents_since: date | None = None  # the first day the incidents data covers (any ward)
    feedback: pd.DataFrame | None = None  # day, kind, responses, positive
    feedback_since: date | None = None
    workforce: pd.DataFrame | None = None  # month, sickness_absence_pct, training_compliance_pct, turnover_pct
    ratings: pd.DataFrame = field(default_factory=lambda: _empty(["huddle_date", "kind", "score"]))
    has_snapshot: bool = True


@dataclass(frozen=True)
class IndicatorReading:
    id: str
    label: str
    domain: Domain
    source: str
    direction: Direction
    unit: str
    value: float | None
    rag: str | None  # green, amber, red; None without a value or thresholds
    status: str  # ok, not_supplied, no_data
    note: str  # what the value is, or why there is none
    trend: tuple[tuple[date, float | None], ...]
    value_text: str
    thresholds_text: str
    at_least: bool = False  # days_since with no incident in the data: the value is a lower bound


@dataclass(frozen=True)
class AimProgress:
    text: str
    indicator_id: str
    indicator_label: str
    target: float
    by: date
    baseline: float | None
    value: float | None
    progress: float | None  # 0-1
    met: bool
    days_left: int
    status: str  # met, working, out_of_reach, missed, no_data
    summary: str


AIM_STATUS_WORDS = {
    "met": "Aim met",
    "working": "Working towards it",
    "out_of_reach": "Cannot be met by the date",
    "missed": "Date passed, not met",
    "no_data": "No data",
}


@dataclass(frozen=True)
class BarometerReading:
    ward_code: str
    own_set: bool
    data_date: date
    huddle_date: date
    indicators: tuple[IndicatorReading, ...]
    domain_scores: dict[str, float | None]
    score: float | None  # 0-100
    band: str | None  # green, amber, red
    capped: bool
    counted: int
    chosen: int
    not_supplied: tuple[str, ...]  # the extract tables the ward's indicators need but the extract did not carry
    statement: str
    aim: AimProgress | None
    gauge: Gauge


def _num(x: float, percent: bool = False) -> str:
    x = x * 100 if percent else x
    return f"{int(round(x))}" if abs(x - round(x)) < 1e-9 or percent else f"{x:.1f}"


def thresholds_text(direction: Direction, thresholds: Thresholds | None, percent: bool = False) -> str:
    """'green ≤ 0, amber ≤ 1' or 'green ≥ 90, amber ≥ 85'; '' without thresholds."""
    if thresholds is None:
        return ""
    if direction is Direction.LOWER and thresholds.green_max is not None and thresholds.amber_max is not None:
        return f"green ≤ {_num(thresholds.green_max, percent)}, amber ≤ {_num(thresholds.amber_max, percent)}"
    if direction is Direction.HIGHER and thresholds.green_min is not None and thresholds.amber_min is not None:
        return f"green ≥ {_num(thresholds.green_min, percent)}, amber ≥ {_num(thresholds.amber_min, percent)}"
    return ""


def value_text(value: float | None, ind: ResolvedIndicator, at_least: bool = False) -> str:
    """How the value reads on the panel: '2', '42 days', '≥ 409 days', '93%', '4.2%', '3.5'."""
    if value is None or pd.isna(value):
        return "–"
    if ind.percent:
        return f"{value * 100:.0f}%"
    text = _num(value)
    if ind.unit == "%":
        text = f"{value:.1f}%" if not float(value).is_integer() else f"{int(value)}%"
    elif ind.unit or (isinstance(ind.spec, IncidentIndicator) and ind.spec.measure == "days_since"):
        unit = ind.unit or "days"
        text = f"{text} {unit.removesuffix('s') if text == '1' and unit.endswith('s') else unit}"
    return f"≥ {text}" if at_least else text


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
        summary = f"Now {reading.value_text}, aim {_num(aim.target)} or fewer" + (
            f" (from {_num(aim.baseline)})" if aim.baseline is not None else ""
        )
    else:
        met = value >= aim.target
        progress = min(max(value / aim.target, 0.0), 1.0) if aim.target > 0 else (1.0 if met else 0.0)
        summary = f"Now {reading.value_text} of {_num(aim.target)}"
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
            f"{summary} · an unbroken run from today reaches {_num(value + days_left)} by then",
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
