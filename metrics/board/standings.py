"""Ward standings (reds and ambers per ward) and site and trust totals, for every ward and metric at once.

Why this exists: the executive wall ranks wards by how many measures are red,
then amber, and shows a total row per site and for the trust. Totals follow the
one rule the store uses for any group of wards (``metrics.store.queries.aggregate_series``):
a count is summed (its value stands in for a missing numerator), a ratio is
recomputed from summed numerators and denominators (never an average of
percentages), and a group with no value at all is a gap (None), never a zero.
Both are whole-frame operations over a snapshot's ward values, computed once per snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from metrics.config.models import Site, Ward
from metrics.evaluate.definitions import MetricDefinition

STANDING_COLUMNS = ["reds", "ambers", "red_labels", "amber_labels"]
TRUST = "trust"


def site_scope(site_code: str) -> str:
    """The totals' row key for a site."""
    return f"site:{site_code}"


def _definitions_frame(definitions: Sequence[MetricDefinition]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "metric_id": [d.id for d in definitions],
            "label": [d.label for d in definitions],
            "position": range(len(definitions)),
            "is_ratio": [d.ratio is not None for d in definitions],
        }
    )


def _keyed(values: pd.DataFrame) -> pd.DataFrame:
    """Ward values with upper-case ward codes, one row per (ward, metric)."""
    if values.empty:
        return pd.DataFrame(columns=["ward_code", "metric_id", "value", "numerator", "denominator", "rag"])
    frame = values.reset_index() if "ward_code" not in values.columns else values
    frame = frame.assign(ward_code=frame["ward_code"].astype(str).str.upper())
    return frame.drop_duplicates(["ward_code", "metric_id"])


def ward_standings(
    values: pd.DataFrame, wards: Sequence[Ward], definitions: Sequence[MetricDefinition]
) -> pd.DataFrame:
    """One row per ward (indexed by its configured code, in config order): reds, ambers, and the red and amber
    metrics' labels in the order of ``definitions``. Only ``definitions`` count; a metric without a RAG counts
    as neither."""
    index = pd.Index([w.code for w in wards], name="ward_code")
    defs = _definitions_frame(definitions)
    frame = _keyed(values).merge(defs, on="metric_id", how="inner")
    frame = frame[frame["rag"].isin(["red", "amber"])].sort_values(["ward_code", "position"])
    labels = frame.groupby(["ward_code", "rag"])["label"].agg(tuple).unstack("rag")
    upper = pd.Index([w.code.upper() for w in wards])
    out = pd.DataFrame(index=upper)
    for rag, column in (("red", "red_labels"), ("amber", "amber_labels")):
        picked = labels[rag] if rag in labels.columns else pd.Series(dtype=object)
        out[column] = [t if isinstance(t, tuple) else () for t in picked.reindex(upper)]
    out["reds"] = out["red_labels"].map(len).astype(int)
    out["ambers"] = out["amber_labels"].map(len).astype(int)
    out.index = index
    return out[STANDING_COLUMNS]


def most_in_need(standings: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """The wards with the most reds, then the most ambers (then by code); wards with neither are left out."""
    needing = standings[(standings["reds"] > 0) | (standings["ambers"] > 0)]
    ranked = needing.assign(_code=needing.index).sort_values(
        ["reds", "ambers", "_code"], ascending=[False, False, True]
    )
    return ranked.drop(columns="_code").head(top)


def totals(
    values: pd.DataFrame, wards: Sequence[Ward], sites: Sequence[Site], definitions: Sequence[MetricDefinition]
) -> pd.DataFrame:
    """Each metric of ``definitions`` totalled per site and for the trust.

    Rows: ``site:CODE`` for every site with a ward (config order), then ``trust``; columns: metric ids;
    a cell with no value in any of its wards is NaN. Counts are summed, ratios recomputed from summed parts.
    """
    site_of = pd.DataFrame({"ward_code": [w.code.upper() for w in wards], "site": [w.site for w in wards]})
    defs = _definitions_frame(definitions)
    frame = _keyed(values).merge(site_of, on="ward_code", how="inner").merge(defs, on="metric_id", how="inner")
    numerator = frame["numerator"].astype("float64")
    value = frame["value"].astype("float64")
    frame = frame.assign(
        numerator=numerator.where(frame["is_ratio"], numerator.fillna(value)),
        denominator=frame["denominator"].astype("float64"),
    )
    parts = pd.concat(
        [
            frame.assign(scope=frame["site"].map(site_scope)),
            frame.assign(scope=TRUST),
        ]
    )
    summed = parts.groupby(["scope", "metric_id"])[["numerator", "denominator"]].sum(min_count=1).reset_index()
    summed = summed.merge(defs[["metric_id", "is_ratio"]], on="metric_id")
    ratio = summed["numerator"] / summed["denominator"].where(summed["denominator"] > 0)
    summed["value"] = ratio.where(summed["is_ratio"], summed["numerator"])
    table = summed.pivot(index="scope", columns="metric_id", values="value")
    with_wards = {w.site for w in wards}
    scopes = [site_scope(s.code) for s in sites if s.code in with_wards] + [TRUST]
    return table.reindex(index=scopes, columns=[d.id for d in definitions]).astype("float64")


def standing_totals(standings: pd.DataFrame, wards: Sequence[Ward], sites: Sequence[Site]) -> pd.DataFrame:
    """Reds and ambers summed per site (``site:CODE``, sites with wards, config order) and for the ``trust``."""
    site_of = pd.Series({w.code: w.site for w in wards})
    by_site = standings[["reds", "ambers"]].groupby(site_of.reindex(standings.index).map(site_scope)).sum()
    trust = standings[["reds", "ambers"]].sum().to_frame(TRUST).T
    with_wards = {w.site for w in wards}
    scopes = [site_scope(s.code) for s in sites if s.code in with_wards] + [TRUST]
    return pd.concat([by_site, trust]).reindex(scopes).fillna(0).astype(int)
