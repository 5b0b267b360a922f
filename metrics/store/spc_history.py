"""SPC series from the store: one point per day per metric, for a ward, a site or the trust.

Why this exists: an SPC chart needs a daily series, and a site or trust series
must be built honestly: counts summed over wards, a ratio recomputed from its
summed numerator and denominator (never an average of percentages), and a day
without an extract left as a gap, never a zero. Rebase dates come from
config/dashboard.yaml (``spc_rebase``).

``daily_series`` builds one series; ``spc_for_store`` charts every metric for
every ward, every site and the trust at once (one query, one grouped sum per
scope level, one vectorised ``spc_many`` call), for screens that show them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from metrics.config.models import AppConfig
from metrics.evaluate.definitions import Direction, MetricDefinition
from metrics.errors import UserFacingError
from metrics.spc.xmr import SpcManyResult, spc_many
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
                raise UserFacingError(
                    f"Unknown site {self.code!r}; sites are {', '.join(s.code for s in cfg.wards.sites)}."
                )
            return codes
        ward = cfg.ward(self.code or "")
        if ward is None:
            raise UserFacingError(f"Unknown ward {self.code!r}; check config/wards.yaml for its code.")
        return [ward.code.upper()]

    @property
    def label(self) -> str:
        return "Trust" if self.kind == "trust" else f"{self.kind.capitalize()} {self.code}"

    @property
    def key(self) -> str:
        """'trust', 'site:RGH' or 'ward:7A': the scope's part of a series id (and of the executive view's URL)."""
        return "trust" if self.kind == "trust" else f"{self.kind}:{self.code}"

    @classmethod
    def from_key(cls, key: str) -> "Scope":
        """The scope a key names ('trust', 'site:RGH', 'ward:7A')."""
        kind, _, code = key.partition(":")
        if kind == "trust" and not code:
            return cls("trust", None)
        if kind in ("site", "ward") and code:
            return cls(kind, code)
        raise ValueError(f"a scope key is 'trust', 'site:CODE' or 'ward:CODE', not {key!r}")


def series_id(metric_id: str, scope: Scope) -> str:
    """The id of one stored series in ``spc_for_store``: 'ward:7A|aki', 'site:RGH|aki', 'trust|aki'."""
    return f"{scope.key}|{metric_id}"


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


def daily_series(
    engine: Engine, cfg: AppConfig, metric_id: str, scope: Scope, history: pd.DataFrame | None = None
) -> pd.DataFrame:
    """date, value, numerator, denominator for the scope; one row per day that has an extract, with gaps filled as
    NaN."""
    definition = metric_definition(cfg, metric_id)
    history = queries.daily_history(engine, metric_id) if history is None else history
    series = queries.aggregate_series(history, scope.ward_codes(cfg), is_ratio=definition.ratio is not None)
    if series.empty:
        return series
    series["date"] = pd.to_datetime(series["date"])
    full = pd.DataFrame({"date": pd.date_range(series["date"].min(), series["date"].max(), freq="D")})
    return full.merge(series, on="date", how="left")


# ---------------------------------------------------------------- every series at once


def scope_keys(cfg: AppConfig) -> list[str]:
    """Every scope's key in board order: the trust, each site, each ward."""
    return ["trust"] + [f"site:{s.code}" for s in cfg.wards.sites] + [f"ward:{w.code}" for w in cfg.wards.wards]


def store_series(
    cfg: AppConfig, history: pd.DataFrame, definitions: Iterable[MetricDefinition] | None = None
) -> pd.DataFrame:
    """Every metric's daily series for every ward, every site and the trust, as one long frame.

    ``history`` is ``queries.daily_history_all``. Columns: series_id, metric_id, scope (its key),
    scope_kind (categoricals), date (datetime64), value, numerator, denominator. Each series runs
    from its first to its last day with an extract, one row per day; a day without one is a row of
    NaN (a gap). A group of wards sums its counts and recomputes a ratio from summed numerators and
    denominators, as ``queries.aggregate_series`` does, except that a day on which no ward of the
    group has a part is a gap, never a zero. Wards not in config/wards.yaml count towards the trust
    only, as in ``Scope``. Series come trust first, then sites, then wards, each by metric in config
    order; the work is grouped sums over integer codes, with no loop over series.
    """
    definitions = list(cfg.metrics if definitions is None else definitions)
    ids = [d.id for d in definitions]
    keys = scope_keys(cfg)
    n_sites = len(cfg.wards.sites)

    rank = {m: i for i, m in enumerate(ids)}
    metric_rank = history["metric_id"].map(rank).to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(metric_rank)
    frame = history[known]
    metric_code = metric_rank[known].astype(np.int64)

    is_ratio = np.array([d.ratio is not None for d in definitions], dtype=bool)
    ratio_row = is_ratio[metric_code]
    numerator = frame["numerator"].to_numpy(dtype=float, na_value=np.nan)
    # A count's numerator is its value: the store keeps both; the value stands in for a missing numerator.
    numerator = np.where(
        ~ratio_row & np.isnan(numerator), frame["value"].to_numpy(dtype=float, na_value=np.nan), numerator
    )
    denominator = frame["denominator"].to_numpy(dtype=float, na_value=np.nan)
    day = frame["date"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)

    # Ward and site of each row as integer codes (-1 for a ward not in the configuration).
    ward_codes, ward_uniques = pd.factorize(frame["ward_code"].astype(str).str.upper())
    ward_index = {w.code.upper(): i for i, w in enumerate(cfg.wards.wards)}
    site_index = {s.code: i for i, s in enumerate(cfg.wards.sites)}
    ward_of_unique = np.array([ward_index.get(u, -1) for u in ward_uniques] + [-1], dtype=np.int64)
    ward = ward_of_unique[ward_codes]
    site_of_ward = np.array([site_index.get(w.site, -1) for w in cfg.wards.wards] + [-1], dtype=np.int64)
    site = site_of_ward[ward]  # ward -1 reads the sentinel -1

    # One frame of (scope, metric, day, parts) for the three levels, then one grouped sum.
    in_site = site >= 0
    in_ward = ward >= 0
    scope = np.concatenate([np.zeros(len(day), np.int64), 1 + site[in_site], 1 + n_sites + ward[in_ward]])
    stacked = pd.DataFrame(
        {
            "series": scope * len(ids) + np.concatenate([metric_code, metric_code[in_site], metric_code[in_ward]]),
            "day": np.concatenate([day, day[in_site], day[in_ward]]),
            "numerator": np.concatenate([numerator, numerator[in_site], numerator[in_ward]]),
            "denominator": np.concatenate([denominator, denominator[in_site], denominator[in_ward]]),
        }
    )
    summed = stacked.groupby(["series", "day"], sort=True)[["numerator", "denominator"]].sum(min_count=1)
    series_of = summed.index.get_level_values("series").to_numpy()
    day_of = summed.index.get_level_values("day").to_numpy()

    # One row per day from each series' first day to its last: the days between without an extract are gaps.
    uniq, first_row, counts = np.unique(series_of, return_index=True, return_counts=True)
    first = day_of[first_row]
    last = day_of[first_row + counts - 1]
    length = last - first + 1
    starts = np.cumsum(length) - length
    which = np.repeat(np.arange(len(uniq)), length)
    offset = np.arange(len(which)) - starts[which]
    slot = starts[np.searchsorted(uniq, series_of)] + (day_of - first[np.searchsorted(uniq, series_of)])
    num = np.full(len(which), np.nan)
    den = np.full(len(which), np.nan)
    num[slot] = summed["numerator"].to_numpy(dtype=float)
    den[slot] = summed["denominator"].to_numpy(dtype=float)
    ratio = is_ratio[uniq % len(ids)][which] if len(ids) else np.zeros(0, bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(ratio, num / np.where(den > 0, den, np.nan), num)

    scope_of = uniq // max(len(ids), 1)
    metric_of = uniq % max(len(ids), 1)
    sid = [f"{keys[s]}|{ids[m]}" for s, m in zip(scope_of, metric_of, strict=True)]
    kinds = ["trust", "site", "ward"]
    kind_of = np.where(scope_of == 0, 0, np.where(scope_of <= n_sites, 1, 2))
    return pd.DataFrame(
        {
            "series_id": pd.Categorical.from_codes(which, categories=sid) if sid else pd.Categorical([]),
            "metric_id": pd.Categorical.from_codes(metric_of[which], categories=ids) if ids else pd.Categorical([]),
            "scope": pd.Categorical.from_codes(scope_of[which], categories=keys),
            "scope_kind": pd.Categorical.from_codes(kind_of[which], categories=kinds),
            "date": (first[which] + offset).astype("datetime64[D]").astype("datetime64[ns]"),
            "value": value,
            "numerator": num,
            "denominator": den,
        }
    )


def spc_for_store(
    engine: Engine, cfg: AppConfig, metric_ids: Iterable[str] | None = None, ward_codes: Iterable[str] | None = None
) -> SpcManyResult:
    """SPC for every metric (or those listed) of every ward, every site and the trust, in one ``spc_many`` call.

    Series ids are ``series_id(metric_id, scope)``: 'ward:7A|aki', 'site:RGH|aki', 'trust|aki'.
    Improvement comes from the metric's direction, the target from its YAML, rebase dates from
    ``cfg.dashboard.spc_rebase``. Values are in the stored units (a ratio as a fraction, its target too).
    The summary carries three more columns than ``spc_many``'s: metric_id, scope (its key) and scope_kind.
    With ``ward_codes``, only those wards' own series (a huddle board needs its ward's, not a region's): their
    history alone is read, and no site or trust series is made from it.
    """
    wanted = None if metric_ids is None else set(metric_ids)
    definitions = [m for m in cfg.metrics if wanted is None or m.id in wanted]
    if wanted is not None and (unknown := wanted - {m.id for m in definitions}):
        raise UserFacingError(
            f"Unknown metric(s) {', '.join(sorted(unknown))}; metrics are defined in config/metrics.yaml."
        )
    wards = None if ward_codes is None else sorted({c.upper() for c in ward_codes})
    history = queries.daily_history_all(engine, [m.id for m in definitions], wards)
    series = store_series(cfg, history, definitions)
    if wards is not None:
        keys = {f"ward:{w.code}" for w in cfg.wards.wards if w.code.upper() in wards}
        series = series[series["scope"].isin(keys)]
        series = series.assign(series_id=series["series_id"].cat.remove_unused_categories())
    improvement = {m.id: IMPROVEMENT[m.direction] for m in definitions}
    target = {m.id: np.nan if m.target is None else float(m.target) for m in definitions}
    metric_id = series["metric_id"].astype(str)
    frame = pd.DataFrame(
        {
            "series_id": series["series_id"],
            "date": series["date"],
            "value": series["value"],
            "improvement": metric_id.map(improvement),
            "target": metric_id.map(target).astype(float),
        }
    )
    heads = (
        series.drop_duplicates("series_id")[["series_id", "metric_id", "scope", "scope_kind"]]
        .astype(str)
        .set_index("series_id")
    )
    rebase = None
    if cfg.dashboard.spc_rebase:
        rebase = {}
        for sid, row in heads.iterrows():
            dates = rebase_dates(cfg, row["metric_id"], Scope.from_key(row["scope"]))
            if dates:
                rebase[sid] = dates
    result = spc_many(frame, rebase=rebase)
    summary = result.summary.copy()
    summary["series_id"] = summary["series_id"].astype(str)
    summary = summary.join(heads, on="series_id")
    return SpcManyResult(points=result.points, summary=summary)
