"""The five questions of safety for one ward: one panel, each question with its measures and their SPC reading.

Why this exists: the huddle and the executive views answer the Health
Foundation's five questions (Vincent, Burnett and Carthey, 2013) side by side;
``metrics.dimensions.panel`` decides what each ward's measures are, from the
stored SPC series and the learning responses, and this module only draws them.
``render_dimensions_panel`` is self-contained: a view calls it once per ward.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import store_access
from dashboard.common.board import Board, panel_config_or_warn
from dashboard.common.formatting import number_text, value_text
from dashboard.common.spc_summary import stored_spc
from metrics.dimensions.panel import DimensionAnswer, LearningCounts, learning_counts, ward_dimensions
from metrics.errors import ConfigError
from metrics.learning.responses import london_date, themes
from metrics.report.spc_chart import variation_icon_short

DIMENSIONS_CSS = """
.dm-panel{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:6px;margin:4px 0 8px 0}
.dm-q{background:#fff;border:1px solid #D8DDE0;border-top:4px solid #005EB8;border-radius:4px;padding:4px 8px}
.dm-q h4{margin:0 0 2px 0;font-size:0.85rem;line-height:1.2;color:#212B32}
.dm-q ul{list-style:none;margin:0;padding:0}
.dm-q li{display:flex;justify-content:space-between;gap:6px;font-size:0.8rem;border-top:1px solid #F0F4F5;padding:1px 0}
.dm-q li span.dm-v{font-weight:700;white-space:nowrap}
.dm-q li small{color:#4C6272;white-space:nowrap}
.dm-q p.dm-none{margin:2px 0;font-size:0.8rem;color:#4C6272;font-style:italic}
"""


def _measure_value(board: Board, metric_id: str, value: float | None, has_spc: bool) -> str:
    if not has_spc:
        return number_text(value)
    definition = next((m for m in board.cfg.metrics if m.id == metric_id), None)
    return value_text(definition, value) if definition is not None else number_text(value)


def dimensions_html(board: Board, ward_code: str, answers: list[DimensionAnswer]) -> str:
    """One box per question with its measures (value and variation), or why there is none."""
    boxes = []
    for answer in answers:
        if answer.measures:
            items = "".join(
                f'<li data-measure="{escape(m.id)}"><span>{escape(m.label)}</span>'
                f'<span class="dm-v">{escape(_measure_value(board, m.id, m.value, m.has_spc))}'
                f" <small>{escape(variation_icon_short(m.variation_icon) if m.has_spc else 'count now')}</small>"
                "</span></li>"
                for m in answer.measures
            )
            body = f"<ul>{items}</ul>"
        else:
            body = f'<p class="dm-none">{escape(answer.note or "No measure for this ward")}</p>'
        boxes.append(
            f'<div class="dm-q" data-dimension="{escape(answer.code)}"><h4>{escape(answer.question)}</h4>{body}</div>'
        )
    return f'<div class="dm-panel" data-ward="{escape(ward_code)}">{"".join(boxes)}</div>'


def _learning(board: Board, ward_code: str, status: pd.DataFrame | None) -> LearningCounts | None:
    if status is None:
        return None
    mine = status[status["ward_code"].str.upper() == ward_code.upper()] if len(status) else status
    try:
        cfg = store_access.learning_config()
    except ConfigError:
        return None
    return learning_counts(mine, len(themes(mine, cfg, london_date(datetime.now(timezone.utc)))))


def all_wards_learning(board: Board, ward_codes: tuple[str, ...] | None = None) -> pd.DataFrame | None:
    """Every ward's learning-response status for the snapshot (only ``ward_codes``' when given), or None when
    incidents are not supplied or unreadable."""
    if "incidents" not in (board.snapshot.row_counts or {}):
        return None
    try:
        now = datetime.now(timezone.utc)
        return store_access.learning_status_all(
            board.db_url, board.snapshot.id, london_date(now), board.cfg.fingerprint, ward_codes
        )
    except (ConfigError, SQLAlchemyError):
        return None


def render_dimensions_panel(
    board: Board, ward_code: str, learning: pd.DataFrame | None = None, *, title: bool = True
) -> None:
    """The five questions for ``ward_code``: self-contained, a view calls it once per ward.

    ``learning`` (``all_wards_learning``) lets a view showing many wards read the responses once.
    """
    st.html(f"<style>{DIMENSIONS_CSS}</style>")
    if title:
        st.html('<div class="ws-group">The five questions of safety</div>')
    dims = panel_config_or_warn(store_access.dimensions_config, "The five questions are not configured")
    if dims is None:
        return
    spc = stored_spc(board)
    summary = spc.result.summary.set_index("series_id") if spc is not None else pd.DataFrame()
    status = learning if learning is not None else all_wards_learning(board, (ward_code.upper(),))
    answers = ward_dimensions(dims, board.cfg, summary, ward_code, _learning(board, ward_code, status))
    st.html(dimensions_html(board, ward_code, answers))


def render_dimensions_by_ward(board: Board) -> None:
    """The executive view's section: every ward's five answers, the responses read once for all of them."""
    st.subheader("The five questions of safety, ward by ward")
    st.caption(
        "Each question answered by its measures: the latest value with its SPC variation, and for learning the "
        "harm incidents whose learning response is overdue or due and the recurring themes. A ward with no "
        "measure for a question says so. Vincent, Burnett and Carthey, The Health Foundation 2013."
    )
    learning = all_wards_learning(board)
    with st.container(key="exec_dimensions"):
        for ward in board.cfg.wards.wards:
            st.html(f'<div class="dm-ward"><b>{escape(ward.code)} · {escape(ward.name)}</b></div>')
            render_dimensions_panel(board, ward.code, learning, title=False)
