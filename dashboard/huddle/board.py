"""The ward huddle board: header, tiles by group, compact tables, the staffing grid and patient lists.

Why this exists: the daily safety huddle reads one ward's board top to
bottom in the config's group order. The huddle page only picks the ward and
calls ``render_huddle_board``; everything about the layout is here. What the
principal may do beyond the tiles (patient lists, the printed sheet, huddle
input, exports) is asked of the page's ``Access``.
"""

from __future__ import annotations

from html import escape

import streamlit as st
import streamlit.components.v1 as components

from dashboard.common import access_gate, store_access
from dashboard.common.access_gate import Access
from dashboard.common.board import Board, grouped, metrics_for
from dashboard.common.formatting import day_time
from dashboard.common.huddle_summary import wall_huddle_summary
from dashboard.dimensions.panel import render_dimensions_panel
from dashboard.huddle.entry_state import huddle_config
from dashboard.huddle.glance import glance_html, section_label, section_order
from dashboard.huddle.inputs import render_huddle_inputs
from dashboard.learning.panel import render_learning_panel
from dashboard.huddle.sheet import huddle_sheet_html
from dashboard.huddle.patient_list import list_key, render_patient_list, render_patient_lists
from dashboard.common.spc_summary import sparkline_key_html, stored_spc, tile_chip_html, tile_trend_html
from dashboard.common.tiles import (
    COMPACT_TABLE_GROUPS,
    compact_table_html,
    is_staffing_cell,
    staffing_grid_html,
    tile_html,
)
from metrics.access.decisions import Action
from metrics.config.models import AppConfig, Ward
from metrics.errors import ConfigError
from metrics.huddle import inputs as huddle_inputs

TILES_PER_ROW = 5
TILE_MIN_WIDTH = 150  # pixels: below this a row drops a tile rather than squeeze the labels


def _clean_code(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())[:12]


def choose_ward(cfg: AppConfig, allowed: list[str] | None = None) -> Ward:
    """The ward from ``?ward=`` (case-insensitive) or the sidebar; the choice is written back to the URL.

    ``allowed`` (ward codes) limits the sidebar to the wards the principal may open; the page has already
    refused a known ward outside it, so here only an unknown code falls back to the first allowed ward.
    """
    wards = [w for w in cfg.wards.wards if allowed is None or w.code in allowed] or list(cfg.wards.wards)
    codes = [w.code for w in wards]
    requested = st.query_params.get("ward")
    match = cfg.ward(requested) if requested else None
    match = match if match is None or match in wards else None
    if requested and match is None:
        st.warning(f"Ward {_clean_code(requested)!r} is not in the configuration; showing {codes[0]} instead.")
    names = {w.code: w.name for w in wards}
    default = match.code if match else codes[0]
    if st.session_state.get("huddle_ward") not in codes:  # a new session (a bookmark, a reload) follows the URL
        st.session_state["huddle_ward"] = default
    chosen = st.sidebar.selectbox("Ward", codes, key="huddle_ward", format_func=lambda c: f"{c} · {names[c]}")
    st.query_params["ward"] = chosen
    ward = cfg.ward(chosen)
    assert ward is not None
    return ward


def site_name(cfg: AppConfig, site_code: str) -> str:
    return next((s.name for s in cfg.wards.sites if s.code == site_code), site_code)


def matron_name(cfg: AppConfig, matron_code: str) -> str:
    return next((m.name for m in cfg.wards.matrons if m.code == matron_code), matron_code)


def _sheet_printed(access: Access, ward_code: str, snapshot_id: int) -> None:
    access.record(access_gate.SHEET_PRINTED, ward_code=ward_code, snapshot=snapshot_id)


def render_header(board: Board, ward: Ward, access: Access | None = None) -> None:
    left, right = st.columns([5, 2], vertical_alignment="center")
    with left:
        st.html(
            f'<div class="ws-ward-head"><h2>{escape(ward.code)} · {escape(ward.name)}</h2>'
            f"<p>{escape(site_name(board.cfg, ward.site))} · {escape(matron_name(board.cfg, ward.matron))} · "
            f"{ward.beds} funded beds · huddle board for {escape(day_time(board.snapshot.extracted_at))}</p></div>"
        )
    if access is None or not access.allows(Action.PRINT_SHEET, ward.code):
        return
    with right:
        huddle = wall_huddle_summary(ward.code)
        sheet = huddle_sheet_html(
            board,
            ward,
            site_name(board.cfg, ward.site),
            huddle=huddle,
            actions=store_access.huddle_actions(ward.code, huddle["date"]),
        )
        if st.button(
            "Print sheet (A4)",
            key="huddle-print",
            on_click=_sheet_printed,
            args=(access, ward.code, board.snapshot.id),
            icon=":material/print:",
            width="stretch",
            help="Opens the browser's print dialog with an A4 sheet of today's board, ratings and open actions, "
            "without patient identifiers.",
        ):
            print_dialog(sheet)
        st.download_button(
            "Sheet as a file",
            data=sheet.encode("utf-8"),
            file_name=f"huddle_{_clean_code(ward.code)}_{board.snapshot.extracted_at:%Y-%m-%d}.html",
            mime="text/html",
            key="huddle-sheet",
            on_click=_sheet_printed,
            args=(access, ward.code, board.snapshot.id),
            icon=":material/download:",
            width="stretch",
            help="The same sheet to keep or print later.",
        )


# The board starts below Streamlit's header bar (which holds the button that unfolds the sidebar); a patient list's
# button wraps its label rather than cut it. On a tablet at the huddle (1024 wide or less) the inputs go below the
# tiles at full width, instead of a column one word wide beside them.
HUDDLE_LAYOUT_CSS = """
[data-testid="stMainBlockContainer"]{padding-top:3.8rem}
[data-testid="stPopoverButton"] p,[data-testid="stPopoverButton"] div{white-space:normal !important;
overflow:visible !important;
  text-overflow:clip !important}
@media (max-width:1180px){
  .st-key-huddle_layout [data-testid="stHorizontalBlock"]:first-of-type{flex-wrap:wrap}
  .st-key-huddle_layout [data-testid="stHorizontalBlock"]:first-of-type > [data-testid="stColumn"]{
    flex:1 1 100% !important;width:100% !important;min-width:100% !important}
}
"""


def print_dialog(sheet: str) -> None:
    """Open the browser's print dialog on the sheet: a hidden frame holding it prints itself once loaded."""
    script = "<script>window.addEventListener('load', () => window.print())</script></body>"
    components.html(sheet.replace("</body>", script), height=1)


def render_tiles(
    board: Board,
    ward_code: str,
    definitions: list,
    per_row: int = TILES_PER_ROW,
    access: Access | None = None,
    opened: bool = True,
) -> None:
    """Tiles in a responsive grid (fewer per row on a laptop), each with its last 30 days as an SPC sparkline and
    its patient list underneath (for those allowed). In a folded section (``opened`` false) the tiles carry their
    values, RAG and variation words, but not the sparkline or the patient list, drawn once the section is opened."""
    grid = st.grid(per_row, min_column_width=TILE_MIN_WIDTH, gap="small")
    spc = stored_spc(board)
    for definition in definitions:
        with grid.cell():
            trend = tile_trend_html(spc, ward_code, definition, sparkline=opened)
            st.html(tile_html(board, ward_code, definition, trend=trend))
            if opened:
                render_patient_list(board, ward_code, definition, access)


def render_group(
    board: Board,
    ward_code: str,
    group_code: str,
    label: str,
    definitions: list,
    access: Access | None = None,
    opened: bool = True,
) -> None:
    spc = stored_spc(board)
    chips = {d.id: tile_chip_html(spc, ward_code, d) for d in definitions} if spc is not None else None
    if group_code in COMPACT_TABLE_GROUPS:
        st.html(compact_table_html(board, ward_code, definitions, chips))
        if opened:
            render_patient_lists(board, ward_code, definitions, "Patient lists", access)
        return
    staffing = [d for d in definitions if is_staffing_cell(d)]
    others = [d for d in definitions if not is_staffing_cell(d)]
    if staffing:
        grid, rest = st.columns([3, 2]) if others else (st.container(), None)
        with grid:
            st.html(staffing_grid_html(board, ward_code, staffing, chips=chips))
        if rest is not None:
            with rest:
                render_tiles(board, ward_code, others, per_row=min(2, len(others)), access=access, opened=opened)
        return
    render_tiles(board, ward_code, others, access=access, opened=opened)


def render_glance(board: Board, ward: Ward) -> None:
    """Red and amber tiles, today's ratings and open actions: the top of the board, above the fold."""
    today = huddle_inputs.london_today()
    try:
        hcfg = huddle_config()
    except ConfigError:  # the inputs column explains a broken huddle configuration; here the questions' words go
        hcfg = None
    actions = store_access.huddle_actions(ward.code, today)
    st.html(glance_html(board, ward.code, metrics_for(board.cfg, "huddle"), today, hcfg, actions))


def render_huddle_board(board: Board, ward: Ward, access: Access | None = None) -> None:
    """The whole board for one ward, with the huddle inputs beside it; without ``access`` only the tiles (fail closed).

    At the top what needs attention, today's ratings and open actions; then the tiles in fold-away sections, the
    most red first (a section with a red or amber tile opens unfolded)."""
    render_header(board, ward, access)
    if access is not None:
        render_glance(board, ward)
    st.html(f"<style>{HUDDLE_LAYOUT_CSS}</style>")
    tiles, inputs = st.container(key="huddle_layout").columns([4, 1], gap="medium")
    with tiles:
        st.html(sparkline_key_html())
        for group_code, label, definitions, counts in section_order(board, ward.code, grouped(board.cfg, "huddle")):
            # A section opens unfolded when it holds a red or amber tile, or a patient list someone has open.
            list_open = any(st.session_state.get(list_key(ward.code, d.id)) for d in definitions)
            with st.expander(
                section_label(label, counts),
                expanded=any(counts.values()) or list_open,
                key=f"sec-{group_code}",
                on_change="rerun",
            ) as section:  # opening a folded section reruns the board, which then draws its sparklines and lists
                render_group(board, ward.code, group_code, label, definitions, access, opened=bool(section.open))
        render_dimensions_panel(board, ward.code)
        render_learning_panel(
            board, ward.code, can_record=access is not None and access.allows(Action.RECORD_HUDDLE_INPUT, ward.code)
        )
    with inputs:
        render_huddle_inputs(
            ward.code,
            can_record=access is not None and access.allows(Action.RECORD_HUDDLE_INPUT, ward.code),
            can_export=access is not None and access.allows(Action.EXPORT_CSV, ward.code),
            actor=access.actor if access is not None else None,
        )
