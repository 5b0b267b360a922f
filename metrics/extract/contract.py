"""The EPR extract contract, version 1, declared once as data.

Why this exists: every hospital's EPR names things differently, so the
dashboard reads one canonical shape. This module is the single declaration
of that shape. It drives validation (``metrics.extract.validate``), the documentation
of the contract (``docs/extract-contract.md`` is generated from it and checked
for drift by a test) and the synthetic sample generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

CONTRACT_VERSION = 1


class ColumnType(str, Enum):
    """The closed set of column types an extract may carry."""

    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    DATE = "date"


class Identifying(str, Enum):
    """How a column identifies a patient, and so where its values may appear.

    The one list of patient-identifying columns: the patient lists and their CSV
    export leave out every ``KEY`` column, and no wall or executive screen shows
    a value of any identifying column. The contract carries no NHS number, name
    or date of birth, and the reader keeps only contract columns, so an extract
    that carries them never passes them on.
    """

    KEY = "key"  # links rows to one patient or stay: shown on no screen and in no export
    WARD_TEAM = "ward team"  # the ward's own team (patient lists, huddle sheet); never a wall or executive screen
    # sensitive (deprivation, ethnicity): beside a patient only for the ward team, as a bed is; elsewhere only as
    # counts of a group with small numbers suppressed. A value alone names no one (a decile is shared by millions),
    # so screens are checked for these columns' names, never for their values.
    SENSITIVE = "sensitive"
# The longest text each column may hold, as the store keeps it (an identifier 80 characters, a ward or bed code 40,
# other text 200): a longer value is set aside with its row on every database, never a failed load on one.
TEXT_LIMITS = {
    "encounter_id": 80,
    "patient_id": 80,
    "incident_id": 80,
    "ward_code": 40,
    "bed": 40,
    "*": 200,
}


@dataclass(frozen=True)
class ColumnSpec:
    """One column of one extract table: its type, whether it must be filled and its allowed values."""

    name: str
    type: ColumnType
    required: bool
    description: str
    allowed: tuple[str, ...] | None = None  # lower-case codes; compared case-insensitively
    min_value: float | None = None
    max_value: float | None = None
    not_after_extract: bool = False  # a datetime that may not lie after extracted_at
    unique: bool = False
    may_be_absent: bool = False  # an optional column a file may leave out altogether; read as all empty
    identifying: Identifying | None = None  # None: the column names no patient
    max_length: int | None = None  # text only; unset: the default for the column's kind (TEXT_LIMITS)

    def __post_init__(self) -> None:
        if self.type is ColumnType.STRING and self.max_length is None:
            object.__setattr__(self, "max_length", TEXT_LIMITS.get(self.name, TEXT_LIMITS["*"]))


@dataclass(frozen=True)
class TableSpec:
    """One extract table: its file stem, its columns and whether the extract must carry it."""

    name: str
    description: str
    columns: tuple[ColumnSpec, ...]
    required_file: bool = True
    ward_column: str | None = None  # a column whose value must be a configured ward
    extra: dict[str, str] = field(default_factory=dict)
    # False for a table whose size swings from day to day by nature (admissions expected on a Monday against a
    # Sunday): its rows falling by half is no sign of a broken extract, so it never holds one
    steady_size: bool = True

    def column(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


S, INT, D, B, T, DT = (
    ColumnType.STRING,
    ColumnType.INTEGER,
    ColumnType.DECIMAL,
    ColumnType.BOOLEAN,
    ColumnType.DATETIME,
    ColumnType.DATE,
)
KEY, WARD_TEAM, SENSITIVE = Identifying.KEY, Identifying.WARD_TEAM, Identifying.SENSITIVE
# NHS Data Dictionary ETHNIC CATEGORY codes (lower case, as allowed codes are compared); their groups:
# metrics.equity.groups
ETHNIC_CATEGORY_CODES = ("a", "b", "c", "d", "e", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "z", "99")


def _may_be_absent(name: str, kind: ColumnType, description: str, **limits: Any) -> ColumnSpec:
    """An optional column a file may leave out altogether (read as all empty); its description says so first."""
    return ColumnSpec(name, kind, False, f"Optional: {description}", may_be_absent=True, **limits)


ENCOUNTERS = TableSpec(
    "encounters",
    "One row per inpatient stay that is current or ended in the last 24 hours.",
    (
        ColumnSpec("encounter_id", S, True, "Unique key of the stay.", unique=True, identifying=KEY),
        ColumnSpec("patient_id", S, True, "Pseudonymised patient key; links to lab_results.", identifying=KEY),
        ColumnSpec("ward_code", S, True, "A ward code from config/wards.yaml."),
        ColumnSpec("bed", S, False, "Bed label; shown only in the huddle view.", identifying=WARD_TEAM),
        ColumnSpec("admitted_at", T, True, "Admission to the ward.", not_after_extract=True),
        ColumnSpec("discharged_at", T, False, "Empty while the patient is on the ward.", not_after_extract=True),
        ColumnSpec("expected_discharge_date", DT, False, "Planned discharge date."),
        ColumnSpec("age_years", INT, True, "Age in whole years, 0 to 120.", min_value=0, max_value=120),
        ColumnSpec("sex", S, False, "M, F or U.", allowed=("m", "f", "u")),
        ColumnSpec(
            "clinical_frailty_scale",
            INT,
            False,
            "Clinical Frailty Scale score (Rockwood, version 2.0: 1 very fit to 9 terminally ill), the latest "
            "recorded in the stay; empty when not assessed. Optional: a trust that does not record it may leave "
            "the column out, and its frailty tiles read 'not supplied'.",
            min_value=1,
            max_value=9,
            may_be_absent=True,
        ),
        _may_be_absent(
            "imd_decile",
            INT,
            "the Index of Multiple Deprivation decile of the patient's home area (English Indices of "
            "Deprivation 2019, by Lower-layer Super Output Area): 1 the most deprived tenth, 10 the least. "
            "Deciles 1 and 2 are the Core20 (NHS England Core20PLUS5). Read only as counts per group.",
            min_value=1,
            max_value=10,
            identifying=SENSITIVE,
        ),
        _may_be_absent(
            "ethnic_category",
            S,
            "the patient's ETHNIC CATEGORY code (NHS Data Dictionary): A-C White, D-G Mixed, H-L Asian or "
            "Asian British, M-P Black or Black British, R-S Other ethnic groups, Z not stated, 99 not known. "
            "Read only as counts per group.",
            allowed=ETHNIC_CATEGORY_CODES,
            identifying=SENSITIVE,
        ),
    ),
    ward_column="ward_code",
)

OBSERVATIONS = TableSpec(
    "observations",
    "One row per set of vital signs. Any parameter may be missing: such a set is incomplete and gets no NEWS2 score.",
    (
        ColumnSpec("encounter_id", S, True, "The stay the set belongs to.", identifying=KEY),
        ColumnSpec("taken_at", T, True, "When the set was taken.", not_after_extract=True),
        ColumnSpec("respiratory_rate", INT, False, "Breaths per minute.", min_value=0, max_value=80),
        ColumnSpec("spo2", INT, False, "Oxygen saturation, %.", min_value=50, max_value=100),
        ColumnSpec(
            "spo2_scale",
            INT,
            False,
            "NEWS2 SpO2 scale: 1, or 2 for confirmed hypercapnic respiratory failure.",
            min_value=1,
            max_value=2,
        ),
        ColumnSpec("on_oxygen", B, False, "Supplemental oxygen at the time."),
        ColumnSpec("systolic_bp", INT, False, "Systolic blood pressure, mmHg.", min_value=30, max_value=300),
        ColumnSpec("heart_rate", INT, False, "Pulse, beats per minute.", min_value=10, max_value=300),
        ColumnSpec(
            "consciousness", S, False, "ACVPU: A, C (new confusion), V, P or U.", allowed=("a", "c", "v", "p", "u")
        ),
        ColumnSpec("temperature_c", D, False, "Temperature, degrees Celsius.", min_value=25, max_value=45),
    ),
)

LAB_RESULTS = TableSpec(
    "lab_results",
    "Results for the patients in encounters, up to 365 days back.",
    (
        ColumnSpec("patient_id", S, True, "Pseudonymised patient key.", identifying=KEY),
        ColumnSpec("collected_at", T, True, "When the sample was collected.", not_after_extract=True),
        ColumnSpec(
            "test",
            S,
            True,
            "Test name; 'creatinine' is the one the AKI algorithm reads, 'lactate' the one the sepsis screen reads.",
        ),
        ColumnSpec("value", D, True, "Result value.", min_value=0),
        ColumnSpec("unit", S, True, "Unit; creatinine in umol/L, or mg/dL (converted x 88.42); lactate in mmol/L."),
    ),
)

ASSESSMENTS = TableSpec(
    "assessments",
    "Risk assessments due or done during the stay.",
    (
        ColumnSpec("encounter_id", S, True, "The stay.", identifying=KEY),
        ColumnSpec(
            "assessment_type", S, True, "A type from config/clinical.yaml (VTE, FALLS, PRESSURE_ULCER, MUST, ...)."
        ),
        ColumnSpec(
            "due_at",
            T,
            False,
            "When it is (or was) due. Empty: due is worked out from admission by config/clinical.yaml "
            "assessment_schedule.",
        ),
        ColumnSpec("completed_at", T, False, "Empty while outstanding.", not_after_extract=True),
    ),
)

MEDICATION_ADMINISTRATIONS = TableSpec(
    "medication_administrations",
    "Scheduled doses from the eMAR.",
    (
        ColumnSpec("encounter_id", S, True, "The stay.", identifying=KEY),
        ColumnSpec("medicine", S, True, "Medicine name as the eMAR shows it."),
        ColumnSpec("scheduled_at", T, True, "When the dose was due."),
        ColumnSpec("outcome", S, True, "given, not_given or pending.", allowed=("given", "not_given", "pending")),
        ColumnSpec("administered_at", T, False, "For given doses.", not_after_extract=True),
        ColumnSpec(
            "reason",
            S,
            False,
            "For not_given: patient_refused, unavailable, nil_by_mouth, clinical_reason, patient_absent, no_reason, "
            "...",
        ),
        _may_be_absent(
            "dmd_code",
            S,
            "the medicine's NHS dictionary of medicines and devices (dm+d) code, matched against the critical "
            "medicine code list in config/clinical.yaml before the name is.",
        ),
    ),
)

STAFFING = TableSpec(
    "staffing",
    "Planned and actual nursing staff per ward and shift.",
    (
        ColumnSpec("ward_code", S, True, "A ward code from config/wards.yaml."),
        ColumnSpec("shift_date", DT, True, "The date the shift starts."),
        ColumnSpec("shift", S, True, "day or night.", allowed=("day", "night")),
        ColumnSpec("staff_group", S, True, "registered or unregistered.", allowed=("registered", "unregistered")),
        ColumnSpec("planned", D, True, "Planned headcount (or hours, as config says).", min_value=0),
        ColumnSpec("actual", D, True, "Actual headcount (or hours).", min_value=0),
        _may_be_absent(
            "planned_hours",
            D,
            "planned hours for the shift, as the safe staffing return counts them. Without it, "
            "headcount x shift length (config/clinical.yaml staffing.shift_hours) is used and labelled so.",
            min_value=0,
        ),
        _may_be_absent(
            "actual_hours",
            D,
            "hours actually worked on the shift (fill rate and care hours per patient day read these).",
            min_value=0,
        ),
    ),
    ward_column="ward_code",
)

PATIENT_FLAGS = TableSpec(
    "patient_flags",
    "Alerts and conditions raised on the EPR.",
    (
        ColumnSpec("encounter_id", S, True, "The stay.", identifying=KEY),
        ColumnSpec(
            "flag",
            S,
            True,
            "A flag code from config/clinical.yaml (SEPSIS, SUSPECTED_INFECTION, PREGNANT, NEW_OXYGEN_NEED, "
            "NON_BLANCHING_RASH, MOTTLED_SKIN, NO_URINE_18H, C_DIFF, ...).",
        ),
        ColumnSpec("raised_at", T, True, "When the flag was raised.", not_after_extract=True),
        ColumnSpec("cleared_at", T, False, "Empty while active.", not_after_extract=True),
    ),
)

# ---- optional tables: what the Safety Barometer reads beside the EPR, each read as 'not supplied' when absent ----

INCIDENT_TYPES = ("fall", "pressure_ulcer", "medication", "c_diff", "good_catch", "learning", "other")
HARM_LEVELS = ("none", "low", "moderate", "severe", "death")  # in order of severity

_WARD_CODE = ColumnSpec("ward_code", S, True, "A ward code from config/wards.yaml.")


def _optional_table(name: str, description: str, indicators: str, columns: tuple[ColumnSpec, ...]) -> TableSpec:
    """A table a trust may leave out: without it the Safety Barometer's ``indicators`` indicators read 'not
    supplied'."""
    note = f"Without this file the Safety Barometer's {indicators} indicators read 'not supplied'."
    return TableSpec(name, f"{description} {note}", columns, required_file=False, ward_column="ward_code")


INCIDENTS = _optional_table(
    "incidents",
    "Incidents reported on the wards, from the incident reporting system (Datix, LFPSE, ...): "
    "at least the last 400 days, so that 'days since the last fall' can count back far enough. "
    "Good-catch and learning reports are incidents of their own type.",
    "incident",
    (
        ColumnSpec("incident_id", S, True, "The reporting system's reference.", unique=True, identifying=KEY),
        _WARD_CODE,
        ColumnSpec("occurred_at", T, True, "When it happened.", not_after_extract=True),
        ColumnSpec(
            "incident_type",
            S,
            True,
            "FALL, PRESSURE_ULCER, MEDICATION, C_DIFF, GOOD_CATCH (a near miss caught in time), "
            "LEARNING (a learning or excellence report) or OTHER.",
            allowed=INCIDENT_TYPES,
        ),
        ColumnSpec(
            "harm_level", S, True, "Harm to the patient: none, low, moderate, severe or death.", allowed=HARM_LEVELS
        ),
        ColumnSpec(
            "pressure_ulcer_category", INT, False, "For PRESSURE_ULCER: the category, 1 to 4.", min_value=1, max_value=4
        ),
    ),
)

PATIENT_FEEDBACK = _optional_table(
    "patient_feedback",
    "Friends and Family Test responses, compliments and complaints, one row each: at least the last 200 days.",
    "feedback",
    (
        _WARD_CODE,
        ColumnSpec("response_date", DT, True, "The date it was given.", not_after_extract=True),
        ColumnSpec("kind", S, True, "fft, compliment or complaint.", allowed=("fft", "compliment", "complaint")),
        ColumnSpec(
            "fft_positive", B, False, "For fft: true when the answer was 'very good' or 'good'; empty for other kinds."
        ),
    ),
)


def _percent(name: str, description: str) -> ColumnSpec:
    """An optional percentage column, 0 to 100."""
    return ColumnSpec(name, D, False, description, min_value=0, max_value=100)


WORKFORCE = _optional_table(
    "workforce",
    "Monthly workforce figures per ward, from the workforce system (ESR, e-rostering): at least the last 13 months.",
    "staff",
    (
        _WARD_CODE,
        ColumnSpec("month", DT, True, "The first day of the month the figures are for.", not_after_extract=True),
        _percent("sickness_absence_pct", "Staff sickness absence in the month, % of contracted time."),
        _percent("training_compliance_pct", "Mandatory training compliance at the month's end, %."),
        _percent("turnover_pct", "Staff turnover, % over the last 12 months."),
    ),
)

# ---- optional tables: what the anticipation tiles read ("will care be safe later today and tomorrow?") ----

SNCT_LEVELS = ("0", "1a", "1b", "2", "3")

ACUITY = TableSpec(
    "acuity",
    "Each patient's Safer Nursing Care Tool acuity and dependency level per shift, as the nurse in charge scores "
    "it (today's and the next shift's). The board sets the care hours the next shift's levels need (the level "
    "multipliers in config/clinical.yaml) against the hours rostered. Without this file those tiles read 'not "
    "supplied'.",
    (
        ColumnSpec("encounter_id", S, True, "The stay.", identifying=KEY),
        ColumnSpec("shift_date", DT, True, "The date the shift starts."),
        ColumnSpec("shift", S, True, "day or night.", allowed=("day", "night")),
        ColumnSpec(
            "snct_level",
            S,
            True,
            "Safer Nursing Care Tool level: 0, 1a, 1b, 2 or 3.",
            allowed=SNCT_LEVELS,
        ),
    ),
    required_file=False,
)

EXPECTED_ADMISSIONS = TableSpec(
    "expected_admissions",
    "Admissions expected on each ward (planned electives, transfers and bed requests accepted from the emergency "
    "department), one row each, as the bed management system lists them. The board sets today's against the ward's "
    "free beds. Its size swings from day to day, so a fall in its rows never holds an extract. Without this file "
    "those tiles read 'not supplied'.",
    (
        ColumnSpec("ward_code", S, True, "A ward code from config/wards.yaml."),
        ColumnSpec("expected_at", T, True, "When the patient is expected on the ward."),
        ColumnSpec(
            "source",
            S,
            False,
            "Where the admission comes from: elective, emergency or transfer (free text, shown only).",
        ),
    ),
    required_file=False,
    ward_column="ward_code",
    steady_size=False,
)

FALLS_RISK = TableSpec(
    "falls_risk",
    "Falls risk assessments and whether a falls care plan is in place, one row per assessment. The board counts "
    "patients whose latest assessment is high risk with no plan. Without this file that tile reads 'not supplied'.",
    (
        ColumnSpec("encounter_id", S, True, "The stay.", identifying=KEY),
        ColumnSpec("assessed_at", T, True, "When the falls risk was assessed.", not_after_extract=True),
        ColumnSpec("risk_level", S, True, "low, moderate or high.", allowed=("low", "moderate", "high")),
        ColumnSpec("care_plan_in_place", B, False, "True when a falls care plan is in place; empty: not recorded."),
    ),
    required_file=False,
)

# ---- optional: accreditation visits from a trust's audit app, each read as 'not supplied' when absent ----

ACCREDITATION_SCORES = ("0", "0.5", "1", "n/a")

ACCREDITATION_ASSESSMENTS = TableSpec(
    "accreditation_assessments",
    "Ward accreditation visits from the trust's audit app, one row per question scored on a visit. Every extract may "
    "carry the whole history: a visit already loaded (by its visit_reference) is not loaded again, and each new one is "
    "levelled by config/accreditation.yaml and stored beside the visits recorded in the app. Without this file only "
    "the visits recorded in the app are shown.",
    (
        ColumnSpec("visit_reference", S, True, "The audit app's reference for the visit (the same on every row of it).",
                   max_length=80),
        ColumnSpec("ward_code", S, True, "A ward code from config/wards.yaml."),
        ColumnSpec("assessed_on", DT, True, "The date of the visit.", not_after_extract=True),
        ColumnSpec("assessor", S, True, "Who carried out the visit (a member of staff, never a patient).",
                   max_length=120),
        ColumnSpec("question", S, True, "A question id from config/accreditation.yaml.", max_length=40),
        ColumnSpec("score", S, True, "0, 0.5, 1 or n/a (not applicable: left out of the domain's score).",
                   allowed=ACCREDITATION_SCORES),
        ColumnSpec("finding", S, False, "What must improve; a finding becomes one of the ward's huddle actions.",
                   may_be_absent=True, max_length=500),
    ),
    required_file=False,
    ward_column="ward_code",
)

TABLES: tuple[TableSpec, ...] = (
    ENCOUNTERS,
    OBSERVATIONS,
    LAB_RESULTS,
    ASSESSMENTS,
    MEDICATION_ADMINISTRATIONS,
    STAFFING,
    PATIENT_FLAGS,
    INCIDENTS,
    PATIENT_FEEDBACK,
    WORKFORCE,
    ACUITY,
    EXPECTED_ADMISSIONS,
    FALLS_RISK,
    ACCREDITATION_ASSESSMENTS,
)

TABLES_BY_NAME: dict[str, TableSpec] = {t.name: t for t in TABLES}

# Read these, never a list of one's own: every column that identifies a patient, and those shown to nobody.
IDENTIFYING_COLUMNS: frozenset[str] = frozenset(c.name for t in TABLES for c in t.columns if c.identifying)
NEVER_SHOWN_COLUMNS: frozenset[str] = frozenset(
    c.name for t in TABLES for c in t.columns if c.identifying is Identifying.KEY
)

MANIFEST_FIELDS = {
    "extracted_at": "The moment the extract reflects. 'Today', 'now' and every overdue clock count from here, never "
    "from the machine's clock.",
    "source": "Which system produced the extract (free text).",
}
