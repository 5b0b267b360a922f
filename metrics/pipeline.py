"""One refresh: extract → validate → derive → evaluate → store.

Why this exists: the one way data enters the store, used by the command line,
the dashboard's first run and the tests alike. Every attempt is logged in
refresh_attempts (``metrics.store.attempts``: in its own small transaction, so
a rejected extract is on record even though nothing else was written).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable

from sqlalchemy import Engine

from metrics.config.models import AppConfig
from metrics.evaluate.definitions import metric_as_dict
from metrics.evaluate.derive import derive
from metrics.evaluate.engine import evaluate
from metrics.errors import ExtractRejected
from metrics.extract.reader import read_extract
from metrics.extract.optional_tables import snapshot_rows
from metrics.store.attempts import finish_attempt, start_attempt
from metrics.store.writer import ENCOUNTER_VALUE_COLUMNS, existing_snapshot_id, write_snapshot
from metrics.extract.validate import validate_extract


@dataclass
class RefreshResult:
    """What a refresh did: 'loaded' or 'duplicate', the snapshot id, rows quarantined, and timings per stage."""

    status: str
    snapshot_id: int
    quarantined: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def refresh(
    folder: Path | str, cfg: AppConfig, engine: Engine, progress: Callable[[str], None] | None = None
) -> RefreshResult:
    """Load the extract at ``folder`` into the store; raise ExtractRejected if it is structurally broken."""
    say = progress or (lambda _m: None)
    folder = Path(folder)
    attempt = start_attempt(engine, str(folder))
    timings: dict[str, float] = {}
    try:
        start = time.perf_counter()
        say(f"reading {folder}")
        raw = read_extract(folder, cfg.sources)
        timings["read"] = time.perf_counter() - start
        existing = existing_snapshot_id(engine, raw.content_hash)
        if existing is not None:
            finish_attempt(engine, attempt, "duplicate", "this extract is already loaded", existing)
            return RefreshResult("duplicate", existing, 0, timings)
        start = time.perf_counter()
        say("validating")
        valid = validate_extract(raw, cfg)
        timings["validate"] = time.perf_counter() - start
        start = time.perf_counter()
        derived = derive(valid, cfg, progress=lambda m: say(f"deriving {m}"))
        timings["derive"] = time.perf_counter() - start
        start = time.perf_counter()
        say("evaluating metrics")
        evaluation = evaluate(derived, cfg)
        timings["evaluate"] = time.perf_counter() - start
        start = time.perf_counter()
        say("writing snapshot")
        snapshot_id = write_snapshot(
            engine,
            extracted_at=valid.extracted_at,
            source=valid.source,
            extract_path=str(folder),
            content_hash=valid.content_hash,
            config_fingerprint=cfg.fingerprint,
            row_counts=valid.row_counts,
            metric_definitions=[metric_as_dict(m) for m in cfg.metrics],
            ward_values=evaluation.ward_values,
            drilldown=evaluation.drilldown,
            encounters=derived.tables["encounters"][ENCOUNTER_VALUE_COLUMNS],
            quarantine=valid.quarantine,
            optional_tables=snapshot_rows(valid),
        )
        timings["store"] = time.perf_counter() - start
    except ExtractRejected as exc:
        finish_attempt(engine, attempt, "rejected", str(exc), None)
        raise
    except Exception as exc:
        finish_attempt(engine, attempt, "failed", f"{type(exc).__name__}: {exc}", None)
        raise
    finish_attempt(engine, attempt, "loaded", f"{len(valid.quarantine)} row(s) quarantined", snapshot_id)
    return RefreshResult("loaded", snapshot_id, len(valid.quarantine), timings)
