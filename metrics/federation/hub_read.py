"""What the system view reads from the hub: trusts, comparable metrics, the grid, funnels, outliers, SPC.

Why this exists: ``dashboard/views/system.py`` only draws. Everything it shows is worked out here from the
hub's stored aggregates (``metrics.store.hub``), with one rule above all: a metric is compared only between
trusts that define it the same way (the same definition hash). A metric two trusts define differently
becomes two *variants*, each drawn on its own and flagged; never one chart.

The funnel compares units over one calendar month (the bundle's month totals, which arrive with disclosure
control already applied): a withheld value is left out of the funnel and counted, never guessed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from metrics.spc.xmr import SpcResult, spc
from metrics.stats.funnel import Funnel, Kind, funnel
from metrics.store import hub

IMPROVEMENT = {"lower_is_better": "decrease", "higher_is_better": "increase", "neutral": "neutral"}


@dataclass(frozen=True)
class MetricVariant:
    """One metric as a group of trusts defines it (one definition hash)."""

    metric_id: str
    definition_hash: str
    label: str
    is_ratio: bool
    display: str
    direction: str
    trusts: tuple[str, ...]
    conflicting: bool  # other trusts define this metric differently
    short_label: str = ""
    per: int = 1  # display 'rate': the value is shown per this many of the denominator (1,000 bed days)
    unit: str = ""  # the definition's unit ("per 1,000 occupied bed days"), for a chart's axis

    @property
    def column(self) -> str:
        """A grid column's head: the short label, with the definition when trusts differ."""
        text = self.short_label or self.label
        return f"{text} ({self.definition_hash[:8]})" if self.conflicting else text

    @property
    def key(self) -> str:
        return f"{self.metric_id}@{self.definition_hash[:8]}"

    @property
    def title(self) -> str:
        if not self.conflicting:
            return self.label
        return f"{self.label} (definition {self.definition_hash[:8]}: {', '.join(self.trusts)})"


@dataclass(frozen=True)
class SystemHub:
    trusts: pd.DataFrame  # the newest bundle of each trust
    wards: pd.DataFrame
    variants: tuple[MetricVariant, ...]
    months: tuple[date, ...]

    @property
    def conflicts(self) -> list[str]:
        """Metric ids that trusts define differently."""
        return sorted({v.metric_id for v in self.variants if v.conflicting})

    def variant(self, key: str) -> MetricVariant | None:
        return next((v for v in self.variants if v.key == key), None)

    def trust_name(self, code: str) -> str:
        names = dict(zip(self.trusts["trust_code"], self.trusts["trust_name"], strict=True))
        return str(names.get(code, code))


def _definition_field(definition: object, name: str) -> object:
    if isinstance(definition, str):
        definition = json.loads(definition)
    return definition.get(name) if isinstance(definition, dict) else None


def _short_label(definition: object) -> str:
    return str(_definition_field(definition, "short_label") or "")


def _per(definition: object) -> int:
    per = _definition_field(definition, "per")
    return per if isinstance(per, int) and per > 0 else 1


def variants_of(definitions: pd.DataFrame) -> tuple[MetricVariant, ...]:
    """Group each metric's trusts by definition hash, in first-seen metric order."""
    out = []
    for metric_id, rows in definitions.groupby("metric_id", sort=False):
        hashes = rows.groupby("definition_hash", sort=True)
        for digest, group in hashes:
            first = group.iloc[0]
            out.append(
                MetricVariant(
                    str(metric_id),
                    str(digest),
                    str(first["label"]),
                    bool(first["is_ratio"]),
                    str(first["display"]),
                    str(first["direction"]),
                    tuple(sorted(group["trust_code"].astype(str))),
                    hashes.ngroups > 1,
                    _short_label(first.get("definition")),
                    _per(first.get("definition")),
                    str(_definition_field(first.get("definition"), "unit") or ""),
                )
            )
    return tuple(out)


def load_hub(engine: Engine) -> SystemHub:
    definitions = hub.definitions(engine)
    return SystemHub(hub.bundles(engine), hub.wards(engine), variants_of(definitions), tuple(hub.months(engine)))


def grid(
    engine: Engine, system: SystemHub, month: date, level: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Units (rows) by metric variants (columns) for one month: the values, where a value was withheld, and where
    the trust's extract did not supply an optional input the metric reads.

    A cell is NaN where the trust does not share the column's definition, sent nothing, had it withheld
    (the second frame says which) or did not supply it (the third).
    """
    values = hub.values(engine, period="month", levels=(level,), day=month)
    if values.empty:
        return pd.DataFrame(), pd.DataFrame(), pd.DataFrame()
    if level == "trust":
        values["unit"] = values["trust_code"]
    else:
        values["unit"] = values["trust_code"] + " · " + values["unit_code"]
    columns: dict[str, pd.Series] = {}
    withheld: dict[str, pd.Series] = {}
    absent: dict[str, pd.Series] = {}
    for variant in system.variants:
        rows = values[(values["metric_id"] == variant.metric_id) & values["trust_code"].isin(variant.trusts)]
        columns[variant.key] = rows.set_index("unit")["value"]
        withheld[variant.key] = rows.set_index("unit")["suppressed"]
        absent[variant.key] = rows.set_index("unit")["not_supplied"]
    table = pd.DataFrame(columns).sort_index()
    return (
        table,
        pd.DataFrame(withheld).reindex(table.index).fillna(False).astype(bool),
        pd.DataFrame(absent).reindex(table.index).fillna(False).astype(bool),
    )


def breakdown(engine: Engine, system: SystemHub, variant: MetricVariant, month: date, level: str) -> pd.DataFrame:
    """One variant's month values with their parts, per trust or per ward: trust, site, ward, numbers, withheld."""
    values = hub.values(engine, period="month", levels=(level,), metric_ids=(variant.metric_id,), day=month)
    values = values[values["trust_code"].isin(variant.trusts)].copy()
    if level == "ward":
        names = system.wards.set_index(["trust_code", "ward_code"])
        key = pd.MultiIndex.from_frame(values[["trust_code", "unit_code"]])
        values["site_code"] = names["site_code"].reindex(key).to_numpy()
        values["ward_name"] = names["ward_name"].reindex(key).to_numpy()
    return values.sort_values(["trust_code", "unit_code"]).reset_index(drop=True)


def funnel_kind(variant: MetricVariant, units: pd.DataFrame) -> Kind:
    """A percentage whose numerators never exceed their denominators is a proportion; anything else (``display:
    rate`` always) a rate, with Poisson limits."""
    if variant.display == "rate":
        return Kind.RATE
    if variant.display == "percent" and bool((units["numerator"] <= units["denominator"]).all()):
        return Kind.PROPORTION
    return Kind.RATE


@dataclass(frozen=True)
class FunnelData:
    units: pd.DataFrame  # trust_code, unit_code, label, numerator, denominator, value, z, beyond_95, beyond_998
    funnel: Funnel | None
    withheld: int  # units left out because disclosure control withheld their numbers
    not_supplied: tuple[str, ...] = ()  # trusts left out: their extracts did not supply an input the metric reads


def _centre_from_trust_totals(engine: Engine, variant: MetricVariant, month: date) -> tuple[float, str] | None:
    """The system value from the trusts' own month totals, which count the wards whose numbers were withheld.

    Withholding 1 to 7 leaves the wards with 0 or 8 and more: their pooled value is not the system's. A trust's
    total is far more often above the threshold; when every trust sharing the definition sent one, their sum is the
    centre line. None (pool what is shown) when any trust's total is itself withheld, absent or not supplied.
    """
    totals = hub.values(engine, period="month", levels=("trust",), metric_ids=(variant.metric_id,), day=month)
    totals = totals[totals["trust_code"].isin(variant.trusts)]
    if (
        set(totals["trust_code"]) != set(variant.trusts)
        or totals["suppressed"].any()
        or totals["not_supplied"].any()
        or totals["numerator"].isna().any()
        or float(totals["denominator"].sum()) <= 0
    ):
        return None
    value = float(totals["numerator"].sum() / totals["denominator"].sum())
    return value, "the trusts' totals, which include the wards withheld"


def funnel_units(engine: Engine, system: SystemHub, variant: MetricVariant, month: date, level: str) -> FunnelData:
    """Each unit (ward or trust) of the trusts sharing the variant's definition, over ``month``, and its funnel."""
    values = hub.values(engine, period="month", levels=(level,), metric_ids=(variant.metric_id,), day=month)
    values = values[values["trust_code"].isin(variant.trusts)]
    withheld = int(values["suppressed"].sum())
    absent = tuple(sorted(set(values.loc[values["not_supplied"], "trust_code"].astype(str))))
    units = values[~values["suppressed"] & (values["denominator"] > 0) & values["numerator"].notna()].copy()
    if level == "ward":
        names = system.wards.set_index(["trust_code", "ward_code"])
        key = pd.MultiIndex.from_frame(units[["trust_code", "unit_code"]])
        units["site_code"] = names["site_code"].reindex(key).to_numpy()
        units["ward_name"] = names["ward_name"].reindex(key).to_numpy()
        units["label"] = units["trust_code"] + " · " + units["unit_code"]
    else:
        units["label"] = units["trust_code"].map(system.trust_name)
    if units.empty:
        return FunnelData(units, None, withheld, absent)
    centre = None
    if level == "ward" and withheld:
        centre = _centre_from_trust_totals(engine, variant, month) or (
            float(units["numerator"].sum() / units["denominator"].sum()),
            f"the wards shown pooled: the {withheld} withheld are not in it, and it is biased by their absence",
        )
    made = funnel(funnel_kind(variant, units), units["numerator"], units["denominator"], centre=centre)
    units["expected"] = made.target
    units["z"] = made.z
    units["beyond_95"] = made.beyond_95
    units["beyond_998"] = made.beyond_998
    return FunnelData(units.reset_index(drop=True), made, withheld, absent)


def outlier_table(data: FunnelData) -> pd.DataFrame:
    """Units beyond the 99.8 % limits with their numbers, in trust and unit order (not ranked: not a league table)."""
    if data.funnel is None:
        return pd.DataFrame()
    out = data.units[data.units["beyond_998"]].copy()
    out["side"] = np.where(out["value"] > out["expected"], "above", "below")
    return out.sort_values(["trust_code", "unit_code"]).reset_index(drop=True)


def trust_spc(engine: Engine, variant: MetricVariant) -> dict[str, SpcResult]:
    """Each trust's daily XmR chart of the variant (same rules as the trust's own boards); withheld days are gaps.
    A rate is charted per its ``per`` (falls per 1,000 bed days), as the funnel and the grids read it."""
    values = hub.values(engine, period="day", levels=("trust",), metric_ids=(variant.metric_id,))
    scale = variant.per if variant.display == "rate" else 1  # a rate charted as read: per 1,000 bed days
    out = {}
    for trust in variant.trusts:
        rows = values[values["trust_code"] == trust].sort_values("day")
        if rows.empty:
            continue
        value = rows["value"].where(~rows["suppressed"]) * scale
        out[trust] = spc(pd.to_datetime(rows["day"]), value, IMPROVEMENT.get(variant.direction, "neutral"))
    return out
