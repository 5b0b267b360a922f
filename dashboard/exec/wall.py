"""The executive wall in wall mode: one screenful of wards × the wall's measures, read from two metres.

Why this exists: leadership put the executive view on a wall screen. Every ward of a trust (24 here) must fit
one 1920x1080 screen without scrolling, ward names written across, each cell's value large, in its RAG
colour with its icon (never colour alone), and a key on screen. A region's hundreds of wards go page by
site (``metrics.board.exec_grid.exec_pages``), turning like the matron wall with ``?rotate=SECONDS``; only
the page on screen is drawn, so the page stays small however many wards there are. The measures are the
executive measures that are also chosen for wall screens (audience ``wall``); the analyst mode has them all.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from dashboard.common.board import Board, group_label
from dashboard.common.formatting import value_text
from dashboard.common.hyphenation import soft_hyphenated
from dashboard.common.rag import NO_DATA, RAG_ORDER, RAG_STYLES
from dashboard.common.tiles import NOT_SUPPLIED
from dashboard.exec.grid import cell_text
from metrics.board.exec_grid import ExecGrid, ExecPage, group_runs
from metrics.board.standings import TRUST
from metrics.evaluate.definitions import MetricDefinition

MISSING = "–"

# Sizes follow the screen: on 1920x1080 cell values are about 19px bold and ward names 18px.
EXEC_WALL_CSS = (
    """
[data-testid="stMainBlockContainer"]{padding:3.4rem 0.8rem 0.2rem 0.8rem !important;max-width:100% !important}
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"]{gap:0.4rem}
.xw-root{height:calc(100vh - 9.6rem);min-height:0;display:flex;flex-direction:column;
  font-family:Arial,Helvetica,sans-serif;color:#212B32}
.xw-top{display:flex;justify-content:space-between;align-items:center;gap:1vw;flex-wrap:wrap;
  font-size:min(1.9vh,1.05vw);line-height:1.2}
.xw-title{font-size:min(2.6vh,1.5vw);font-weight:800;color:#005EB8}
.xw-key{display:flex;gap:0.6vw;flex-wrap:wrap;align-items:center}
.xw-key span{padding:0 0.4vw;border-radius:3px;font-weight:700}
table.xw-grid{flex:1;width:100%;height:100%;border-collapse:collapse;table-layout:auto;background:#fff;
  font-size:min(1.78vh,1.0vw);line-height:1.1}
table.xw-grid th,table.xw-grid td{border:1px solid #D8DDE0;padding:0 0.2vw;text-align:center}
table.xw-grid thead th{background:#E8EDEE;font-size:min(1.3vh,0.72vw);font-weight:700;
  overflow-wrap:normal;hyphens:manual;
  vertical-align:bottom;line-height:1.1}
table.xw-grid thead tr.xw-groups th{background:#D8DDE0;font-size:min(1.35vh,0.75vw);vertical-align:middle}
table.xw-grid th.xw-page{text-align:left;color:#005EB8;font-size:min(1.6vh,0.9vw);overflow-wrap:normal}
table.xw-grid .xw-narrow{width:1%;white-space:nowrap;overflow-wrap:normal}
table.xw-grid td.xw-ward{text-align:left;white-space:nowrap;font-weight:400;width:1%}
table.xw-grid td.xw-ward b{font-weight:800;margin-right:0.3vw}
table.xw-grid td.xw-n{font-weight:800}
table.xw-grid td.xw-v{font-weight:800;white-space:nowrap}
table.xw-grid tr.xw-total td{background:#E8EDEE;font-weight:800;border-top:2px solid #4C6272}
table.xw-grid tr.xw-trust td{background:#D8DDE0;font-weight:800;border-top:3px solid #212B32}
"""
    + "".join(
        f".xw-{s.key}{{background:{s.colour} !important;color:{s.ink} !important}}\n"
        for s in (*RAG_STYLES.values(), NO_DATA)
    )
)


def key_html() -> str:
    """The key to the colours, on the wall itself: shape, word and colour, and what '–' means."""
    parts = [f'<span class="xw-{RAG_STYLES[k].key}">{escape(RAG_STYLES[k].label)}</span>' for k in RAG_ORDER]
    parts.append(f'<span class="xw-nodata">{MISSING} no value</span>')
    return '<div class="xw-key">Key: ' + "".join(parts) + "<em>Green is shown in NHS blue</em></div>"


def _cell(board: Board, definition: MetricDefinition, value: float, num: float, den: float, rag: str | None) -> str:
    if pd.isna(value):
        shown = NOT_SUPPLIED if board.not_supplied(definition) else MISSING
        return f'<td class="xw-v xw-nodata">{shown}</td>'
    text = escape(cell_text(board, definition, value, num, den))
    if definition.rag is None or rag not in RAG_STYLES:
        return f'<td class="xw-v">{text}</td>'
    style = RAG_STYLES[rag]
    return f'<td class="xw-v xw-{style.key}">{escape(style.icon)} {text}</td>'


def _total_text(definition: MetricDefinition, value: float) -> str:
    return MISSING if pd.isna(value) else value_text(definition, float(value))


def exec_wall_html(
    board: Board,
    grid: ExecGrid,
    definitions: list[MetricDefinition],
    page: ExecPage,
    turn: str,
) -> str:
    """One page of the wall as a table filling the screen: group heads, measure heads, a row per ward with its
    reds and ambers, then the total rows. ``turn`` says which page this is and when the next turns."""
    page_title = f"{page.title} · {turn}" if turn else page.title
    ids = [d.id for d in definitions]
    codes = list(page.ward_codes)
    page_cells = grid.page_cells(codes, ids)
    values, numerators, denominators = page_cells.values, page_cells.numerators, page_cells.denominators
    rags, counts = page_cells.rags, page_cells.counts
    names = {w.code: w.name for w in board.cfg.wards.wards}
    sites = {s.code: s.name for s in board.cfg.wards.sites}
    groups = group_runs(definitions)
    head = (
        f'<thead><tr class="xw-groups"><th class="xw-page" colspan="3">{escape(page_title)}</th>'
        + "".join(f'<th colspan="{n}">{escape(group_label(board.cfg, g))}</th>' for g, n in groups)
        + '</tr><tr class="xw-heads"><th class="xw-narrow">Ward</th><th class="xw-narrow">Reds</th>'
        + '<th class="xw-narrow">Ambers</th>'
        + "".join(f'<th data-metric="{escape(d.id)}">{escape(soft_hyphenated(d.wall_label))}</th>' for d in definitions)
        + "</tr></thead>"
    )
    rows = []
    for i, code in enumerate(codes):
        cells = "".join(
            _cell(board, d, values[i][j], numerators[i][j], denominators[i][j], rags[i][j])
            for j, d in enumerate(definitions)
        )
        rows.append(
            f'<tr data-ward="{escape(code)}"><td class="xw-ward"><b>{escape(code)}</b>{escape(names[code])}</td>'
            f'<td class="xw-n">{counts[i][0]}</td><td class="xw-n">{counts[i][1]}</td>{cells}</tr>'
        )
    for scope in page.scopes:
        code = scope.partition(":")[2]
        label = "Trust total" if scope == TRUST else f"{code} total"
        reds, ambers = grid.standing_totals.loc[scope, ["reds", "ambers"]]
        totals = grid.totals.loc[scope, ids].to_numpy()
        cells = "".join(f"<td>{escape(_total_text(d, totals[j]))}</td>" for j, d in enumerate(definitions))
        cls = "xw-trust" if scope == TRUST else "xw-total"
        rows.append(
            f'<tr class="{cls}" data-scope="{escape(scope)}">'
            f'<td class="xw-ward" title="{escape(sites.get(code, label))}">'
            f"{escape(label)}</td>"
            f"<td>{int(reds)}</td><td>{int(ambers)}</td>{cells}</tr>"
        )
    return (
        f'<div class="xw-root" data-testid="exec-wall"><table class="xw-grid" lang="en">{head}'
        f'<tbody>{"".join(rows)}</tbody></table></div>'
    )


def exec_wall_title_html(board: Board) -> str:
    """The line above the table: whose wards these are, and the key."""
    title = f"Every ward: {board.cfg.dashboard.trust_name}"
    return f'<div class="xw-top"><span class="xw-title">{escape(title)}</span>{key_html()}</div>'
