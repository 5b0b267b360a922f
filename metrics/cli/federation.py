"""What ``export-aggregate`` and ``import-aggregate`` run (see ``metrics.federation``)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from metrics.config.load import load_config
from metrics.federation.export import export_bundle
from metrics.federation.importer import import_bundle
from metrics.store.database import ready_engine
from metrics.store.url import PROJECT_ROOT


def cmd_export_aggregate(args: argparse.Namespace) -> int:
    cfg = load_config(Path(args.config))
    since = pd.Timestamp(args.since).date() if args.since else None
    out = Path(args.out) if args.out else PROJECT_ROOT / "var" / "bundles" / cfg.dashboard.trust_code
    result = export_bundle(ready_engine(args.db), cfg, out, since=since, threshold=args.suppress_up_to)
    print(
        f"wrote the {cfg.dashboard.trust_code} bundle for {result.first_day} to {result.last_day} into "
        f"{result.folder}: "
        f"{result.rows} values, {result.withheld} withheld by disclosure control (counts 1 to {args.suppress_up_to} "
        "and what would reveal them); no patient row"
    )
    return 0


def cmd_import_aggregate(args: argparse.Namespace) -> int:
    engine = ready_engine(args.db)
    for folder in args.bundles:
        result = import_bundle(engine, Path(folder))
        if result.status == "already held":
            print(f"{folder}: {result.trust_code} bundle already held; nothing changed")
        else:
            print(
                f"{folder}: loaded {result.rows} values of {result.trust_code}, {result.first_day} to {result.last_day}"
            )
    return 0
