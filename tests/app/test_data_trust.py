"""Data-trust controls in the real app: text from an extract or config is never rendered, locations are for
administrators, demo mode refuses real-looking data, and wrong wall tokens are audited as the throttle says.

Demo mode (the shipped config/access.yaml) drives the roles through the role picker's session state.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common import access_audit, access_gate, access_kiosk
from dashboard.common.disclosure import markdown_text
from metrics.access.kiosk_tokens import create_token
from metrics.config.load import load_config
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.pipeline import refresh
from metrics.store import audit_log
from metrics.store.audit import Actor
from metrics.store.database import ready_engine
from metrics.synthetic.trust import generate_trust
from tests.app.conftest import APP, Store, all_html, latest_extract_day, tiles_in

LINK_SOURCE = 'synthetic [Sign in again here](https://evil.example) <a href="https://evil.example">here</a>'
EVIL_WARD = "[Sign in again here](https://evil.example) <a href=x>7A</a>"
# A link or a tag that Markdown would render: not preceded by the backslash that makes it literal text.
RAW_MARKUP = re.compile(r"(?<!\\)\]\((?=https?\\?:)|(?<!\\)<(?:a|img|script)\b")
OUTAGE_URL = "postgresql+psycopg://outage:not-a-password@127.0.0.1:1/ward"
ADMIN_ACTOR = Actor(device="test", user="admin@example.nhs.uk", role="administrator")


def build_store_with_source(root: Path, source: str, config_dir: Path = DEFAULT_CONFIG_DIR) -> Store:
    """One day of the synthetic trust whose manifests say ``source`` (the one way data enters the store)."""
    cfg = load_config(config_dir)
    url = f"sqlite:///{root / 'store.sqlite'}"
    engine = ready_engine(url)
    folders = generate_trust(
        root / "extracts",
        wards_yaml=config_dir / "wards.yaml",
        clinical_yaml=config_dir / "clinical.yaml",
        days=1,
        end=latest_extract_day(),
        fmt="csv",
    )
    for folder in folders:
        manifest = folder / "manifest.json"
        manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "source": source}))
        refresh(folder, cfg, engine)
    return Store(url, Path(config_dir))


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> Store:
    """A manifest source carrying a Markdown link and an HTML tag, read with a config whose ward 7A's name does too."""
    root = tmp_path_factory.mktemp("hostile_source")
    config_dir = root / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config_dir)
    wards = (config_dir / "wards.yaml").read_text(encoding="utf-8")
    assert 'name: "Acute Medical Unit"' in wards
    (config_dir / "wards.yaml").write_text(
        wards.replace('name: "Acute Medical Unit"', f"name: '{EVIL_WARD}'", 1), encoding="utf-8"
    )
    return build_store_with_source(root, LINK_SOURCE, config_dir)


@pytest.fixture(scope="module")
def production_store(tmp_path_factory) -> Store:
    return build_store_with_source(tmp_path_factory.mktemp("production"), "Trust EPR PRODUCTION")


@pytest.fixture
def app(monkeypatch):
    """app(store, page, role=...) -> a run AppTest (a store may be given as a bare URL with the shipped config)."""

    def run(store: Store | str, page: str, role: str | None = None, **params: str) -> AppTest:
        store = Store(store, DEFAULT_CONFIG_DIR) if isinstance(store, str) else store
        monkeypatch.setenv("DATABASE_URL", store.url)
        monkeypatch.setenv("WARD_DASHBOARD_CONFIG", str(store.config_dir))
        at = AppTest.from_file(str(APP), default_timeout=90)
        if page != "huddle":
            at.switch_page(f"views/{page}.py")
        for key, value in params.items():
            at.query_params[key] = value
        if role is not None:
            at.session_state[access_gate.DEMO_ROLE] = role
            at.session_state[access_gate.DEMO_WARD] = "7A"
            at.session_state[access_gate.DEMO_MATRON] = "M01"
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run


def markdown_bodies(at: AppTest) -> list[str]:
    """Every body Streamlit renders as Markdown: text elements, alerts, headings and st.table cells."""
    bodies = [
        e.value
        for kind in ("markdown", "caption", "error", "warning", "info", "success", "title", "header", "subheader")
        for e in at.get(kind)
    ]
    for table in at.table:
        bodies.extend(str(v) for v in table.value.to_numpy().ravel())
    return bodies


def everything_shown(at: AppTest) -> str:
    """All text a page drew: Markdown bodies, code blocks, dataframes and HTML."""
    frames = [f.value.to_csv() for f in at.dataframe if isinstance(f.value, pd.DataFrame)]
    return "\n".join(markdown_bodies(at) + [c.value for c in at.code] + frames + [all_html(at)])


def audit_count(store: Store, action: str, client: str) -> int:
    rows = audit_log.audit_entries(store.engine, limit=None)
    return int(((rows["action"] == action) & (rows["client"] == client)).sum())


# ---- Markdown and HTML from an extract or config are shown, never rendered ------------------------------------


@pytest.mark.parametrize(
    ("page", "role", "params"),
    [
        ("status", "ward_staff", {}),
        ("status", "administrator", {}),
        ("huddle", "ward_staff", {"ward": "7A"}),
        ("huddle", "matron", {"ward": "7A"}),
        ("exec", "executive", {}),
        ("wall", None, {"wards": "7A"}),
    ],
)
def test_markup_in_the_manifest_source_and_a_ward_name_never_becomes_a_link(app, hostile_store, page, role, params):
    at = app(hostile_store, page, role, **params)
    for body in markdown_bodies(at):
        assert not RAW_MARKUP.search(body), body
    html = all_html(at)
    assert '<a href="https://evil' not in html and "<a href=x>" not in html
    if page == "status":  # the source is shown, literally: every Markdown character escaped
        assert any(r"\[Sign in again here\]\(https\://evil\.example\)" in b for b in markdown_bodies(at))
    else:
        assert "[Sign in again here](https://evil.example) &lt;a href=x&gt;7A&lt;/a&gt;" in html


# ---- paths and database URLs are for administrators --------------------------------------------------------------


@pytest.mark.parametrize("role", ["ward_staff", "matron", "executive", "analyst"])
def test_the_status_page_shows_no_path_or_store_url_to_anyone_but_an_administrator(app, rejected_store, role):
    at = app(rejected_store, "status", role)
    shown = everything_shown(at)
    folder = str(Path(rejected_store.url.removeprefix("sqlite:///")).parent)
    assert folder not in shown and "sqlite:" not in shown and str(DEFAULT_CONFIG_DIR) not in shown
    assert "Extract folder" not in shown
    # the message, not the path
    assert "Extract rejected: …/manifest.json: manifest.json is missing" in "\n".join(c.value for c in at.code)
    assert "The latest refresh was rejected" in shown


def test_an_administrator_sees_the_extract_folder_store_url_and_full_message(app, rejected_store):
    at = app(rejected_store, "status", "administrator")
    folder = str(Path(rejected_store.url.removeprefix("sqlite:///")).parent)
    facts = next(t.value for t in at.table if "Fact" in t.value.columns).set_index("Fact")["Value"]
    assert facts["Extract folder"] == markdown_text(f"{folder}/extracts/{latest_extract_day():%Y-%m-%d}")
    assert facts["Store"] == markdown_text(rejected_store.url)
    assert f"{folder}/broken_extract/manifest.json" in "\n".join(c.value for c in at.code)
    attempts = next(d.value for d in at.dataframe if "Outcome" in d.value.columns)
    assert attempts["Extract"].iloc[0] == f"{folder}/broken_extract" and folder in attempts["Message"].iloc[0]


@pytest.mark.parametrize(("page", "role"), [("status", "ward_staff"), ("huddle", "ward_staff"), ("exec", "executive")])
def test_a_store_outage_says_so_without_the_store_url_to_non_administrators(app, page, role):
    at = app(OUTAGE_URL, page, role)
    shown = everything_shown(at)
    assert [e.value for e in at.error if "The store cannot be reached" in e.value]
    assert "127.0.0.1" not in shown and "postgresql" not in shown and "outage" not in shown
    assert not tiles_in(at) and not at.table


def test_a_wall_screen_in_a_store_outage_says_so_and_nothing_about_the_store(app):
    plain = app(OUTAGE_URL, "wall", wards="7A")
    with_token = app(OUTAGE_URL, "wall", token="a-token-that-cannot-be-checked-" + "x" * 20)
    for at in (plain, with_token):
        shown = everything_shown(at)
        assert [e.value for e in at.error if "The store cannot be reached" in e.value]
        assert "127.0.0.1" not in shown and "postgresql" not in shown and 'class="wall-root"' not in shown


def test_the_admin_page_in_a_store_outage_says_the_store_cannot_be_reached_with_its_url(app):
    at = app(OUTAGE_URL, "admin", "administrator")
    errors = [e.value for e in at.error if "The store cannot be reached" in e.value]
    assert len(errors) == 1
    assert markdown_text("postgresql+psycopg://outage:***@127.0.0.1:1/ward") in errors[0]  # its password hidden
    assert "not-a-password" not in everything_shown(at) and not at.get("tab")


# ---- demo mode refuses data that looks real ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "role", "params"),
    [
        ("huddle", "ward_staff", {"ward": "7A"}),
        ("status", "administrator", {}),
        ("exec", "executive", {}),
        ("admin", "administrator", {}),
        ("wall", None, {"wards": "7A"}),
    ],
)
def test_demo_mode_on_a_production_snapshot_says_why_and_shows_no_data(app, production_store, page, role, params):
    at = app(production_store, page, role, **params)
    refusals = [e.value for e in at.error if e.value.startswith("Demo mode is refused")]
    assert len(refusals) == 1
    assert "the current extract's source does not say it is synthetic" in refusals[0]
    assert not tiles_in(at) and not at.table and not at.dataframe and not at.get("tab")
    html = all_html(at)
    assert 'class="wall-root"' not in html and 'class="ws-strip' not in html and 'data-testid="demo-banner"' not in html


def test_demo_mode_on_the_synthetic_sample_is_not_refused(app, hostile_store):
    at = app(hostile_store, "huddle", "ward_staff", ward="7A")
    assert not [e.value for e in at.error if "Demo mode is refused" in e.value]
    assert tiles_in(at)


# ---- wrong wall tokens are audited as the throttle says --------------------------------------------------------------


def test_seven_wrong_tokens_in_a_minute_from_one_client_give_five_refusals_and_one_throttle_row(
    app, hostile_store, monkeypatch
):
    client = f"198.51.100.{uuid.uuid4().hex[:8]}"  # the throttle lives for the whole test process: a client of our own
    start = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)
    clock = iter(start + timedelta(seconds=s) for s in range(7))
    monkeypatch.setattr(access_audit, "client_address", lambda: client)
    monkeypatch.setattr(access_kiosk, "now", lambda: next(clock))
    before = (
        audit_count(hostile_store, access_gate.REFUSED, client),
        audit_count(hostile_store, access_kiosk.KIOSK_THROTTLED, client),
    )
    assert before == (0, 0)
    at = app(hostile_store, "wall", token="guess-0-" + "x" * 30)
    for attempt in range(1, 7):
        at.query_params["token"] = f"guess-{attempt}-" + "x" * 30
        at.run()
    assert not at.exception
    assert "This wall screen link is not valid." in all_html(at)  # every guess is refused, audited or not
    after = (
        audit_count(hostile_store, access_gate.REFUSED, client),
        audit_count(hostile_store, access_kiosk.KIOSK_THROTTLED, client),
    )
    assert after == (5, 1)


def test_a_valid_token_from_a_throttled_client_still_opens_its_wall(app, hostile_store, monkeypatch):
    client = f"198.51.100.{uuid.uuid4().hex[:8]}"
    moment = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(access_audit, "client_address", lambda: client)
    monkeypatch.setattr(access_kiosk, "now", lambda: moment)
    at = app(hostile_store, "wall", token="guess-" + "y" * 30)
    for _ in range(6):
        at.run()
    assert access_kiosk.kiosk_throttle().is_throttled(client, moment)
    issued = create_token(hostile_store.engine, ["7B"], "Ward 7B corridor " + client, actor=ADMIN_ACTOR)
    wall = app(hostile_store, "wall", token=issued.token)
    assert re.search(r'class="wall-root" data-ward="7B"', all_html(wall))
