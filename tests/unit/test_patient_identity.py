"""Unit: the contract is the one list of patient-identifying columns, and the patient lists read it."""

from __future__ import annotations

import pandas as pd

from dashboard.huddle.patient_list import csv_bytes, patient_table
from metrics.evaluate.definitions import Aggregate, Audience, Direction, Drilldown, MetricDefinition
from metrics.extract.contract import IDENTIFYING_COLUMNS, NEVER_SHOWN_COLUMNS, TABLES, Identifying
from metrics.extract.contract_docs import render_contract_markdown


def test_the_contract_marks_the_keys_the_bed_and_the_sensitive_equity_columns_as_identifying():
    assert IDENTIFYING_COLUMNS == {
        "encounter_id", "patient_id", "incident_id", "bed", "imd_decile", "ethnic_category"
    }  # fmt: skip
    sensitive = {c.name for t in TABLES for c in t.columns if c.identifying is Identifying.SENSITIVE}
    assert sensitive == {"imd_decile", "ethnic_category"}
    assert NEVER_SHOWN_COLUMNS == {"encounter_id", "patient_id", "incident_id"}


def test_every_key_column_in_every_table_is_marked_never_shown():
    for table in TABLES:
        for column in table.columns:
            if column.name.endswith("_id"):
                assert column.identifying is Identifying.KEY, f"{table.name}.{column.name}"


def test_the_contract_page_says_which_columns_identify_a_patient():
    page = render_contract_markdown()
    assert page.count("identifies a patient: never shown") == 1 + sum(
        c.identifying is Identifying.KEY for t in TABLES for c in t.columns
    )
    assert page.count("identifies a patient: ward team only") == 1 + sum(
        c.identifying is Identifying.WARD_TEAM for t in TABLES for c in t.columns
    )
    assert page.count("sensitive: beside a patient for the ward team only") == 1 + sum(
        c.identifying is Identifying.SENSITIVE for t in TABLES for c in t.columns
    )


def _metric(columns: tuple[str, ...]) -> MetricDefinition:
    return MetricDefinition(
        id="listed",
        label="Listed",
        description="A tile whose drill-down names every identifying column.",
        table="encounters",
        aggregate=Aggregate(kind="rows"),
        unit="patients",
        direction=Direction.NEUTRAL,
        audiences=(Audience.HUDDLE,),
        group="ward",
        drilldown=Drilldown(columns=columns),
    )


def test_a_patient_list_and_its_csv_leave_out_every_never_shown_column_even_when_the_metric_asks_for_it():
    rows = pd.DataFrame(
        {
            "encounter_id": ["E00000001", "E00000002"],
            "patient_id": ["P0000001", "P0000002"],
            "incident_id": ["INC0000001", "INC0000002"],
            "bed": ["B1", "B2"],
            "age_years": [71, 84],
        }
    )
    table = patient_table(rows, _metric(("encounter_id", "patient_id", "incident_id", "bed", "age_years")))
    assert list(table.columns) == ["Bed", "Age"]
    assert table.to_dict("list") == {"Bed": ["B1", "B2"], "Age": ["71", "84"]}
    exported = csv_bytes(table).decode()
    assert exported == "Bed,Age\nB1,71\nB2,84\n"
