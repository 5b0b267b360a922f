"""``export-aggregate``: a trust's aggregate bundle, built from its store, with small numbers withheld.

Why this exists: the system hub needs every ward's daily numbers without a single patient row. This module
reads the store's daily history (one value per ward, metric and London day: the day's latest snapshot),
adds the sums the hub shows (each ward's month; each site's and the trust's day and month), withholds small
counts and whatever would give them away (``metrics.federation.disclosure``), adds the trust's equity splits per
whole month, disclosure controlled in the same way (``metrics.federation.equity_bundle``) and writes the bundle
(``metrics.federation.bundle``). Nothing here reads an encounter, a patient or a drill-down row: the bundle
is made from ward values only, and a test scans it for every identifier of the extract.

A bundle covers whole calendar months, from the month of ``since`` to the latest day, so that every month's
total arrives with all of its days. Wards not in config/wards.yaml are left out (their rows were quarantined
when they were loaded).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from metrics.config.models import AppConfig
from metrics.errors import UserFacingError
from metrics.evaluate.definitions import metric_as_dict
from metrics.export.spreadsheet_csv import safe_csv
from metrics.extract.contract import CONTRACT_VERSION
from metrics.federation.bundle import (
    BUNDLE_FORMAT,
    DEFINITIONS_FILE,
    EQUITY_FILE,
    VALUE_COLUMNS,
    VALUES_FILE,
    WARD_COLUMNS,
    WARDS_FILE,
    write_manifest,
)
from metrics.federation.definitions import definition_hash, protected_parts
from metrics.federation.disclosure import DEFAULT_THRESHOLD, SOURCE, Line, primary, secondary
from metrics.federation.equity_bundle import EQUITY_COLUMNS, build_equity
from metrics.federation.not_supplied import not_supplied_rows
from metrics.store import equity as stored_equity
from metrics.store import queries


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    rows: int
    withheld: int
    first_day: date
    last_day: date
    manifest_sha256: str


def _levels(history: pd.DataFrame) -> pd.DataFrame:
    """Ward-day rows plus the ward-month, site-day, site-month, trust-day and trust-month sums of their parts."""
    parts = ["numerator", "denominator"]
    if "not_supplied" not in history:
        history = history.assign(not_supplied=False)
    frames = []
    for level, unit in (("ward", "ward_code"), ("site", "site_code"), ("trust", None)):
        for period, when in (("day", "date"), ("month", "month")):
            keys = ["metric_id", when] + ([unit] if unit else []) + (["site_code"] if level == "ward" else [])
            grouped = history.groupby(keys, sort=False, observed=True)
            summed = grouped[parts].sum(min_count=1)
            summed["not_supplied"] = grouped["not_supplied"].all()  # a sum of days or wards none of which had it
            summed = summed.reset_index()
            frames.append(
                pd.DataFrame(
                    {
                        "metric_id": summed["metric_id"],
                        "level": level,
                        "unit_code": summed[unit] if unit else "",
                        "site_code": summed["site_code"] if level != "trust" else "",
                        "period": period,
                        "day": summed[when],
                        "month": summed[when].dt.to_period("M").dt.start_time,
                        "numerator": summed["numerator"],
                        "denominator": summed["denominator"],
                        "not_supplied": summed["not_supplied"],
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def _lines(cells: pd.DataFrame) -> list[Line]:
    """The sums the table publishes (see ``metrics.federation.disclosure``)."""
    level, period = cells["level"].to_numpy(), cells["period"].to_numpy()

    def at(lv: str, pd_: str) -> np.ndarray:
        mask: np.ndarray = (level == lv) & (period == pd_)
        return mask

    return [
        Line(at("ward", "day"), at("ward", "month"), ["metric_id", "unit_code", "month"]),
        Line(at("ward", "day"), at("site", "day"), ["metric_id", "site_code", "day"]),
        Line(at("ward", "month"), at("site", "month"), ["metric_id", "site_code", "day"]),
        Line(at("site", "day"), at("site", "month"), ["metric_id", "unit_code", "month"]),
        Line(at("site", "day"), at("trust", "day"), ["metric_id", "day"]),
        Line(at("site", "month"), at("trust", "month"), ["metric_id", "day"]),
        Line(at("trust", "day"), at("trust", "month"), ["metric_id", "month"]),
    ]


def disclosure_controlled(
    values: pd.DataFrame, protect: dict[str, tuple[bool, bool]], ratios: set[str], threshold: int
) -> pd.DataFrame:
    """``values`` with withheld parts blanked, the value recomputed, and ``suppressed`` set where the value is withheld.

    ``protect`` says per metric whether its numerator and denominator count individuals; ``ratios`` names the
    ratio metrics (the others are counts, whose value is their numerator).
    """
    values = values.reset_index(drop=True)
    withheld = {}
    lines = _lines(values)
    for i, part in enumerate(("numerator", "denominator")):
        flag = values["metric_id"].map({m: p[i] for m, p in protect.items()}).fillna(False).to_numpy(dtype=bool)
        counts = values[part].to_numpy(dtype=float)
        first = primary(counts, flag, threshold)
        cells = values.assign(count=np.where(flag, counts, np.nan))
        withheld[part] = secondary(cells, first, lines) if first.any() else first
    out = values.copy()
    out.loc[withheld["numerator"], "numerator"] = np.nan
    out.loc[withheld["denominator"], "denominator"] = np.nan
    ratio = out["numerator"] / out["denominator"].where(out["denominator"] > 0)
    out["value"] = ratio.where(out["metric_id"].isin(ratios), out["numerator"])
    out["suppressed"] = withheld["numerator"] | withheld["denominator"]
    out.loc[out["suppressed"], "value"] = np.nan
    return out


def build_values(
    history: pd.DataFrame, cfg: AppConfig, since: date | None, threshold: int, supplied: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, date, date]:
    """The bundle's values table from ``queries.daily_history_all``; also its first and last day.

    ``supplied`` (``queries.supplied_per_day``) marks the values whose optional inputs were not supplied.
    """
    site_of = {w.code.upper(): w.site for w in cfg.wards.wards}
    ratios = {m.id for m in cfg.metrics if m.ratio is not None}
    frame = history[history["metric_id"].isin({m.id for m in cfg.metrics})].copy()
    frame["ward_code"] = frame["ward_code"].astype(str).str.upper()
    frame = frame[frame["ward_code"].isin(site_of)]
    if frame.empty:
        raise UserFacingError("export-aggregate: the store holds no ward values to export; load an extract first.")
    frame["date"] = pd.to_datetime(frame["date"])
    last_day = frame["date"].max().date()
    start = pd.Timestamp(since or last_day).to_period("M").start_time
    frame = frame[frame["date"] >= start]
    if frame.empty:
        raise UserFacingError(
            f"export-aggregate: no ward values on or after {start.date()}; choose an earlier --since."
        )
    count = ~frame["metric_id"].isin(ratios)
    frame["numerator"] = frame["numerator"].where(~count | frame["numerator"].notna(), frame["value"])
    frame.loc[count, "denominator"] = np.nan
    frame["not_supplied"] = not_supplied_rows(frame, cfg, supplied)
    frame["site_code"] = frame["ward_code"].map(site_of)
    frame["month"] = frame["date"].dt.to_period("M").dt.start_time
    values = _levels(frame)
    protect = {m.id: protected_parts(m) for m in cfg.metrics}
    out = disclosure_controlled(values, protect, ratios, threshold)
    out["day"] = out["day"].dt.date
    first_day = frame["date"].min().date()
    return out[VALUE_COLUMNS].sort_values(["metric_id", "level", "unit_code", "period", "day"]), first_day, last_day


def export_bundle(
    engine: Engine,
    cfg: AppConfig,
    out: Path,
    *,
    since: date | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    now: datetime | None = None,
) -> ExportResult:
    """Write the bundle into the new folder ``out`` (refused if it exists and is not empty)."""
    if threshold < 0:
        raise UserFacingError(f"export-aggregate: --suppress-up-to must be 0 or more, got {threshold}")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise UserFacingError(f"export-aggregate: {out} is not empty; give a new folder for the bundle.")
    history = queries.daily_history_all(engine, [m.id for m in cfg.metrics])
    values, first_day, last_day = build_values(history, cfg, since, threshold, queries.supplied_per_day(engine))
    daily = stored_equity.daily_split_totals(engine, [w.code for w in cfg.wards.wards])
    daily = daily[daily["metric_id"].isin({m.id for m in cfg.metrics})]
    equity = build_equity(daily, first_day, last_day, threshold)
    current = queries.current_snapshot(engine)
    extracted = current.extracted_at if current else None
    return write_bundle(
        out, cfg, values, first_day, last_day, threshold, now or datetime.now(UTC), extracted, equity=equity
    )


def write_bundle(
    out: Path,
    cfg: AppConfig,
    values: pd.DataFrame,
    first_day: date,
    last_day: date,
    threshold: int,
    now: datetime,
    data_extracted_at: datetime | None,
    *,
    equity: pd.DataFrame | None = None,
) -> ExportResult:
    """Write the bundle's files for ``values`` (``build_values``' output) and ``equity`` (``build_equity``'s; None:
    no splits, an empty table) and its manifest into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / VALUES_FILE).write_bytes(safe_csv(values))
    (out / EQUITY_FILE).write_bytes(safe_csv(pd.DataFrame(columns=EQUITY_COLUMNS) if equity is None else equity))
    sites = {s.code: s.name for s in cfg.wards.sites}
    wards = pd.DataFrame(
        [(w.code.upper(), w.name, w.site, sites.get(w.site, w.site)) for w in cfg.wards.wards], columns=WARD_COLUMNS
    )
    (out / WARDS_FILE).write_bytes(safe_csv(wards))  # a ward name is text from config: never a spreadsheet formula
    definitions: list[dict[str, Any]] = [
        {
            "metric_id": m.id,
            "definition_hash": definition_hash(m),
            "label": m.label,
            "is_ratio": m.ratio is not None,
            "display": m.display,
            "direction": m.direction.value,
            "definition": metric_as_dict(m),
        }
        for m in cfg.metrics
    ]
    (out / DEFINITIONS_FILE).write_text(json.dumps(definitions, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    manifest = {
        "bundle_format": BUNDLE_FORMAT,
        "trust_code": cfg.dashboard.trust_code,
        "trust_name": cfg.dashboard.trust_name,
        "exported_at": now.astimezone(UTC).isoformat(),
        "data_extracted_at": data_extracted_at.isoformat() if data_extracted_at else None,
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
        "contract_version": CONTRACT_VERSION,
        "config_fingerprint": cfg.fingerprint,
        "disclosure_control": {
            "suppressed_from": 1,
            "suppressed_up_to": threshold,
            "secondary": True,
            "source": SOURCE,
        },
    }
    digest = write_manifest(out, manifest)
    return ExportResult(out, len(values), int(values["suppressed"].sum()), first_day, last_day, digest)
