"""Triangulation: a ward's accreditation level set beside what its live data says (assurance, not reassurance).

Why this exists: a level earned on one visit can reassure a board long after
the ward has changed. For every accredited ward this module sets the level
beside four kinds of live evidence and lists each disagreement, with the
evidence and a link to the chart behind it:

* SPC special-cause concern on the harm and reliability metrics named in
  accreditation.yaml (``triangulation``), in the last ``lookback_days``
  ("Gold, yet Falls in the last 24 hours show special-cause concern for 3 months");
* the team's self-rated reliability: the median of its huddle ratings in the
  same window below ``reliability_median_below``;
* the Safety Barometer's overall reading in red;
* the metrics its questions cite (``evidence: metric:<id>``): at least
  ``cited_red_share`` of them red today ("Silver, but 4 of 5 cited metrics red").

Only wards at ``high_levels`` (by default every level above the lowest) are listed: a ward
in Support or at Bronze is already known to need help. The rules are pure
functions over plain inputs (``mismatches``); ``evidence_from_store`` gathers
those inputs from the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median
from urllib.parse import urlencode

import pandas as pd

from metrics.accreditation.config import AccreditationConfig
from metrics.config.models import AppConfig

CONCERN = "special_cause_concern"


@dataclass(frozen=True)
class ConcernSpan:
    """Days in the window whose SPC point is special-cause concern: how many, the first and the last."""

    points: int
    first: date
    last: date


@dataclass(frozen=True)
class WardEvidence:
    """What the live data says of one ward (every part optional: None or empty when it is not known)."""

    ward_code: str
    concerns: Mapping[str, ConcernSpan] = field(default_factory=dict)  # metric id -> its concern in the window
    reliability_median: float | None = None
    reliability_ratings: int = 0
    barometer_band: str | None = None  # green, amber, red
    barometer_score: float | None = None
    cited_rag: Mapping[str, str | None] = field(default_factory=dict)  # cited metric id -> today's RAG


@dataclass(frozen=True)
class Mismatch:
    """One disagreement between a ward's level and its live data."""

    ward_code: str
    level: str
    kind: str  # spc_concern, reliability_median, barometer, cited_metrics
    headline: str
    evidence: str
    link: str  # the chart behind it (the executive wall's SPC chart), '' when there is none


def chart_link(metric_id: str, ward_code: str) -> str:
    """The executive wall's SPC chart of one metric for one ward."""
    return "/exec?" + urlencode({"metric": metric_id, "scope": f"ward:{ward_code}"})


def concern_spans(
    points: pd.DataFrame, ward_codes: Iterable[str], metric_ids: Iterable[str], since: date, until: date
) -> dict[tuple[str, str], ConcernSpan]:
    """(ward, metric) -> its special-cause concern days in [since, until], from SPC points.

    ``points`` has columns series_id, date and point_type.

    Series ids are ``ward:<CODE>|<metric id>`` (``metrics.store.spc_history.series_id``).
    """
    wanted = {f"ward:{w.upper()}|{m}": (w.upper(), m) for w in ward_codes for m in metric_ids}
    if points.empty or not wanted:
        return {}
    frame = points[points["series_id"].astype(str).isin(wanted) & (points["point_type"].astype(str) == CONCERN)]
    days = pd.to_datetime(frame["date"]).dt.date
    frame = frame.assign(day=days)
    frame = frame[(frame["day"] >= since) & (frame["day"] <= until)]
    out: dict[tuple[str, str], ConcernSpan] = {}
    for sid, group in frame.groupby(frame["series_id"].astype(str)):
        out[wanted[str(sid)]] = ConcernSpan(int(len(group)), min(group["day"]), max(group["day"]))
    return out


def span_text(span: ConcernSpan) -> str:
    """'for 3 months', 'for 5 weeks' or 'on 2 days': how long the concern has shown."""
    days = (span.last - span.first).days + 1
    if days >= 56:
        return f"for {round(days / 30.4)} months"
    if days >= 14:
        return f"for {round(days / 7)} weeks"
    return f"on {span.points} day{'s' if span.points != 1 else ''}"


def cited_metrics(acfg: AccreditationConfig) -> tuple[str, ...]:
    """Every metric the framework's questions cite, once, in the order of the file."""
    return tuple(dict.fromkeys(q.metric_id for q in acfg.questions if q.metric_id))


def mismatches(
    acfg: AccreditationConfig,
    cfg: AppConfig,
    levels: Mapping[str, str],
    evidence: Mapping[str, WardEvidence],
) -> list[Mismatch]:
    """Every disagreement between the levels of high-level wards and their evidence, ward by ward in level order."""
    tri = acfg.file.triangulation
    labels = {m.id: m.label for m in cfg.metrics}
    out: list[Mismatch] = []
    ordered = sorted(levels.items(), key=lambda item: (-acfg.rank(item[1]), item[0]))
    for ward_code, level in ordered:
        if level not in acfg.high_levels():
            continue
        seen = evidence.get(ward_code.upper()) or WardEvidence(ward_code.upper())
        name = acfg.level_label(level)
        for metric_id in (*tri.harm_metrics, *tri.reliability_metrics):
            span = seen.concerns.get(metric_id)
            if span is None or span.points < tri.min_concern_points:
                continue
            kind = "harm" if metric_id in tri.harm_metrics else "reliability"
            out.append(
                Mismatch(
                    ward_code,
                    level,
                    "spc_concern",
                    f"{name}, yet {labels.get(metric_id, metric_id)} show special-cause concern {span_text(span)}",
                    f"{kind} metric: {span.points} day(s) of special-cause concern "
                    f"from {span.first:%d %b %Y} to {span.last:%d %b %Y}",
                    chart_link(metric_id, ward_code),
                )
            )
        if seen.reliability_median is not None and seen.reliability_median < tri.reliability_median_below:
            out.append(
                Mismatch(
                    ward_code,
                    level,
                    "reliability_median",
                    f"{name}, but the team rates its processes' reliability {seen.reliability_median:g} of 5",
                    f"median of {seen.reliability_ratings} huddle rating(s) in the last {tri.lookback_days} days, "
                    f"below {tri.reliability_median_below:g}",
                    f"/?ward={ward_code}",
                )
            )
        if seen.barometer_band == "red":
            score = "" if seen.barometer_score is None else f" ({seen.barometer_score:.0f} / 100)"
            out.append(
                Mismatch(
                    ward_code,
                    level,
                    "barometer",
                    f"{name}, but the Safety Barometer reads red{score}",
                    "the ward's Safety Barometer today",
                    f"/?ward={ward_code}",
                )
            )
        rags = {m: r for m, r in seen.cited_rag.items() if r is not None}
        red = [m for m, r in rags.items() if r == "red"]
        if rags and red and len(red) / len(rags) >= tri.cited_red_share:
            out.append(
                Mismatch(
                    ward_code,
                    level,
                    "cited_metrics",
                    f"{name}, but {len(red)} of {len(rags)} cited metrics red",
                    "red today: " + ", ".join(labels.get(m, m) for m in red),
                    chart_link(red[0], ward_code),
                )
            )
    return out


def reliability_median(scores: Iterable[int]) -> float | None:
    """The median of 1-5 ratings (None without one)."""
    values = list(scores)
    return float(median(values)) if values else None


def window(acfg: AccreditationConfig, today: date) -> tuple[date, date]:
    """The days the evidence is read over: the last ``lookback_days`` up to today."""
    return today - timedelta(days=acfg.file.triangulation.lookback_days - 1), today
