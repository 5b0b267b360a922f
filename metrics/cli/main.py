"""The command line: ``python -m metrics <command>``.

Why this exists: integration engineers load extracts from a scheduler, and
analysts check numbers, without opening the app. Every command takes
``--config DIR`` and ``--db URL``; user errors print a message (no traceback)
and exit non-zero: 2 for a rejected extract, 3 for bad configuration.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from metrics.cli.safety_case import add_safety_case_subcommand
from metrics.config.models import DEFAULT_CONFIG_DIR, AppConfig
from metrics.config.load import load_config
from metrics.errors import UserFacingError
from metrics.store import queries
from metrics.store.database import PROJECT_ROOT, default_url, ready_engine

SAMPLE_DIR = PROJECT_ROOT / "sample_data"
HISTORY_DIR = PROJECT_ROOT / "var" / "sample_history"


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
    from metrics.pipeline import refresh

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
        print(
            f"{prefix}{folder}: {result.status} as snapshot {result.snapshot_id}; {result.quarantined} row(s) quarantined ({seconds:.1f} s)"
        )
    return worst


def _clean(value: Any) -> Any:
    """None for any missing value, so the JSON has null, never NaN."""
    if value is None:
        return None
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def snapshot_document(engine: Any, cfg: AppConfig, snapshot_id: int | None = None) -> dict[str, Any]:
    """The current (or given) snapshot as one JSON-ready document: wards with metric values and RAG; encounters with derived values."""
    info = queries.snapshot_by_id(engine, snapshot_id) if snapshot_id else queries.current_snapshot(engine)
    if info is None:
        raise UserFacingError(
            "The store holds no snapshot yet. Load an extract first: python -m metrics refresh FOLDER"
        )
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
                "news2_monitoring": r["news2_monitoring"],
                "news2_status": r["news2_status"],
                "news2_status_reason": r["news2_status_reason"],
                "aki_stage": None if r["aki_stage"] is None else int(r["aki_stage"]),
                "aki_reason": r["aki_reason"],
                "sepsis": {"positive": bool(r["sepsis_positive"]), "trigger": r["sepsis_trigger"]},
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
        "row_counts": info.row_counts,
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
        for code, ward in doc["wards"].items():
            reds = sum(1 for m in ward["metrics"].values() if m["rag"] == "red")
            print(f"  {code:8} {ward['name']:32} reds: {reds}")
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    cfg = _config(args)
    print(f"{args.config}: OK: {len(cfg.wards.wards)} wards, {len(cfg.metrics)} metrics, fingerprint {cfg.fingerprint}")
    return 0


def cmd_generate_sample(args: argparse.Namespace) -> int:
    from metrics.synthetic.region_config import write_region_config
    from metrics.synthetic.trust import generate_trust

    end = pd.Timestamp(args.end).date() if args.end else None
    config_out = Path(args.config_out) if args.config_out else Path(args.out) / "config"
    try:
        write_region_config(Path(args.config), args.scale, config_out)
        load_config(config_out)  # the region's config must load, or the second command would fail
        folders = generate_trust(
            Path(args.out),
            wards_yaml=Path(args.config) / "wards.yaml",
            clinical_yaml=Path(args.config) / "clinical.yaml",
            days=args.days,
            scale=args.scale,
            seed=args.seed,
            end=end,
            fmt=args.fmt,
            progress=lambda i, n: print(f"  … day {i}/{n}", file=sys.stderr, flush=True)
            if i % 10 == 0 or i == n
            else None,
        )
    except ValueError as exc:
        raise UserFacingError(f"generate-sample: {exc}") from exc
    print(f"wrote {len(folders)} extract(s) under {args.out}")
    print(f"wrote the matching configuration to {config_out}; load the region with:")
    print(f"  python -m metrics refresh {args.out} --config {config_out}")
    return 0


def ensure_demo_store(config_dir: Path, db: str | None, days: int = 90) -> int:
    """For the embedded default: if the store is empty, generate the synthetic history and load it. Returns snapshots loaded."""
    from metrics.pipeline import refresh
    from metrics.synthetic.trust import generate_trust

    engine = ready_engine(db)
    if queries.current_snapshot(engine) is not None:
        return 0
    cfg = load_config(config_dir)
    latest = sorted(p for p in SAMPLE_DIR.iterdir() if (p / "manifest.json").exists()) if SAMPLE_DIR.exists() else []
    end = (
        pd.Timestamp(json.loads((latest[-1] / "manifest.json").read_text())["extracted_at"]).date() if latest else None
    )
    history = generate_trust(
        HISTORY_DIR,
        wards_yaml=config_dir / "wards.yaml",
        clinical_yaml=config_dir / "clinical.yaml",
        days=days,
        end=end,
        fmt="parquet",
    )
    folders = history[:-1] + latest[-1:] if latest else history
    for i, folder in enumerate(folders, 1):
        refresh(folder, cfg, engine)
        if i % 10 == 0 or i == len(folders):
            print(f"  … loaded {i}/{len(folders)} daily extracts", file=sys.stderr, flush=True)
    return len(folders)


def cmd_demo(args: argparse.Namespace) -> int:
    loaded = ensure_demo_store(Path(args.config), args.db, args.days)
    print(f"demo store ready ({loaded} extract(s) loaded now)" if loaded else "demo store already has data")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from metrics.report.board import write_board_report

    out = Path(args.out or PROJECT_ROOT / "var" / "reports" / f"board-report-{args.month}.html")
    write_board_report(ready_engine(args.db), _config(args), args.month, out)
    print(f"wrote {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m metrics",
        description="Ward safety dashboard: load EPR extracts, evaluate metrics, inspect snapshots.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=str(DEFAULT_CONFIG_DIR), help="configuration folder (default: config/)")
    common.add_argument(
        "--db", default=None, help=f"SQLAlchemy database URL (default: DATABASE_URL or {default_url()})"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "refresh", parents=[common], help="load an extract folder (or a folder of extract folders) into the store"
    )
    p.add_argument("extract", help="extract folder holding manifest.json, or a folder of such folders")
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("snapshot", parents=[common], help="print the current snapshot")
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.add_argument("--id", type=int, default=None, help="a snapshot id (default: the current one)")
    p.add_argument("--compact", action="store_true", help="JSON on one line")
    p.set_defaults(func=cmd_snapshot)

    p = sub.add_parser("check-config", parents=[common], help="validate the configuration folder")
    p.set_defaults(func=cmd_check_config)

    p = sub.add_parser("generate-sample", parents=[common], help="write a synthetic trust's daily extracts")
    p.add_argument("--out", default=str(PROJECT_ROOT / "var" / "generated"))
    p.add_argument("--days", type=int, default=90)
    p.add_argument("--scale", type=int, default=1)
    p.add_argument("--seed", type=int, default=20261125)
    p.add_argument("--end", default=None, help="date of the last extract (default: today)")
    p.add_argument("--fmt", choices=["csv", "parquet"], default="parquet")
    p.add_argument(
        "--config-out",
        default=None,
        help="where to write the configuration matching the generated wards (default: OUT/config)",
    )
    p.set_defaults(func=cmd_generate_sample)

    p = sub.add_parser("demo", parents=[common], help="fill an empty store with the synthetic sample's 90-day history")
    p.add_argument("--days", type=int, default=90)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("report", parents=[common], help="write the monthly SPC board report (self-contained HTML)")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--out", default=None, help="output file (default var/reports/board-report-YYYY-MM.html)")
    p.set_defaults(func=cmd_report)

    from metrics.access.kiosk_tokens import add_kiosk_subcommand

    add_kiosk_subcommand(sub, [common])
    add_safety_case_subcommand(sub)

    from metrics.spc.csv_input import add_spc_subcommand
    from metrics.store.spc_history import add_history_arguments

    spc_parser = add_spc_subcommand(sub)
    spc_parser.add_argument("--config", default=str(DEFAULT_CONFIG_DIR), help="configuration folder (default: config/)")
    spc_parser.add_argument("--db", default=None, help="SQLAlchemy database URL")
    add_history_arguments(spc_parser, engine_for=lambda a: ready_engine(a.db), config_for=_config)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserFacingError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
