"""``python -m metrics spc``: an SPC (XmR) chart as JSON, from a ``date,value`` CSV file or the stored history.

Why this exists: an analyst checks one measure's chart without the dashboard.
This module only builds the parser: the chart is drawn by
``metrics.cli.spc_chart``, imported when the command runs, so that the rest of
the command line never loads numpy and pandas for it.
"""

from __future__ import annotations

import argparse

from metrics.cli.lazy import lazy

# The directions ``metrics.spc.xmr.IMPROVEMENTS`` accepts, in its order (a unit test holds the two equal).
IMPROVEMENT_CHOICES = ("increase", "decrease", "neutral")

run_spc_command = lazy("metrics.cli.spc_chart:print_chart")
run_spc_command.__doc__ = "Print the chart as JSON and return 0; on bad input print the reason to stderr and return 2."


def add_spc_subcommand(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Register ``spc [FILE] --improvement ... [--target N] [--rebase DATE ...] [--format json]``.

    Hook for stored history: when FILE is not given, ``run_spc_command`` calls
    ``args.series_loader(args)``, which must return ``(dates, values,
    improvement, target, rebase_dates)``; ``add_history_arguments`` sets the one
    that reads the store. ``--improvement``, ``--target`` and ``--rebase`` given
    on the command line override what the loader returns.
    """
    parser = subparsers.add_parser(
        "spc",
        help="SPC (XmR) chart of a date,value series, as JSON",
        description="Compute a Making Data Count XmR chart (NHSRplotthedots rules) and print it as JSON.",
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="CSV with a header row date,value (dates YYYY-MM-DD)")
    parser.add_argument(
        "--improvement", choices=IMPROVEMENT_CHOICES, help="which direction is better (required with FILE)"
    )
    parser.add_argument("--target", type=float, help="target value, for the assurance icon")
    parser.add_argument(
        "--rebase", action="append", default=[], metavar="DATE", help="start a new phase on this date (repeatable)"
    )
    parser.add_argument("--format", choices=("json",), default="json", help="output format (json)")
    parser.set_defaults(func=run_spc_command)
    return parser


def add_history_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --metric and --ward/--site/--trust to the `spc` subcommand, and the loader that reads the store."""
    parser.add_argument("--metric", help="a metric id from config/metrics.yaml (instead of FILE)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--ward")
    group.add_argument("--site")
    group.add_argument("--trust", action="store_true")
    parser.set_defaults(series_loader=lazy("metrics.cli.spc_chart:stored_series"))
