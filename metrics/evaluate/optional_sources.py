"""Which optional extract inputs (tables and columns) a metric reads, so a metric without them says "not supplied".

Why this exists: a trust that does not send an optional table (acuity, expected admissions, falls risk,
incidents) or an optional column (``clinical_frailty_scale``) must see "not supplied" wherever a metric reads
it, never a zero that reads as "no patients", "no gap" or "no frail patients". Missing optional data read as
zero harm is a hazard (docs/safety/hazards/H-165.yaml). The engine gives such a metric no value for any ward;
the views, the export and the hub ask here whether that is because an input was absent.

An *input* is named ``table`` for an optional extract table, or ``table.column`` for an optional column of a
contract table (``encounters.clinical_frailty_scale``). A snapshot records the tables its extract carried
(``row_counts``) and, per table, the optional columns its file carried (``supplied_columns``); a snapshot stored
before the columns were recorded (``supplied_columns`` None) is taken to have carried every optional column,
as it was read then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from metrics.evaluate.definitions import MetricDefinition
from metrics.extract.contract import TABLES_BY_NAME

# derived table a metric may count -> the optional extract table it is built from
OPTIONAL_SOURCES: Mapping[str, str] = {
    "acuity": "acuity",
    "bed_state": "expected_admissions",
    "falls_risk": "falls_risk",
}
# derived table -> the contract table whose columns it carries as they were read (so its optional columns too)
CONTRACT_TABLE: Mapping[str, str] = {
    "encounters": "encounters",
    "assessments": "assessments",
    "critical_doses": "medication_administrations",
    "patient_flags": "patient_flags",
    "acuity": "acuity",
    "falls_risk": "falls_risk",
}
# (derived table, column) -> the optional extract table the column is counted from
COLUMN_SOURCES: Mapping[tuple[str, str], str] = {
    ("ward_days", "falls"): "incidents",
    ("ward_days", "falls_with_harm"): "incidents",
}


def _optional_columns(table: str) -> list[str]:
    spec = TABLES_BY_NAME.get(table)
    return [c.name for c in spec.columns if c.may_be_absent] if spec is not None else []


def supplied_inputs(
    row_counts: Mapping[str, object] | None, supplied_columns: Mapping[str, Iterable[str]] | None
) -> frozenset[str]:
    """Every input a snapshot's extract carried: its tables, and ``table.column`` for each optional column."""
    tables = set(row_counts or {})
    out = set(tables)
    for table in tables:
        given = _optional_columns(table) if supplied_columns is None else supplied_columns.get(table, ())
        out |= {f"{table}.{column}" for column in given}
    return frozenset(out)


def inputs_of(definition: MetricDefinition) -> tuple[str, ...]:
    """The optional inputs ``definition`` reads: its table's optional source and every optional column it names."""
    needs: list[str] = []
    if (source := OPTIONAL_SOURCES.get(definition.table)) is not None:
        needs.append(source)
    contract = CONTRACT_TABLE.get(definition.table)
    optional = set(_optional_columns(contract)) if contract else set()
    for column in sorted(definition.referenced_columns()):
        if column in optional:
            needs.append(f"{contract}.{column}")
        if (table := COLUMN_SOURCES.get((definition.table, column))) is not None:
            needs.append(table)
    return tuple(dict.fromkeys(needs))


def missing_inputs(definition: MetricDefinition, supplied: Iterable[str]) -> tuple[str, ...]:
    """The optional inputs ``definition`` reads that are not among ``supplied`` (``supplied_inputs``)."""
    have = set(supplied)
    return tuple(i for i in inputs_of(definition) if i not in have)


def not_supplied(definition: MetricDefinition, supplied: Iterable[str]) -> bool:
    """True when ``definition`` reads an optional table or column that is not among ``supplied``."""
    return bool(missing_inputs(definition, supplied))
