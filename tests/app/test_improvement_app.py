"""The improvement board, the safety cross and the rare-event chart on the real huddle view.

A project is opened from a huddle action and given a PDSA cycle through the forms, and its chart then carries the
cycle as an annotation. Each test works on its own copy of the session's sample store.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from metrics.huddle import inputs as huddle
from metrics.huddle.config import load_huddle_config
from metrics.store import improvement as stored
from metrics.store.audit import Actor
from metrics.store.audit_log import audit_entries
from tests.app.conftest import Store, all_html
from tests.app.test_huddle_inputs_app import copy_store


@pytest.fixture
def store(sample_store: Store, tmp_path: Path) -> Store:
    return copy_store(sample_store, tmp_path / "copy")


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _click(at, label: str) -> None:
    next(b for b in at.button if b.label == label).click()
    at.run()
    _ok(at)


def _charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _chart_titled(at, ending: str) -> dict:
    return next(s for s in _charts(at) if s["layout"].get("title", {}).get("text", "").endswith(ending))


def test_a_project_opened_with_a_cycle_through_the_ui_shows_the_cycle_on_its_chart(run_view, store):
    action_id = huddle.add_action(
        store.engine,
        store.cfg,
        load_huddle_config(store.config_dir, store.cfg),
        ward_code="7A",
        text="Falls at night near the side rooms",
        owner_role="nurse",
        actor=Actor(device="device-test"),
    )
    at = run_view(store, ward="7A")
    at.selectbox(key="ib-action").set_value(action_id)
    at.text_input(key="ib-title").set_value("Fewer night falls")
    at.text_area(key="ib-problem").set_value("Three falls at night this month near the side rooms.")
    at.selectbox(key="ib-metric").set_value("falls_last_24h")
    at.text_input(key="ib-aim").set_value("no falls at night")
    at.text_area(key="ib-ideas").set_value("Intentional rounding at night\nBed sensors in side rooms")
    _click(at, "Open project")
    projects = stored.projects(store.engine, ["7A"])
    assert projects[["ward_code", "action_id", "title", "metric_id"]].values.tolist() == [
        ["7A", action_id, "Fewer night falls", "falls_last_24h"]
    ]
    assert projects["change_ideas"].iloc[0] == ["Intentional rounding at night", "Bed sensors in side rooms"]
    project_id = int(projects["id"].iloc[0])

    at.text_area(key=f"ib-cycle-note-{project_id}").set_value("Rounding every hour on nights, week 1")
    _click(at, "Add PDSA cycle")
    cycles = stored.cycles(store.engine, [project_id])
    assert cycles["note"].tolist() == ["Rounding every hour on nights, week 1"]

    chart = _chart_titled(at, ": ward 7A, days between falls")  # falls are rare events: a g chart
    assert chart["data"] == []  # 7A had no fall in the sample's history: nothing between events to draw yet
    assert (
        "No event in the stored history yet: the days between events are charted from the second one."
        in at.caption[-1].value
    )
    notes = [a for a in chart["layout"]["annotations"] if a.get("name") == "annotation_1"]
    assert [a["text"] for a in notes] == ["1. PDSA 1: Rounding every hour on nights, week 1"]
    assert f"{huddle.london_today():%d %b %Y}: PDSA 1: Rounding every hour on nights, week 1 (" in notes[0]["hovertext"]
    assert notes[0]["x"].startswith(huddle.london_today().isoformat())
    lines = [s for s in chart["layout"].get("shapes", []) if s.get("line", {}).get("dash") == "dot"]
    assert len(lines) == 1
    actions = audit_entries(store.engine)["action"].tolist()
    assert "improvement_project.create" in actions and "improvement_cycle.create" in actions


def test_an_annotation_added_on_the_project_chart_is_drawn_and_audited(run_view, store):
    project_id = stored.insert_project(
        store.engine,
        {
            "ward_code": "7A",
            "action_id": None,
            "title": "Fewer missed doses",
            "problem": "Critical doses missed at the 06:00 round.",
            "metric_id": "missed_critical_doses_today",
            "aim_target": None,
            "target_date": huddle.london_today().replace(year=huddle.london_today().year + 1),
            "change_ideas": [],
            "opened_on": huddle.london_today(),
            "author": "device-test",
            "device": "device-test",
            "created_at": __import__("datetime").datetime.now(__import__("datetime").timezone.utc),
        },
        Actor(device="device-test"),
        __import__("datetime").datetime.now(__import__("datetime").timezone.utc),
    )
    at = run_view(store, ward="7A")
    at.text_input(key=f"ib-note-text-{project_id}").set_value("Pharmacy top-up moved to 05:00")
    _click(at, "Annotate the chart")
    chart = _chart_titled(at, ": ward 7A")
    assert "1. Pharmacy top-up moved to 05:00" in [a.get("text") for a in chart["layout"]["annotations"]]
    assert "annotation.create" in audit_entries(store.engine)["action"].tolist()


def test_the_safety_cross_is_on_the_huddle_view_for_the_wards_harms(run_view, store):
    at = run_view(store, ward="7A")
    assert at.selectbox(key="sc-harm-7A").options == ["Falls", "Pressure ulcers", "Medication incidents"]
    html = all_html(at)
    cross = re.search(r'<div class="sc-wrap" data-safety-cross="fall">.*?</div></div>', html, re.S)
    assert cross is not None
    colours = re.findall(r'data-colour="(\w+)"', cross.group(0))
    assert len(colours) >= 28 and set(colours) <= {"green", "amber", "red", "not_yet", "no_data"}
    assert any(b.label == "Print the safety cross" for b in at.get("download_button"))


def test_days_since_the_last_fall_with_harm_comes_with_its_g_chart(run_view, store):
    at = run_view(store, ward="7A")
    assert any("Days since the last fall with harm" in s.value for s in at.subheader)
    text = " ".join(m.value for m in at.markdown)
    assert re.search(r"\d+ days since the last fall with harm", text) or "No fall with harm" in text


def test_the_executive_view_counts_active_projects_and_draws_annotations(run_view, store):
    from datetime import date, timedelta

    from metrics.improvement.annotations import add_annotation
    from metrics.improvement.projects import open_project
    from metrics.store.spc_history import Scope

    for ward in ("7A", "9A"):
        open_project(
            store.engine,
            store.cfg,
            ward_code=ward,
            title="Fewer falls",
            problem="Falls at night",
            metric_id="falls_last_24h",
            target_date=date.today() + timedelta(days=30),
            change_ideas=[],
            actor=Actor("device-test"),
        )
    add_annotation(
        store.engine,
        store.cfg,
        metric_id="patients_on_ward",
        scope=Scope("trust", None),
        on_date=huddle.london_today(),
        text="Escalation ward opened",
        actor=Actor("device-test"),
    )
    at = run_view(store, "exec", mode="analyst", metric="patients_on_ward", scope="trust")
    assert 'data-improvement-counts="2/0"' in all_html(at)
    assert "2 active, 0 showing special cause improvement" in all_html(at)
    chart = next(s for s in _charts(at) if "annotation_1" in [a.get("name") for a in s["layout"]["annotations"]])
    assert [a["text"] for a in chart["layout"]["annotations"] if a.get("name") == "annotation_1"] == [
        "1. Escalation ward opened"
    ]
