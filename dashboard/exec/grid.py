"""The executive wall's grid as drawn: the cached per-snapshot grid, its pages, and the analyst's table.

Why this exists: leadership look across wards, not into one. The grid holds ward-level values only (no
patient anywhere in this view). Values, RAGs, standings and totals (counts summed, ratios from summed
numerators and denominators, never averaged percentages) are worked out by ``metrics.board.exec_grid``
once per snapshot and cached here by snapshot id; a redraw formats only the wards of the page on screen.
"""

from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

from dashboard.common.board import Board, group_label
from dashboard.common.formatting import headline_text, value_text
from dashboard.common.rag import rag_style
from dashboard.common.tiles import NOT_SUPPLIED
from metrics.board import standings as board_standings
from metrics.board.exec_grid import ExecGrid, ExecPage, exec_grid, group_runs
from metrics.config.models import Ward
from metrics.evaluate.definitions import MetricDefinition

SORTS = {"site": "Board order", "reds": "Most reds first"}
SUPPORT_LABELS_SHOWN = 4
# The analyst's table scrolls inside its own box; ward names are never cut short.
EXEC_ANALYST_CSS = (
    '[data-testid="stMainBlockContainer"]{padding-top:4rem !important}'  # the strip clear of the app's header
    "table.ws-exec td.ws-ward{max-width:none;overflow:visible;text-overflow:clip}"
)


@st.cache_data(show_spinner=False, max_entries=16)
def _exec_grid(
    db_url: str, snapshot_id: int, fingerprint: str, metric_ids: tuple[str, ...], _board: Board, _defs: tuple
) -> ExecGrid:
    cfg = _board.cfg
    return exec_grid(_board.values, cfg.wards.wards, cfg.wards.sites, _defs)


def exec_grid_for(board: Board, definitions: list[MetricDefinition]) -> ExecGrid:
    """Worked out once per snapshot (and configuration, and set of measures), however many screens ask."""
    ids = tuple(d.id for d in definitions)
    return _exec_grid(board.db_url, board.snapshot.id, board.cfg.fingerprint, ids, board, tuple(definitions))


def support_wards(board: Board, grid: ExecGrid, top: int = 5) -> list[tuple[Ward, pd.Series]]:
    """The wards most in need of support, with their standing rows."""
    needing = board_standings.most_in_need(grid.standings, top)
    return [(board.cfg.ward(code), row) for code, row in needing.iterrows()]  # type: ignore[misc]


def cell_text(board: Board, definition: MetricDefinition, value: float, numerator: float, denominator: float) -> str:
    """A cell as its tile would read: 'not supplied' when the optional table it counts was not in the extract."""
    if pd.isna(value) and board.not_supplied(definition):
        return NOT_SUPPLIED

    def number(v: float) -> float | None:
        return None if pd.isna(v) else float(v)

    return headline_text(definition, number(value), number(numerator), number(denominator))


def _cell(ward_code: str, definition: MetricDefinition, text: str, rag: str | None) -> str:
    if definition.rag is None:
        return f'<td title="{escape(definition.label)}">{escape(text)}</td>'
    style = rag_style(rag)
    return (
        f'<td title="{escape(ward_code)} · {escape(definition.label)}: {escape(text)} ({escape(style.word)})">'
        f'<span class="ws-cell" style="background:{style.colour};color:{style.ink}">'
        f"{escape(style.icon)} {escape(text)}</span></td>"
    )


def _total_row(label: str, scope: str, definitions: list[MetricDefinition], grid: ExecGrid, cls: str) -> str:
    counts = grid.standing_totals.loc[scope]
    totals = grid.totals.loc[scope]
    cells = "".join(
        f"<td>{escape(value_text(d, None if pd.isna(totals[d.id]) else float(totals[d.id])))}</td>"
        for d in definitions
    )
    return (
        f'<tr class="{cls}"><td class="ws-ward">{escape(label)}</td><td>{int(counts["reds"])}</td>'
        f"<td>{int(counts['ambers'])}</td>{cells}</tr>"
    )


def _head(board: Board, definitions: list[MetricDefinition]) -> str:
    groups = group_runs(definitions)
    group_row = '<tr><th colspan="3"></th>' + "".join(
        f'<th class="ws-group-head" colspan="{span}">{escape(group_label(board.cfg, code))}</th>'
        for code, span in groups
    )
    head_row = '<tr><th>Ward</th><th class="ws-metric-head">Reds</th><th class="ws-metric-head">Ambers</th>' + "".join(
        f'<th class="ws-metric-head" data-metric="{escape(d.id)}" title="{escape(d.label)}: {escape(d.description)}">'
        f"{escape(d.wall_label)}</th>"
        for d in definitions
    )
    return f"<thead>{group_row}</tr>{head_row}</tr></thead>"


def exec_grid_html(board: Board, definitions: list[MetricDefinition], page: ExecPage, order: str = "site") -> str:
    """The analyst's table for one page: its wards × every measure grouped by site, each site's total row and the
    trust's; ``order='reds'`` puts the reddest wards first within each site."""
    cfg = board.cfg
    grid = exec_grid_for(board, definitions)
    codes = list(page.ward_codes)
    page_cells = grid.page_cells(codes, [d.id for d in definitions])
    values, numerators, denominators = page_cells.values, page_cells.numerators, page_cells.denominators
    rags, counts = page_cells.rags, page_cells.counts
    row_of = {code: i for i, code in enumerate(codes)}
    width = 3 + len(definitions)
    body = []
    shown_sites = [s for s in cfg.wards.sites if board_standings.site_scope(s.code) in page.scopes]
    by_code = {w.code: w for w in cfg.wards.wards}
    for site in shown_sites:
        wards = [by_code[code] for code in codes if grid.site_of[code] == site.code]
        if order == "reds":
            wards.sort(key=lambda w: (-counts[row_of[w.code]][0], -counts[row_of[w.code]][1]))
        body.append(f'<tr class="ws-site-row"><th colspan="{width}">{escape(site.name)}</th></tr>')
        for ward in wards:
            i = row_of[ward.code]
            cells = "".join(
                _cell(ward.code, d, cell_text(board, d, values[i][j], numerators[i][j], denominators[i][j]), rags[i][j])
                for j, d in enumerate(definitions)
            )
            body.append(
                f'<tr data-ward="{escape(ward.code)}"><td class="ws-ward" title="{escape(ward.name)}">'
                f"{escape(ward.code)} {escape(ward.name)}</td>"
                f'<td class="ws-count">{counts[i][0]}</td><td class="ws-count">{counts[i][1]}</td>{cells}</tr>'
            )
        body.append(
            _total_row(f"{site.code} total", board_standings.site_scope(site.code), definitions, grid, "ws-total")
        )
    body.append(_total_row("Trust total", board_standings.TRUST, definitions, grid, "ws-trust"))
    return (
        f'<div class="ws-exec-wrap"><table class="ws-exec">{_head(board, definitions)}'
        f"<tbody>{''.join(body)}</tbody></table></div>"
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
            f"{escape(ward.name)}</h4><p><b>● {s['reds']} red · ▲ {s['ambers']} amber</b></p>"
            f"<p>Red: {escape(reds)}</p></div>"
        )
    return '<div class="ws-support">' + "".join(cards) + "</div>"
