"""The live evidence of every accredited ward, gathered from the store for ``metrics.accreditation.triangulation``.

Why this exists: the triangulation rules are pure; this module reads what
they need: each ward's latest level, the SPC charts of the harm and
reliability metrics (``metrics.store.spc_history``), the huddle's
reliability ratings, the Safety Barometer's reading and today's RAG of every
cited metric, all from the current snapshot and the store. A ward with no
visit has no level and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from metrics.accreditation.config import AccreditationConfig
from metrics.accreditation.triangulation import (
    Mismatch,
    WardEvidence,
    cited_metrics,
    concern_spans,
    mismatches,
    reliability_median,
    window,
)
from metrics.config.models import AppConfig
from metrics.huddle.barometer import barometer_reading, ward_setup
from metrics.huddle.config import HuddleConfig
from metrics.spc.xmr import SpcManyResult
from metrics.store import accreditation as stored
from metrics.store import huddle as stored_huddle
from metrics.store import queries
from metrics.store.barometer import barometer_inputs, epr_metric_ids, snapshot_part
from metrics.store.spc_history import spc_for_store


@dataclass(frozen=True)
class Triangulated:
    """Every ward's latest visit, its evidence and the mismatches found."""

    latest: pd.DataFrame  # one row per visited ward (metrics.store.accreditation.ASSESSMENT_COLUMNS)
    evidence: dict[str, WardEvidence]
    mismatches: list[Mismatch]


def latest_visits(assessments: pd.DataFrame) -> pd.DataFrame:
    """Each ward's newest visit (the store returns every ward's visits newest first)."""
    if assessments.empty:
        return assessments
    frame = assessments.assign(_ward=assessments["ward_code"].astype(str).str.upper())
    return frame.drop_duplicates("_ward", keep="first").drop(columns="_ward").reset_index(drop=True)


def triangulate(
    engine: Engine,
    cfg: AppConfig,
    acfg: AccreditationConfig,
    today: date,
    hcfg: HuddleConfig | None = None,
    spc: SpcManyResult | None = None,
) -> Triangulated:
    """Every visited ward's level beside its live data. ``spc``: charts already computed (else computed here)."""
    latest = latest_visits(stored.assessments(engine))
    levels = {str(w).upper(): str(level) for w, level in zip(latest["ward_code"], latest["level"], strict=True)}
    tri = acfg.file.triangulation
    start, end = window(acfg, today)
    watched = [*tri.harm_metrics, *tri.reliability_metrics]
    known = {m.id for m in cfg.metrics}
    if spc is None and watched and levels:
        spc = spc_for_store(engine, cfg, [m for m in watched if m in known])
    spans = concern_spans(spc.points, levels, watched, start, end) if spc is not None else {}
    snapshot = queries.current_snapshot(engine)
    values = queries.ward_values(engine, snapshot.id) if snapshot is not None else pd.DataFrame()
    cited = set(cited_metrics(acfg))
    evidence: dict[str, WardEvidence] = {}
    for ward in levels:
        rated = stored_huddle.ratings(engine, ward, start, end, kind="reliability")
        band, score = None, None
        if hcfg is not None and snapshot is not None:
            part = snapshot_part(engine, snapshot.id, ward, epr_metric_ids(hcfg, ward))
            reading = barometer_reading(
                ward_setup(hcfg.barometer, ward, cfg.metrics), barometer_inputs(part, rated, end), hcfg.barometer.gauge
            )
            band, score = reading.band, reading.score
        rags: dict[str, str | None] = {}
        if not values.empty:
            mine = values[(values["ward_code"].astype(str).str.upper() == ward) & values["metric_id"].isin(cited)]
            rags = {
                str(m): (None if pd.isna(r) else str(r)) for m, r in zip(mine["metric_id"], mine["rag"], strict=True)
            }
        evidence[ward] = WardEvidence(
            ward,
            {m: span for (w, m), span in spans.items() if w == ward},
            reliability_median(int(s) for s in rated["score"]),
            int(len(rated)),
            band,
            score,
            rags,
        )
    return Triangulated(latest, evidence, mismatches(acfg, cfg, levels, evidence))
