"""Learning responses and the five questions of safety on the real views.

The huddle view lists the ward's harm incidents whose learning response is due or overdue (counted here
independently from the extract's incidents file and the shipped learning.yaml rules), records a response
through its form (stored, audited, and its agreed action in the ward's one actions list), and refuses a
response that breaks a rule. The executive view answers the five questions for every ward, and says so
when a ward has no measure for one.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from metrics.huddle import inputs as huddle
from metrics.learning.responses import london_date
from metrics.pipeline import refresh
from metrics.store import learning as stored
from metrics.store.audit_log import audit_entries
from metrics.store.database import ready_engine
from tests.app.conftest import Store, all_html
from tests.app.test_huddle_inputs_app import copy_store
from tests.identity import identifying_values, identity_shown, latest_extract

# The shipped learning.yaml, as a clinician reads it: type -> (which incidents, days to respond)
RULES = {
    "FALL": (lambda harm, cat: harm != "none", 3),
    "PRESSURE_ULCER": (lambda harm, cat: not pd.isna(cat) and cat >= 2, 5),
    "MEDICATION": (lambda harm, cat: harm in ("moderate", "severe", "death"), 3),
}
LOOKBACK_DAYS = 90


@pytest.fixture
def store(sample_store: Store, tmp_path: Path) -> Store:
    return copy_store(sample_store, tmp_path / "copy")


@pytest.fixture
def extract(sample_store: Store) -> Path:
    """The latest extract the sample store (and so each copy of it) was loaded with."""
    return latest_extract(sample_store.url)


def expected_counts(extract: Path, ward: str) -> dict[str, int]:
    """Overdue and due learning responses of one ward, from the extract's incidents file by hand."""
    frame = pd.read_csv(extract / "incidents.csv")
    today = london_date(datetime.now(timezone.utc))
    counts = {"overdue": 0, "due": 0}
    for _, row in frame[frame["ward_code"].str.upper() == ward].iterrows():
        kind = str(row["incident_type"]).upper()
        if kind not in RULES or not RULES[kind][0](str(row["harm_level"]).lower(), row["pressure_ulcer_category"]):
            continue
        day = pd.Timestamp(row["occurred_at"]).tz_convert(ZoneInfo("Europe/London")).date()
        if day < today - timedelta(days=LOOKBACK_DAYS):
            continue
        counts["overdue" if today > day + timedelta(days=RULES[kind][1]) else "due"] += 1
    return counts


def counts_on_view(at) -> dict[str, int]:
    return {k: int(n) for k, n in re.findall(r'data-count="(\w+)"><b>(\d+)</b>', all_html(at))}


def test_the_huddle_view_counts_the_wards_learning_responses_overdue_and_due_as_the_extract_says(
    run_view, store, extract
):
    at = run_view(store, ward="7A")
    expected = expected_counts(extract, "7A")
    assert expected["overdue"] > 0  # the synthetic ward has harm incidents with no response yet
    assert counts_on_view(at) == {**expected, "responded": 0}
    rows = re.findall(r'<tr data-status="(\w+)">', all_html(at))
    assert rows == ["overdue"] * expected["overdue"] + ["due"] * expected["due"]


def test_the_learning_list_never_shows_an_incident_reference(run_view, store, extract):
    at = run_view(store, ward="7A")
    references = set(pd.read_csv(extract / "incidents.csv")["incident_id"].astype(str))
    assert identity_shown(all_html(at), references) == set()
    assert identity_shown(all_html(at), identifying_values(extract)) == set()


def fill_response(at, incident_id: str, kind: str, **fields: object) -> None:
    at.selectbox(key="ln-incident").set_value(incident_id)
    at.radio(key="ln-kind").set_value(kind)
    for key, value in fields.items():
        widget = {"factors": at.multiselect, "held_on": at.date_input, "owner": at.selectbox}.get(key, at.text_input)
        name = {"factors": "ln-factors", "held_on": "ln-held-on", "owner": "ln-action-owner"}.get(key, f"ln-{key}")
        (at.text_area(key=name) if key == "summary" else widget(key=name)).set_value(value)
    next(b for b in at.button if b.label == "Save response").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_a_response_recorded_on_the_huddle_view_is_stored_audited_and_its_action_joins_the_actions_list(
    run_view, store
):
    at = run_view(store, ward="7A")
    before = counts_on_view(at)
    first = at.selectbox(key="ln-incident").options[0]
    incident_id = at.session_state["ln-incident"]  # the first listed: the longest overdue
    assert "Overdue" in first
    today = london_date(datetime.now(timezone.utc))
    fill_response(
        at,
        incident_id,
        "swarm_huddle",
        held_on=today,
        factors=["staffing", "communication"],
        summary="Two nurses short; handover missed the falls plan",
        action="Falls plan read out at every handover",
        owner="nurse",
    )
    assert "Learning response #1 recorded with its action." in [s.value for s in at.success]
    assert counts_on_view(at) == {**before, "overdue": before["overdue"] - 1, "responded": 1}
    kept = stored.responses(store.engine, ["7A"])
    assert kept[["incident_id", "kind", "factors", "summary"]].values.tolist() == [
        [incident_id, "swarm_huddle", ["staffing", "communication"], "Two nurses short; handover missed the falls plan"]
    ]
    actions = huddle.actions_for_huddle(store.engine, "7A", today)
    assert actions[["text", "source", "learning_response_id"]].values.tolist() == [
        ["Falls plan read out at every handover", "learning_response", 1]
    ]
    assert 'data-source="learning_response"' in all_html(at)
    assert "from learning response #1" in all_html(at)
    log = audit_entries(store.engine, since=datetime(2020, 1, 1, tzinfo=timezone.utc), limit=100)
    assert log["action"].tolist()[-2:] == ["learning_response.create", "action.create"]


def test_no_learning_response_without_a_reason_is_refused_on_the_view_and_nothing_is_stored(run_view, store):
    at = run_view(store, ward="7A")
    fill_response(at, at.session_state["ln-incident"], "none")
    assert [e.value for e in at.error] == ["Not saved: say why there is no learning response"]
    assert stored.responses(store.engine).empty
    fill_response(at, at.session_state["ln-incident"], "none", reason="Covered by the ward's falls improvement plan")
    assert stored.responses(store.engine)[["kind", "reason"]].values.tolist() == [
        ["none", "Covered by the ward's falls improvement plan"]
    ]


def test_the_huddle_view_answers_the_five_questions_for_its_ward(run_view, store, extract):
    at = run_view(store, ward="7A")
    panel = re.search(r'<div class="dm-panel" data-ward="7A">.*', all_html(at), re.S).group(0)
    assert re.findall(r'data-dimension="(\w+)"><h4>([^<]+)</h4>', panel) == [
        ("past_harm", "Has patient care been safe in the past?"),
        ("reliability", "Are our clinical systems and processes reliable?"),
        ("safe_today", "Is care safe today?"),
        ("safe_future", "Will care be safe in the future?"),
        ("learning", "Are we responding and improving?"),
    ]
    overdue = expected_counts(extract, "7A")["overdue"]
    assert re.search(
        rf'data-measure="responses_overdue"><span>Learning responses overdue</span><span class="dm-v">{overdue} ', panel
    )


def test_the_executive_view_answers_the_five_questions_for_every_ward(run_view, sample_store):
    at = run_view(sample_store, "exec", mode="analyst")
    html = all_html(at)
    wards = re.findall(r'<div class="dm-panel" data-ward="([^"]+)">', html)
    assert wards == [w.code for w in sample_store.cfg.wards.wards]
    assert len(re.findall(r'class="dm-q" data-dimension=', html)) == 5 * len(wards)
    assert "None" not in re.sub(r"<style>.*?</style>", "", html) and "nan" not in html


@pytest.fixture(scope="module")
def no_incidents_store(tmp_path_factory: pytest.TempPathFactory, sample_store: Store) -> Store:
    """The sample's latest extract without its incidents file, loaded into a new store."""
    root = tmp_path_factory.mktemp("no_incidents")
    folder = root / "extract"
    shutil.copytree(latest_extract(sample_store.url), folder)
    (folder / "incidents.csv").unlink()
    url = f"sqlite:///{root / 'store.sqlite'}"
    refresh(folder, sample_store.cfg, ready_engine(url))
    return Store(url, sample_store.config_dir)


def test_without_incidents_the_learning_question_says_the_ward_has_no_measure_and_the_huddle_says_not_supplied(
    run_view, no_incidents_store
):
    at = run_view(no_incidents_store, "exec", mode="analyst")
    html = all_html(at)
    learning = re.findall(r'data-dimension="learning"><h4>[^<]+</h4><p class="dm-none">([^<]+)</p>', html)
    assert learning == ["No measure for this ward (incidents not supplied)"] * len(no_incidents_store.cfg.wards.wards)
    huddle_view = run_view(no_incidents_store, ward="7A")
    assert any("Incidents not supplied" in i.value for i in huddle_view.info)
