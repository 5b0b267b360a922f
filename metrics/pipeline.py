"""One refresh: extract → validate → derive → evaluate → gates → store.

Why this exists: the one way data enters the store, used by the command line,
the dashboard's first run and the tests alike. Every attempt is logged in
refresh_attempts (``metrics.store.attempts``, in its own small transaction, so
a rejected extract is on record even though nothing else was written).

An extract that passes its row checks but fails a plausibility gate
(``metrics.extract.plausibility``) is stored as held with its reasons and
never made current; the last good snapshot stays on the board, marked stale.
A message stored for display never carries row values: an unexpected failure
is recorded by its kind only (the full error goes to the caller's log).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from metrics.rules.clock import LONDON
from metrics.config.models import AppConfig
from metrics.errors import ExtractRejected
from metrics.evaluate.definitions import metric_as_dict
from metrics.evaluate.derive import derive
from metrics.evaluate.engine import evaluate
from metrics.extract.optional_tables import snapshot_rows
from metrics.accreditation.extract_visits import TABLE as VISITS_TABLE
from metrics.accreditation.extract_visits import load_visits
from metrics.extract.plausibility import hold_reasons
from metrics.extract.reader import read_extract
from metrics.extract.validate import ValidatedExtract, validate_extract
from metrics.store import queries
from metrics.store.attempts import finish_attempt, heartbeat, start_attempt
from metrics.store.writer import ENCOUNTER_VALUE_COLUMNS, existing_snapshot, write_snapshot





@dataclass
class RefreshResult:
    """What a refresh did: 'loaded', 'held' or 'duplicate', the snapshot id, rows quarantined, timings per stage.

    ``held_reason`` says why an extract was held; ``current`` whether the snapshot is now the one on the board
    (an older extract, loaded late, is stored for history but is not current).
    """

    status: str
    snapshot_id: int
    quarantined: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    held_reason: str | None = None
    current: bool = True


def _before_label(current: queries.SnapshotInfo, extracted_at: datetime) -> str:
    """'yesterday' when the current snapshot is from the London day before, else 'last good, 24 Nov'."""
    was, now = current.extracted_at.astimezone(LONDON).date(), extracted_at.astimezone(LONDON).date()
    return "yesterday" if now - was == timedelta(days=1) else f"last good, {was:%d %b}"


def _gate(
    valid: ValidatedExtract, raw_encounters: pd.DataFrame, cfg: AppConfig, engine: Engine, now: datetime
) -> str | None:
    current = queries.current_snapshot(engine, now)
    before = current.row_counts if current else {}
    reasons = hold_reasons(
        counts=valid.row_counts,
        raw_encounters=raw_encounters,
        quarantine=valid.quarantine,
        extracted_at=valid.extracted_at.to_pydatetime(),
        now=now,
        settings=cfg.gates,
        before=before,
        before_label=_before_label(current, valid.extracted_at.to_pydatetime()) if current else "last good",
    )
    return "; ".join(reasons) or None


def _duplicate(engine: Engine, attempt: int, content_hash: str, timings: dict[str, float]) -> RefreshResult | None:
    found = existing_snapshot(engine, content_hash)
    if found is None:
        return None
    snapshot_id, held = found
    if held:
        finish_attempt(engine, attempt, "held", f"this extract is already loaded and held: {held}", snapshot_id)
        return RefreshResult("held", snapshot_id, 0, timings, held_reason=held, current=False)
    finish_attempt(engine, attempt, "duplicate", "this extract is already loaded", snapshot_id)
    return RefreshResult("duplicate", snapshot_id, 0, timings)


def refresh(
    folder: Path | str,
    cfg: AppConfig,
    engine: Engine,
    progress: Callable[[str], None] | None = None,
    now: datetime | None = None,
) -> RefreshResult:
    """Load the extract at ``folder``; raise ExtractRejected if it is structurally broken.

    ``now`` is the machine's clock at load time (passed in by tests): an extracted_at beyond it holds the extract.
    """
    say = progress or (lambda _m: None)
    now = now or datetime.now(timezone.utc)
    folder = Path(folder)
    attempt = start_attempt(engine, str(folder), now)
    timings: dict[str, float] = {}

    def stage(name: str, started: float) -> float:
        timings[name] = time.perf_counter() - started
        heartbeat(engine, attempt)
        return time.perf_counter()

    try:
        start = time.perf_counter()
        say(f"reading {folder}")
        raw = read_extract(folder, cfg.sources, max_bytes=cfg.gates.max_file_bytes)
        start = stage("read", start)
        duplicate = _duplicate(engine, attempt, raw.content_hash, timings)
        if duplicate is not None:
            return duplicate
        say("validating")
        valid = validate_extract(raw, cfg)
        start = stage("validate", start)
        derived = derive(valid, cfg, progress=lambda m: say(f"deriving {m}"))
        start = stage("derive", start)
        say("evaluating metrics")
        evaluation = evaluate(derived, cfg)
        start = stage("evaluate", start)
        held = _gate(valid, raw.tables["encounters"], cfg, engine, now)
        say("writing snapshot" + (" (held)" if held else ""))
        try:
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
                held_reason=held,
                trust_code=cfg.dashboard.trust_code,
                equity_splits=evaluation.splits,
                supplied_columns=valid.supplied_columns,
            )
        except IntegrityError:
            # the same extract, loaded at the same moment by another process, committed first
            duplicate = _duplicate(engine, attempt, raw.content_hash, timings)
            if duplicate is None:
                raise
            return duplicate
        timings["store"] = time.perf_counter() - start
    except ExtractRejected as exc:
        finish_attempt(engine, attempt, "rejected", str(exc), None)
        raise
    except BaseException as exc:
        finish_attempt(
            engine, attempt, "failed", f"{type(exc).__name__}: the refresh failed; see the refresh log", None
        )
        raise
    quarantined = len(valid.quarantine)
    if held:
        finish_attempt(engine, attempt, "held", held, snapshot_id)
        return RefreshResult("held", snapshot_id, quarantined, timings, held_reason=held, current=False)
    visits = load_visits(engine, cfg, valid.tables.get(VISITS_TABLE), now)  # events, kept whichever snapshot is current
    current = queries.current_snapshot(engine, now)
    is_current = current is not None and current.id == snapshot_id
    note = "" if is_current else f"; not current: snapshot {current.id if current else '-'} is newer"
    note += f"; {visits.summary()}" if visits is not None else ""
    finish_attempt(engine, attempt, "loaded", f"{quarantined} row(s) quarantined{note}", snapshot_id)
    return RefreshResult("loaded", snapshot_id, quarantined, timings, current=is_current)
