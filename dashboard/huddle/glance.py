"""The top of the huddle board: what is red or amber, today's ratings and the open actions, on one screen.

On a tablet a red or amber item keeps its colour edge and icon and drops the badge's word (the heading counts
'● 15 Red · ▲ 6 Amber' in words), so the list fits above the fold.

Why this exists: a team standing at the huddle reads the board on a laptop (1366x768) or a tablet (1024x768).
What it must act on (the ward's red and amber tiles), what it said today (the 1-5 ratings) and what it agreed
to do (open actions) show together above the fold; the full tiles follow in fold-away sections.
"""

from __future__ import annotations

from datetime import date
from html import escape

import pandas as pd

from dashboard.common import store_access
from dashboard.common.board import Board
from dashboard.common.formatting import value_text
from dashboard.common.rag import RAG_STYLES
from dashboard.common.tiles import has_thresholds
from metrics.evaluate.definitions import MetricDefinition
from metrics.huddle.config import HuddleConfig, RatingKind

ATTENTION = ("red", "amber")  # the RAG states a huddle acts on, most urgent first
SHOWN_ACTIONS = 4  # open actions listed at the top; the rest are counted and listed with the huddle inputs
KIND_WORDS = {RatingKind.RELIABILITY: "Reliability", RatingKind.FEEL_SAFE: "Feel safe"}

GLANCE_CSS = """
.ws-glance{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,1fr);gap:10px;margin:4px 0 6px 0}
@media (max-width:1180px){.ws-glance{grid-template-columns:minmax(0,1fr)}
  .ws-att-word{display:none}.ws-att{padding:2px 6px;gap:6px}.ws-att-label{font-size:0.82rem;line-height:1.1}
  .ws-att-value{font-size:1.2rem}
  .ws-today{display:flex;flex-wrap:wrap;align-items:baseline;column-gap:16px}.ws-today h3{margin:0}
  .ws-today ul{flex-basis:100%}}
.ws-attention,.ws-today{background:#fff;border:1px solid #D8DDE0;border-radius:6px;padding:6px 10px;min-width:0}
.ws-glance h3{margin:0 0 4px 0;padding:0;font-size:1rem;font-weight:700;color:#212B32}
.ws-att-list{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:6px}
.ws-att{display:flex;align-items:center;gap:8px;border:1px solid #D8DDE0;border-left:8px solid var(--rag);
border-radius:4px;
  padding:3px 8px;min-width:0}
.ws-att-label{flex:1;min-width:0;font-size:0.88rem;line-height:1.15;color:#212B32;overflow-wrap:anywhere}
.ws-att-value{font-size:1.35rem;font-weight:800;color:#212B32;white-space:nowrap}
.ws-att .ws-badge{font-size:0.78rem}
.ws-att-none{font-size:0.9rem;color:#4C6272}
.ws-today p{margin:0 0 3px 0;font-size:0.88rem;line-height:1.25;color:#212B32;overflow-wrap:anywhere}
.ws-today ul{margin:0 0 2px 0;padding-left:1.1em}
.ws-today li{font-size:0.85rem;line-height:1.2;margin:0 0 2px 0;overflow-wrap:anywhere}
.ws-today small{color:#4C6272}
"""


def attention_definitions(board: Board, ward_code: str, definitions: list[MetricDefinition]) -> list[MetricDefinition]:
    """The tiles in red, then those in amber, each in board order."""
    by_rag: dict[str, list[MetricDefinition]] = {rag: [] for rag in ATTENTION}
    for definition in definitions:
        tv = board.tile(ward_code, definition.id)
        if tv is not None and tv.rag in by_rag and has_thresholds(definition):
            by_rag[tv.rag].append(definition)
    return [d for rag in ATTENTION for d in by_rag[rag]]


def section_order(
    board: Board, ward_code: str, groups: list[tuple[str, str, list[MetricDefinition]]]
) -> list[tuple[str, str, list[MetricDefinition], dict[str, int]]]:
    """The board's sections, most red first, then most amber, then in the configuration's order; each with its
    counts of red and amber tiles."""
    counted = []
    for position, (code, label, definitions) in enumerate(groups):
        counts = {rag: 0 for rag in ATTENTION}
        for definition in definitions:
            tv = board.tile(ward_code, definition.id)
            if tv is not None and tv.rag in counts:
                counts[tv.rag] += 1
        counted.append((-counts["red"], -counts["amber"], position, (code, label, definitions, counts)))
    return [item[-1] for item in sorted(counted, key=lambda c: c[:3])]


def section_label(label: str, counts: dict[str, int]) -> str:
    """'Medicines · ● 2 Red · ▲ 1 Amber' (plain words: an expander's label)."""
    parts = [f"{RAG_STYLES[rag].icon} {counts[rag]} {RAG_STYLES[rag].word}" for rag in ATTENTION if counts[rag]]
    return " · ".join([label, *parts])


def _attention_html(board: Board, ward_code: str, definitions: list[MetricDefinition]) -> str:
    chosen = attention_definitions(board, ward_code, definitions)
    counts = {rag: 0 for rag in ATTENTION}
    items = []
    for d in chosen:
        tv = board.tile(ward_code, d.id)
        rag = tv.rag if tv is not None and tv.rag else "amber"
        counts[rag] += 1
        style = RAG_STYLES[rag]
        items.append(
            f'<div class="ws-att" style="--rag:{style.colour}" data-attention="{escape(d.id)}">'
            f'<span class="ws-att-label">{escape(d.label)}</span>'
            f'<span class="ws-att-value">{escape(value_text(d, tv.value if tv else None))}</span>'
            f'<span class="ws-badge" style="background:{style.colour};color:{style.ink}" title="{style.word}">'
            f'{escape(style.icon)}<span class="ws-att-word"> {escape(style.word)}</span></span></div>'
        )
    head = " · ".join(f"{RAG_STYLES[r].icon} {counts[r]} {RAG_STYLES[r].word}" for r in ATTENTION)
    body = "".join(items) or '<div class="ws-att-none">Nothing is red or amber on this ward today.</div>'
    return (
        f'<div class="ws-attention" data-testid="huddle-attention"><h3>Needs attention: {escape(head)}</h3>'
        f'<div class="ws-att-list">{body}</div></div>'
    )


def _median_text(median: float | None) -> str:
    return "–" if median is None else f"{median:g} of 5"


def _today_html(ward_code: str, today: date, hcfg: HuddleConfig | None, actions: pd.DataFrame) -> str:
    lines = []
    db_url = store_access.database_url()
    for kind, word in KIND_WORDS.items():
        summary = store_access.huddle_summaries(db_url, (ward_code,), today, kind.value)[0]
        question = hcfg.scale(kind).question if hcfg is not None else word
        rated = f"{summary.rated} rated" if summary.rated else "nobody has rated yet"
        lines.append(
            f'<p title="{escape(question)}"><b>{escape(word)}</b>: median {_median_text(summary.median)} '
            f'<small>({rated})</small></p>'
        )
    open_rows = actions[actions["status"] == "open"] if not actions.empty else actions
    items = "".join(
        f"<li>{escape(str(row['text']))}"
        + (f" <small>({escape(str(row['owner_role']))})</small>" if row.get("owner_role") else "")
        + ("<small> · carried over</small>" if bool(row.get("carried_over")) else "")
        + "</li>"
        for _, row in open_rows.head(SHOWN_ACTIONS).iterrows()
    )
    more = len(open_rows) - SHOWN_ACTIONS
    more_text = f"<p><small>and {more} more, listed under Huddle actions</small></p>" if more > 0 else ""
    listed = f"<ul>{items}</ul>{more_text}" if items else "<p><small>No open actions.</small></p>"
    return (
        f'<div class="ws-today" data-testid="huddle-today"><h3>Today\'s huddle</h3>{"".join(lines)}'
        f"<p><b>Open actions: {len(open_rows)}</b></p>{listed}</div>"
    )


def glance_html(
    board: Board,
    ward_code: str,
    definitions: list[MetricDefinition],
    today: date,
    hcfg: HuddleConfig | None,
    actions: pd.DataFrame,
) -> str:
    """The block at the top of the board: red and amber tiles beside today's ratings and open actions."""
    return (
        f'<style>{GLANCE_CSS}</style><div class="ws-glance">{_attention_html(board, ward_code, definitions)}'
        f"{_today_html(ward_code, today, hcfg, actions)}</div>"
    )
