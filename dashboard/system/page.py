"""The system view's layout: trusts, the funnel plot and its outliers, per-trust SPC, frailty, and the grids.

Why this exists: an integrated care board compares trusts and their wards to find unwarranted variation,
not to rank them. The page leads with the funnel plot of one proportion or rate (limits and any
over-dispersion adjustment stated on the chart) and the units beyond its 99.8 % limits, listed by trust
and code with their numbers (not a league table); then each trust's SPC chart of the same measure, the
frailty measures by trust and ward, the equity splits per trust, and every measure by trust, site and ward for
the month. Everything comes from the hub's aggregate bundles (``metrics.federation.hub_read``); a metric that
trusts define differently is shown as separate variants, each named, and never mixed.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.common import store_access
from dashboard.common.formatting import number_text, percent_text, rate_text
from dashboard.system.equity_panel import render_system_equity
from metrics.federation.hub_read import MetricVariant, SystemHub
from metrics.report.funnel_chart import funnel_figure
from metrics.report.spc_chart import assurance_icon_label, spc_figure, variation_icon_label

WITHHELD = "* (withheld)"
NOT_SUPPLIED = "not supplied"  # the trust's extract lacked an optional input the measure reads: never a zero
LEVELS = {"ward": "Wards", "trust": "Trusts"}
FRAILTY_PREFIX = "frailty_"  # metrics.yaml entries whose id starts so appear in the frailty section


def _value_text(variant: MetricVariant, value: float | None) -> str:
    if variant.display == "rate":
        return rate_text(value, variant.per)
    return percent_text(value) if variant.display in ("percent", "staffing") else number_text(value)


def _choice(key: str, options: list[str], default: str) -> str:
    """The query parameter ``key`` if it names an option, else ``default``."""
    wanted = st.query_params.get(key)
    return wanted if wanted in options else default


def render_system_page() -> None:
    db_url = store_access.database_url()
    generation = store_access.hub_generation(db_url)
    system = store_access.system_hub(db_url, generation)
    st.header("System view: every trust")
    if system.trusts.empty or not system.months:
        st.info(
            "No trust has sent a bundle yet. Each trust runs `python -m metrics export-aggregate` on a schedule; "
            "the hub loads the bundles with `python -m metrics import-aggregate BUNDLE`."
        )
        return
    _trusts(system)
    months = [m.isoformat()[:7] for m in system.months]
    ratios = [v for v in system.variants if v.is_ratio]
    default = next((v.key for v in ratios if v.metric_id == "frailty_cfs_recorded"), ratios[0].key if ratios else "")
    left, middle, right = st.columns([3, 1, 1])
    with left:
        key = st.selectbox(
            "Measure on the funnel plot",
            [v.key for v in ratios],
            index=[v.key for v in ratios].index(_choice("metric", [v.key for v in ratios], default)),
            format_func=lambda k: system.variant(k).title if system.variant(k) else k,  # type: ignore[union-attr]
            key="system_metric",
        )
    with middle:
        month_text = st.selectbox(
            "Month", months, index=months.index(_choice("month", months, months[0])), key="system_month"
        )
    with right:
        level = st.radio(
            "Units",
            list(LEVELS),
            index=list(LEVELS).index(_choice("level", list(LEVELS), "ward")),
            format_func=LEVELS.get,
            horizontal=True,
            key="system_level",
        )
    st.query_params.update({"metric": key, "month": month_text, "level": level})
    month = date.fromisoformat(month_text + "-01")
    variant = system.variant(key)
    if variant is not None:
        _funnel(db_url, generation, system, variant, month, level)
        _trust_spc(db_url, generation, system, variant)
    _frailty(db_url, generation, system, month)
    render_system_equity(db_url, generation, system)
    _grids(db_url, generation, system, month)


def _trusts(system: SystemHub) -> None:
    rows = system.trusts
    table = pd.DataFrame(
        {
            "Trust": rows["trust_code"] + " · " + rows["trust_name"],
            "Data from": rows["first_day"].astype(str),
            "Data to": rows["last_day"].astype(str),
            "Exported": pd.to_datetime(rows["exported_at"], utc=True).dt.strftime("%Y-%m-%d %H:%M UTC"),
            "Small numbers withheld": "1 to " + rows["suppression_threshold"].astype(str),
        }
    )
    st.table(table.set_index("Trust"))  # plain HTML: the trusts are read (and found) as text
    if system.conflicts:
        st.warning(
            "Defined differently by different trusts, so shown as separate measures and never on one chart: "
            + ", ".join(system.conflicts)
            + "."
        )


def _funnel(db_url: str, generation: int, system: SystemHub, variant: MetricVariant, month: date, level: str) -> None:
    data = store_access.system_funnel(db_url, generation, variant.key, month, level)
    st.subheader(f"Funnel plot: {variant.title}, {month:%B %Y}")
    if data.funnel is None:
        absent = f" Not supplied by {', '.join(data.not_supplied)}." if data.not_supplied else ""
        st.info("No unit has numbers for this measure in this month." + absent)
        return
    names = dict(zip(system.trusts["trust_code"], system.trusts["trust_name"], strict=True))
    figure = _funnel_figure(db_url, generation, variant.key, month, level)
    st.plotly_chart(figure, width="stretch", key="system_funnel")
    note = (
        f" {data.withheld} unit(s) left out: their numbers were withheld by disclosure control."
        if data.withheld
        else ""
    )
    if data.not_supplied:
        note += (
            f" Not supplied by {', '.join(data.not_supplied)}: their extracts lack an optional input this measure "
            "reads, so they are left out (not counted as zero)."
        )
    if variant.display == "rate":
        statement = data.funnel.statement_per(variant.per, variant.unit)
    elif variant.display in ("percent", "staffing"):
        statement = data.funnel.statement_per(100, "%")
    else:
        statement = data.funnel.statement
    st.caption(statement + note)
    st.subheader("Outside the 99.8 % limits")
    st.caption(
        "Units whose value is further from the system's than chance explains (about 1 in 500 by chance alone). "
        "Listed by trust and code, not ranked: this is not a league table. A point here is a question to ask, "
        "not a verdict."
    )
    out = data.units[data.units["beyond_998"]].sort_values(["trust_code", "unit_code"])
    if out.empty:
        st.success("No unit is outside the 99.8 % limits this month.")
        return
    table = pd.DataFrame(
        {
            "Trust": out["trust_code"].map(lambda c: f"{c} · {names.get(c, c)}"),
            "Unit": out["label"] if level == "trust" else out["unit_code"] + " · " + out["ward_name"].fillna(""),
            "Site": out["site_code"] if "site_code" in out else "",
            "Numerator": out["numerator"].map(number_text),
            "Denominator": out["denominator"].map(number_text),
            "Value": out["value"].map(lambda v: _value_text(variant, v)),
            "System value": out["expected"].map(lambda v: _value_text(variant, v)),
            "Where": out["value"].gt(out["expected"]).map({True: "above the limits", False: "below the limits"}),
        }
    )
    st.table(table.set_index("Trust"))  # plain HTML, so a screen reader and a search find each unit


# Figures are built once per hub state and shared (``cache_resource``: drawing a figure never changes it), so a
# warm draw only serialises them; the hub state (the newest import's id) is in every key.
@st.cache_resource(show_spinner=False, max_entries=32)
def _funnel_figure(db_url: str, generation: int, variant_key: str, month: date, level: str) -> go.Figure:
    system = store_access.system_hub(db_url, generation)
    variant = system.variant(variant_key)
    data = store_access.system_funnel(db_url, generation, variant_key, month, level)
    assert variant is not None and data.funnel is not None, variant_key
    names = dict(zip(system.trusts["trust_code"], system.trusts["trust_name"], strict=True))
    return funnel_figure(
        data.units,
        data.funnel,
        variant.label,
        variant.display in ("percent", "staffing"),
        names,
        per=variant.per if variant.display == "rate" else None,
        unit=variant.unit,
    )


@st.cache_resource(show_spinner=False, max_entries=16)
def _spc_figures(db_url: str, generation: int, variant_key: str, unit: str) -> dict[str, go.Figure]:
    system = store_access.system_hub(db_url, generation)
    out = {}
    for trust, chart in store_access.system_trust_spc(db_url, generation, variant_key).items():
        figure = spc_figure(chart, f"{trust} · {system.trust_name(trust)}", unit)
        figure.update_layout(height=320)
        out[trust] = figure
    return out


def _trust_spc(db_url: str, generation: int, system: SystemHub, variant: MetricVariant) -> None:
    charts = store_access.system_trust_spc(db_url, generation, variant.key)
    if not charts:
        return
    st.subheader(f"SPC per trust: {variant.label}")
    st.caption("Each trust's daily value as an XmR chart, with the same rules as the trusts' own boards.")
    columns = st.columns(min(len(charts), 2))
    rate_unit = f" {variant.unit}" if variant.display == "rate" and variant.unit else ""
    unit = "%" if variant.display in ("percent", "staffing") else rate_unit
    figures = _spc_figures(db_url, generation, variant.key, unit)
    for i, (trust, chart) in enumerate(charts.items()):
        with columns[i % len(columns)]:
            st.plotly_chart(figures[trust], width="stretch", key=f"system_spc_{trust}")
            st.caption(f"{variation_icon_label(chart.variation_icon)} · {assurance_icon_label(chart.assurance_icon)}")


def _frailty(db_url: str, generation: int, system: SystemHub, month: date) -> None:
    variants = [v for v in system.variants if v.metric_id.startswith(FRAILTY_PREFIX)]
    if not variants:
        return
    st.subheader(f"Frailty: patients 65 and over, {month:%B %Y}")
    st.caption(
        "From the optional encounter column clinical_frailty_scale (Clinical Frailty Scale). Counts are "
        "patient-days: a patient on the ward for five days counts five times."
    )
    for level, label in (("trust", "By trust"), ("ward", "By ward")):
        table = _frailty_table(db_url, generation, month, level)
        if not table.empty:
            st.markdown(f"**{label}**")
            st.dataframe(table, hide_index=True, width="stretch", key=f"system_frailty_{level}")


@st.cache_data(show_spinner=False, max_entries=16)
def _frailty_table(db_url: str, generation: int, month: date, level: str) -> pd.DataFrame:
    """The frailty measures per trust or ward as the text drawn, cached by hub state."""
    system = store_access.system_hub(db_url, generation)
    frames = []
    for variant in (v for v in system.variants if v.metric_id.startswith(FRAILTY_PREFIX)):
        rows = store_access.system_breakdown(db_url, generation, variant.key, month, level)
        if rows.empty:
            continue
        unit = rows["trust_code"] if level == "trust" else rows["trust_code"] + " · " + rows["unit_code"]
        frames.append(
            pd.DataFrame(
                {
                    "unit": unit,
                    variant.title: [
                        NOT_SUPPLIED
                        if ns
                        else WITHHELD
                        if s
                        else f"{_value_text(variant, v)} ({number_text(n)} of {number_text(d)})"
                        for ns, s, v, n, d in zip(
                            rows["not_supplied"],
                            rows["suppressed"],
                            rows["value"],
                            rows["numerator"],
                            rows["denominator"],
                            strict=True,
                        )
                    ],
                }
            ).set_index("unit")
        )
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, axis=1).fillna("not supplied").reset_index(names="Trust" if level == "trust" else "Ward")


@st.cache_data(show_spinner=False, max_entries=16)
def _grid_text(db_url: str, generation: int, month: date, level: str) -> pd.DataFrame:
    """The month's grid as the text drawn, column by column as whole-frame operations, cached by hub state."""
    system = store_access.system_hub(db_url, generation)
    values, withheld, absent = store_access.system_grid(db_url, generation, month, level)
    if values.empty:
        return pd.DataFrame()
    shown = pd.DataFrame(index=values.index)
    for variant in system.variants:
        if variant.key not in values:
            continue
        column = values[variant.key]
        text = column.map(lambda v, var=variant: _value_text(var, v), na_action="ignore").astype(object).fillna("")
        shown[variant.column] = text.where(~withheld[variant.key], WITHHELD).where(~absent[variant.key], NOT_SUPPLIED)
    return shown.reset_index(names="Unit")


def _grids(db_url: str, generation: int, system: SystemHub, month: date) -> None:
    st.subheader(f"Every measure, {month:%B %Y}")
    st.caption(
        "Month totals: counts are summed over the month's days; ratios are recomputed from summed parts. "
        f"{WITHHELD}: withheld by disclosure control. {NOT_SUPPLIED}: the trust's extract lacks an optional input the "
        "measure reads. Blank: the trust defines the measure differently or did not send it."
    )
    every_ward = st.toggle(
        "Every ward as well (a long table: one row per ward of every trust)", value=False, key="system_every_ward"
    )
    levels = ("trust", "site", "ward") if every_ward else ("trust", "site")
    tabs = st.tabs(["By trust", "By site", "By ward"][: len(levels)])
    for tab, level in zip(tabs, levels, strict=True):
        with tab:
            shown = _grid_text(db_url, generation, month, level)
            if shown.empty:
                st.info("Nothing for this month.")
                continue
            st.dataframe(shown, hide_index=True, width="stretch", key=f"system_grid_{level}")
