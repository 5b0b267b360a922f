"""Unit: which of the shipped metrics are proportions of patients, and so split by group on the equity lens."""

from __future__ import annotations

from metrics.config.load import load_config
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.equity.splits import is_proportion
from metrics.evaluate.derive import DERIVED_TABLE_COLUMNS


def test_patient_counts_among_those_on_the_ward_are_proportions_and_staffing_doses_and_beds_are_not():
    cfg = load_config(DEFAULT_CONFIG_DIR)
    columns = DERIVED_TABLE_COLUMNS(cfg)
    split = {m.id for m in cfg.metrics if is_proportion(m, set(columns[m.table]))}
    expected = {"news2_5_or_more", "sepsis", "aki", "obs_overdue", "assessments_overdue", "assessment_vte_outstanding"}
    assert expected <= split
    # the patients on the ward are every denominator's patients: always 100 %, nothing to compare
    assert "patients_on_ward" not in split
    not_patients = {m.id for m in cfg.metrics if m.table in ("staffing", "bed_state", "wards")}
    assert not_patients and not (split & not_patients)
    # doses missed are counted in doses, not patients; the share of critical doses missed is a ratio over doses
    assert "missed_critical_doses_today" not in split
    assert "critical_doses_missed_share" in split
