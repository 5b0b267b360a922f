"""Accreditation visits in the store, on SQLite and PostgreSQL: append-only, audited, levelled from the ward's history.

Every write goes through ``metrics.accreditation.assessments.record_assessment``, the one path the app's form and
the audit app's extract share.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timezone

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from metrics.accreditation.assessments import AssessmentInputError, record_assessment
from metrics.accreditation.config import load_accreditation_config
from metrics.store import accreditation as stored
from metrics.store import huddle as stored_huddle
from metrics.store.audit import Actor
from metrics.store.audit_log import audit_entries

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
ASSESSOR = Actor("device-acc00001", user="a.assessor@nhs.example", role="assessor", client="test")


@pytest.fixture(scope="module")
def acfg(cfg):
    return load_accreditation_config(cfg.directory, cfg)


def visit(engine, cfg, acfg, on: date, ward: str = "7A", changes: dict | None = None, findings=None, actor=ASSESSOR):
    scores = {q.id: "1" for q in acfg.questions} | (changes or {})
    return record_assessment(
        engine, cfg, acfg, ward_code=ward, assessed_on=on, scores=scores, findings=findings or {}, actor=actor, now=NOW
    )


def audit_rows(engine) -> int:
    return len(audit_entries(engine, limit=None))


def test_a_visit_is_stored_with_who_when_its_scores_its_level_and_one_audit_row(engine, cfg, acfg):
    before = audit_rows(engine)
    recorded = visit(engine, cfg, acfg, date(2026, 11, 24), ward="7a", changes={"S1.2": "0.5", "S2.1": "n/a"})
    assert audit_rows(engine) == before + 1
    row = stored.assessments(engine).iloc[0]
    assert (row["id"], row["ward_code"], row["assessed_on"], row["assessor"], row["source"]) == (
        recorded.assessment_id,
        "7A",
        date(2026, 11, 24),
        "a.assessor@nhs.example",
        "app",
    )
    assert row["created_at"] == NOW
    assert (row["level"], row["next_visit"]) == ("silver", date(2027, 8, 24))  # a first visit is not Gold
    assert row["domain_percent"] == {
        "safe": 85.7,
        "personal": 100.0,
        "effective": 100.0,
        "leadership": 100.0,
        "relationships": 100.0,
    }
    answers = stored.answers(engine, recorded.assessment_id)
    assert len(answers) == len(acfg.questions)
    assert pd.isna(answers.set_index("question_id").loc["S2.1", "score"])  # n/a kept as n/a (no score), not 0
    audit = audit_entries(engine, entity="accreditation_assessment", limit=None).iloc[0]
    assert (audit["action"], audit["actor"], audit["ward_code"]) == (
        "accreditation.record",
        "a.assessor@nhs.example",
        "7A",
    )


def test_gold_follows_two_silver_visits_and_each_visit_reads_the_ones_before(engine, cfg, acfg):
    levels = [visit(engine, cfg, acfg, date(2026, m, 1)).award.level for m in (1, 4, 8)]
    assert levels == ["silver", "silver", "gold"]
    late = visit(engine, cfg, acfg, date(2025, 6, 1))  # entered late: only the visits before its date count
    assert late.award.level == "silver"


def test_findings_become_open_huddle_actions_that_say_they_came_from_accreditation(engine, cfg, acfg):
    before = audit_rows(engine)
    recorded = visit(
        engine,
        cfg,
        acfg,
        date(2026, 11, 20),
        changes={"S1.5": "0"},
        findings={"S1.5": "Suction unit not checked on 4 of 7 days", "S2.1": "  "},
    )
    assert recorded.actions == 1
    assert audit_rows(engine) == before + 2  # the visit and its one action
    actions = stored_huddle.actions_of_ward(engine, "7A")
    assert actions[["source", "status", "owner_role", "created_on"]].values.tolist() == [
        ["accreditation", "open", "nurse", date(2026, 11, 20)]
    ]
    assert actions.iloc[0]["text"] == (
        "Accreditation visit 20 Nov 2026, S1.5 (Safe): Suction unit not checked on 4 of 7 days"
    )
    open_from_visits = stored.open_accreditation_actions(engine, "7A")
    assert open_from_visits["id"].tolist() == actions["id"].tolist()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ward_code": "99Z"}, "ward '99Z' is not in config/wards.yaml"),
        ({"assessed_on": date(2026, 11, 26)}, "the visit date 26 Nov 2026 is in the future"),
        ({"scores": {"S1.1": "2"}}, "question S1.1: a score is 0, 0.5, 1 or n/a, got '2'"),
        ({"scores": {"S9.9": "1"}}, "'S9.9' is not a question of accreditation.yaml"),
        ({"scores": {"S1.1": None}}, "score every question (n/a where it does not apply); not scored: S1.1"),
    ],
)
def test_a_wrong_visit_is_refused_naming_the_problem_and_nothing_is_stored(engine, cfg, acfg, fields, message):
    args = {"ward_code": "7A", "assessed_on": date(2026, 11, 24)} | {k: v for k, v in fields.items() if k != "scores"}
    scores = {q.id: "1" for q in acfg.questions} | fields.get("scores", {})
    before = audit_rows(engine)
    with pytest.raises(AssessmentInputError) as refused:
        record_assessment(engine, cfg, acfg, scores=scores, actor=ASSESSOR, now=NOW, **args)
    assert message in str(refused.value)
    assert stored.assessments(engine).empty and audit_rows(engine) == before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accreditation_assessments SET level = 'gold'",
        "DELETE FROM accreditation_assessments",
        "UPDATE accreditation_answers SET score = 1",
        "DELETE FROM accreditation_answers",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_recorded_visit(engine, cfg, acfg, statement):
    visit(engine, cfg, acfg, date(2026, 11, 24), changes={"S1.1": "0"})
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    assert stored.assessments(engine)["level"].tolist() == ["bronze"]


def test_two_assessors_recording_at_once_are_both_kept(engine, cfg, acfg):
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def assessor(n: int) -> None:
        start.wait()
        try:
            for day in range(1, 6):
                visit(
                    engine,
                    cfg,
                    acfg,
                    date(2026, 10, day),
                    ward=("7A", "7B")[n],
                    actor=Actor(f"device-acc{n:05d}", user=f"assessor{n}", role="assessor"),
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    workers = [threading.Thread(target=assessor, args=(n,)) for n in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not failures, failures
    frame = stored.assessments(engine)
    assert frame.groupby("ward_code").size().to_dict() == {"7A": 5, "7B": 5}
    assert len(audit_entries(engine, entity="accreditation_assessment", limit=None)) == 10
