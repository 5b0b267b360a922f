"""The printable huddle sheet: the day's board for one ward on one A4 page.

Why this exists: many huddles still happen around a sheet of paper, and a
ward keeps the sheet with its notes. The sheet is one self-contained HTML
file (its own print CSS, no scripts, no external files), with the same
tiles, RAG icons and words as the screen, and no patient identity at all:
no names, no identifiers, no patient lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import pandas as pd

from dashboard.common.board import Board, grouped
from dashboard.common.formatting import day_time
from dashboard.common.status_strip import stale_banner_text
from dashboard.common.tiles import (
    COMPACT_TABLE_GROUPS,
    compact_table_html,
    is_staffing_cell,
    staffing_grid_html,
    tile_html,
)
from metrics.config.models import Ward

SHEET_CSS = """
@page{size:A4 portrait;margin:9mm}
*{box-sizing:border-box}
body{font-family:Arial,Helvetica,sans-serif;color:#000;margin:0;font-size:8.5pt;-webkit-print-color-adjust:exact;
print-color-adjust:exact}
.sheet{width:100%;max-width:192mm;margin:0 auto}
header{display:flex;justify-content:space-between;align-items:flex-end;border-bottom:2pt solid #005EB8;
padding-bottom:2mm;margin-bottom:2mm}
header h1{font-size:15pt;margin:0;color:#005EB8}
header p{margin:0;font-size:8.5pt}
.stale{background:#7C2855;color:#fff;font-weight:700;padding:1.5mm 3mm;margin-bottom:2mm}
h2{font-size:9.5pt;margin:2mm 0 1mm 0;border-bottom:0.6pt solid #768692}
.tiles{display:grid;grid-template-columns:repeat(6,1fr);gap:1.5mm}
.ws-tile{border:0.6pt solid #768692;border-top:2.2mm solid var(--rag,#768692);padding:1mm 1.5mm;break-inside:avoid;
display:flex;flex-direction:column}
.ws-tile-label{font-size:7.2pt;font-weight:700;line-height:1.12;min-height:2.24em}
.ws-tile-value{font-size:14pt;font-weight:800;line-height:1.05}
.ws-tile-sub{font-size:6.5pt}
.ws-tile-foot{font-size:6.5pt;margin-top:auto;display:flex;flex-direction:column;align-items:flex-start;gap:0.4mm}
.ws-badge-none{background:transparent !important;color:#333 !important;border:0.5pt solid #768692}
.ws-badge{display:inline-block;padding:0 1.5mm;border-radius:2mm;font-weight:700;font-size:6.8pt}
.ws-change{font-size:6.5pt;color:#333}
.row{display:grid;grid-template-columns:1.25fr 1fr;gap:3mm}
table{border-collapse:collapse;width:100%}
table.ws-compact th,table.ws-compact td{border-bottom:0.4pt solid #999;padding:0.5mm 1mm;text-align:left;
font-size:7.2pt}
table.ws-compact td.ws-compact-value{font-size:9pt;font-weight:800;text-align:right}
table.ws-staff-grid caption{caption-side:top;text-align:left;font-size:7pt}
table.ws-staff-grid th{font-size:7.5pt;text-align:left;padding:0.5mm 1mm}
table.ws-staff-grid td{border:0.6pt solid #768692;border-left:2.2mm solid var(--rag,#768692);padding:1mm 1.5mm;
vertical-align:top}
.ws-staff-count{font-size:12pt;font-weight:800}
.ws-staff-fill{font-size:7pt}
.notes{border:0.6pt solid #768692;height:20mm;padding:1mm 2mm;margin-top:2mm}
.notes b{font-size:8pt}
footer{margin-top:1.5mm;font-size:6.5pt;color:#333}
table.ratings{border-collapse:collapse;font-size:8pt}table.ratings td,table.ratings th{border:0.6pt solid #768692;
padding:0.5mm 2mm}
ul.actions{margin:0;padding-left:5mm;font-size:8pt}
@media screen{body{background:#E8EDEE}.sheet{background:#fff;padding:8mm;margin:6mm auto;width:210mm;max-width:210mm}}
"""


def ratings_html(huddle: Mapping[str, object] | None) -> str:
    """Today's reliability ratings on the sheet: how many rated, per score 1 to 5, and the median."""
    if not huddle or not huddle.get("rated"):
        return "<p>No reliability ratings recorded yet today.</p>"
    counts = huddle.get("counts") or {}
    cells = "".join(f"<td>{int(counts.get(score, 0))}</td>" for score in range(1, 6))  # type: ignore[union-attr]
    median = huddle.get("median")
    median_text = "" if median is None else f" · median {float(median):g}"  # type: ignore[arg-type]
    return (
        f"<p>Rated by {int(huddle['rated'])}{median_text} (1: processes often fail … 5: reliable every time)</p>"
        '<table class="ratings"><tr><th>score</th><th>1</th><th>2</th><th>3</th><th>4</th><th>5</th></tr>'
        f"<tr><th>ratings</th>{cells}</tr></table>"
    )


def actions_html(actions: pd.DataFrame | None) -> str:
    """The open huddle actions (carried over ones marked), so the sheet never shows 'Actions agreed' empty wrongly."""
    if actions is None or actions.empty:
        return "<p>No open actions.</p>"
    open_rows = actions[actions["status"] == "open"]
    if open_rows.empty:
        return "<p>No open actions.</p>"
    items = []
    for row in open_rows.itertuples():
        due = "" if row.due_at is None or pd.isna(row.due_at) else f" · due {day_time(row.due_at)}"
        carried = " (carried over)" if bool(getattr(row, "carried_over", False)) else ""
        items.append(f"<li>{escape(str(row.text))} · {escape(str(row.owner_role))}{escape(due)}{carried}</li>")
    return f'<ul class="actions">{"".join(items)}</ul>'


def huddle_sheet_html(
    board: Board,
    ward: Ward,
    site_name: str,
    huddle: Mapping[str, object] | None = None,
    actions: pd.DataFrame | None = None,
) -> str:
    """The whole sheet as one HTML document, ready to print on one A4 page, with today's ratings and open actions."""
    code = ward.code
    sections = []
    side = []
    for group_code, label, definitions in grouped(board.cfg, "huddle"):
        if group_code in COMPACT_TABLE_GROUPS:
            side.append(f"<section><h2>{escape(label)}</h2>{compact_table_html(board, code, definitions)}</section>")
            continue
        staffing = [d for d in definitions if is_staffing_cell(d)]
        others = [d for d in definitions if not is_staffing_cell(d)]
        if staffing:
            extra = "".join(tile_html(board, code, d) for d in others)
            side.append(
                f"<section><h2>{escape(label)}</h2>{staffing_grid_html(board, code, staffing)}"
                + (
                    f'<div class="tiles" style="grid-template-columns:repeat(2,1fr);margin-top:1.5mm">{extra}</div>'
                    if extra
                    else ""
                )
                + "</section>"
            )
            continue
        tiles = "".join(tile_html(board, code, d) for d in others)
        sections.append(f'<section><h2>{escape(label)}</h2><div class="tiles">{tiles}</div></section>')
    stale = stale_banner_text(board)
    stale_html = f'<div class="stale">{escape(stale)}</div>' if stale else ""
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>Huddle sheet {escape(code)} {escape(day_time(board.snapshot.extracted_at))}</title>"
        f'<style>{SHEET_CSS}</style></head><body><div class="sheet">'
        f"<header><div><h1>Safety huddle: {escape(code)} {escape(ward.name)}</h1>"
        f"<p>{escape(site_name)} · {escape(board.cfg.dashboard.trust_name)}</p></div>"
        f"<p><b>Data as at {escape(day_time(board.snapshot.extracted_at))}</b><br>{ward.beds} funded beds</p></header>"
        f"{stale_html}{''.join(sections)}"
        f'<div class="row">{"".join(side)}</div>'
        f"<section><h2>How reliable are our processes today?</h2>{ratings_html(huddle)}</section>"
        f"<section><h2>Open actions</h2>{actions_html(actions)}</section>"
        '<div class="notes"><b>New actions agreed at the huddle (who, what, by when)</b></div>'
        "<footer>No patient identifiers on this sheet. RAG: ● Red, ▲ Amber, ✓ Green, ○ no target. "
        "Printed from the ward safety dashboard; the figures are the stored snapshot named above.</footer>"
        "</div></body></html>"
    )
