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
from dashboard.common.tiles import wall_tile_html
from metrics.config.models import AppConfig, Ward

MIN_ROTATE_SECONDS = 5
MAX_ROTATE_SECONDS = 3600
TILE_ASPECT = (
    1.0  # columns per row: tiles about twice as wide as tall on a 16:9 screen, room for value and badge side by side
)


@dataclass(frozen=True)
class WallRequest:
    """What a wall bookmark asks for: the wards in turn, seconds per ward, and notes on anything ignored."""

    wards: tuple[Ward, ...]
    rotate: int
    refresh: int
    title: str
    notes: tuple[str, ...] = field(default=())

    @property
    def interval(self) -> int:
        """How often the screen redraws itself: the rotation, or the data refresh when there is one ward (or it is sooner)."""
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
    return WallRequest(tuple(wards), rotate, cfg.dashboard.wall_refresh_seconds, title, tuple(notes))


def grid_shape(count: int) -> tuple[int, int]:
    """(columns, rows) for ``count`` tiles filling a 16:9 screen."""
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
    """Today's huddle on the wall: reliability ratings counted per score 1-5 and open actions (no names, no patients)."""
    if not huddle:
        return ""
    counts = huddle.get("counts") or {}
    scores = "  ".join(f"{score}: {counts.get(score, 0)}" for score in range(1, 6))  # type: ignore[union-attr]
    rated = f"reliability today {scores}" if huddle.get("rated") else "no reliability ratings yet today"
    actions = int(huddle.get("open_actions") or 0)  # type: ignore[call-overload]
    return f"Huddle: {rated} · {actions} open action{'s' if actions != 1 else ''}"


def wall_html(
    board: Board,
    request: WallRequest,
    index: int,
    huddle: Mapping[str, object] | None = None,
    demo_notice: str = "",
) -> str:
    """The whole screen for the ward at ``index``: head (ward; data as at over the status strip), stale banner, tile grid, foot."""
    ward = request.wards[index % len(request.wards)]
    definitions = metrics_for(board.cfg, "wall")
    cols, rows = grid_shape(len(definitions))
    spc = stored_spc(board)
    tiles = "".join(wall_tile_html(board, ward.code, d, tile_chip_html(spc, ward.code, d)) for d in definitions)
    site = next((s.name for s in board.cfg.wards.sites if s.code == ward.site), ward.site)
    turn = (
        f"Ward {index % len(request.wards) + 1} of {len(request.wards)}, next every {request.rotate} s"
        if len(request.wards) > 1
        else "One ward"
    )
    notes = f" · ignored: {escape(', '.join(request.notes))}" if request.notes else ""
    return (
        f'<div class="wall-root" data-ward="{escape(ward.code)}">'
        f'<div class="wall-head"><div class="wall-ward">{escape(ward.code)} · {escape(ward.name)}</div>'
        f'<div class="wall-head-right"><div class="wall-asat">{escape(data_as_at_text(board))}</div>{status_strip_html(board, with_as_at=False, demo_notice=demo_notice)}</div></div>'
        f"{stale_banner_html(board, detail=False).replace('ws-banner', 'wall-banner')}"
        f'<div class="wall-grid" style="grid-template-columns:repeat({cols},minmax(0,1fr));grid-template-rows:repeat({rows},minmax(0,1fr))">{tiles}</div>'
        f'<div class="wall-foot"><span>{escape(request.title)} · {escape(site)}</span><span data-testid="wall-huddle">{escape(huddle_line(huddle))}</span>'
        f"<span>▲ ▼ since yesterday · ↑ ↓ ↔ SPC trend · {escape(turn)} · refreshes every {request.interval} s{notes}</span></div>"
        "</div>"
    )
