"""The matron's wall screen: one ward at a time, readable from four metres, no patient identity.

Why this exists: a corridor screen runs unattended for weeks from a bookmark
(``/wall?wards=7A,7B,8C&rotate=30`` or ``/wall?matron=M01``). It must fit a
1920×1080 screen without scrolling, rotate through its wards, refresh itself,
say what moment its data reflects, and shout when that data is stale. It
shows only metrics whose audiences include ``wall``, and never a bed, a
name or an identifier: there is no drill-down here at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape

from dashboard.common.board import Board, metrics_for
from dashboard.common.spc_summary import stored_spc, tile_chip_html
from dashboard.common.status_strip import data_as_at_text, stale_banner_html, status_strip_html
from dashboard.common.rag import RAG_ORDER, RAG_STYLES
from dashboard.common.tiles import wall_tile_html
from metrics.evaluate.definitions import MetricDefinition
from metrics.config.models import AppConfig, Ward

MIN_ROTATE_SECONDS = 5
MAX_ROTATE_SECONDS = 3600
TILE_ASPECT = 1.0  # columns per row: tiles about twice as wide as tall on a 16:9 screen, room for value and badge


@dataclass(frozen=True)
class WallRequest:
    """What a wall bookmark asks for: the wards in turn, seconds per ward, and notes on anything ignored."""

    wards: tuple[Ward, ...]
    rotate: int
    refresh: int
    title: str
    notes: tuple[str, ...] = field(default=())
    tiles: tuple[str, ...] = field(default=())  # metric ids to show, in order; empty: every wall metric

    @property
    def interval(self) -> int:
        """How often the screen redraws itself: the rotation, or the data refresh when there is one ward (or it is
        sooner)."""
        return min(self.rotate, self.refresh) if len(self.wards) > 1 else self.refresh


def _first(params: Mapping[str, object], key: str) -> str | None:
    value = params.get(key)
    if isinstance(value, list):
        value = value[-1] if value else None
    return None if value is None else str(value)


def _clean(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum() or ch in "-_")[:20]


def wall_request(cfg: AppConfig, params: Mapping[str, object]) -> WallRequest:
    """Read ``wards``, ``matron`` and ``rotate`` from the URL; unknown codes are noted and skipped, never an error."""
    notes: list[str] = []
    wards: list[Ward] = []
    title = cfg.dashboard.trust_name
    ward_param = _first(params, "wards")
    matron_param = _first(params, "matron")
    if ward_param:
        for code in (c.strip() for c in ward_param.split(",")):
            if not code:
                continue
            ward = cfg.ward(code)
            if ward is None:
                notes.append(f"unknown ward {_clean(code)}")
            elif ward not in wards:
                wards.append(ward)
    if matron_param:
        matron = next((m for m in cfg.wards.matrons if m.code.upper() == matron_param.strip().upper()), None)
        if matron is None:
            notes.append(f"unknown matron {_clean(matron_param)}")
        else:
            title = matron.name
            wards.extend(w for w in cfg.wards.wards if w.matron == matron.code and w not in wards)
    if not wards:
        wards = list(cfg.wards.wards)
    rotate = cfg.dashboard.wall_rotate_seconds
    rotate_param = _first(params, "rotate")
    if rotate_param:
        try:
            rotate = min(MAX_ROTATE_SECONDS, max(MIN_ROTATE_SECONDS, int(float(rotate_param))))
        except ValueError:
            notes.append(f"rotate {_clean(rotate_param)!r} is not a number of seconds")
    tiles = tuple(cfg.dashboard.wall_tiles)
    tiles_param = _first(params, "tiles")
    if tiles_param:
        tiles = tuple(t.strip() for t in tiles_param.split(",") if t.strip())
    return WallRequest(tuple(wards), rotate, cfg.dashboard.wall_refresh_seconds, title, tuple(notes), tiles)


def wall_definitions(board: Board, request: WallRequest) -> tuple[list[MetricDefinition], list[str]]:
    """The wall's tiles: the request's (or the wall profile's) metric ids in their order, else every wall metric;
    and the ids asked for that are not wall metrics (noted on screen, never an error)."""
    definitions = metrics_for(board.cfg, "wall")
    if not request.tiles:
        return definitions, []
    by_id = {d.id: d for d in definitions}
    chosen = [by_id[t] for t in dict.fromkeys(request.tiles) if t in by_id]
    unknown = [_clean(t) for t in request.tiles if t not in by_id]
    return (chosen or definitions), unknown


def rag_summary_html(board: Board, ward_code: str, definitions: list[MetricDefinition]) -> str:
    """'● 4 Red · ▲ 6 Amber · ✓ 13 Green': the ward at a glance, read before the tiles."""
    counts = {key: 0 for key in RAG_ORDER}
    for d in definitions:
        tv = board.tile(ward_code, d.id)
        if tv is not None and tv.rag in counts:
            counts[tv.rag] += 1
    parts = [
        f'<span class="wall-sum-item" style="--rag:{RAG_STYLES[k].colour}">'
        f"{escape(RAG_STYLES[k].icon)} {counts[k]} {escape(RAG_STYLES[k].word)}</span>"
        for k in RAG_ORDER
    ]
    return f'<div class="wall-summary" data-testid="wall-summary">{"".join(parts)}</div>'


WALL_KEY = "Key: ● Red ▲ Amber ✓ Green (blue edge) · ▲ ▼ since yesterday · ↑ ↓ ↔ SPC trend"


def grid_shape(count: int) -> tuple[int, int]:
    """(columns, rows) for ``count`` tiles filling a 16:9 screen. The columns set the narrowest a tile may be
    (the screen's share); the browser's grid (auto-fit) then fits as many as the screen holds, and the rows share
    the height left, so a narrower screen takes fewer columns and more rows rather than cutting tiles."""
    if count <= 0:
        return 1, 1
    rows = max(1, round(math.sqrt(count / TILE_ASPECT)))
    return math.ceil(count / rows), rows


def next_turn(index: int, since: float, now: float, rotate: int, count: int) -> tuple[int, float]:
    """Advance to the next ward once ``rotate`` seconds have passed since the last change."""
    if count <= 1:
        return 0, since
    if now - since >= rotate - 0.5:  # half a second of slack for a timer that fires a touch early
        return (index + 1) % count, now
    return index % count, since


def huddle_line(huddle: Mapping[str, object] | None) -> str:
    """Today's huddle on the wall in words read from across a corridor: how many rated reliability, their scores
    (1 to 5), and open actions (no names, no patients)."""
    if not huddle:
        return ""
    counts = huddle.get("counts") or {}
    scores = [str(score) for score in range(1, 6) for _ in range(int(counts.get(score, 0)))]  # type: ignore[union-attr]
    rated = (
        f"reliability rated by {len(scores)} (scores {', '.join(scores)} of 5)"
        if huddle.get("rated") and scores
        else "no reliability ratings yet"
    )
    actions = int(huddle.get("open_actions") or 0)  # type: ignore[call-overload]
    return f"Huddle today: {rated} · {actions} open action{'s' if actions != 1 else ''}"


def wall_html(
    board: Board,
    request: WallRequest,
    index: int,
    huddle: Mapping[str, object] | None = None,
    demo_notice: str = "",
    accreditation: str = "",
) -> str:
    """The whole screen for the ward at ``index``: head (ward; data as at over the status strip), stale banner, tile
    grid, foot.

    ``accreditation``: the ward's accreditation badge (HTML, already escaped), drawn beside the RAG counts.
    """
    ward = request.wards[index % len(request.wards)]
    definitions, unknown = wall_definitions(board, request)
    cols, _ = grid_shape(len(definitions))
    spc = stored_spc(board)
    tiles = "".join(wall_tile_html(board, ward.code, d, tile_chip_html(spc, ward.code, d)) for d in definitions)
    site = next((s.name for s in board.cfg.wards.sites if s.code == ward.site), ward.site)
    turn = (
        f"Ward {index % len(request.wards) + 1} of {len(request.wards)}, next every {request.rotate} s"
        if len(request.wards) > 1
        else "One ward"
    )
    ignored = [*request.notes, *(f"unknown tile {t}" for t in unknown)]
    notes = f" · ignored: {escape(', '.join(ignored))}" if ignored else ""
    strip = status_strip_html(board, with_as_at=False, demo_notice=demo_notice)
    return (
        f'<div class="wall-root" data-ward="{escape(ward.code)}">'
        f'<div class="wall-head"><div class="wall-head-left"><div class="wall-ward">{escape(ward.code)} · '
        f"{escape(ward.name)}</div>"
        f'<div class="wall-sumrow">{rag_summary_html(board, ward.code, definitions)}{accreditation}</div></div>'
        f'<div class="wall-head-right"><div class="wall-asat">{escape(data_as_at_text(board))}</div>{strip}</div></div>'
        f"{stale_banner_html(board, detail=False).replace('ws-banner', 'wall-banner')}"
        f'<div class="wall-grid" style="--wall-cols:{cols}">{tiles}</div>'
        f'<div class="wall-foot"><span>{escape(request.title)} · {escape(site)} · {escape(turn)}{notes}</span>'
        f'<span data-testid="wall-huddle">{escape(huddle_line(huddle))}</span>'
        f'<span data-testid="wall-key">{escape(WALL_KEY)}</span></div>'
        "</div>"
    )
