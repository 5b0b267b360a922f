"""What ``generate-sample`` and ``demo`` run: a synthetic trust's daily extracts, and the demo store filled from them.

Why this exists: ``make run`` starts on the embedded default with 90 days of
synthetic history, and tests and benchmarks need extracts of any size. The
synthetic generator is large; only these commands import it.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from metrics.config.load import load_config
from metrics.learning.config import learning_config_problems
from metrics.errors import UserFacingError
from metrics.pipeline import refresh
from metrics.store import queries
from metrics.store.database import ready_engine
from metrics.store.url import PROJECT_ROOT
from metrics.synthetic.region_config import write_region_config
from metrics.synthetic.demo_window import demo_plan
from metrics.synthetic.learning_responses import seed_learning_responses
from metrics.synthetic.trust import GENERATOR, generate_trust

HISTORY_DIR = PROJECT_ROOT / "var" / "sample_history"


def cmd_generate_sample(args: argparse.Namespace) -> int:
    end = pd.Timestamp(args.end).date() if args.end else None
    if args.trusts is not None:
        return _generate_system(args, end)
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


def ensure_demo_store(config_dir: Path, db: str | None, days: int = 90, now: datetime | None = None) -> int:
    """For the embedded default: keep the demo store's synthetic history current, through ``refresh`` like real data.

    An empty store gets ``days`` days of history up to the latest 07:30 extract before ``now``; a store older
    than its stale threshold gets the days it is missing. A store whose data is not synthetic is never touched.
    Returns how many snapshots were loaded now.
    """
    now = now or datetime.now(UTC)
    engine = ready_engine(db)
    current = queries.current_snapshot(engine)
    if current is not None and GENERATOR not in current.source:
        return 0  # not the demo's own data: the demo never adds synthetic days to it
    cfg = load_config(config_dir)
    latest = current.extracted_at if current is not None else None
    if latest is not None and latest.tzinfo is None:
        latest = latest.replace(tzinfo=UTC)
    plan = demo_plan(latest, now, cfg.dashboard.stale_after_minutes, days)
    if plan.days == 0:
        return 0
    print(f"demo: {plan.reason}; generating {plan.days} day(s) up to {plan.end}", file=sys.stderr, flush=True)
    folders = generate_trust(
        HISTORY_DIR / plan.end.isoformat(),
        wards_yaml=config_dir / "wards.yaml",
        clinical_yaml=config_dir / "clinical.yaml",
        days=plan.days,
        end=plan.end,
        fmt="parquet",
    )
    for i, folder in enumerate(folders, 1):
        refresh(folder, cfg, engine)
        if i % 10 == 0 or i == len(folders):
            print(f"  … loaded {i}/{len(folders)} daily extracts", file=sys.stderr, flush=True)
    learning, _ = learning_config_problems(config_dir, optional=True)
    if learning is not None:
        seed_learning_responses(engine, cfg, learning, now)
    return len(folders)


def cmd_demo(args: argparse.Namespace) -> int:
    loaded = ensure_demo_store(Path(args.config), args.db, args.days)
    print(f"demo store ready ({loaded} extract(s) loaded now)" if loaded else "demo store is current")
    return 0


def _generate_system(args: argparse.Namespace, end: date | None) -> int:
    """``generate-sample --trusts N``: a synthetic system of N trusts, each loadable into its own store."""
    from metrics.synthetic.system import generate_system

    try:
        trusts = generate_system(
            Path(args.out),
            Path(args.config),
            trusts=args.trusts,
            days=args.days,
            scale=args.scale,
            seed=args.seed,
            end=end,
            fmt=args.fmt,
            progress=lambda code, i, n: print(f"  … {code} day {i}/{n}", file=sys.stderr, flush=True)
            if i % 10 == 0 or i == n
            else None,
        )
        for trust in trusts:
            load_config(trust.config)
    except ValueError as exc:
        raise UserFacingError(f"generate-sample: {exc}") from exc
    print(f"wrote {len(trusts)} synthetic trust(s) under {args.out}; load each into its own store:")
    for trust in trusts:
        print(
            f"  python -m metrics refresh {trust.extracts} --config {trust.config} --db "
            f"sqlite:///var/{trust.code}.sqlite --create-store"
        )
    return 0
