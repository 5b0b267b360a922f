"""Spec: the groups of the equity lens, a table a clinician or analyst can check by eye.

Deprivation: English Indices of Deprivation 2019 deciles, quintile q = deciles 2q-1 and 2q; Q1 is the Core20.
Ethnic group: NHS Data Dictionary ETHNIC CATEGORY codes to the five broad groups, Z and 99 not stated.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.equity.groups import (
    ETHNIC_CATEGORY_GROUP,
    NOT_KNOWN,
    NOT_STATED,
    age_band,
    encounter_groups,
    ethnic_group,
    quintile_label,
    quintile_of_decile,
    sex_label,
)
from metrics.extract.contract import ENCOUNTERS

QUINTILE_OF_DECILE = [
    # decile, quintile, label
    (1, 1, "Q1 most deprived (Core20)"),
    (2, 1, "Q1 most deprived (Core20)"),
    (3, 2, "Q2"),
    (4, 2, "Q2"),
    (5, 3, "Q3"),
    (6, 3, "Q3"),
    (7, 4, "Q4"),
    (8, 4, "Q4"),
    (9, 5, "Q5 least deprived"),
    (10, 5, "Q5 least deprived"),
    (None, None, NOT_KNOWN),
    (math.nan, None, NOT_KNOWN),
    (0, None, NOT_KNOWN),
    (11, None, NOT_KNOWN),
    (2.5, None, NOT_KNOWN),
]


@pytest.mark.parametrize(("decile", "quintile", "label"), QUINTILE_OF_DECILE)
def test_a_decile_falls_in_its_quintile_and_deciles_1_and_2_are_the_core20(decile, quintile, label):
    assert quintile_of_decile(decile) == quintile
    assert quintile_label(decile) == label


ETHNIC = [
    ("A", "White"), ("B", "White"), ("C", "White"),
    ("D", "Mixed"), ("E", "Mixed"), ("F", "Mixed"), ("G", "Mixed"),
    ("H", "Asian or Asian British"), ("J", "Asian or Asian British"), ("K", "Asian or Asian British"),
    ("L", "Asian or Asian British"),
    ("M", "Black or Black British"), ("N", "Black or Black British"), ("P", "Black or Black British"),
    ("R", "Other ethnic group"), ("S", "Other ethnic group"),
    ("Z", NOT_STATED), ("99", NOT_STATED), (None, NOT_STATED), ("", NOT_STATED),
    ("n", "Black or Black British"),  # codes are case-insensitive
]  # fmt: skip


@pytest.mark.parametrize(("code", "group"), ETHNIC)
def test_an_ethnic_category_code_falls_in_its_broad_group(code, group):
    assert ethnic_group(code) == group


def test_the_contract_allows_exactly_the_data_dictionary_codes_the_groups_know_and_z_and_99():
    allowed = ENCOUNTERS.column("ethnic_category").allowed
    assert allowed is not None
    assert {a.upper() for a in allowed} == set(ETHNIC_CATEGORY_GROUP) | {"Z", "99"}


AGES = [(0, "0-17"), (17, "0-17"), (18, "18-64"), (64, "18-64"), (65, "65-74"), (74, "65-74"), (75, "75-84"),
        (84, "75-84"), (85, "85+"), (120, "85+"), (None, NOT_KNOWN)]  # fmt: skip


@pytest.mark.parametrize(("age", "band"), AGES)
def test_an_age_falls_in_its_band_at_every_edge(age, band):
    assert age_band(age) == band


@pytest.mark.parametrize(("code", "label"), [("F", "Female"), ("m", "Male"), ("U", NOT_KNOWN), (None, NOT_KNOWN)])
def test_sex_reads_as_female_male_or_not_known(code, label):
    assert sex_label(code) == label


def test_the_vectorised_groups_agree_with_the_one_at_a_time_rules_row_by_row():
    deciles = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None, None]
    codes = ["A", "D", "H", "M", "R", "Z", "99", None, "b", "K", "N", "S"]
    ages = [0, 17, 18, 64, 65, 74, 75, 84, 85, 120, 40, 90]
    sexes = ["F", "M", "U", None, "F", "M", "F", "M", "F", "M", "F", "M"]
    encounters = pd.DataFrame(
        {
            "encounter_id": [f"E{i}" for i in range(12)],
            "imd_decile": pd.array(deciles, dtype="Int64"),
            "ethnic_category": codes,
            "age_years": ages,
            "sex": sexes,
        }
    )
    groups = encounter_groups(encounters)
    assert list(groups["deprivation"]) == [quintile_label(d) for d in deciles]
    assert list(groups["ethnicity"]) == [ethnic_group(c) for c in codes]
    assert list(groups["age"]) == [age_band(a) for a in ages]
    assert list(groups["sex"]) == [sex_label(s) for s in sexes]


def test_a_trust_that_supplies_neither_column_sees_every_patient_as_not_known_never_an_error():
    encounters = pd.DataFrame({"encounter_id": ["E1", "E2"], "age_years": [50, 90], "sex": ["F", "M"]})
    groups = encounter_groups(encounters)
    assert list(groups["deprivation"]) == [NOT_KNOWN, NOT_KNOWN]
    assert list(groups["ethnicity"]) == [NOT_STATED, NOT_STATED]
