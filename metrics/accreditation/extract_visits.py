"""Accreditation visits from an audit app's extract (the optional ``accreditation_assessments`` table).

Why this exists: trusts that already run an audit app should not type every
visit in twice. Each extract may carry the whole history; a visit whose
``visit_reference`` is already stored is skipped, and each new one goes through
``metrics.accreditation.assessments.prepare_visit``, oldest first, so it
is checked and levelled exactly like a visit recorded in the app (its level
reads the ward's earlier visits); the new visits are stored in one
transaction. A visit that cannot be recorded (a question not in
accreditation.yaml, no question scored) is set aside with its reason;
the rest load. A trust without accreditation.yaml has its visits set aside
with that reason, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Engine

from metrics.accreditation.assessments import prepare_visit
from metrics.accreditation.config import ACCREDITATION_FILE, accreditation_config_problems
from metrics.config.models import AppConfig
from metrics.errors import UserFacingError
from metrics.store import accreditation as stored
from metrics.store.audit import Actor

TABLE = "accreditation_assessments"
EXTRACT_ACTOR = Actor(device="extract", role="refresh")


@dataclass
class VisitsLoaded:
    """What an extract's visits came to: how many were stored, already held, and set aside (with reasons)."""

    stored: int = 0
    already: int = 0
    set_aside: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.stored} accreditation visit(s) loaded"]
        if self.already:
            parts.append(f"{self.already} already held")
        if self.set_aside:
            parts.append(f"{len(self.set_aside)} set aside ({'; '.join(self.set_aside[:3])})")
        return ", ".join(parts)


def load_visits(engine: Engine, cfg: AppConfig, rows: pd.DataFrame | None, now: datetime) -> VisitsLoaded | None:
    """Store the new visits among the extract's validated rows; None when the extract supplied none."""
    if rows is None or rows.empty:
        return None
    result = VisitsLoaded()
    acfg, problems = accreditation_config_problems(cfg.directory, cfg)
    if acfg is None:
        reason = f"{ACCREDITATION_FILE}: " + (problems[0] if problems else "missing")
        result.set_aside = [f"{visit}: {reason}" for visit in rows["visit_reference"].astype(str).unique()]
        return result
    held = stored.external_ids(engine)
    known = stored.assessments(engine)
    history: dict[str, list[tuple[date, str]]] = {}  # ward -> (day, level) of every visit, stored or loaded now
    for ward, day, level in zip(known["ward_code"], known["assessed_on"], known["level"], strict=True):
        history.setdefault(str(ward).upper(), []).append((day, str(level)))

    def previous(ward: str, day: date) -> list[str]:
        earlier = sorted((v for v in history.get(ward.upper(), []) if v[0] <= day), key=lambda v: v[0], reverse=True)
        return [level for _, level in earlier]

    frame = rows.assign(_day=pd.to_datetime(rows["assessed_on"]).dt.date, _id=rows["visit_reference"].astype(str))
    firsts = frame.drop_duplicates("_id").sort_values(["_day", "_id"])
    prepared = []
    for visit_id in firsts["_id"]:
        if visit_id in held:
            result.already += 1
            continue
        visit = frame[frame["_id"] == visit_id]
        first = visit.iloc[0]
        findings: dict[str, str] = {}
        if "finding" in visit:
            findings = {
                str(q): str(f) for q, f in zip(visit["question"], visit["finding"], strict=True) if isinstance(f, str)
            }
        try:
            ready = prepare_visit(
                cfg,
                acfg,
                ward_code=str(first["ward_code"]),
                assessed_on=first["_day"],
                scores=dict(zip(visit["question"].astype(str), visit["score"].astype(str), strict=True)),
                findings=findings,
                actor=EXTRACT_ACTOR,
                previous=previous,
                assessor=str(first["assessor"]),
                source="extract",
                external_id=visit_id,
                now=now,
                require_every_question=False,
            )
        except UserFacingError as exc:
            result.set_aside.append(f"{visit_id}: {exc}")
            continue
        history.setdefault(ready.row["ward_code"].upper(), []).append((ready.row["assessed_on"], ready.award.level))
        prepared.append((ready.row, ready.answers, ready.actions))
    if prepared:
        stored.insert_assessments(engine, prepared, EXTRACT_ACTOR, now)
    result.stored = len(prepared)
    return result
