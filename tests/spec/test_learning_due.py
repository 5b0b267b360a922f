"""Spec: which harm incidents ask for a learning response, when it is due, and whether it is due or overdue.

The shipped config/learning.yaml (after PSIRF, NHS England 2022): a fall with any harm and a medication
incident of moderate harm or worse are due 3 days after the incident's London date; a pressure ulcer of
category 2 or worse 5 days after. A response recorded on any day settles it; without one, the incident is
"due" up to and including its due date and "overdue" from the day after.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pandas as pd
import pytest

from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.learning.config import load_learning_config
from metrics.learning.responses import needs_response, response_status, themes


@pytest.fixture(scope="module")
def lcfg():
    return load_learning_config(DEFAULT_CONFIG_DIR)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


NEEDS = [
    # incident_type    harm        category  needs a response?
    ("FALL",           "none",     None,     False),
    ("FALL",           "low",      None,     True),
    ("FALL",           "death",    None,     True),
    ("PRESSURE_ULCER", "low",      1,        False),
    ("PRESSURE_ULCER", "low",      2,        True),
    ("PRESSURE_ULCER", "severe",   4,        True),
    ("PRESSURE_ULCER", "moderate", None,     False),  # no category given: the rule reads the category only
    ("MEDICATION",     "low",      None,     False),
    ("MEDICATION",     "moderate", None,     True),
    ("MEDICATION",     "severe",   None,     True),
    ("C_DIFF",         "severe",   None,     False),  # not a type learning.yaml asks a response for
    ("GOOD_CATCH",     "none",     None,     False),
]  # fmt: skip


@pytest.mark.parametrize("incident_type, harm, category, expected", NEEDS)
def test_which_incidents_need_a_learning_response(lcfg, incident_type, harm, category, expected):
    row = {"incident_type": incident_type, "harm_level": harm, "pressure_ulcer_category": category}
    assert needs_response(row, lcfg) is expected


DUE = [
    # incident_type    occurred (UTC)          today        due on       status
    ("FALL",           "2026-07-01T10:00:00",  "2026-07-01", "2026-07-04", "due"),
    ("FALL",           "2026-07-01T10:00:00",  "2026-07-04", "2026-07-04", "due"),      # the due date itself: on time
    ("FALL",           "2026-07-01T10:00:00",  "2026-07-05", "2026-07-04", "overdue"),  # the day after
    ("FALL",           "2026-07-01T23:30:00",  "2026-07-05", "2026-07-05", "due"),      # 00:30 on 2 Jul in London (BST)
    ("FALL",           "2026-12-01T23:30:00",  "2026-12-05", "2026-12-04", "overdue"),  # 23:30 on 1 Dec in London (GMT)
    ("PRESSURE_ULCER", "2026-07-01T10:00:00",  "2026-07-06", "2026-07-06", "due"),
    ("PRESSURE_ULCER", "2026-07-01T10:00:00",  "2026-07-07", "2026-07-06", "overdue"),
    ("MEDICATION",     "2026-10-24T23:30:00",  "2026-10-28", "2026-10-28", "due"),  # 00:30 on 25 Oct, BST ends
    ("MEDICATION",     "2026-10-24T23:30:00",  "2026-10-29", "2026-10-28", "overdue"),
]  # fmt: skip


def incident(incident_type: str, occurred: str, incident_id: str = "I1") -> dict:
    harm = {"FALL": "low", "PRESSURE_ULCER": "low", "MEDICATION": "moderate"}[incident_type]
    category = 2 if incident_type == "PRESSURE_ULCER" else None
    return {
        "incident_id": incident_id,
        "ward_code": "7A",
        "occurred_at": utc(occurred),
        "incident_type": incident_type,
        "harm_level": harm,
        "pressure_ulcer_category": category,
    }


NO_RESPONSES = pd.DataFrame(columns=["id", "incident_id", "kind", "held_on", "factors", "reason", "created_at"])


@pytest.mark.parametrize("incident_type, occurred, today, due, status", DUE)
def test_when_a_response_is_due_and_when_it_is_overdue(lcfg, incident_type, occurred, today, due, status):
    found = response_status(
        pd.DataFrame([incident(incident_type, occurred)]), NO_RESPONSES, lcfg, date.fromisoformat(today)
    )
    assert found[["due_on", "status"]].values.tolist() == [[date.fromisoformat(due), status]]


def response(rid: int, incident_id: str, factors: list[str], kind: str = "swarm_huddle") -> dict:
    return {
        "id": rid,
        "incident_id": incident_id,
        "kind": kind,
        "held_on": date(2026, 7, 2),
        "factors": factors,
        "reason": None,
        "created_at": utc("2026-07-02T12:00:00"),
    }


def test_a_recorded_response_settles_an_overdue_incident_and_the_latest_entry_is_the_response(lcfg):
    incidents = pd.DataFrame(
        [incident("FALL", "2026-07-01T10:00:00", "A"), incident("FALL", "2026-07-01T11:00:00", "B")]
    )
    responses = pd.DataFrame([response(1, "A", ["staffing"]), response(2, "A", ["equipment"], "after_action_review")])
    found = response_status(incidents, responses, lcfg, date(2026, 7, 20)).set_index("incident_id")
    assert found.loc["A", ["status", "kind", "factors"]].tolist() == ["responded", "after_action_review", ["equipment"]]
    assert found.loc["B", "status"] == "overdue"


def test_a_factor_named_in_two_responses_is_a_recurring_theme_and_one_named_once_is_not(lcfg):
    incidents = pd.DataFrame([incident("FALL", f"2026-07-0{n}T10:00:00", f"I{n}") for n in (1, 2, 3)])
    responses = pd.DataFrame(
        [
            response(1, "I1", ["staffing", "equipment"]),
            response(2, "I2", ["staffing", "communication"]),
            response(3, "I3", ["staffing", "communication"]),
        ]
    )
    found = themes(response_status(incidents, responses, lcfg, date(2026, 7, 20)), lcfg, date(2026, 7, 20))
    assert [(t.code, t.responses) for t in found] == [("staffing", 3), ("communication", 2)]
