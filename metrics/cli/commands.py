"""What ``refresh``, ``snapshot``, ``release`` and ``check-config`` run: load, print, release a held extract, check
config.

Why this exists: these commands read extracts, run the clinical rules and
read or write the store, so they need pandas and the whole pipeline. The
parser (``metrics.cli.main``) names them lazily, and this module is imported
only when one of them runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from metrics.access.config import load_access_config
from metrics.board.freshness import freshness
from metrics.config.load import load_config
from metrics.config.models import AppConfig
from metrics.errors import UserFacingError
from metrics.pipeline import refresh
from metrics.store import queries
from metrics.store.audit import Actor
from metrics.store.database import ready_engine
from metrics.store.release import release_snapshot

HELD_EXIT_CODE = 4  # an extract held back by a plausibility gate: stored, not current


def _progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def _config(args: argparse.Namespace) -> AppConfig:
    return load_config(Path(args.config))


def extract_folders(path: Path) -> list[Path]:
    """An extract folder itself, or every extract folder directly inside ``path`` (sorted by name)."""
    if (path / "manifest.json").exists() or not path.is_dir():
        return [path]
    children = sorted(p for p in path.iterdir() if p.is_dir() and (p / "manifest.json").exists())
    return children or [path]


def cmd_refresh(args: argparse.Namespace) -> int:
    cfg = _config(args)
    engine = ready_engine(args.db)
    folders = extract_folders(Path(args.extract))
    worst = 0
    for i, folder in enumerate(folders, 1):
        prefix = f"[{i}/{len(folders)}] " if len(folders) > 1 else ""
        try:
            result = refresh(folder, cfg, engine, progress=None if len(folders) > 1 else _progress)
        except UserFacingError as exc:
            print(f"{prefix}{exc}", file=sys.stderr)
            worst = max(worst, exc.exit_code)
            continue
        seconds = sum(result.seconds.values())
        if result.status == "held":
            print(
                f"{prefix}{folder}: HELD as snapshot {result.snapshot_id}, not shown on the board: "
                f"{result.held_reason}. "
                f"If the change is real, release it: python -m metrics release {result.snapshot_id}",
                file=sys.stderr,
            )
            worst = max(worst, HELD_EXIT_CODE)
            continue
        note = "" if result.current or result.status != "loaded" else " (not current: a newer extract is on the board)"
        print(
            f"{prefix}{folder}: {result.status} as snapshot {result.snapshot_id}{note}; "
            f"{result.quarantined} row(s) quarantined ({seconds:.1f} s)"
        )
    return worst


def cmd_release(args: argparse.Namespace) -> int:
    engine = ready_engine(args.db)
    actor = Actor(device="command-line", user=args.user, role="administrator")
    reason = release_snapshot(engine, args.id, actor, args.note)
    current = queries.current_snapshot(engine)
    now_current = " It is now current." if current is not None and current.id == args.id else ""
    print(f"released snapshot {args.id} (it was held: {reason}).{now_current}")
    return 0


def _clean(value: Any) -> Any:
    """None for any missing value, so the JSON has null, never NaN."""
    if value is None:
        return None
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def snapshot_document(
    engine: Any, cfg: AppConfig, snapshot_id: int | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The current (or given) snapshot as one JSON-ready document.

    How fresh it is at ``now`` (default: the clock; ``metrics.board.freshness``), wards with their metric values
    and RAG, encounters with their derived values.
    """
    info = queries.snapshot_by_id(engine, snapshot_id) if snapshot_id else queries.current_snapshot(engine)
    if info is None:
        raise UserFacingError(
            "The store holds no snapshot yet. Load an extract first: python -m metrics refresh FOLDER"
        )
    held = [
        {"snapshot_id": h.id, "extracted_at": h.extracted_at.isoformat(), "reason": h.reason}
        for h in queries.held_extracts(engine, after=info)
    ]
    values = queries.ward_values(engine, info.id)
    wards = {}
    for ward in cfg.wards.wards:
        rows = values[values["ward_code"] == ward.code.upper()]
        wards[ward.code] = {
            "name": ward.name,
            "site": ward.site,
            "metrics": {
                r.metric_id: {
                    "value": None if pd.isna(r.value) else float(r.value),
                    "rag": _clean(r.rag),
                    **(
                        {"numerator": float(r.numerator), "denominator": float(r.denominator)}
                        if not pd.isna(r.denominator)
                        else {}
                    ),
                }
                for r in rows.itertuples()
            },
        }
    enc = queries.encounter_values(engine, info.id)
    encounters = []
    for r in enc.to_dict("records"):
        r = {k: _clean(v) for k, v in r.items()}
        encounters.append(
            {
                "encounter_id": r["encounter_id"],
                "ward_code": r["ward_code"],
                "on_ward": bool(r["on_ward"]),
                "news2_score": None if r["news2_score"] is None else int(r["news2_score"]),
                "news2_minimum_score": None if r["news2_minimum_score"] is None else int(r["news2_minimum_score"]),
                "news2_shown": r["news2_shown"],
                "news2_missing": r["news2_missing"] or None,
                "news2_monitoring": r["news2_monitoring"],
                "news2_status": r["news2_status"],
                "news2_status_reason": r["news2_status_reason"],
                "aki_stage": None if r["aki_stage"] is None else int(r["aki_stage"]),
                "aki_reason": r["aki_reason"],
                "sepsis": {
                    "positive": bool(r["sepsis_positive"]),
                    "risk": r["sepsis_risk"],
                    "criteria": r["sepsis_trigger"].split("; ") if r["sepsis_trigger"] else [],
                    "trigger": r["sepsis_trigger"],
                    "note": r["sepsis_note"],
                },
                "missed_critical_doses": int(r["missed_critical_doses"]),
                "assessments_outstanding": int(r["assessments_outstanding"]),
                "assessments_overdue": int(r["assessments_overdue"]),
            }
        )
    return {
        "snapshot_id": info.id,
        "extracted_at": info.extracted_at.isoformat(),
        "loaded_at": info.loaded_at.isoformat(),
        "source": info.source,
        "state": info.state,
        "held_reason": info.held_reason,
        "held_extracts": held,
        "row_counts": info.row_counts,
        "freshness": freshness(
            info.extracted_at,
            info.loaded_at,
            queries.refresh_attempts(engine),
            cfg.dashboard.stale_after_minutes,
            now or datetime.now(UTC),
        ).as_dict(),
        "wards": wards,
        "encounters": encounters,
    }


def cmd_snapshot(args: argparse.Namespace) -> int:
    cfg = _config(args)
    doc = snapshot_document(ready_engine(args.db), cfg, args.id)
    if args.format == "json":
        json.dump(doc, sys.stdout, indent=None if args.compact else 1, allow_nan=False)
        print()
    else:
        print(f"Snapshot {doc['snapshot_id']} extracted at {doc['extracted_at']} from {doc['source']}")
        fresh = doc["freshness"]
        if fresh["is_stale"]:
            failed = f"; the latest refresh was {fresh['failed_status']}" if fresh["failed_status"] else ""
            print(f"  STALE: extracted {fresh['age_minutes']:.0f} minutes ago{failed}")
        for held in doc["held_extracts"]:
            print(f"  held back: snapshot {held['snapshot_id']} extracted at {held['extracted_at']}: {held['reason']}")
        for code, ward in doc["wards"].items():
            reds = sum(1 for m in ward["metrics"].values() if m["rag"] == "red")
            print(f"  {code:8} {ward['name']:32} reds: {reds}")
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    cfg = _config(args)
    load_access_config(cfg.directory, cfg)  # the dashboard refuses every page without a valid access.yaml
    print(f"{args.config}: OK: {len(cfg.wards.wards)} wards, {len(cfg.metrics)} metrics, fingerprint {cfg.fingerprint}")
    return 0
