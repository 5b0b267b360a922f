"""The executive wall: every ward side by side, site and trust totals, and the wards most in need of support.

Why this exists: leadership look across wards, not into one. The grid holds
ward-level values only (no patient anywhere in this view). Totals are
recomputed the one way the store allows: counts summed, ratios from summed
numerators and denominators (``metrics.store.queries.aggregate_series``),
never averaged percentages.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pandas as pd

from dashboard.common.board import Board, group_label
from dashboard.common.formatting import value_text
from dashboard.common.rag import rag_style
from metrics.config.models import Ward
from metrics.evaluate.definitions import MetricDefinition
from metrics.store.queries import aggregate_series

SORTS = {"site": "Board order", "reds": "Most reds first"}
SUPPORT_LABELS_SHOWN = 4


@dataclass(frozen=True)
class WardStanding:
    ward: Ward
    reds: int
    ambers: int
    red_labels: tuple[str, ...]
    amber_labels: tuple[str, ...]


def standings(board: Board, definitions: list[MetricDefinition]) -> list[WardStanding]:
    """Reds and ambers per ward over the given metrics, in config order."""
    out = []
    for ward in board.cfg.wards.wards:
        reds: list[str] = []
        ambers: list[str] = []
        for d in definitions:
            tv = board.tile(ward.code, d.id)
            if tv and tv.rag == "red":
                reds.append(d.label)
            elif tv and tv.rag == "amber":
                ambers.append(d.label)
        out.append(WardStanding(ward, len(reds), len(ambers), tuple(reds), tuple(ambers)))
    return out


def most_in_need(board: Board, definitions: list[MetricDefinition], top: int = 5) -> list[WardStanding]:
    """Wards with the most reds, then the most ambers; wards with neither are left out."""
    ranked = sorted(standings(board, definitions), key=lambda s: (-s.reds, -s.ambers, s.ward.code))
    return [s for s in ranked if s.reds or s.ambers][:top]


def group_total(board: Board, ward_codes: list[str], definition: MetricDefinition) -> float | None:
    """A metric over several wards: counts summed, a ratio recomputed from summed parts."""
    values = board.values.reset_index() if not board.values.empty else board.values
    if values.empty:
        return None
    rows = values[(values["metric_id"] == definition.id) & (values["ward_code"].isin([c.upper() for c in ward_codes]))]
    if rows.empty:
        return None
    total = aggregate_series(rows.assign(date=0), None, definition.ratio is not None)
    if total.empty or pd.isna(total["value"].iloc[0]):
        return None
    return float(total["value"].iloc[0])


def _cell(board: Board, ward_code: str, definition: MetricDefinition) -> str:
    tv = board.tile(ward_code, definition.id)
    text = value_text(definition, tv.value if tv else None)
    if definition.rag is None:
        return f'<td title="{escape(definition.label)}">{escape(text)}</td>'
    style = rag_style(tv.rag if tv else None)
    return (
        f'<td title="{escape(ward_code)} · {escape(definition.label)}: {escape(text)} ({escape(style.word)})">'
        f'<span class="ws-cell" style="background:{style.colour};color:{style.ink}">{escape(style.icon)} {escape(text)}</span></td>'
    )


def _total_row(
    board: Board,
    label: str,
    ward_codes: list[str],
    definitions: list[MetricDefinition],
    standing: list[WardStanding],
    cls: str,
) -> str:
    reds = sum(s.reds for s in standing)
    ambers = sum(s.ambers for s in standing)
    cells = "".join(f"<td>{escape(value_text(d, group_total(board, ward_codes, d)))}</td>" for d in definitions)
    return f'<tr class="{cls}"><td class="ws-ward">{escape(label)}</td><td>{reds}</td><td>{ambers}</td>{cells}</tr>'


def exec_grid_html(board: Board, definitions: list[MetricDefinition], order: str = "site") -> str:
    """Wards × metrics grouped by site, with site and trust total rows; ``order='reds'`` puts the reddest wards first within each site."""
    cfg = board.cfg
    standing = {s.ward.code: s for s in standings(board, definitions)}
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
            f'<th class="ws-metric-head" data-metric="{escape(d.id)}" title="{escape(d.label)}: {escape(d.description)}">{escape(d.wall_label)}</th>'
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
            wards.sort(key=lambda w: (-standing[w.code].reds, -standing[w.code].ambers))
        body.append(f'<tr class="ws-site-row"><th colspan="{width}">{escape(site.name)}</th></tr>')
        for ward in wards:
            s = standing[ward.code]
            cells = "".join(_cell(board, ward.code, d) for d in definitions)
            body.append(
                f'<tr data-ward="{escape(ward.code)}"><td class="ws-ward" title="{escape(ward.name)}">{escape(ward.code)} {escape(ward.name)}</td>'
                f'<td class="ws-count">{s.reds}</td><td class="ws-count">{s.ambers}</td>{cells}</tr>'
            )
        body.append(
            _total_row(
                board,
                f"{site.code} total",
                [w.code for w in wards],
                definitions,
                [standing[w.code] for w in wards],
                "ws-total",
            )
        )
    all_codes = [w.code for w in cfg.wards.wards]
    body.append(_total_row(board, "Trust total", all_codes, definitions, list(standing.values()), "ws-trust"))
    return f'<div class="ws-exec-wrap"><table class="ws-exec"><thead>{group_row}{head_row}</thead><tbody>{"".join(body)}</tbody></table></div>'


def support_cards_html(needing: list[WardStanding]) -> str:
    if not needing:
        return '<p class="ws-support-none">No ward has a red or amber measure.</p>'
    cards = []
    for s in needing:
        shown = list(s.red_labels[:SUPPORT_LABELS_SHOWN])
        more = len(s.red_labels) - len(shown)
        reds = (", ".join(shown) + (f" and {more} more" if more else "")) or "none"
        cards.append(
            f'<div class="ws-support-card" data-ward="{escape(s.ward.code)}"><h4>{escape(s.ward.code)} · {escape(s.ward.name)}</h4>'
            f"<p><b>● {s.reds} red · ▲ {s.ambers} amber</b></p><p>Red: {escape(reds)}</p></div>"
        )
    return '<div class="ws-support">' + "".join(cards) + "</div>"
