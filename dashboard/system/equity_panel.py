"""The system view's equity panel: per trust, a proportion measure split by deprivation, ethnic group, age band or
sex over one month, with each trust's slope index of inequality across deprivation quintiles.

Why this exists: a system compares how fairly its trusts' care falls, not only how much. This panel draws what the
trusts' bundles sent, already disclosure controlled (``metrics.federation.hub_equity``); a withheld group is shown
as suppressed, never as 0, and the SII is the executive view's own sum (``metrics.equity.sii``). It reuses the
executive view's table and wording (``dashboard.equity.section``) so both views read the same. A page calls
``render_system_equity`` once.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard.common import store_access
from dashboard.equity.section import SPLIT_NAMES, groups_table_html, sii_text
from metrics.equity.panel import EquityView
from metrics.equity.sii import NoSlopeIndex
from metrics.federation import hub_equity
from metrics.federation.hub_read import SystemHub

SII_WORDS = (
    "**Slope index of inequality (SII)**: the gap, in percentage points, between the most deprived and the least "
    "deprived ends of a straight line fitted through the five deprivation quintiles, each quintile weighted by its "
    "size. Zero: no gradient. Above zero: the measure is more common among the most deprived patients; below zero, "
    "among the least deprived. The 95 % interval shows how sure the figure is: an interval that crosses zero could "
    "be chance. It is worked out only when no quintile's count was withheld."
)


def _points(value: float | None) -> str:
    return "" if value is None or pd.isna(value) else f"{value * 100:+.1f}"


def _sii_table(views: dict[str, EquityView | NoSlopeIndex], system: SystemHub) -> None:
    rows = hub_equity.sii_table(views, system)
    table = pd.DataFrame(
        {
            "Trust": rows["trust"],
            "SII (percentage points)": rows["sii"].map(_points),
            "95 % interval": [
                "" if pd.isna(lo) else f"{_points(lo)} to {_points(hi)}"
                for lo, hi in zip(rows["lower"], rows["upper"], strict=True)
            ],
            "Why none": rows["note"],
        }
    )
    st.table(table.set_index("Trust"))  # plain HTML: read, and found, as text


def render_system_equity(db_url: str, generation: int, system: SystemHub) -> None:
    """Pick a measure, a split and a month; see each trust's groups and, for deprivation, its SII."""
    st.subheader("Equity: proportion measures by deprivation, ethnic group, age band and sex")
    contents = store_access.system_equity_contents(db_url, generation)
    if not contents.variants or not contents.months:
        st.info(
            "No trust has sent equity splits yet: they come with bundles from `export-aggregate` of this version, "
            "one whole month at a time (the month in progress arrives once it ends)."
        )
        return
    threshold_text = ", ".join(sorted({f"1 to {t}" for t in system.trusts["suppression_threshold"].astype(int)}))
    st.caption(
        "Each trust's month, as its bundle sent it: the daily counts of the month summed (a patient on the ward for "
        "five days counts five times). Deprivation: quintiles of the Index of Multiple Deprivation 2019 (Q1, "
        "deciles 1-2, is the Core20). Ethnic group: the NHS Data Dictionary's broad groups. Whole months only, so "
        "that two days' bundles cannot be subtracted. Counts of "
        f"{threshold_text} were suppressed by the trust before sending, and one more where a total would reveal it."
    )
    by_key = {v.key: v for v in contents.variants}
    left, middle, right = st.columns([3, 2, 1])
    with left:
        key = st.selectbox(
            "Measure", list(by_key), key="system_equity_metric", format_func=lambda k: by_key[k].title
        )
    with middle:
        split = st.selectbox("Split by", list(SPLIT_NAMES), key="system_equity_split", format_func=SPLIT_NAMES.get)
    with right:
        months = [m.isoformat()[:7] for m in contents.months]
        month_text = st.selectbox("Month", months, key="system_equity_month")
    variant = by_key[key]
    views = store_access.system_equity(db_url, generation, key, split, date.fromisoformat(month_text + "-01"))
    if split == "deprivation":
        st.markdown(SII_WORDS)
        _sii_table(views, system)
    columns = st.columns(2)
    for i, (trust, view) in enumerate(views.items()):
        with columns[i % 2]:
            st.markdown(f"**{trust} · {system.trust_name(trust)}**: {variant.label}")
            if isinstance(view, NoSlopeIndex):
                st.caption(f"Nothing to show: {view.reason}.")
                continue
            st.html(groups_table_html(view, of_label="Of (daily counts summed)"))
            if split == "deprivation":
                st.caption(sii_text(view))
