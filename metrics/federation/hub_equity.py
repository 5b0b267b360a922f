"""What the system view's equity panel reads: per trust, a proportion metric split by a group over one month, with
the slope index of inequality across deprivation quintiles where the published counts allow it.

Why this exists: the system view only draws, and it must show exactly what the trust's executive view would show
(``metrics.equity.panel.EquityView``), from what the bundle sent (``metrics.federation.equity_bundle``): the counts
arrive already disclosure controlled, so nothing here withholds anything; a withheld group stays withheld (None,
never 0), and the SII (``metrics.equity.sii``, the same sums as the executive view) is worked out from the five
quintiles only when none of them was withheld. An SII from withheld counts could not be worked out here, and a trust
sending one would, beside its published total, let two withheld groups be solved for.

A metric is compared only between trusts that define it the same way: the panel is per trust, and the variants
(``metrics.federation.hub_read.MetricVariant``) keep trusts with another definition apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from metrics.equity.groups import QUINTILES, SPLITS
from metrics.equity.panel import GROUP_COLUMNS, EquityView
from metrics.equity.sii import NoSlopeIndex, SlopeIndex, slope_index
from metrics.federation.hub_read import MetricVariant, SystemHub
from metrics.store import hub

WITHHELD_QUINTILE = "a deprivation quintile's count was withheld by disclosure control, so no slope can be worked out"
NOT_SENT = "this trust sent no equity splits for the month (a bundle exported before they were added, or no patients)"


@dataclass(frozen=True)
class HubEquity:
    """Which variants have equity splits on the hub, and in which months (newest first)."""

    variants: tuple[MetricVariant, ...]
    months: tuple[date, ...]


def equity_contents(engine: Engine, system: SystemHub) -> HubEquity:
    """The variants with splits from at least one of their trusts (the proportion metrics: a trust splits only
    those), and the months any splits cover."""
    held = hub.equity_contents(engine)
    pairs = set(zip(held["trust_code"], held["metric_id"], strict=True))
    variants = tuple(v for v in system.variants if any((t, v.metric_id) in pairs for t in v.trusts))
    held_months = {m if isinstance(m, date) else date.fromisoformat(str(m)) for m in held["month"]}
    months = tuple(sorted(held_months, reverse=True))
    return HubEquity(variants, months)


def view_of(rows: pd.DataFrame, split: str) -> EquityView:
    """One trust's stored groups of ``split`` as the executive view's ``EquityView``: every group in order (a group
    the bundle did not list as 0 of 0), withheld parts None, and for deprivation the SII or why there is none."""
    label, order = SPLITS[split]
    by_group = {str(r.group_label): r for r in rows.itertuples()}
    out = []
    for group in order:
        row = by_group.get(group)
        if row is None:
            out.append({"group": group, "numerator": 0.0, "denominator": 0.0, "proportion": None, "suppressed": False})
            continue
        numerator = None if pd.isna(row.numerator) else float(row.numerator)
        denominator = None if pd.isna(row.denominator) else float(row.denominator)
        shown = not row.suppressed and numerator is not None and bool(denominator)
        out.append(
            {
                "group": group,
                "numerator": numerator,
                "denominator": denominator,
                "proportion": numerator / denominator if shown and numerator is not None and denominator else None,
                "suppressed": bool(row.suppressed),
            }
        )
    groups = pd.DataFrame(out, columns=GROUP_COLUMNS, dtype=object)
    sii: SlopeIndex | NoSlopeIndex | None = None
    if split == "deprivation":
        quintiles = groups.iloc[: len(QUINTILES)]
        if quintiles["suppressed"].any():
            sii = NoSlopeIndex(WITHHELD_QUINTILE)
        else:
            sii = slope_index(
                [float(n) for n in quintiles["numerator"]], [float(d) for d in quintiles["denominator"]]
            )
    return EquityView(split, label, groups, sii)


def trust_equity(
    engine: Engine, variant: MetricVariant, split: str, month: date
) -> dict[str, EquityView | NoSlopeIndex]:
    """Per trust of the variant (in code order): its ``EquityView`` for the month, or why it has none."""
    stored = hub.equity_values(engine, split, variant.metric_id, month)
    out: dict[str, EquityView | NoSlopeIndex] = {}
    for trust in sorted(variant.trusts):
        rows = stored[stored["trust_code"] == trust]
        out[trust] = NoSlopeIndex(NOT_SENT) if rows.empty else view_of(rows, split)
    return out


def sii_table(views: dict[str, EquityView | NoSlopeIndex], system: SystemHub) -> pd.DataFrame:
    """trust, sii, lower, upper, note: each trust's deprivation SII and its 95 % interval, or why there is none."""
    rows: list[dict[str, object]] = []
    for trust, view in views.items():
        name = f"{trust} · {system.trust_name(trust)}"
        sii = view.sii if isinstance(view, EquityView) else view
        if sii is None or isinstance(sii, NoSlopeIndex):
            note = sii.reason if isinstance(sii, NoSlopeIndex) else ""
            rows.append({"trust": name, "sii": None, "lower": None, "upper": None, "note": note})
        else:
            rows.append({"trust": name, "sii": sii.sii, "lower": sii.lower, "upper": sii.upper, "note": ""})
    return pd.DataFrame(rows, columns=["trust", "sii", "lower", "upper", "note"])
