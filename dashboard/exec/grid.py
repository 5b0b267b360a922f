"""The executive wall: every ward side by side, site and trust totals, and the wards most in need of support.

Why this exists: leadership look across wards, not into one. The grid holds
ward-level values only (no patient anywhere in this view). Standings and
totals (counts summed, ratios from summed numerators and denominators, never
averaged percentages) are worked out by ``metrics.board.standings``, once per snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pandas as pd
import streamlit as st

from dashboard.common.board import Board, group_label
from dashboard.common.formatting import value_text
from dashboard.common.tiles import tile_value_text
from dashboard.common.rag import rag_style
from metrics.config.models import Ward
from metrics.evaluate.definitions import MetricDefinition
from metrics.board import standings as board_standings
from metrics.board.standings import TRUST, site_scope

SORTS = {"site": "Board order", "reds": "Most reds first"}
SUPPORT_LABELS_SHOWN = 4


@dataclass(frozen=True)
class ExecStanding:
    """The snapshot's standings and totals over the executive measures (``metrics.board.standings``)."""

    standings: pd.DataFrame  # per ward code: reds, ambers, red_labels, amber_labels
    standing_totals: pd.DataFrame  # per scope (site:CODE, trust): reds, ambers
    totals: pd.DataFrame  # per scope × metric id: the total value


@st.cache_data(show_spinner=False, max_entries=16)
def _exec_standing(
    db_url: str, snapshot_id: int, fingerprint: str, metric_ids: tuple[str, ...], _board: Board, _defs: tuple
) -> ExecStanding:
    cfg = _board.cfg
    return ExecStanding(
        (s := board_standings.ward_standings(_board.values, cfg.wards.wards, _defs)),
        board_standings.standing_totals(s, cfg.wards.wards, cfg.wards.sites),
        board_standings.totals(_board.values, cfg.wards.wards, cfg.wards.sites, _defs),
    )


def exec_standing(board: Board, definitions: list[MetricDefinition]) -> ExecStanding:
    """Worked out once per snapshot (and configuration, and set of measures), however many screens ask."""
    ids = tuple(d.id for d in definitions)
    return _exec_standing(board.db_url, board.snapshot.id, board.cfg.fingerprint, ids, board, tuple(definitions))


def support_wards(board: Board, standing: ExecStanding, top: int = 5) -> list[tuple[Ward, pd.Series]]:
    """The wards most in need of support, with their standing rows."""
    needing = board_standings.most_in_need(standing.standings, top)
    return [(board.cfg.ward(code), row) for code, row in needing.iterrows()]  # type: ignore[misc]


def _cell(board: Board, ward_code: str, definition: MetricDefinition) -> str:
    tv = board.tile(ward_code, definition.id)
    text = tile_value_text(board, definition, tv)
    if definition.rag is None:
        return f'<td title="{escape(definition.label)}">{escape(text)}</td>'
    style = rag_style(tv.rag if tv else None)
    return (
        f'<td title="{escape(ward_code)} · {escape(definition.label)}: {escape(text)} ({escape(style.word)})">'
        f'<span class="ws-cell" style="background:{style.colour};color:{style.ink}">{escape(style.icon)} '
        f'{escape(text)}</span></td>'
    )


def _total_row(label: str, scope: str, definitions: list[MetricDefinition], standing: ExecStanding, cls: str) -> str:
    counts = standing.standing_totals.loc[scope]
    totals = standing.totals.loc[scope]
    cells = "".join(
        f"<td>{escape(value_text(d, None if pd.isna(totals[d.id]) else float(totals[d.id])))}</td>" for d in definitions
    )
    return (
        f'<tr class="{cls}"><td class="ws-ward">{escape(label)}</td><td>{int(counts["reds"])}</td>'
        f"<td>{int(counts['ambers'])}</td>{cells}</tr>"
    )


def exec_grid_html(board: Board, definitions: list[MetricDefinition], order: str = "site") -> str:
    """Wards × metrics grouped by site, with site and trust total rows; ``order='reds'`` puts the reddest wards first
    within each site."""
    cfg = board.cfg
    standing = exec_standing(board, definitions)
    ward_rows = standing.standings
    groups: list[tuple[str, int]] = []
    for d in definitions:
        if groups and groups[-1][0] == d.group:
            groups[-1] = (d.group, groups[-1][1] + 1)
        else:
            groups.append((d.group, 1))
    group_row = (
        '<tr><th colspan="3"></th>'
        + "".join(
            f'<th class="ws-group-head" colspan="{span}">{escape(group_label(cfg, code))}</th>' for code, span in groups
        )
        + "</tr>"
    )
    head_row = (
        '<tr><th>Ward</th><th class="ws-metric-head">Reds</th><th class="ws-metric-head">Ambers</th>'
        + "".join(
            f'<th class="ws-metric-head" data-metric="{escape(d.id)}" title="{escape(d.label)}: '
            f'{escape(d.description)}">{escape(d.wall_label)}</th>'
            for d in definitions
        )
        + "</tr>"
    )
    body = []
    width = 3 + len(definitions)
    for site in cfg.wards.sites:
        wards = [w for w in cfg.wards.wards if w.site == site.code]
        if not wards:
            continue
        if order == "reds":
            wards.sort(key=lambda w: (-ward_rows.at[w.code, "reds"], -ward_rows.at[w.code, "ambers"]))
        body.append(f'<tr class="ws-site-row"><th colspan="{width}">{escape(site.name)}</th></tr>')
        for ward in wards:
            s = ward_rows.loc[ward.code]
            cells = "".join(_cell(board, ward.code, d) for d in definitions)
            body.append(
                f'<tr data-ward="{escape(ward.code)}"><td class="ws-ward" '
                f'title="{escape(ward.name)}">{escape(ward.code)} {escape(ward.name)}</td>'
                f'<td class="ws-count">{s["reds"]}</td><td class="ws-count">{s["ambers"]}</td>{cells}</tr>'
            )
        body.append(_total_row(f"{site.code} total", site_scope(site.code), definitions, standing, "ws-total"))
    body.append(_total_row("Trust total", TRUST, definitions, standing, "ws-trust"))
    return (
        f'<div class="ws-exec-wrap"><table class="ws-exec"><thead>{group_row}{head_row}</thead>'
        f'<tbody>{"".join(body)}</tbody></table></div>'
    )


def support_cards_html(needing: list[tuple[Ward, pd.Series]]) -> str:
    if not needing:
        return '<p class="ws-support-none">No ward has a red or amber measure.</p>'
    cards = []
    for ward, s in needing:
        shown = list(s["red_labels"][:SUPPORT_LABELS_SHOWN])
        more = len(s["red_labels"]) - len(shown)
        reds = (", ".join(shown) + (f" and {more} more" if more else "")) or "none"
        cards.append(
            f'<div class="ws-support-card" data-ward="{escape(ward.code)}"><h4>{escape(ward.code)} · '
            f'{escape(ward.name)}</h4>'
            f"<p><b>● {s['reds']} red · ▲ {s['ambers']} amber</b></p><p>Red: {escape(reds)}</p></div>"
        )
    return '<div class="ws-support">' + "".join(cards) + "</div>"
