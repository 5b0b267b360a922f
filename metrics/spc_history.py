"""SPC series from the store: one point per day per metric, for a ward, a site or the trust.

Why this exists: an SPC chart needs a daily series, and a site or trust series
must be built honestly: counts summed over wards, a ratio recomputed from its
summed numerator and denominator (never an average of percentages), and a day
without an extract left as a gap, never a zero. Rebase dates come from
config/dashboard.yaml (``spc_rebase``).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from metrics.config import AppConfig
from metrics.definitions import Direction, MetricDefinition
from metrics.errors import UserFacingError
from metrics.store import queries

IMPROVEMENT = {Direction.LOWER: "decrease", Direction.HIGHER: "increase", Direction.NEUTRAL: "neutral"}


@dataclass(frozen=True)
class Scope:
    """Which wards a series covers: one ward, one site, or the whole trust."""

    kind: str  # ward | site | trust
    code: str | None

    def ward_codes(self, cfg: AppConfig) -> list[str] | None:
        if self.kind == "trust":
            return None
        if self.kind == "site":
            codes = [w.code.upper() for w in cfg.wards.wards if w.site == self.code]
            if not codes:
                raise UserFacingError(f"Unknown site {self.code!r}; sites are {', '.join(s.code for s in cfg.wards.sites)}.")
            return codes
        ward = cfg.ward(self.code or "")
        if ward is None:
            raise UserFacingError(f"Unknown ward {self.code!r}; check config/wards.yaml for its code.")
        return [ward.code.upper()]

    @property
    def label(self) -> str:
        return "Trust" if self.kind == "trust" else f"{self.kind.capitalize()} {self.code}"


def metric_definition(cfg: AppConfig, metric_id: str) -> MetricDefinition:
    for m in cfg.metrics:
        if m.id == metric_id:
            return m
    raise UserFacingError(f"Unknown metric {metric_id!r}; metrics are defined in config/metrics.yaml.")


def rebase_dates(cfg: AppConfig, metric_id: str, scope: Scope) -> list[date]:
    """Configured rebase dates that apply to this metric and scope."""
    out = []
    for item in cfg.dashboard.spc_rebase:
        if item.metric not in (metric_id, "*"):
            continue
        if item.ward and not (scope.kind == "ward" and scope.code and item.ward.upper() == scope.code.upper()):
            continue
        if item.site and not (scope.kind == "site" and item.site == scope.code):
            continue
        out.append(item.date)
    return sorted(out)


def daily_series(engine: Engine, cfg: AppConfig, metric_id: str, scope: Scope, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """date, value, numerator, denominator for the scope; one row per day that has an extract, with gaps filled as NaN."""
    definition = metric_definition(cfg, metric_id)
    history = queries.daily_history(engine, metric_id) if history is None else history
    series = queries.aggregate_series(history, scope.ward_codes(cfg), is_ratio=definition.ratio is not None)
    if series.empty:
        return series
    series["date"] = pd.to_datetime(series["date"])
    full = pd.DataFrame({"date": pd.date_range(series["date"].min(), series["date"].max(), freq="D")})
    return full.merge(series, on="date", how="left")


def add_history_arguments(parser: argparse.ArgumentParser, engine_for: object, config_for: object) -> None:
    """Add --metric and --ward/--site/--trust to the `spc` subcommand, and the loader that reads the store."""
    parser.add_argument("--metric", help="a metric id from config/metrics.yaml (instead of FILE)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--ward")
    group.add_argument("--site")
    group.add_argument("--trust", action="store_true")

    def loader(args: argparse.Namespace) -> tuple[list, list, str, float | None, list]:
        if not args.metric:
            raise UserFacingError("Give FILE.csv, or --metric ID with --ward CODE, --site CODE or --trust.")
        cfg = config_for(args)  # type: ignore[operator]
        scope = Scope("ward", args.ward) if args.ward else Scope("site", args.site) if args.site else Scope("trust", None)
        definition = metric_definition(cfg, args.metric)
        series = daily_series(engine_for(args), cfg, args.metric, scope)  # type: ignore[operator]
        if series.empty:
            raise UserFacingError(f"No stored history for metric {args.metric!r}; load extracts first.")
        return (
            [d.date() for d in series["date"]],
            [None if pd.isna(v) else float(v) for v in series["value"]],
            IMPROVEMENT[definition.direction],
            definition.target,
            rebase_dates(cfg, args.metric, scope),
        )

    parser.set_defaults(series_loader=loader)
