"""The executive wall's accreditation section: every ward's level, the spread per site, overdue revisits, mismatches.

Why this exists: a board needs assurance, not reassurance: beside each
ward's level it sees where the live data disagrees (``metrics.accreditation
.triangulation``), with the evidence and a link to the chart behind it. The
exec page calls ``render_accreditation_exec(board)`` once; everything else
is here. Aggregate only: no patient is named.
"""

from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.accreditation.badge import ACCREDITATION_CSS, badge_html
from dashboard.accreditation.panel import london_today
from dashboard.common import store_access
from dashboard.common.board import Board
from metrics.accreditation.config import ACCREDITATION_FILE, AccreditationConfig
from metrics.accreditation.evidence import Triangulated
from metrics.accreditation.levels import is_overdue
from metrics.errors import ConfigError

NOT_VISITED = "Not yet accredited"


def levels_table(board: Board, acfg: AccreditationConfig, result: Triangulated) -> pd.DataFrame:
    """One row per ward of the configuration: site, ward, level, last visit, next visit and whether it is overdue."""
    today = london_today().date()
    latest = {str(r.ward_code).upper(): r for r in result.latest.itertuples()}
    rows = []
    for ward in board.cfg.wards.wards:
        visit = latest.get(ward.code.upper())
        rows.append(
            {
                "Site": ward.site,
                "Ward": f"{ward.code} · {ward.name}",
                "Level": NOT_VISITED if visit is None else acfg.level_label(visit.level),
                "Last visit": "" if visit is None else visit.assessed_on.strftime("%d %b %Y"),
                "Next visit due": "" if visit is None else visit.next_visit.strftime("%d %b %Y"),
                "Overdue": False if visit is None else is_overdue(visit.next_visit, today),
            }
        )
    return pd.DataFrame(rows)


def spread_table(acfg: AccreditationConfig, levels: pd.DataFrame) -> pd.DataFrame:
    """Wards per level per site (highest level first), with the trust's total."""
    order = [acfg.level_label(c) for c in reversed(acfg.level_codes())] + [NOT_VISITED]
    counts = pd.crosstab(levels["Site"], levels["Level"]).reindex(columns=order, fill_value=0)
    counts.loc["Trust"] = counts.sum()
    return counts.reset_index().rename(columns={"index": "Site"})


def overdue_html(levels: pd.DataFrame) -> str:
    """The wards whose next visit is overdue, with the level and the date it was due."""
    overdue = levels[levels["Overdue"]]
    items = "".join(
        f'<li data-overdue="{escape(str(r["Ward"]).split(" · ")[0])}">{escape(str(r["Ward"]))}: '
        f"{escape(str(r['Level']))}, due {escape(str(r['Next visit due']))}</li>"
        for _, r in overdue.iterrows()
    )
    return f'<p data-overdue-count="{len(overdue)}"><b>Overdue revisits: {len(overdue)}</b></p><ul>{items}</ul>'


def mismatches_html(acfg: AccreditationConfig, result: Triangulated) -> str:
    if not result.mismatches:
        return '<p data-mismatches="0">No ward\'s level disagrees with its live data.</p>'
    items = "".join(
        f'<li data-mismatch="{escape(m.ward_code)}" data-kind="{escape(m.kind)}">{badge_html(acfg, m.level)} '
        f"<b>{escape(m.ward_code)}</b>: {escape(m.headline)}. <small>{escape(m.evidence)}.</small> "
        + (f'<a href="{escape(m.link)}" target="_self">chart</a>' if m.link else "")
        + "</li>"
        for m in result.mismatches
    )
    return f'<ul class="acc-mismatches" data-mismatches="{len(result.mismatches)}">{items}</ul>'


def render_accreditation_exec(board: Board) -> None:
    """The accreditation section of the executive wall (nothing when the trust has no accreditation.yaml)."""
    if not (store_access.config_dir() / ACCREDITATION_FILE).exists():
        return
    st.subheader("Ward accreditation: levels beside the live data")
    try:
        acfg = store_access.accreditation_config()
        result = store_access.accreditation_triangulated(board.db_url, board.snapshot.id, london_today().date())
    except ConfigError as exc:
        st.warning("Accreditation cannot be shown: config/accreditation.yaml has problems.")
        st.code(str(exc), language=None)
        return
    except SQLAlchemyError as exc:
        st.error(f"Accreditation cannot be read from the store ({type(exc).__name__}).")
        return
    st.html(f"<style>{ACCREDITATION_CSS}</style>")
    levels = levels_table(board, acfg, result)
    st.markdown("**Mismatches: where a ward's level and its live data disagree**")
    st.html(mismatches_html(acfg, result))
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown("**Every ward's level**")
        st.dataframe(levels, hide_index=True, width="stretch", key="acc-exec-levels")
    with right:
        st.markdown("**Levels across each site**")
        st.dataframe(spread_table(acfg, levels), hide_index=True, width="stretch", key="acc-exec-spread")
        st.html(overdue_html(levels))
