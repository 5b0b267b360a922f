"""'Days since the last fall with harm' on the huddle board, shown with its g chart rather than as a bare number.

Why this exists: a count of days since the last harm rises and resets, and alone it cannot say whether 40 days is
good for this ward. Beside it, the g chart of the days between falls with harm (``metrics.spc.rare``) shows the
ward's usual gap and its upper limit, so the team sees whether the run so far is ordinary or an improvement.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard.common import store_access
from dashboard.common.board import Board
from metrics.config.models import Ward
from metrics.huddle.safety_cross import harm_days
from metrics.report.chart_annotations import rare_event_figure
from metrics.report.spc_chart import variation_icon_label
from metrics.spc.rare import event_days_from_counts, g_chart, summary_text


def render_days_since_harm(
    board: Board, ward: Ward, harm: str = "fall", what: str = "fall with harm", plural: str = "falls with harm"
) -> None:
    """The days since the ward's last ``harm`` with harm, and the g chart of the days between them."""
    part = store_access.barometer_snapshot_part(board.db_url, board.snapshot.id, ward.code, ())
    st.subheader(f"Days since the last {what}")
    if part.incidents is None:
        st.info("Incidents: not supplied. This trust's extract carries no incidents table.")
        return
    rows = harm_days(part.incidents, harm)
    as_of = part.data_date or date.today()
    chart = g_chart(event_days_from_counts(rows), as_of=as_of)
    since = f" since {part.incidents_since:%d %b %Y}" if part.incidents_since else ""
    if chart.last_event is None:
        st.markdown(f"**No {what} in the incident data{since}.**")
        return
    st.markdown(f"**{summary_text(chart, what)}**")
    if chart.points.empty:
        st.caption(f"One {what} in the data{since}: the chart needs two to show a gap.")
        return
    figure = rare_event_figure(chart, f"g chart: days between each {what} and the one before, {ward.code}")
    st.plotly_chart(figure, width="stretch", config={"displayModeBar": False}, key=f"rare-{harm}-{ward.code}")
    st.caption(
        f"{variation_icon_label(chart.variation_icon)} · {chart.events} {plural}{since}; a longer gap is better. "
        "Limits after Benneyan (2001): mean gap + 3 × √(mean × (mean + 1))."
    )
