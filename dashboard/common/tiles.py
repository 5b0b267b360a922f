"""Tiles, the staffing grid and the compact table: the HTML pieces of a board.

Why this exists: the huddle board, the wall screen and the printed sheet lay
the same tiles out differently, but a tile always says the same things: its
label, its value, its RAG (icon, word and colour) and the change since
yesterday. Every value from config or data is escaped here.
Each tile carries ``data-metric`` and ``data-ward`` so tests can find it.
"""

from __future__ import annotations

from html import escape

from dashboard.common.board import Board, TileValue
from dashboard.common.formatting import (
    change_text,
    headline_text,
    is_percent,
    number_text,
    percent_text,
    staffing_text,
)
from dashboard.common.rag import badge_html, rag_style
from metrics.evaluate.definitions import MetricDefinition

# Groups drawn as a compact table (one row per metric) instead of tiles. A group, not a metric id:
# any metric put in such a group in config/metrics.yaml joins the table.
COMPACT_TABLE_GROUPS = frozenset({"assessments_by_type"})
NOT_SUPPLIED = "not supplied"


def has_thresholds(definition: MetricDefinition) -> bool:
    return definition.rag is not None


def is_staffing_cell(definition: MetricDefinition) -> bool:
    return definition.display == "staffing" and definition.staffing_cell is not None


def change_for(board: Board, ward_code: str, definition: MetricDefinition, short: bool = False) -> str:
    now = board.tile(ward_code, definition.id)
    before = board.yesterday(ward_code, definition.id)
    return change_text(
        definition, now.value if now else None, before.value if before else None, board.previous is not None, short
    )


def _rag_of(tv: TileValue | None) -> str | None:
    return tv.rag if tv else None


def tile_value_text(board: Board, definition: MetricDefinition, tv: TileValue | None) -> str:
    """The tile's headline: 'not supplied' when the optional extract table it counts was not in the extract."""
    if (tv is None or tv.value is None) and board.not_supplied(definition):
        return NOT_SUPPLIED
    if tv is None:
        return headline_text(definition, None, None, None)
    return headline_text(definition, tv.value, tv.numerator, tv.denominator)


def tile_html(
    board: Board, ward_code: str, definition: MetricDefinition, *, show_change: bool = True, trend: str = ""
) -> str:
    """One tile for the huddle board and the printed sheet: label, value, unit, RAG badge, change since yesterday.

    ``trend``: HTML put at the foot of the tile (the huddle board's SPC sparkline and variation icon).
    """
    tv = board.tile(ward_code, definition.id)
    rag = _rag_of(tv)
    style = rag_style(rag, has_thresholds(definition))
    value = tile_value_text(board, definition, tv)
    change = f'<span class="ws-change">{escape(change_for(board, ward_code, definition))}</span>' if show_change else ""
    return (
        f'<div class="ws-tile ws-tile-{style.key}" style="--rag:{style.colour}" '
        f'data-metric="{escape(definition.id)}" data-ward="{escape(ward_code)}" '
        f'title="{escape(definition.description)}">'
        f'<div class="ws-tile-label">{escape(definition.label)}</div>'
        f'<div class="ws-tile-value">{escape(value)}</div>'
        f'<div class="ws-tile-sub">{escape(_sub_text(definition, tv))}</div>'
        f'<div class="ws-tile-foot">{badge_html(rag, has_thresholds(definition))} {change}</div>'
        f"{trend}</div>"
    )


def _sub_text(definition: MetricDefinition, tv: TileValue | None) -> str:
    """Under the value: 'actual (planned)' for staffing, the unit for a count, nothing for a percentage."""
    if definition.display == "staffing":
        return f"{staffing_text(tv.numerator if tv else None, tv.denominator if tv else None)} actual (planned)"
    if definition.display == "actual_planned":
        return f"actual (planned), fill {percent_text(tv.value if tv else None)}"
    if is_percent(definition):
        return ""
    return definition.unit


def wall_tile_html(board: Board, ward_code: str, definition: MetricDefinition, variation: str = "") -> str:
    """One tile for the wall screen: the label across the top; the value beside its RAG badge and the change
    since yesterday; along the foot the SPC ``variation`` chip (HTML, if given) and, for staffing, the hours or
    heads against plan.

    No unit line (the label names what is counted); no badge for a metric without thresholds (its grey edge says
    'for information'). Every size is in units of the tile (see WALL_CSS), so the tile scales with the screen.
    """
    tv = board.tile(ward_code, definition.id)
    rag = _rag_of(tv)
    style = rag_style(rag, has_thresholds(definition))
    value = tile_value_text(board, definition, tv)
    side = []
    if has_thresholds(definition) or tv is None or tv.value is None:
        side.append(badge_html(rag, has_thresholds(definition)))
    side.append(f'<span class="ws-change">{escape(change_for(board, ward_code, definition, short=True))}</span>')
    foot = [variation] if variation else []
    if definition.display == "staffing":
        numerator = escape(number_text(tv.numerator if tv else None))
        denominator = escape(number_text(tv.denominator if tv else None))
        foot.append(f'<span class="wall-staffing">{numerator} of {denominator} planned</span>')
    return (
        f'<div class="ws-tile wall-tile ws-tile-{style.key}" style="--rag:{style.colour}" '
        f'data-metric="{escape(definition.id)}" data-ward="{escape(ward_code)}" title="{escape(definition.label)}">'
        f'<div class="ws-tile-label">{escape(definition.wall_label)}</div>'
        f'<div class="wall-tile-body"><div class="ws-tile-value{" wall-value-long" if len(value) > 4 else ""}">'
        f"{escape(value)}</div>"
        f'<div class="wall-tile-side">{"".join(side)}</div></div>'
        f'<div class="wall-tile-foot">{"".join(foot)}</div>'
        "</div>"
    )


def staffing_axes(definitions: list[MetricDefinition]) -> tuple[list[str], list[str]]:
    """(shifts, staff groups) in the order the definitions first name them."""
    shifts: list[str] = []
    groups: list[str] = []
    for d in definitions:
        if d.staffing_cell is None:
            continue
        shift, staff_group = d.staffing_cell
        if shift not in shifts:
            shifts.append(shift)
        if staff_group not in groups:
            groups.append(staff_group)
    return shifts, groups


def staffing_grid_html(
    board: Board,
    ward_code: str,
    definitions: list[MetricDefinition],
    *,
    show_change: bool = True,
    chips: dict[str, str] | None = None,
) -> str:
    """Staff group × shift: each cell 'actual (planned)', its fill rate and RAG (and ``chips[metric_id]``, its SPC
    variation chip, if given)."""
    cells = {d.staffing_cell: d for d in definitions if is_staffing_cell(d)}
    shifts, groups = staffing_axes(list(cells.values()))
    head = "".join(f"<th>{escape(s.capitalize())}</th>" for s in shifts)
    rows = []
    for staff_group in groups:
        tds = []
        for shift in shifts:
            d = cells.get((shift, staff_group))
            if d is None:
                tds.append('<td class="ws-staff-cell">–</td>')
                continue
            tv = board.tile(ward_code, d.id)
            numerator, denominator = (tv.numerator, tv.denominator) if tv else (None, None)
            rag = _rag_of(tv)
            style = rag_style(rag, has_thresholds(d))
            change = f'<div class="ws-change">{escape(change_for(board, ward_code, d))}</div>' if show_change else ""
            tds.append(
                f'<td class="ws-staff-cell" style="--rag:{style.colour}" data-metric="{escape(d.id)}" '
                f'data-ward="{escape(ward_code)}" title="{escape(d.description)}">'
                f'<div class="ws-staff-count">{escape(staffing_text(numerator, denominator))}</div>'
                f'<div class="ws-staff-fill">fill rate {escape(percent_text(tv.value if tv else None))}</div>'
                f"<div>{badge_html(rag, has_thresholds(d))}</div>{change}{(chips or {}).get(d.id, '')}</td>"
            )
        rows.append(f'<tr><th scope="row">{escape(staff_group.capitalize())}</th>{"".join(tds)}</tr>')
    return (
        '<table class="ws-staff-grid"><caption>Actual (planned) and fill rate</caption>'
        f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def compact_table_html(
    board: Board, ward_code: str, definitions: list[MetricDefinition], chips: dict[str, str] | None = None
) -> str:
    """One row per metric: label, value, RAG, change since yesterday (and, with ``chips``, the SPC variation chip)."""
    rows = []
    for d in definitions:
        tv = board.tile(ward_code, d.id)
        rows.append(
            f'<tr data-metric="{escape(d.id)}" data-ward="{escape(ward_code)}" title="{escape(d.description)}">'
            f'<td class="ws-compact-label">{escape(d.label)}</td>'
            f'<td class="ws-compact-value ws-tile-value">{escape(tile_value_text(board, d, tv))}</td>'
            f"<td>{badge_html(_rag_of(tv), has_thresholds(d))}</td>"
            f'<td class="ws-change">{escape(change_for(board, ward_code, d))}</td>'
            + (f"<td>{chips.get(d.id, '')}</td>" if chips is not None else "")
            + "</tr>"
        )
    trend_head = "<th>SPC trend</th>" if chips is not None else ""
    return (
        '<table class="ws-compact"><thead><tr><th>Measure</th><th>Now</th><th>RAG</th>'
        f"<th>Since yesterday</th>{trend_head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
