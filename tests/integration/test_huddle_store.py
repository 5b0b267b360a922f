"""Huddle inputs in the store, on SQLite and PostgreSQL: checked, never lost, audited, and the audit log untouchable."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from metrics.huddle import inputs as huddle
from metrics.store.audit import Actor
from metrics.store.audit_log import audit_entries
from metrics.huddle.barometer import TREND_DAYS, BarometerReading, barometer_reading, ward_setup
from metrics.store import queries
from metrics.store.barometer import barometer_inputs, epr_metric_ids, snapshot_part
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.huddle.inputs import HuddleInputError, StaleEditError
from metrics.huddle.config import load_huddle_config
from metrics.pipeline import refresh
from metrics.store.database import make_engine, migrate
from metrics.store.huddle_models import (
    AuditLog,
    HuddleRating,
    SnapshotFeedbackCount,
    SnapshotIncidentCount,
    SnapshotWorkforce,
)
from tests.extract_builder import encounter, obs, write_extract

NOW = datetime(2026, 11, 25, 9, 15, tzinfo=timezone.utc)  # a Wednesday morning huddle
TODAY = date(2026, 11, 25)
NURSE_TABLET = Actor("device-aaaa1111", client="test")
HCA_PHONE = Actor("device-bbbb2222", client="test")


def ward_barometer(engine, cfg, hcfg, ward_code: str, on_date: date) -> BarometerReading:
    """The ward's barometer read from the store the way the huddle view reads it: current snapshot, ratings."""
    snapshot = queries.current_snapshot(engine)
    part = snapshot_part(engine, snapshot.id, ward_code, epr_metric_ids(hcfg, ward_code))
    frame = huddle.ratings(engine, ward_code, on_date - timedelta(days=TREND_DAYS), on_date)
    setup = ward_setup(hcfg.barometer, ward_code, cfg.metrics)
    return barometer_reading(setup, barometer_inputs(part, frame, on_date), hcfg.barometer.gauge)


@pytest.fixture(scope="module")
def hcfg(cfg):
    return load_huddle_config(DEFAULT_CONFIG_DIR, cfg)


def rate(engine, cfg, hcfg, score, **kw):
    args = {"ward_code": "7A", "score": score, "actor": NURSE_TABLET, "now": NOW}
    args.update(kw)
    return huddle.record_rating(engine, cfg, hcfg, **args)


# ---- ratings ------------------------------------------------------------------------------------


def test_a_rating_round_trips_through_the_store(engine, cfg, hcfg):
    rating_id = rate(
        engine, cfg, hcfg, 4, ward_code="7a", shift="day", role="nurse", comment="  bed  manager\tcalled  "
    )
    frame = huddle.ratings(engine, "7A", TODAY, TODAY)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row["id"], row["ward_code"], row["huddle_date"], row["shift"], row["kind"], row["score"], row["role"]) == (
        rating_id,
        "7A",
        TODAY,
        "day",
        "reliability",
        4,
        "nurse",
    )
    assert row["comment"] == "bed manager called"  # runs of spaces and control characters collapse
    assert row["device"] == "device-aaaa1111"
    assert row["created_at"] == NOW


def test_counts_per_score_and_the_median_are_the_reference_boards(engine, cfg, hcfg):
    for score in (4, 4, 3, 5, 2, 4):
        rate(engine, cfg, hcfg, score)
    rate(engine, cfg, hcfg, 1, kind="feel_safe")
    rate(engine, cfg, hcfg, 1, huddle_date=TODAY - timedelta(days=1))  # yesterday's: not today's count
    rate(engine, cfg, hcfg, 1, ward_code="7B")  # another ward's
    frame = huddle.ratings(engine, "7A", TODAY - timedelta(days=30), TODAY)
    counts = huddle.score_counts(frame, "reliability", TODAY)
    assert counts == {1: 0, 2: 1, 3: 1, 4: 3, 5: 1}
    assert huddle.median_score(counts) == 4.0
    assert huddle.score_counts(frame, "feel_safe", TODAY) == {1: 1, 2: 0, 3: 0, 4: 0, 5: 0}
    assert huddle.median_score({1: 0, 2: 1, 3: 1, 4: 0, 5: 0}) == 2.5
    assert huddle.median_score({s: 0 for s in range(1, 6)}) is None
    trend = huddle.daily_medians(frame, "reliability", TODAY - timedelta(days=29), TODAY)
    assert (
        len(trend) == 30
        and trend.iloc[-1]["median"] == 4.0
        and trend.iloc[-2]["median"] == 1.0
        and pd.isna(trend.iloc[0]["median"])
    )


REFUSALS = [
    # changes to a good rating,                                     field,         words in the message
    ({"score": 0}, "score", "the score must be a whole number from 1 to 5, got 0"),
    ({"score": 6}, "score", "the score must be a whole number from 1 to 5, got 6"),
    ({"score": 3.5}, "score", "got 3.5"),
    ({"score": True}, "score", "got True"),
    (
        {"huddle_date": TODAY + timedelta(days=1)},
        "huddle_date",
        "the huddle date 26 Nov 2026 is in the future (today is 25 Nov 2026)",
    ),
    ({"huddle_date": TODAY - timedelta(days=8)}, "huddle_date", "more than 7 days ago"),
    ({"ward_code": "ZZ9"}, "ward_code", "ward 'ZZ9' is not in config/wards.yaml"),
    ({"role": "consultant"}, "role", "role must be one of nurse, hca, doctor, ahp, other, got 'consultant'"),
    ({"shift": "twilight"}, "shift", "shift must be one of day, night"),
    ({"kind": "morale"}, "kind", "the rating kind must be one of reliability, feel_safe"),
    ({"comment": "x" * 281}, "comment", "the comment is 281 characters; at most 280 are kept"),
]


@pytest.mark.parametrize(
    "change, field, words", REFUSALS, ids=[r[1] + "-" + str(list(r[0].values())[0])[:12] for r in REFUSALS]
)
def test_a_bad_rating_is_refused_with_a_message_and_nothing_is_stored(engine, cfg, hcfg, change, field, words):
    with pytest.raises(HuddleInputError) as err:
        rate(engine, cfg, hcfg, **{"score": 4, **change})
    assert [f for f, _ in err.value.problems] == [field]
    assert words in str(err.value) and str(err.value).startswith("Not saved: ")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(HuddleRating)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(AuditLog)).scalar_one() == 0


def test_every_problem_is_listed_at_once(engine, cfg, hcfg):
    with pytest.raises(HuddleInputError) as err:
        rate(engine, cfg, hcfg, 9, ward_code="NOPE", huddle_date=TODAY + timedelta(days=2))
    assert {f for f, _ in err.value.problems} == {"score", "ward_code", "huddle_date"}


def test_the_database_itself_refuses_a_score_outside_1_to_5(engine):
    row = {
        "ward_code": "7A",
        "huddle_date": TODAY,
        "shift": "day",
        "kind": "reliability",
        "device": "d",
        "created_at": NOW,
    }
    for score in (0, 6):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert(HuddleRating), {**row, "score": score})
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(HuddleRating), {**row, "score": 3, "kind": "morale"})


def test_concurrent_submissions_from_8_devices_lose_nothing(engine, cfg, hcfg):
    threads, per_thread = 8, 25
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def device(n: int) -> None:
        actor = Actor(f"device-{n:04d}")
        start.wait()
        try:
            for i in range(per_thread):
                huddle.record_rating(engine, cfg, hcfg, ward_code="7A", score=1 + (n + i) % 5, actor=actor, now=NOW)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    workers = [threading.Thread(target=device, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not failures, failures
    frame = huddle.ratings(engine, "7A", TODAY, TODAY)
    assert len(frame) == threads * per_thread
    assert frame.groupby("device").size().to_dict() == {f"device-{n:04d}": per_thread for n in range(threads)}
    assert sum(huddle.score_counts(frame, "reliability", TODAY).values()) == threads * per_thread
    audit = audit_entries(engine, entity="huddle_rating", limit=None)
    assert len(audit) == threads * per_thread and set(audit["entity_id"]) == {str(i) for i in frame["id"]}


# ---- actions ------------------------------------------------------------------------------------


def add(engine, cfg, hcfg, words, **kw):
    args = {"ward_code": "7A", "text": words, "owner_role": "nurse", "actor": NURSE_TABLET, "now": NOW}
    args.update(kw)
    return huddle.add_action(engine, cfg, hcfg, **args)


def test_open_actions_carry_over_to_the_next_huddle_until_closed(engine, cfg, hcfg):
    monday = add(engine, cfg, hcfg, "Bay 3 falls risk: hourly checks", huddle_date=TODAY - timedelta(days=2))
    today = add(engine, cfg, hcfg, "Chase 06:00 antibiotics", due_at=NOW + timedelta(hours=3))
    add(engine, cfg, hcfg, "Other ward's", ward_code="7B")
    board = huddle.actions_for_huddle(engine, "7A", TODAY)
    assert board["id"].tolist() == [monday, today]
    assert board["carried_over"].tolist() == [True, False]
    assert huddle.open_action_counts(engine) == {"7A": 2, "7B": 1}
    # closed today: still listed today (after the open ones), gone from tomorrow's huddle
    huddle.set_action_status(
        engine, action_id=monday, expected_version=1, status="done", actor=HCA_PHONE, now=NOW + timedelta(hours=1)
    )
    board = huddle.actions_for_huddle(engine, "7A", TODAY)
    assert board[["id", "status"]].values.tolist() == [[today, "open"], [monday, "done"]]
    tomorrow = huddle.actions_for_huddle(engine, "7A", TODAY + timedelta(days=1))
    assert tomorrow["id"].tolist() == [today] and tomorrow["carried_over"].tolist() == [True]
    assert huddle.open_action_counts(engine, ["7a"]) == {"7A": 1}


def test_a_bad_action_is_refused(engine, cfg, hcfg):
    with pytest.raises(HuddleInputError) as err:
        add(engine, cfg, hcfg, "   ", owner_role="boss", due_at=NOW - timedelta(hours=2))
    assert {f for f, _ in err.value.problems} == {"text", "owner_role", "due_at"}
    assert "has already passed" in str(err.value)


def test_two_devices_closing_the_same_version_one_is_refused(engine, cfg, hcfg):
    action_id = add(engine, cfg, hcfg, "Sepsis screen for bed 4")
    first = huddle.set_action_status(
        engine, action_id=action_id, expected_version=1, status="done", actor=NURSE_TABLET, now=NOW
    )
    assert (first["status"], first["version"]) == ("done", 2)
    with pytest.raises(StaleEditError) as err:
        huddle.set_action_status(
            engine, action_id=action_id, expected_version=1, status="cancelled", actor=HCA_PHONE, now=NOW
        )
    assert "was changed on another device since you opened it (it is now done" in str(err.value)
    stored = huddle.action(engine, action_id)
    assert (stored["status"], stored["version"]) == ("done", 2)  # the first close stands; nothing was overwritten


def test_two_devices_closing_at_the_same_moment_exactly_one_wins(engine, cfg, hcfg):
    for attempt in range(5):
        action_id = add(engine, cfg, hcfg, f"Escalate NEWS2 7 in bed {attempt}")
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def close(actor: Actor, status: str) -> None:
            start.wait()
            try:
                huddle.set_action_status(
                    engine, action_id=action_id, expected_version=1, status=status, actor=actor, now=NOW
                )
                outcomes.append("saved")
            except StaleEditError:
                outcomes.append("refused")

        workers = [
            threading.Thread(target=close, args=(NURSE_TABLET, "done")),
            threading.Thread(target=close, args=(HCA_PHONE, "cancelled")),
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert sorted(outcomes) == ["refused", "saved"], attempt
        assert huddle.action(engine, action_id)["version"] == 2
        changes = audit_entries(engine, entity="huddle_action", entity_id=action_id, limit=None)
        assert changes["action"].tolist()[0] == "action.create" and len(changes) == 2  # one create, one close


# ---- the audit log ------------------------------------------------------------------------------


def test_every_entry_and_change_is_audited_with_before_and_after(engine, cfg, hcfg):
    rating_id = rate(engine, cfg, hcfg, 3, role="hca")
    action_id = add(engine, cfg, hcfg, "Check bed rails in bay 2")
    huddle.set_action_status(
        engine,
        action_id=action_id,
        expected_version=1,
        status="cancelled",
        actor=HCA_PHONE,
        now=NOW + timedelta(minutes=5),
    )
    log = audit_entries(engine, ward_code="7A", limit=None)
    assert log["action"].tolist() == ["rating.create", "action.create", "action.cancelled"]
    assert log["entity_id"].tolist() == [str(rating_id), str(action_id), str(action_id)]
    assert log["actor"].tolist() == ["device-aaaa1111", "device-aaaa1111", "device-bbbb2222"]
    assert log["client"].tolist() == ["test"] * 3
    assert log["at"].tolist() == [NOW, NOW, NOW + timedelta(minutes=5)]
    created = log.iloc[0]["detail"]
    assert created["before"] is None and created["after"]["score"] == 3 and created["after"]["role"] == "hca"
    assert created["after"]["huddle_date"] == "2026-11-25"
    closed = log.iloc[2]["detail"]
    assert (closed["before"]["status"], closed["before"]["version"]) == ("open", 1)
    assert (closed["after"]["status"], closed["after"]["version"]) == ("cancelled", 2)
    assert closed["after"]["closed_at"] == "2026-11-25T09:20:00+00:00"


def test_the_database_refuses_to_update_or_delete_the_audit_log(engine, cfg, hcfg):
    rate(engine, cfg, hcfg, 5)
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError) as err, engine.begin() as conn:
            conn.execute(text(statement))
        assert "audit_log is append-only" in str(err.value)
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_log"))
    log = audit_entries(engine, limit=None)
    assert len(log) == 1 and log.iloc[0]["actor"] == "device-aaaa1111"


# ---- exports ------------------------------------------------------------------------------------


def test_entries_export_to_csv_without_names(engine, cfg, hcfg):
    rate(engine, cfg, hcfg, 4, role="doctor", comment="theatre list overran")
    add(engine, cfg, hcfg, "Call the site team about beds", owner_role="other")
    ratings_csv = huddle.ratings_export(engine, "7A", TODAY - timedelta(days=365), TODAY).to_csv(index=False)
    assert ratings_csv.splitlines()[0] == "id,ward_code,huddle_date,shift,kind,score,role,comment,device,created_at"
    assert (
        "2026-11-25,day,reliability,4,doctor,theatre list overran,device-aaaa1111,2026-11-25T09:15:00+00:00"
        in ratings_csv
    )
    actions_csv = huddle.actions_export(engine, "7A").to_csv(index=False)
    assert (
        actions_csv.splitlines()[0]
        == "id,ward_code,text,owner_role,due_at,status,created_on,created_at,closed_at,device,version,source,learning_response_id"  # noqa: E501
    )
    assert "Call the site team about beds,other,,open,2026-11-25" in actions_csv


# ---- migrations and the snapshot's non-EPR part -------------------------------------------------


def test_upgrading_from_0001_keeps_existing_snapshots_and_adds_the_huddle_tables(db_url):
    engine = make_engine(db_url)
    migrate(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO snapshots (extracted_at, loaded_at, source, extract_path, content_hash, "
                "config_fingerprint, row_counts, metric_definitions) "
                "VALUES ('2026-11-24 07:30:00', '2026-11-24 07:35:00', 'old', '/x', 'h1', 'f', '{}', '[]')"
            )
        )
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT source FROM snapshots")).scalar_one() == "old"
        assert conn.execute(select(func.count()).select_from(AuditLog)).scalar_one() == 0
    engine.dispose()


def _two_patient_extract(folder: Path, optional: bool) -> Path:
    write_extract(
        folder,
        "2026-11-25T07:30:00Z",
        {
            "encounters": [encounter("E1", "7A"), encounter("E2", "9A")],
            "observations": [obs("E1", "2026-11-25T06:00:00Z"), obs("E2", "2026-11-25T06:00:00Z")],
            "incidents": [
                {
                    "incident_id": "I1",
                    "ward_code": "9A",
                    "occurred_at": "2026-11-20T10:00:00Z",
                    "incident_type": "pressure_ulcer",
                    "harm_level": "Moderate",
                    "pressure_ulcer_category": 3,
                },
                {
                    "incident_id": "I2",
                    "ward_code": "9a",
                    "occurred_at": "2026-11-24T23:30:00Z",
                    "incident_type": "FALL",
                    "harm_level": "none",
                },
                {
                    "incident_id": "I3",
                    "ward_code": "7A",
                    "occurred_at": "2026-11-26T10:00:00Z",
                    "incident_type": "FALL",
                    "harm_level": "none",
                },  # future: quarantined
            ],
            "patient_feedback": [
                {"ward_code": "9A", "response_date": "2026-11-24", "kind": "fft", "fft_positive": "true"},
                {"ward_code": "9A", "response_date": "2026-11-24", "kind": "FFT", "fft_positive": "false"},
                {"ward_code": "9A", "response_date": "2026-11-23", "kind": "complaint"},
                {
                    "ward_code": "9A",
                    "response_date": "2026-11-30",
                    "kind": "compliment",
                },  # a date after the extract: quarantined
            ],
            "workforce": [
                {
                    "ward_code": "9A",
                    "month": "2026-10-01",
                    "sickness_absence_pct": 3.5,
                    "training_compliance_pct": 91,
                    "turnover_pct": 12,
                }
            ],
        },
    )
    if not optional:
        for name in ("incidents", "patient_feedback", "workforce"):
            (folder / f"{name}.csv").unlink()
    return folder


def test_the_optional_tables_are_stored_with_the_snapshot_and_read_by_the_barometer(engine, cfg, hcfg, tmp_path):
    result = refresh(_two_patient_extract(tmp_path / "with", optional=True), cfg, engine)
    with engine.connect() as conn:
        incidents = conn.execute(
            select(
                SnapshotIncidentCount.ward_code,
                SnapshotIncidentCount.day,
                SnapshotIncidentCount.incident_type,
                SnapshotIncidentCount.harm_level,
                SnapshotIncidentCount.pressure_ulcer_category,
                SnapshotIncidentCount.incidents,
            ).order_by(SnapshotIncidentCount.day)
        ).all()
        feedback = conn.execute(
            select(
                SnapshotFeedbackCount.day,
                SnapshotFeedbackCount.kind,
                SnapshotFeedbackCount.responses,
                SnapshotFeedbackCount.positive,
            ).order_by(SnapshotFeedbackCount.day)
        ).all()
        workforce = conn.execute(
            select(SnapshotWorkforce.ward_code, SnapshotWorkforce.month, SnapshotWorkforce.sickness_absence_pct)
        ).all()
    # the 23:30 UTC fall on 24 Nov is on 24 Nov in London (GMT); codes are upper-cased, harm lower-cased
    assert [tuple(r) for r in incidents] == [
        ("9A", date(2026, 11, 20), "PRESSURE_ULCER", "moderate", 3, 1),
        ("9A", date(2026, 11, 24), "FALL", "none", None, 1),
    ]
    assert [tuple(r) for r in feedback] == [
        (date(2026, 11, 23), "complaint", 1, None),
        (date(2026, 11, 24), "fft", 2, 1),
    ]
    assert [tuple(r) for r in workforce] == [("9A", date(2026, 10, 1), 3.5)]
    assert result.quarantined == 2
    reading = ward_barometer(engine, cfg, hcfg, "9A", TODAY)
    values = {i.id: (i.value, i.status) for i in reading.indicators}
    assert values["pressure_ulcers_cat2"] == (1.0, "ok")
    assert values["days_since_pressure_ulcer"] == (5.0, "ok")
    assert values["fft_positive"] == (50.0, "ok")
    assert values["complaints"] == (1.0, "ok")
    assert values["training_compliance"] == (91.0, "ok")
    assert reading.not_supplied == ()


def test_a_hospital_without_the_optional_tables_gets_a_barometer_that_says_so(engine, cfg, hcfg, tmp_path):
    refresh(_two_patient_extract(tmp_path / "without", optional=False), cfg, engine)
    rate(engine, cfg, hcfg, 4, ward_code="9A")
    reading = ward_barometer(engine, cfg, hcfg, "9A", TODAY)
    status = {i.id: i.status for i in reading.indicators}
    assert status["pressure_ulcers_cat2"] == status["fft_positive"] == status["training_compliance"] == "not_supplied"
    assert status["reliability_rating"] == status["missed_critical_doses"] == "ok"
    assert reading.not_supplied == ("incidents", "patient_feedback", "workforce")
    assert (
        reading.score is not None
        and "Not supplied in the extract: incidents, patient_feedback, workforce." in reading.statement
    )
