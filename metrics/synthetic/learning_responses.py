"""The demo's learning responses: most past-due harm incidents answered, some left overdue, themes that recur.

Why this exists: a demo board where every harm incident is overdue teaches nothing about the learning panel.
The demo answers about three in four harm incidents whose response is past due (a swarm huddle most often, an
after-action review for some, none with a reason for a few), naming contributory factors that lean on a few
per ward so that themes recur. Each incident's choice is drawn from a generator seeded by its reference, so a
later demo run decides the same way and never answers an incident twice. Every response goes through
``metrics.learning.responses.record_response``: checked and audited like one entered at the huddle.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Engine

from metrics.config.models import AppConfig
from metrics.learning.config import LearningFile
from metrics.learning.responses import london_date, record_response, ward_status
from metrics.store import queries
from metrics.store.audit import Actor

DEMO_ACTOR = Actor(device="synthetic-demo", role=None, client="demo")
ANSWERED_SHARE = 0.75
KIND_P = {"swarm_huddle": 0.65, "after_action_review": 0.25, "none": 0.10}
NONE_REASON = "Learning already covered by a current improvement plan for this harm."


def _rng(incident_id: str) -> np.random.Generator:
    return np.random.default_rng(int.from_bytes(hashlib.sha256(incident_id.encode()).digest()[:8], "big"))


def seed_learning_responses(engine: Engine, app_cfg: AppConfig, cfg: LearningFile, now: datetime) -> int:
    """Answer the demo's unanswered past-due harm incidents as described above; return how many were answered."""
    snapshot = queries.current_snapshot(engine)
    if snapshot is None or "incidents" not in (snapshot.row_counts or {}):
        return 0
    today = london_date(now)
    status = ward_status(engine, snapshot.id, None, cfg, now)
    waiting = status[status["status"] == "overdue"]
    factors = [f.code for f in cfg.contributory_factors]
    answered = 0
    for _, row in waiting.iterrows():
        rng = _rng(str(row["incident_id"]))
        if rng.random() >= ANSWERED_SHARE:
            continue  # left overdue, as some are on a real ward
        kind = str(rng.choice(list(KIND_P), p=list(KIND_P.values())))
        ward_bias = _rng(str(row["ward_code"])).permutation(len(factors))[:3]  # a ward's own recurring factors
        chosen = sorted({factors[int(i)] for i in rng.choice(ward_bias, size=int(rng.integers(1, 3)), replace=False)})
        held = min(row["occurred_on"] + timedelta(days=int(rng.integers(0, 3))), today)
        record_response(
            engine,
            app_cfg,
            cfg,
            snapshot_id=snapshot.id,
            ward_code=str(row["ward_code"]),
            incident_id=str(row["incident_id"]),
            kind=kind,
            held_on=None if kind == "none" else held,
            reason=NONE_REASON if kind == "none" else None,
            factors=[] if kind == "none" else chosen,
            actor=DEMO_ACTOR,
            now=now,
        )
        answered += 1
    return answered
