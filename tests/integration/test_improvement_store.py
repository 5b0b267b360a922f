"""Annotations and the improvement board in the store, on SQLite and PostgreSQL: checked, append-only, audited,
and nothing lost when several devices write at once."""

from __future__ import annotations

from dataclasses import replace

import threading
from datetime import date, datetime, timezone

import pytest

from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.huddle import inputs as huddle
from metrics.huddle.config import load_huddle_config
from metrics.improvement.annotations import EntryError, add_annotation, annotations_for
from metrics.improvement.projects import add_cycle, board_counts, open_project
from metrics.store import improvement as stored
from metrics.store.audit import Actor
from metrics.store.audit_log import audit_entries
from metrics.store.spc_history import Scope

NOW = datetime(2026, 11, 25, 9, 15, tzinfo=timezone.utc)
TODAY = date(2026, 11, 25)
TABLET = Actor("device-aaaa1111", client="test")
PHONE = Actor("device-bbbb2222", client="test")


@pytest.fixture(scope="module")
def hcfg(cfg):
    return load_huddle_config(DEFAULT_CONFIG_DIR, cfg)


def _action(engine, cfg, hcfg, ward: str = "7A") -> int:
    return huddle.add_action(
        engine, cfg, hcfg, ward_code=ward, text="Falls at night", owner_role="nurse", actor=TABLET, now=NOW
    )


def _project(engine, cfg, **changes) -> int:
    args = {
        "ward_code": "7A",
        "title": "Fewer night falls",
        "problem": "Falls at night near the side rooms",
        "metric_id": "falls_last_24h",
        "target_date": date(2027, 2, 28),
        "change_ideas": ["Intentional rounding", "  Bed sensors  ", ""],
        "actor": TABLET,
        "now": NOW,
    }
    args.update(changes)
    return open_project(engine, cfg, **args)


def test_a_project_opened_from_a_huddle_action_is_stored_and_audited(engine, cfg, hcfg):
    action_id = _action(engine, cfg, hcfg)
    project_id = _project(engine, cfg, action_id=action_id, aim_target="none at night")
    row = stored.project(engine, project_id)
    assert row is not None
    assert (row["ward_code"], row["action_id"], row["metric_id"], row["opened_on"], row["target_date"]) == (
        "7A",
        action_id,
        "falls_last_24h",
        TODAY,
        date(2027, 2, 28),
    )
    assert row["change_ideas"] == ["Intentional rounding", "Bed sensors"]
    audit = audit_entries(engine, entity="improvement_projects", limit=None)
    assert audit["action"].tolist() == ["improvement_project.create"]
    assert audit["actor"].tolist() == ["device-aaaa1111"]


def test_a_project_entry_is_refused_with_every_problem_named(engine, cfg, hcfg):
    other_ward_action = _action(engine, cfg, hcfg, ward="9A")
    with pytest.raises(EntryError) as refused:
        _project(
            engine,
            cfg,
            ward_code="7A",
            action_id=other_ward_action,
            metric_id="no_such_metric",
            target_date=date(2026, 11, 1),
            title=" ",
        )
    fields = [field for field, _ in refused.value.problems]
    assert fields == ["action_id", "metric_id", "target_date", "title"]
    assert f"huddle action #{other_ward_action} is not an action of this ward" in str(refused.value)
    assert "the aim's target date 2026-11-01 must be after today" in str(refused.value)
    assert stored.projects(engine).empty


def test_cycles_from_two_devices_at_once_are_both_kept_and_audited(engine, cfg):
    project_id = _project(engine, cfg)
    devices, per_device = 4, 10
    start = threading.Barrier(devices)
    failures: list[BaseException] = []

    def device(n: int) -> None:
        actor = Actor(f"device-{n:04d}")
        start.wait()
        try:
            for i in range(per_device):
                add_cycle(engine, project_id=project_id, cycle_date=TODAY, note=f"cycle {n}.{i}", actor=actor, now=NOW)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    workers = [threading.Thread(target=device, args=(n,)) for n in range(devices)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not failures, failures
    cycles = stored.cycles(engine, [project_id])
    assert sorted(cycles["note"]) == sorted(f"cycle {n}.{i}" for n in range(devices) for i in range(per_device))
    audit = audit_entries(engine, entity="improvement_cycles", limit=None)
    assert len(audit) == devices * per_device
    assert set(audit["ward_code"]) == {"7A"}


def test_a_cycle_for_no_project_or_in_the_future_is_refused(engine, cfg):
    with pytest.raises(EntryError, match="improvement project #99 does not exist"):
        add_cycle(engine, project_id=99, cycle_date=TODAY, note="x", actor=TABLET, now=NOW)
    project_id = _project(engine, cfg)
    with pytest.raises(EntryError, match="the cycle's date 2026-11-26 is in the future; today is 2026-11-25"):
        add_cycle(engine, project_id=project_id, cycle_date=date(2026, 11, 26), note="x", actor=TABLET, now=NOW)
    assert stored.cycles(engine, [project_id]).empty


def test_annotations_from_two_devices_on_one_chart_are_both_kept(engine, cfg):
    scope = Scope("ward", "7a")
    for actor, text in ((TABLET, "New falls bundle"), (PHONE, "Bank staff on nights")):
        add_annotation(
            engine, cfg, metric_id="falls_last_24h", scope=scope, on_date=TODAY, text=text, actor=actor, now=NOW
        )
    frame = annotations_for(engine, "falls_last_24h", [Scope("ward", "7A")])
    assert frame.values.tolist() == [
        [TODAY, "New falls bundle", "device-aaaa1111"],
        [TODAY, "Bank staff on nights", "device-bbbb2222"],
    ]
    assert annotations_for(engine, "falls_last_24h", [Scope("trust", None)]).empty
    audit = audit_entries(engine, entity="spc_annotations", limit=None)
    assert audit["action"].tolist() == ["annotation.create", "annotation.create"]


def test_an_annotation_is_refused_naming_each_problem(engine, cfg):
    with pytest.raises(EntryError) as refused:
        add_annotation(
            engine,
            cfg,
            metric_id="nope",
            scope=Scope("ward", "ZZ"),
            on_date=date(2026, 12, 1),
            text="",
            actor=TABLET,
            now=NOW,
        )
    assert [field for field, _ in refused.value.problems] == ["metric_id", "scope", "on_date", "text"]
    assert "Unknown ward 'ZZ'" in str(refused.value)


def test_board_counts_count_active_projects_only(engine, cfg):
    _project(engine, cfg)  # active until 28 Feb 2027
    _project(engine, cfg, ward_code="9A", target_date=date(2026, 12, 1))
    assert board_counts(engine, cfg, TODAY) == board_counts(engine, cfg, TODAY, ["7A", "9A"])
    counts = board_counts(engine, cfg, TODAY)
    assert (counts.active, counts.showing_improvement) == (2, 0)  # no stored history: nothing to show yet
    later = board_counts(engine, cfg, date(2026, 12, 2))
    assert later.active == 1


def test_the_board_report_draws_a_charts_annotations(engine, cfg, tmp_path):
    from metrics.pipeline import refresh
    from metrics.report.board import render_board_report
    from tests.extract_builder import write_extract
    from tests.integration.test_refresh import NOW as EXTRACT_TIME, small_world

    refresh(write_extract(tmp_path / "x", EXTRACT_TIME, small_world()), cfg, engine)
    add_annotation(
        engine,
        cfg,
        metric_id="patients_on_ward",
        scope=Scope("trust", None),
        on_date=date(2026, 11, 25),
        text="Winter ward opened",
        actor=TABLET,
        now=NOW,
    )
    # the annotated measure's charts only: drawing every measure's would test nothing more, at a minute's cost
    one_measure = replace(cfg, metrics=tuple(m for m in cfg.metrics if m.id == "patients_on_ward"))
    report = render_board_report(engine, one_measure, "2026-11", now=NOW)
    assert "1. Winter ward opened" in report
    assert report.count("Winter ward opened (device-aaaa1111)") == 1  # the trust's chart only, in its hover
