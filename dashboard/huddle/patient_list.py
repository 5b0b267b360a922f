"""The patient list behind a tile (huddle view only): bed, age, what is outstanding and for how long.

Why this exists: at the huddle the team needs to know which beds to go to
first. The stored drill-down rows are already sorted most urgent first; this
module turns them into a table a nurse reads (durations as '3 h 20 m', times
as '07:30 Wed 25 Nov') and drops every column the extract contract marks as
a key (``Identifying.KEY``: encounter, patient and incident ids), which never
reach the screen or the CSV.

Who may see a list, export it, and the audit of both, come from the page's
``Access``: a list is drawn only for a principal allowed
``view_patient_list`` on the ward, and only while it is open (its rows are not
sent to the browser before), and each opening and each CSV export is written
to the audit log. Without an ``Access`` no list is drawn at all.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard.common import access_gate
from dashboard.common import store_access
from dashboard.common.access_gate import Access
from dashboard.common.board import Board
from dashboard.common.formatting import column_title, day_time, duration_text, is_missing, number_text
from metrics.export.spreadsheet_csv import safe_csv
from metrics.access.decisions import Action
from metrics.evaluate.definitions import MetricDefinition
from metrics.extract.contract import NEVER_SHOWN_COLUMNS
from metrics.rules.clock import LONDON

INTERNAL_COLUMNS = frozenset({"urgency", "duration_minutes"})
DURATION_TITLE = "For how long"


def is_duration(column: str) -> bool:
    return column.endswith(("_minutes", "_hours")) or column.startswith(("minutes_", "hours_"))


def _csv_cell(column: str, value: object) -> object:
    """A cell a spreadsheet can sort: durations as numeric hours, times and dates in ISO 8601 (London)."""
    if column.endswith("_minutes") or column.startswith("minutes_"):
        return round(float(value) / 60, 2)  # type: ignore[arg-type]
    if column.startswith("hours_") or column.endswith("_hours"):
        return round(float(value), 2)  # type: ignore[arg-type]
    if column.endswith("_at"):
        try:
            return pd.Timestamp(str(value)).tz_convert(LONDON).strftime("%Y-%m-%d %H:%M")
        except (ValueError, TypeError):
            try:
                return pd.Timestamp(str(value)).strftime("%Y-%m-%d %H:%M")
            except (ValueError, TypeError):
                return str(value)
    if column.endswith("_date"):
        try:
            return pd.Timestamp(str(value)).date().isoformat()
        except (ValueError, TypeError):
            return str(value)
    return value if isinstance(value, (int, float)) else str(value)


def _format_cell(column: str, value: object, for_csv: bool = False) -> object:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if for_csv:
        return _csv_cell(column, value)
    if column.endswith("_minutes") or column.startswith("minutes_"):
        return duration_text(float(value))  # type: ignore[arg-type]
    if column.startswith("hours_") or column.endswith("_hours"):
        return duration_text(float(value) * 60)  # type: ignore[arg-type]
    if column.endswith("_at"):
        try:
            return day_time(str(value))
        except (ValueError, TypeError):
            return str(value)
    if column.endswith("_date"):
        try:
            d = pd.Timestamp(str(value)).date()
        except (ValueError, TypeError):
            return str(value)
        return f"{d:%a} {d.day} {d:%b}" if isinstance(d, date) else str(value)
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def patient_table(rows: pd.DataFrame, definition: MetricDefinition, for_csv: bool = False) -> pd.DataFrame:
    """The user-facing table: the metric's drill-down columns, formatted and titled, without identifiers, in stored
    (urgency) order. ``for_csv``: durations in numeric hours and ISO dates, so a spreadsheet can sort them."""
    if rows.empty:
        return pd.DataFrame()
    wanted = (
        list(definition.drilldown.columns)
        if definition.drilldown
        else [c for c in rows.columns if c not in INTERNAL_COLUMNS]
    )
    columns = [
        c
        for c in dict.fromkeys(wanted)
        if c in rows.columns and c not in NEVER_SHOWN_COLUMNS and c not in INTERNAL_COLUMNS
    ]
    table = pd.DataFrame(
        {
            column_title(c) + (" (hours)" if for_csv and is_duration(c) else ""): [
                _format_cell(c, v, for_csv) for v in rows[c]
            ]
            for c in columns
        },
        index=range(len(rows)),
    )
    duration_column = definition.drilldown.duration if definition.drilldown else None
    if (
        (duration_column is None or duration_column not in columns)
        and "duration_minutes" in rows
        and rows["duration_minutes"].notna().any()
    ):
        if for_csv:
            table[f"{DURATION_TITLE} (hours)"] = [
                "" if is_missing(v) else round(float(v) / 60, 2) for v in rows["duration_minutes"]
            ]
        else:
            table[DURATION_TITLE] = [duration_text(v) for v in rows["duration_minutes"]]
    return table


def _raw_rows(board: Board, ward_code: str, definition: MetricDefinition) -> pd.DataFrame:
    if definition.drilldown is None:
        return pd.DataFrame()
    tv = board.tile(ward_code, definition.id)
    if tv is not None and tv.value is not None and tv.value == 0 and definition.ratio is None:
        return pd.DataFrame()
    return store_access.drilldown(board.db_url, board.snapshot.id, ward_code.upper(), definition.id)


def patient_rows(board: Board, ward_code: str, definition: MetricDefinition, for_csv: bool = False) -> pd.DataFrame:
    """The formatted list for one tile (empty when the tile has no drill-down or nobody is on it)."""
    return patient_table(_raw_rows(board, ward_code, definition), definition, for_csv)


def patient_count(board: Board, ward_code: str, definition: MetricDefinition) -> int:
    """How many rows the tile's list holds (its button's label), without formatting the list: a closed list's rows
    are neither formatted nor sent."""
    return len(_raw_rows(board, ward_code, definition))


def csv_bytes(table: pd.DataFrame) -> bytes:
    return safe_csv(table)


def csv_name(board: Board, ward_code: str, definition: MetricDefinition) -> str:
    stamp = pd.Timestamp(board.snapshot.extracted_at).tz_convert(LONDON).strftime("%Y-%m-%d_%H%M")
    safe_ward = "".join(ch for ch in ward_code if ch.isalnum())
    return f"{safe_ward}_{definition.id}_{stamp}.csv"


OPENED_KEY = "_patient_lists_open"


def list_key(ward_code: str, name: str) -> str:
    """The widget key of a list's popover or expander: its open state lives in session state under it."""
    return f"pl-{''.join(ch for ch in ward_code if ch.isalnum())}-{name}"


def _csv_exported(access: Access, ward_code: str, metric_id: str, rows: int) -> None:
    access.record(access_gate.CSV_EXPORTED, ward_code=ward_code, what="patient list", metric=metric_id, rows=rows)


def _note_open(
    access: Access,
    board: Board,
    ward_code: str,
    key: str,
    is_open: bool | None,
    definitions: list[MetricDefinition],
    rows: int,
) -> None:
    """Audit a list each time it is opened (once per opening, not on every rerun while it stays open)."""
    opened: set[str] = st.session_state.setdefault(OPENED_KEY, set())
    stamp = f"{board.snapshot.id}:{key}"
    if not is_open:
        opened.discard(stamp)
        return
    if stamp not in opened:
        access.record(
            access_gate.PATIENT_LIST_OPENED,
            ward_code=ward_code,
            metrics=[d.id for d in definitions],
            rows=rows,
            snapshot=board.snapshot.id,
        )
        opened.add(stamp)


def render_list_body(
    board: Board, ward_code: str, definition: MetricDefinition, table: pd.DataFrame, access: Access
) -> None:
    """Caption, table and (for those allowed to export) CSV download for one tile's list, inside an open popover or
    expander."""
    st.caption(f"{definition.label}: most urgent first")
    st.dataframe(table, hide_index=True, width="content")
    if access.allows(Action.EXPORT_CSV, ward_code):
        st.download_button(
            "Download CSV",
            data=csv_bytes(patient_rows(board, ward_code, definition, for_csv=True)),
            file_name=csv_name(board, ward_code, definition),
            mime="text/csv",
            key=f"csv-{ward_code}-{definition.id}",
            on_click=_csv_exported,
            args=(access, ward_code, definition.id, len(table)),
            icon=":material/download:",
        )


def render_patient_list(board: Board, ward_code: str, definition: MetricDefinition, access: Access | None) -> None:
    """A popover under a tile with its patient list; nothing when the list is empty or the principal may not see it."""
    if access is None or not access.allows(Action.VIEW_PATIENT_LIST, ward_code):
        return
    rows = patient_count(board, ward_code, definition)
    if not rows:
        return
    tv = board.tile(ward_code, definition.id)
    count = f"{rows}" if tv is None or tv.value is None or tv.value == rows else f"{rows} rows"
    key = list_key(ward_code, definition.id)
    with st.popover(
        f"Patient list ({count})", width="stretch", icon=":material/list:", on_change="rerun", key=key
    ) as pop:
        _note_open(access, board, ward_code, key, pop.open, [definition], rows)
        if pop.open:
            render_list_body(board, ward_code, definition, patient_rows(board, ward_code, definition), access)


def render_patient_lists(
    board: Board, ward_code: str, definitions: list[MetricDefinition], title: str, access: Access | None
) -> None:
    """One expander holding the lists of several metrics (for a compact table); rows drawn only while it is open."""
    if access is None or not access.allows(Action.VIEW_PATIENT_LIST, ward_code) or not definitions:
        return
    counts = [(d, patient_count(board, ward_code, d)) for d in definitions]
    listed = [d for d, n in counts if n]
    if not listed:
        return
    key = list_key(ward_code, "group-" + definitions[0].group)
    rows = sum(n for _, n in counts)
    with st.expander(f"{title} ({rows} rows)", on_change="rerun", key=key) as box:
        _note_open(access, board, ward_code, key, box.open, listed, rows)
        if box.open:
            for definition in listed:
                render_list_body(board, ward_code, definition, patient_rows(board, ward_code, definition), access)
