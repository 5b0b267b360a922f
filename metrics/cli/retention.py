"""What ``prune`` runs: remove patient-level rows older than ``store.keep_days`` (metrics.store.retention).

Why this exists: a scheduler runs retention nightly after the refresh, from the
command line, as an administrator would; the audit log records it with the
command line's user.
"""

from __future__ import annotations

import argparse
import getpass
from datetime import datetime, timezone

from metrics.config.load import load_config
from metrics.errors import UserFacingError
from metrics.store.audit import Actor
from metrics.store.database import ready_engine
from metrics.store.retention import prune


def _now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise UserFacingError(
            f"prune: --now {text!r} is not an ISO 8601 time; give e.g. 2026-11-25T06:00+00:00"
        ) from exc
    if moment.tzinfo is None:
        raise UserFacingError(f"prune: --now {text!r} has no time zone; add one, e.g. {text}+00:00")
    return moment


def cmd_prune(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    keep_days = args.keep_days if args.keep_days is not None else cfg.dashboard.store.keep_days
    if keep_days is None:
        print(f"{args.config}/dashboard.yaml sets no store.keep_days: every row is kept, nothing pruned")
        return 0
    if keep_days < 1:
        raise UserFacingError(f"prune: --keep-days must be 1 or more, got {keep_days}")
    actor = Actor(device="command-line", user=f"command line ({getpass.getuser()})", role="administrator")
    result = prune(ready_engine(args.db), keep_days, _now(args.now), actor)
    print(
        f"pruned {result.snapshots} snapshot(s) extracted before {result.cutoff.isoformat()}: "
        f"{result.encounter_values} encounter value(s) and {result.drilldown_rows} drill-down row(s) deleted, "
        f"{result.quarantined_rows_cleared} quarantined row(s) cleared; ward values and SPC history kept"
    )
    return 0
