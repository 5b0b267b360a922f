"""Ward accreditation on the real app: an assessor records a visit through the form; ward staff cannot; the level
shows on the huddle, the wall and the executive wall.

Each test works on its own copy of the session's sample store (three days of the synthetic trust, which carries
about two years of accreditation visits loaded from its extracts).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.common.access_gate import DEMO_ROLE, DEMO_WARD
from metrics.accreditation.config import load_accreditation_config
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.store import accreditation as stored
from metrics.store import huddle as stored_huddle
from metrics.store.audit_log import audit_entries
from tests.app.conftest import Store, all_html
from tests.app.test_huddle_inputs_app import copy_store

ACFG = load_accreditation_config(DEFAULT_CONFIG_DIR)
ASSESSOR = {DEMO_ROLE: "assessor"}


@pytest.fixture
def store(sample_store: Store, tmp_path: Path) -> Store:
    return copy_store(sample_store, tmp_path / "copy")


def audit_count(store: Store) -> int:
    from datetime import datetime, timezone

    return len(audit_entries(store.engine, since=datetime(2000, 1, 1, tzinfo=timezone.utc), limit=100_000))


def score_every_question(at, score: str = "1") -> None:
    for question in ACFG.questions:
        at.radio(key=f"acc-score-{question.id}").set_value(score)


def click(at, label: str) -> None:
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_synthetic_trust_carries_a_history_of_visits_at_every_ward(store):
    visits = stored.assessments(store.engine)
    assert set(visits["ward_code"]) == {w.code for w in store.cfg.wards.wards}
    assert set(visits["source"]) == {"extract"}
    assert set(visits["level"]) <= set(ACFG.level_codes())
    span = visits["assessed_on"].max() - visits["assessed_on"].min()
    assert span.days > 600  # about two years


def test_an_assessor_records_a_visit_through_the_form_and_it_is_stored_with_its_audit_row(run_view, store):
    visits_before = len(stored.assessments(store.engine, ["7A"]))
    audit_before = audit_count(store)
    actions_before = len(stored_huddle.actions_of_ward(store.engine, "7A"))
    at = run_view(store, "accreditation", session=ASSESSOR, ward="7A")
    assert [r.key for r in at.radio] == [f"acc-score-{q.id}" for q in ACFG.questions]
    score_every_question(at, "1")
    at.radio(key="acc-score-S2.2").set_value("0.5")
    at.text_input(key="acc-finding-S2.2").set_value("Curtains not fully drawn during personal care in bay 2")
    click(at, "Record visit")
    visits = stored.assessments(store.engine, ["7A"])
    assert len(visits) == visits_before + 1
    newest = visits.iloc[0]
    assert (newest["source"], newest["assessor"]) == ("app", "demo assessor")
    assert newest["domain_percent"]["personal"] == 83.3  # (1 + 0.5 + 1) of 3
    assert audit_count(store) == audit_before + 2  # the visit, and the action its finding became
    entries = audit_entries(store.engine, since=newest["created_at"], limit=10)
    assert sorted(entries["action"]) == ["accreditation.record", "action.create"]
    actions = stored_huddle.actions_of_ward(store.engine, "7A")
    assert len(actions) == actions_before + 1
    action = actions.iloc[-1]
    assert (action["source"], action["status"], action["owner_role"]) == ("accreditation", "open", "nurse")
    assert action["text"].endswith("S2.2 (Personal): Curtains not fully drawn during personal care in bay 2")
    assert any("recorded" in s.value for s in at.success)


def test_a_visit_with_a_question_not_scored_is_refused_and_nothing_is_stored(run_view, store):
    visits_before = len(stored.assessments(store.engine))
    audit_before = audit_count(store)
    at = run_view(store, "accreditation", session=ASSESSOR, ward="7A")
    score_every_question(at, "1")
    at.radio(key="acc-score-S3.2").set_value(None)
    click(at, "Record visit")
    assert len(stored.assessments(store.engine)) == visits_before
    assert audit_count(store) == audit_before
    assert any("not scored: S3.2" in e.value for e in at.error)


def test_ward_staff_see_their_wards_accreditation_but_cannot_record_a_visit(run_view, store):
    at = run_view(store, "accreditation", session={DEMO_ROLE: "ward_staff", DEMO_WARD: "7A"}, ward="7A")
    assert not [b for b in at.button if b.label == "Record visit"]
    assert not at.radio
    assert any("Only an assessor records" in i.value for i in at.info)
    level = stored.assessments(store.engine, ["7A"]).iloc[0]["level"]
    assert f'data-level="{level}"' in all_html(at)


def latest_level(store: Store, ward: str) -> str:
    return str(stored.assessments(store.engine, [ward]).iloc[0]["level"])


def test_the_huddle_shows_the_wards_level_domain_scores_and_next_visit(run_view, store):
    at = run_view(store, ward="7A")
    panel = re.search(r'<div class="acc-panel" data-accreditation="7A">.*?</div></div>', all_html(at), re.S)
    assert panel is not None
    visit = stored.assessments(store.engine, ["7A"]).iloc[0]
    assert f'data-level="{visit["level"]}"' in panel.group(0)
    assert f"{ACFG.level_label(visit['level'])}</span>" in panel.group(0)
    assert f"next visit due {visit['next_visit'].day} {visit['next_visit']:%b %Y}" in panel.group(0)
    for domain in ACFG.domains:
        assert f'data-domain="{domain.code}"' in panel.group(0)


def test_the_huddle_lists_the_open_actions_from_the_last_visit(run_view, store):
    at = run_view(store, "accreditation", session=ASSESSOR, ward="7B")
    score_every_question(at, "1")
    at.text_input(key="acc-finding-S1.5").set_value("Resuscitation trolley check missed on 3 days")
    click(at, "Record visit")
    huddle = run_view(store, ward="7B")
    html = all_html(huddle)
    assert 'data-accreditation-actions="1"' in html
    assert "Resuscitation trolley check missed on 3 days" in html
    assert re.search(r'data-action="\d+" data-status="open"[^>]*><p>#\d+ Accreditation visit', html)
    assert "from an accreditation visit" in html


def test_the_wall_shows_the_level_of_the_ward_on_screen(run_view, store):
    at = run_view(store, "wall", wards="7A")
    assert '<span class="acc-wall" data-accreditation="7A">' in all_html(at)
    assert f'data-level="{latest_level(store, "7A")}"' in all_html(at)


def test_the_executive_wall_lists_every_wards_level_the_spread_per_site_and_overdue_revisits(run_view, store):
    at = run_view(store, "exec", mode="analyst")
    frames = [d.value for d in at.dataframe]
    levels = next(f for f in frames if "Overdue" in f.columns)
    assert len(levels) == len(store.cfg.wards.wards)
    by_ward = dict(zip(levels["Ward"].str.split(" · ").str[0], levels["Level"]))
    for ward in store.cfg.wards.wards:
        assert by_ward[ward.code] == ACFG.level_label(latest_level(store, ward.code))
    spread = next(f for f in frames if "Site" in f.columns and ACFG.level_label("gold") in f.columns)
    trust = spread[spread["Site"] == "Trust"].iloc[0]
    assert sum(int(trust[c]) for c in spread.columns if c != "Site") == len(store.cfg.wards.wards)
    assert "data-mismatches=" in all_html(at)
