"""Learning responses in the store, on SQLite and PostgreSQL: harm incidents kept from the extract, responses
only ever added and audited, two devices both kept, and an action from a response joining the one actions list."""

from __future__ import annotations

import threading
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.huddle import inputs as huddle
from metrics.huddle.config import load_huddle_config
from metrics.huddle.inputs import HuddleInputError
from metrics.learning.config import load_learning_config
from metrics.learning.responses import LearningInputError, record_response, ward_status
from metrics.pipeline import refresh
from metrics.store import learning as stored
from metrics.store import queries
from metrics.store.audit import Actor
from metrics.store.audit_log import audit_entries
from tests.extract_builder import encounter, obs, write_extract

NOW = datetime(2026, 11, 25, 9, 15, tzinfo=timezone.utc)
NURSE_TABLET = Actor("device-aaaa1111", client="test")
HCA_PHONE = Actor("device-bbbb2222", client="test")

INCIDENTS = [
    # ward, id, occurred (UTC), type, harm, category: needs a response?
    {"incident_id": "F1", "ward_code": "7A", "occurred_at": "2026-11-20T10:00:00Z", "incident_type": "FALL",
     "harm_level": "moderate"},  # yes: a fall with harm, due 23 Nov: overdue on 25 Nov
    {"incident_id": "F2", "ward_code": "7A", "occurred_at": "2026-11-24T10:00:00Z", "incident_type": "fall",
     "harm_level": "none"},  # no: a fall without harm
    {"incident_id": "P1", "ward_code": "7A", "occurred_at": "2026-11-24T08:00:00Z", "incident_type": "PRESSURE_ULCER",
     "harm_level": "low", "pressure_ulcer_category": 2},  # yes: category 2, due 29 Nov
    {"incident_id": "P2", "ward_code": "7A", "occurred_at": "2026-11-24T08:00:00Z", "incident_type": "PRESSURE_ULCER",
     "harm_level": "low", "pressure_ulcer_category": 1},  # no: category 1
    {"incident_id": "M1", "ward_code": "9A", "occurred_at": "2026-11-23T12:00:00Z", "incident_type": "MEDICATION",
     "harm_level": "severe"},  # yes, on another ward: due 26 Nov
    {"incident_id": "C1", "ward_code": "7A", "occurred_at": "2026-11-23T12:00:00Z", "incident_type": "C_DIFF",
     "harm_level": "moderate"},  # no: not a type that asks for a learning response
]  # fmt: skip


@pytest.fixture
def loaded(engine, cfg, tmp_path: Path):
    folder = write_extract(
        tmp_path / "extract",
        "2026-11-25T07:30:00Z",
        {
            "encounters": [encounter("E1", "7A"), encounter("E2", "9A")],
            "observations": [obs("E1", "2026-11-25T06:00:00Z"), obs("E2", "2026-11-25T06:00:00Z")],
            "incidents": INCIDENTS,
        },
    )
    refresh(folder, cfg, engine)
    return queries.current_snapshot(engine).id


@pytest.fixture(scope="module")
def lcfg():
    return load_learning_config(DEFAULT_CONFIG_DIR)


@pytest.fixture(scope="module")
def hcfg(cfg):
    return load_huddle_config(DEFAULT_CONFIG_DIR, cfg)


def respond(engine, cfg, lcfg, snapshot_id, incident_id="F1", **kw):
    args = {
        "snapshot_id": snapshot_id,
        "ward_code": "7A",
        "incident_id": incident_id,
        "kind": "swarm_huddle",
        "held_on": date(2026, 11, 24),
        "factors": ["staffing", "communication"],
        "actor": NURSE_TABLET,
        "now": NOW,
    }
    args.update(kw)
    return record_response(engine, cfg, lcfg, **args)


def test_the_harm_incidents_of_the_extract_are_kept_and_only_harm_ones_are_asked_a_response(engine, lcfg, loaded):
    status = ward_status(engine, loaded, None, lcfg, NOW)
    assert status[["incident_id", "ward_code", "due_on", "status"]].values.tolist() == [
        ["F1", "7A", date(2026, 11, 23), "overdue"],
        ["M1", "9A", date(2026, 11, 26), "due"],
        ["P1", "7A", date(2026, 11, 29), "due"],
    ]


def test_a_response_is_stored_with_its_audit_row_and_the_incident_reads_responded(engine, cfg, lcfg, loaded):
    response_id = respond(engine, cfg, lcfg, loaded, summary="  two  staff short on nights ")
    status = ward_status(engine, loaded, ["7A"], lcfg, NOW).set_index("incident_id")
    assert status.loc["F1", "status"] == "responded"
    assert status.loc["F1", "response_id"] == response_id
    assert status.loc["F1", "factors"] == ["staffing", "communication"]
    stored_row = stored.response(engine, response_id)
    assert stored_row["summary"] == "two staff short on nights"
    log = audit_entries(engine, since=datetime(2026, 1, 1, tzinfo=timezone.utc), limit=50)
    created = log[log["action"] == "learning_response.create"]
    assert created["entity_id"].tolist() == [str(response_id)]
    assert created["ward_code"].tolist() == ["7A"]


def test_two_devices_responding_at_once_are_both_kept_and_the_later_one_is_the_response(engine, cfg, lcfg, loaded):
    ids: list[int] = []
    errors: list[BaseException] = []

    def one(actor: Actor, kind: str) -> None:
        try:
            extra = {"reason": "covered by the falls improvement plan"} if kind == "none" else {}
            ids.append(respond(engine, cfg, lcfg, loaded, kind=kind, actor=actor, **extra))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=one, args=(NURSE_TABLET, "swarm_huddle")),
        threading.Thread(target=one, args=(HCA_PHONE, "none")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    kept = stored.responses(engine, ["7A"])
    assert sorted(kept["id"].tolist()) == sorted(ids) and len(ids) == 2
    latest = kept.sort_values("id").iloc[-1]
    status = ward_status(engine, loaded, ["7A"], lcfg, NOW).set_index("incident_id")
    assert status.loc["F1", "kind"] == latest["kind"]


@pytest.mark.parametrize(
    "fields, problem_fields",
    [
        ({"kind": "none", "held_on": None}, {"reason"}),
        ({"kind": "swarm_huddle", "held_on": None}, {"held_on"}),
        ({"held_on": date(2026, 11, 26)}, {"held_on"}),  # in the future
        ({"incident_id": "P1", "held_on": date(2026, 11, 23)}, {"held_on"}),  # before the incident
        ({"incident_id": "F2"}, {"incident_id"}),  # a fall without harm needs no response
        ({"incident_id": "M1"}, {"incident_id"}),  # another ward's incident
        ({"kind": "root_cause_analysis"}, {"kind"}),
        ({"factors": ["bad_luck"]}, {"factors"}),
        ({"ward_code": "99Z"}, {"ward_code"}),
    ],
)
def test_a_response_that_breaks_a_rule_is_refused_naming_the_field_and_nothing_is_stored(
    engine, cfg, lcfg, loaded, fields, problem_fields
):
    with pytest.raises(LearningInputError) as err:
        respond(engine, cfg, lcfg, loaded, **fields)
    assert {f for f, _ in err.value.problems} == problem_fields
    assert stored.responses(engine).empty


def test_an_action_from_a_response_joins_the_wards_actions_list_saying_where_it_came_from(
    engine, cfg, lcfg, hcfg, loaded
):
    response_id = respond(engine, cfg, lcfg, loaded)
    huddle.add_action(engine, cfg, hcfg, ward_code="7A", text="Check bed rails", owner_role="nurse",
                      actor=NURSE_TABLET, now=NOW)  # fmt: skip
    huddle.add_action(engine, cfg, hcfg, ward_code="7A", text="Night falls checklist", owner_role="nurse",
                      actor=NURSE_TABLET, now=NOW, source="learning_response",
                      learning_response_id=response_id)  # fmt: skip
    listed = huddle.actions_for_huddle(engine, "7A", date(2026, 11, 25))
    assert listed[["text", "source"]].values.tolist() == [
        ["Check bed rails", "huddle"],
        ["Night falls checklist", "learning_response"],
    ]
    assert listed["learning_response_id"].tolist()[1] == response_id


@pytest.mark.parametrize(
    "source, response, ward",
    [
        ("learning_response", None, "7A"),  # from a response, naming none
        ("learning_response", "own", "9A"),  # naming another ward's response
        ("huddle", "own", "7A"),  # a huddle's own action naming a response
        ("audit", None, "7A"),  # not a known source
    ],
)
def test_an_action_whose_source_and_response_do_not_agree_is_refused(
    engine, cfg, lcfg, hcfg, loaded, source, response, ward
):
    response_id = respond(engine, cfg, lcfg, loaded) if response else None
    with pytest.raises(HuddleInputError):
        huddle.add_action(engine, cfg, hcfg, ward_code=ward, text="x", owner_role="nurse", actor=NURSE_TABLET,
                          now=NOW, source=source, learning_response_id=response_id)  # fmt: skip
    assert huddle.actions_of_ward(engine, ward).empty


def test_the_database_refuses_a_none_response_without_a_reason(engine, loaded):
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO learning_responses (ward_code, incident_id, kind, factors, device, created_at) "
                "VALUES ('7A', 'F1', 'none', '[]', 'd', '2026-11-25 09:00:00')"
            )
        )


def test_the_demo_answers_some_past_due_incidents_through_the_checks_and_never_twice(engine, cfg, lcfg, loaded):
    from metrics.synthetic.learning_responses import seed_learning_responses

    later = datetime(2026, 12, 10, 9, 0, tzinfo=timezone.utc)  # every incident of the extract is past due
    assert seed_learning_responses(engine, cfg, lcfg, later) == 2
    kept = stored.responses(engine)
    assert sorted(kept["incident_id"]) == ["F1", "M1"]  # P1's draw (0.81) is above the 0.75 answered share
    assert seed_learning_responses(engine, cfg, lcfg, later) == 0
    assert len(stored.responses(engine)) == 2
