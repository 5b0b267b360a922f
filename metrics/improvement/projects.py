"""The improvement board: a ward's improvement projects, their PDSA cycles, and whether the change worked.

Why this exists: daily coaching control grows improvement out of the huddle. A concern raised as a huddle action
can become a project with a problem, an aim (a measure of config/metrics.yaml and a target date), change ideas, and
Plan-Do-Study-Act cycles (each a date and a note). The project's chart is the measure's SPC chart for the ward with
every cycle annotated on it; its limits are fixed on the period before the first cycle (a fixed baseline,
``metrics.spc.xmr.spc``) and extended forward, so special cause after the change reads as such: improvement when it
goes the measure's good way (Provost and Murray, The Health Care Data Guide, 2011, chapter 6: freezing the limits
of the baseline to judge a change; NHS England, Making Data Count). A measure of rare events (``chart: g``, falls)
is charted as the days between events, a g chart, with the same fixed baseline: counts that are mostly zero give an
XmR chart nothing to say (Provost and Murray, chapter 7).

A project is active from the day it is opened until its target date. Projects and cycles are only ever added, each
with its audit row (``metrics.store.improvement``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from metrics.config.models import AppConfig
from metrics.entry_fields import entered_by, known_ward, one_line_text, utc_moment
from metrics.improvement.annotations import EntryError, past_date
from metrics.rules.clock import london_date
from metrics.spc.rare import RareEventChart, days_between, event_days_from_counts, g_chart
from metrics.spc.xmr import SpcResult, spc
from metrics.store import huddle as stored_huddle
from metrics.store import improvement as stored
from metrics.store import queries
from metrics.store.audit import Actor
from metrics.store.spc_history import IMPROVEMENT, Scope, daily_series, metric_definition

TITLE_MAX_CHARS = 120
TEXT_MAX_CHARS = 1000
IDEA_MAX_CHARS = 200
MAX_IDEAS = 20
MAX_AIM_DAYS = 3 * 366  # an aim further off than three years is not a PDSA project
MIN_BASELINE_POINTS = 2  # a baseline needs a moving range to give limits


def open_project(
    engine: Engine,
    app_cfg: AppConfig,
    *,
    ward_code: str,
    title: str,
    problem: str,
    metric_id: str,
    target_date: date,
    change_ideas: Iterable[str],
    actor: Actor,
    action_id: int | None = None,
    aim_target: str | None = None,
    now: datetime | None = None,
) -> int:
    """Check and store a new project (from the huddle action ``action_id``, of the same ward), with its audit row."""
    moment = utc_moment(now)
    today = london_date(moment)
    problems: list[tuple[str, str]] = []
    ward = known_ward(app_cfg, ward_code, problems)
    if action_id is not None:
        found = stored_huddle.action(engine, int(action_id))
        if found is None or ward is None or str(found["ward_code"]).upper() != ward.code.upper():
            problems.append(("action_id", f"huddle action #{action_id} is not an action of this ward"))
    if metric_id not in {m.id for m in app_cfg.metrics}:
        problems.append(("metric_id", f"the aim's measure {str(metric_id)[:40]!r} is not in config/metrics.yaml"))
    if not isinstance(target_date, date) or isinstance(target_date, datetime):
        problems.append(("target_date", f"the aim's target date must be a date, got {str(target_date)[:30]!r}"))
    elif target_date <= today or target_date > today + timedelta(days=MAX_AIM_DAYS):
        problems.append(
            ("target_date", f"the aim's target date {target_date.isoformat()} must be after today and within 3 years")
        )
    ideas: list[str] = []
    for k, idea in enumerate(change_ideas):
        text = one_line_text(f"change_ideas[{k}]", idea, IDEA_MAX_CHARS, [], what="a change idea")
        if text:
            ideas.append(text)
    if len(ideas) > MAX_IDEAS:
        problems.append(("change_ideas", f"{len(ideas)} change ideas; at most {MAX_IDEAS}"))
    aim_text = " ".join(str(aim_target or "").split()) or None
    if aim_text is not None and len(aim_text) > 200:
        problems.append(("aim_target", f"the aim is {len(aim_text)} characters; at most 200 are kept"))
    row: dict[str, Any] = {
        "ward_code": ward.code if ward is not None else None,
        "action_id": action_id,
        "title": one_line_text("title", title, TITLE_MAX_CHARS, problems, what="the project's title", required=True),
        "problem": one_line_text("problem", problem, TEXT_MAX_CHARS, problems, what="the problem", required=True),
        "metric_id": metric_id,
        "aim_target": aim_text,
        "target_date": target_date,
        "change_ideas": ideas,
        "opened_on": today,
        **entered_by(actor, moment),
    }
    if problems:
        raise EntryError(problems)
    return stored.insert_project(engine, row, actor, moment)


def add_cycle(
    engine: Engine, *, project_id: int, cycle_date: date, note: str, actor: Actor, now: datetime | None = None
) -> int:
    """Check and store one PDSA cycle of a project, with its audit row; return its id."""
    moment = utc_moment(now)
    problems: list[tuple[str, str]] = []
    found = stored.project(engine, int(project_id))
    if found is None:
        raise EntryError([("project_id", f"improvement project #{project_id} does not exist")])
    row = {
        "project_id": int(project_id),
        "cycle_date": past_date("cycle_date", cycle_date, london_date(moment), problems, "the cycle's date"),
        "note": one_line_text("note", note, TEXT_MAX_CHARS, problems, what="the cycle's note", required=True),
        **entered_by(actor, moment),
    }
    if problems:
        raise EntryError(problems)
    return stored.insert_cycle(engine, row, str(found["ward_code"]), actor, moment)


# ---- the project's chart ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectChart:
    """A project's SPC chart, its PDSA cycles (the annotations drawn on it) and what it shows since the change."""

    result: SpcResult | RareEventChart | None  # None: no stored history for the ward yet; a g chart for rare events
    cycles: pd.DataFrame  # cycle_date, note, author
    baseline: tuple[date, date] | None  # the period the limits are fixed on; None: no cycle yet, or too few points
    shows_improvement: bool  # a point on or after the first cycle is special cause improvement

    @property
    def annotations(self) -> pd.DataFrame:
        """The cycles as chart annotations: on_date, text, author."""
        numbered = [f"PDSA {k + 1}: {note}" for k, note in enumerate(self.cycles["note"])]
        return pd.DataFrame(
            {"on_date": list(self.cycles["cycle_date"]), "text": numbered, "author": list(self.cycles["author"])}
        )


def project_chart(series: pd.DataFrame, improvement: str, cycles: pd.DataFrame, chart: str = "xmr") -> ProjectChart:
    """The chart of a project's measure (``series``: date, value) with limits fixed before its first cycle.

    ``chart`` "g" (a daily count of rare events, ``chart: g`` in metrics.yaml): the days between events instead.
    """
    cycles = cycles.sort_values(["cycle_date", "id"] if "id" in cycles else ["cycle_date"]).reset_index(drop=True)
    cycles = cycles[["cycle_date", "note", "author"]]
    observed = series.dropna(subset=["value"]) if len(series) else series
    if observed.empty:
        return ProjectChart(None, cycles, None, False)
    days = pd.to_datetime(series["date"]).dt.date
    first_cycle: date | None = min(cycles["cycle_date"]) if len(cycles) else None
    if chart == "g":
        return _days_between_chart(observed, cycles, first_cycle, max(days))
    baseline: tuple[date, date] | None = None
    if first_cycle is not None:
        before = pd.to_datetime(observed["date"]).dt.date
        before = before[before < first_cycle]
        if len(before) >= MIN_BASELINE_POINTS:
            baseline = (min(before), first_cycle - timedelta(days=1))
    result = spc(list(days), series["value"].to_numpy(dtype=float), improvement, baseline=baseline)
    improved = False
    if baseline is not None and first_cycle is not None:
        after = result.points[result.points["date"].dt.date >= first_cycle]
        improved = bool((after["point_type"] == "special_cause_improvement").any())
    return ProjectChart(result, cycles, baseline, improved)


def _days_between_chart(
    observed: pd.DataFrame, cycles: pd.DataFrame, first_cycle: date | None, as_of: date
) -> ProjectChart:
    """A rare event's project chart: the g chart of days between events (Benneyan 2001; Provost and Murray 2011,
    chapter 7), its centre line and limits fixed on the gaps that closed before the first cycle.

    Longer gaps are better. Improvement since the change: a gap closed on or after the first cycle is special cause
    improvement, or the gap still running on the chart's last day is already longer than the upper limit.
    """
    counts = pd.DataFrame({"day": pd.to_datetime(observed["date"]).dt.date, "events": observed["value"].round()})
    events = event_days_from_counts(counts, count_column="events")
    ends, _ = days_between(events)
    baseline: tuple[date, date] | None = None
    points: int | None = None
    if first_cycle is not None:
        closed = sum(1 for end in ends if end < first_cycle)
        if closed >= MIN_BASELINE_POINTS:
            points, baseline = closed, (events[0], first_cycle - timedelta(days=1))
    result = g_chart(events, as_of, points)
    improved = False
    if baseline is not None and first_cycle is not None:
        after = result.points[[end >= first_cycle for end in result.points["event"]]]
        improved = bool((after["point_type"] == "special_cause_improvement").any()) or (
            result.so_far_beyond_limit and as_of >= first_cycle
        )
    return ProjectChart(result, cycles, baseline, improved)


def chart_for_project(
    engine: Engine,
    app_cfg: AppConfig,
    project: dict[str, Any],
    history: pd.DataFrame | None = None,
    cycles: pd.DataFrame | None = None,
) -> ProjectChart:
    """A stored project's chart: its measure's daily series for its ward, and its cycles.

    ``history`` (the measure's stored daily history, every ward) and ``cycles`` (the project's) save reading them
    again when the caller already has them.
    """
    definition = metric_definition(app_cfg, str(project["metric_id"]))
    series = daily_series(engine, app_cfg, definition.id, Scope("ward", str(project["ward_code"])), history)
    if cycles is None:
        cycles = stored.cycles(engine, [int(project["id"])])
    return project_chart(series, IMPROVEMENT[definition.direction], cycles, definition.chart or "xmr")


def is_active(project: dict[str, Any], today: date) -> bool:
    """Active from the day it is opened until its target date (inclusive)."""
    return bool(project["opened_on"] <= today <= project["target_date"])


@dataclass(frozen=True)
class BoardCounts:
    """What the executive view shows of the improvement board: projects active, and how many show improvement."""

    active: int
    showing_improvement: int


def board_counts(
    engine: Engine, app_cfg: AppConfig, today: date, ward_codes: Iterable[str] | None = None
) -> BoardCounts:
    """Active projects (of the listed wards, or every ward) and how many of them show special cause improvement."""
    frame = stored.projects(engine, ward_codes)
    active = [row for row in frame.to_dict("records") if is_active(row, today)]
    histories = {m: queries.daily_history(engine, m) for m in sorted({str(row["metric_id"]) for row in active})}
    all_cycles = stored.cycles(engine, [int(row["id"]) for row in active])
    improving = 0
    for row in active:
        own = all_cycles[all_cycles["project_id"] == row["id"]]
        chart = chart_for_project(engine, app_cfg, row, histories[str(row["metric_id"])], own)
        improving += chart.shows_improvement
    return BoardCounts(len(active), improving)
