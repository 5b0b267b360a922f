"""What ``python -m metrics spc`` runs: read the series (a CSV file or the store), chart it, print JSON.

Why this exists: the parser (``metrics.cli.spc``) stays light; this module
brings in the SPC engine, pandas and the configuration only when a chart is
asked for. A bad file or series is answered on stderr with exit code 2,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

import pandas as pd

from metrics.config.load import load_config
from metrics.errors import UserFacingError
from metrics.spc.csv_input import SpcInputError, parse_rebase, result_to_dict, spc_from_csv
from metrics.spc.xmr import IMPROVEMENTS, spc
from metrics.store.database import ready_engine
from metrics.store.spc_history import IMPROVEMENT, Scope, daily_series, metric_definition, rebase_dates


def stored_series(args: argparse.Namespace) -> tuple[list[date], list[float | None], str, float | None, list[date]]:
    """(dates, values, improvement, target, rebase dates) of ``--metric`` for ``--ward``, ``--site`` or the trust."""
    if not args.metric:
        raise UserFacingError("Give FILE.csv, or --metric ID with --ward CODE, --site CODE or --trust.")
    cfg = load_config(args.config)
    scope = Scope("ward", args.ward) if args.ward else Scope("site", args.site) if args.site else Scope("trust", None)
    definition = metric_definition(cfg, args.metric)
    series = daily_series(ready_engine(args.db), cfg, args.metric, scope)
    if series.empty:
        raise UserFacingError(f"No stored history for metric {args.metric!r}; load extracts first.")
    return (
        [d.date() for d in series["date"]],
        [None if pd.isna(v) else float(v) for v in series["value"]],
        IMPROVEMENT[definition.direction],
        definition.target,
        rebase_dates(cfg, args.metric, scope),
    )


def print_chart(args: argparse.Namespace) -> int:
    """Print the chart as JSON and return 0; on bad input print the reason to stderr and return 2."""
    try:
        if args.file is not None:
            if args.improvement is None:
                raise SpcInputError(
                    "--improvement",
                    None,
                    "missing",
                    f"Say which direction is better: --improvement {'|'.join(IMPROVEMENTS)}.",
                )
            payload = spc_from_csv(args.file, args.improvement, target=args.target, rebase=args.rebase)
        else:
            loader = getattr(args, "series_loader", None)
            if loader is None:
                raise SpcInputError("spc", None, "no series given", "Give a CSV FILE with the columns date,value.")
            dates, values, improvement, target, rebase_from_loader = loader(args)
            improvement = args.improvement or improvement
            target = args.target if args.target is not None else target
            rebase_all = parse_rebase(args.rebase) if args.rebase else list(rebase_from_loader)
            if improvement not in IMPROVEMENTS:
                raise SpcInputError(
                    "--improvement",
                    None,
                    f"{improvement!r} is not a direction",
                    f"Use one of: {', '.join(IMPROVEMENTS)}.",
                )
            try:
                result = spc(dates, values, improvement, target=target, rebase_dates=rebase_all)
            except ValueError as exc:
                raise SpcInputError(
                    "stored series", None, str(exc), "Check the stored history for this measure."
                ) from None
            payload = result_to_dict(result)
    except SpcInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return SpcInputError.exit_code
    print(json.dumps(payload, indent=2, allow_nan=False))
    return 0
