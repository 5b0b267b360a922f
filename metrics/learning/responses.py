"""Each harm incident's learning response: which incidents need one, when it is due, recording it, and themes.

Why this exists: NHS England's Patient Safety Incident Response Framework
(PSIRF, August 2022) asks that every patient safety incident is met with a
proportionate response, and that learning responses (a swarm huddle, an
after-action review) are chosen and held promptly, or a reason recorded for
none. Which incidents need one, and within how many days, is
config/learning.yaml's choice (``metrics.learning.config``). The board shows:

* the responses due (not yet recorded, due date not passed) and overdue (due
  date passed with none recorded); the due date is the incident's London date
  plus the rule's ``respond_within_days``, and a response is on time when it
  is recorded on or before that date;
* themes: contributory factors named in at least ``theme_min_responses``
  responses (the latest per incident) for incidents in the last
  ``theme_window_days``.

Responses are only ever added (two devices recording at once are both kept;
the later one is the incident's response) and each with its audit row. No
personal name is stored: a role at most, and the device/session label. The
incident's reference links the response to it and is never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from metrics.entry_fields import EntryRefused, known_ward, one_line_text
from metrics.learning.config import LearningFile
from metrics.rules.clock import LONDON
from metrics.store import learning as stored
from metrics.store.audit import Actor
from metrics.store.learning_models import RESPONSE_KINDS

if TYPE_CHECKING:
    from metrics.config.models import AppConfig

STATUS_COLUMNS = [
    "incident_id",
    "ward_code",
    "occurred_on",
    "incident_type",
    "harm_level",
    "pressure_ulcer_category",
    "label",
    "due_on",
    "status",
    "response_id",
    "kind",
    "held_on",
    "factors",
    "reason",
    "recorded_on",
]
STATUSES = ("overdue", "due", "responded")


class LearningInputError(EntryRefused):
    """A response refused before it reached the store; ``problems`` are (field, message) pairs, all of them."""


def london_date(moment: datetime) -> date:
    """The London calendar date of an aware moment."""
    return moment.astimezone(LONDON).date()


def _rules(incidents: pd.DataFrame, cfg: LearningFile) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per incident: needs a response?, the rule's days to respond, the rule's label (one pass per rule, vectorised)."""
    types = incidents["incident_type"].astype(str).str.upper()
    harm = incidents["harm_level"].astype(str).str.lower()
    category = pd.to_numeric(incidents["pressure_ulcer_category"], errors="coerce")
    needs = pd.Series(False, index=incidents.index)
    days = pd.Series(0, index=incidents.index, dtype="int64")
    label = pd.Series("", index=incidents.index, dtype=object)
    for rule in cfg.harm_incidents:
        by_harm = harm.isin(rule.harm_levels) if rule.harm_levels else pd.Series(False, index=incidents.index)
        by_category = (
            category >= rule.min_pressure_ulcer_category
            if rule.min_pressure_ulcer_category is not None
            else pd.Series(False, index=incidents.index)
        )
        chosen = (types == rule.incident_type) & (by_harm | by_category.fillna(False))
        needs |= chosen
        days[chosen] = rule.respond_within_days
        label[chosen] = rule.label
    return needs, days, label


def needs_response(row: pd.Series | dict[str, Any], cfg: LearningFile) -> bool:
    """Whether one incident (type, harm level, pressure ulcer category) is a harm incident config says needs a
    response.
    """
    frame = pd.DataFrame([{k: row[k] for k in ("incident_type", "harm_level", "pressure_ulcer_category")}])
    return bool(_rules(frame, cfg)[0].iloc[0])


def due_on(occurred_at: datetime, incident_type: str, cfg: LearningFile) -> date:
    """The last day on which the incident's response is on time: its London date plus the rule's days."""
    rule = cfg.rule(incident_type)
    if rule is None:
        raise ValueError(f"no rule in learning.yaml for incident type {incident_type!r}")
    return london_date(occurred_at) + timedelta(days=rule.respond_within_days)


def latest_responses(frame: pd.DataFrame) -> pd.DataFrame:
    """The latest entry per incident: later entries replace earlier ones on the board, both are kept."""
    if frame.empty:
        return frame.set_index("incident_id")
    return frame.sort_values("id").drop_duplicates(["incident_id"], keep="last").set_index("incident_id")


def _none_for_missing(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), None)


def response_status(incidents: pd.DataFrame, responses: pd.DataFrame, cfg: LearningFile, today: date) -> pd.DataFrame:
    """Every harm incident that needs a response, with its due date and status (STATUS_COLUMNS).

    Overdue first (oldest due first), then due, then responded (newest due first).
    """
    if incidents.empty:
        return pd.DataFrame(columns=STATUS_COLUMNS)
    needs, days, label = _rules(incidents, cfg)
    chosen = incidents[needs].reset_index(drop=True)
    if chosen.empty:
        return pd.DataFrame(columns=STATUS_COLUMNS)
    occurred = pd.to_datetime(chosen["occurred_at"], utc=True).dt.tz_convert(LONDON).dt.tz_localize(None).dt.normalize()
    due = occurred + pd.to_timedelta(days[needs].to_numpy(), unit="D")
    latest = latest_responses(responses)
    found = latest.reindex(chosen["incident_id"].to_numpy())
    answered = found["id"].notna().to_numpy()
    status = np.where(answered, "responded", np.where(due.dt.date.to_numpy() < today, "overdue", "due"))
    recorded = pd.to_datetime(found["created_at"], utc=True).dt.tz_convert(LONDON).dt.date
    out = pd.DataFrame(
        {
            "incident_id": chosen["incident_id"].to_numpy(),
            "ward_code": chosen["ward_code"].to_numpy(),
            "occurred_on": occurred.dt.date.to_numpy(),
            "incident_type": chosen["incident_type"].astype(str).str.upper().to_numpy(),
            "harm_level": chosen["harm_level"].astype(str).str.lower().to_numpy(),
            "pressure_ulcer_category": chosen["pressure_ulcer_category"].to_numpy(),
            "label": label[needs].to_numpy(),
            "due_on": due.dt.date.to_numpy(),
            "status": status,
            "response_id": [int(v) if answered[i] else None for i, v in enumerate(found["id"].to_numpy())],
            "kind": _none_for_missing(found["kind"]).to_numpy(),
            "held_on": _none_for_missing(found["held_on"]).to_numpy(),
            "factors": [list(f) if answered[i] and f is not None else [] for i, f in enumerate(found["factors"])],
            "reason": _none_for_missing(found["reason"]).to_numpy(),
            "recorded_on": _none_for_missing(recorded).to_numpy(),
        },
        columns=STATUS_COLUMNS,
    )
    order = pd.Series(status).map({s: i for i, s in enumerate(STATUSES)}).to_numpy()
    when = np.array([d.toordinal() for d in out["due_on"]])
    out["_order"], out["_when"] = order, np.where(status == "responded", -when, when)
    return out.sort_values(["_order", "_when"], kind="stable").drop(columns=["_order", "_when"]).reset_index(drop=True)


@dataclass(frozen=True)
class Theme:
    """A contributory factor and how many responses named it."""

    code: str
    label: str
    responses: int


def themes(status: pd.DataFrame, cfg: LearningFile, today: date) -> list[Theme]:
    """Factors named in at least ``theme_min_responses`` responses for incidents in the window, most named first."""
    if status.empty:
        return []
    since = today - timedelta(days=cfg.theme_window_days)
    answered = status[(status["status"] == "responded") & (status["occurred_on"] >= since)]
    counts: dict[str, int] = {}
    for factors in answered["factors"]:
        for code in set(factors):
            counts[code] = counts.get(code, 0) + 1
    order = {f.code: i for i, f in enumerate(cfg.contributory_factors)}
    found = [Theme(code, cfg.factor_label(code), n) for code, n in counts.items() if n >= cfg.theme_min_responses]
    return sorted(found, key=lambda t: (-t.responses, order.get(t.code, len(order))))


def ward_status(
    engine: Engine, snapshot_id: int, ward_codes: list[str] | None, cfg: LearningFile, now: datetime
) -> pd.DataFrame:
    """``response_status`` for the listed wards (None: every ward) as the snapshot and the responses stand now."""
    today = london_date(now)
    since = datetime.combine(today - timedelta(days=cfg.lookback_days), datetime.min.time(), LONDON)
    incidents = stored.harm_incidents(engine, snapshot_id, ward_codes, since.astimezone(timezone.utc))
    return response_status(incidents, stored.responses(engine, ward_codes), cfg, today)


def record_response(
    engine: Engine,
    app_cfg: AppConfig,
    cfg: LearningFile,
    *,
    snapshot_id: int,
    ward_code: str,
    incident_id: str,
    kind: str,
    actor: Actor,
    held_on: date | None = None,
    reason: str | None = None,
    factors: list[str] | tuple[str, ...] = (),
    summary: str | None = None,
    role: str | None = None,
    now: datetime | None = None,
) -> int:
    """Check and store one learning response, with its audit row; return its id.

    Raises LearningInputError listing every problem.
    """
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    today = london_date(moment)
    problems: list[tuple[str, str]] = []
    ward = known_ward(app_cfg, ward_code, problems)
    status = ward_status(engine, snapshot_id, [ward.code] if ward else [], cfg, moment) if ward else None
    incident = None if status is None else status[status["incident_id"] == incident_id]
    if ward is not None and (incident is None or incident.empty):
        problems.append(("incident_id", "that incident is not a harm incident of this ward on the current board"))
    if kind not in RESPONSE_KINDS:
        problems.append(("kind", f"the response must be one of {', '.join(RESPONSE_KINDS)}, got {str(kind)[:30]!r}"))
    clean_reason = one_line_text("reason", reason, cfg.text_max_chars, problems, what="the reason")
    clean_summary = one_line_text("summary", summary, cfg.text_max_chars, problems, what="the summary")
    if kind == "none":
        held_on = None
        if not clean_reason:
            problems.append(("reason", "say why there is no learning response"))
    elif kind in RESPONSE_KINDS:
        occurred = None if incident is None or incident.empty else incident["occurred_on"].iloc[0]
        if not isinstance(held_on, date) or isinstance(held_on, datetime):
            problems.append(("held_on", "give the date the response was held"))
        elif held_on > today:
            problems.append(("held_on", f"the date held {held_on:%d %b %Y} is in the future"))
        elif occurred is not None and held_on < occurred:
            problems.append(
                ("held_on", f"the date held {held_on:%d %b %Y} is before the incident ({occurred:%d %b %Y})")
            )
    known = {f.code for f in cfg.contributory_factors}
    unknown = [str(f)[:30] for f in factors if f not in known]
    if unknown:
        problems.append(("factors", f"unknown contributory factors {unknown}; use those in learning.yaml"))
    if problems:
        raise LearningInputError(problems)
    assert ward is not None
    row = {
        "ward_code": ward.code,
        "incident_id": incident_id,
        "kind": kind,
        "held_on": held_on,
        "reason": clean_reason,
        "factors": sorted(set(factors), key=[f.code for f in cfg.contributory_factors].index),
        "summary": clean_summary,
        "role": role or None,
        "device": actor.device,
        "created_at": moment,
    }
    return stored.insert_response(engine, row, actor, moment)


def response_of(engine: Engine, response_id: int) -> dict[str, Any] | None:
    """One stored response (for linking an action to it), or None."""
    return stored.response(engine, response_id)
