"""Who sees what, in the real app: every view refuses what the principal lacks, shows nothing else, and the audit log
says so.

Demo mode (the shipped config/access.yaml) is driven through the role picker's
session state; OpenID Connect mode through a config copy with ``mode: oidc``,
AppTest's ``user`` (the claims ``st.user`` carries) and ``secrets`` (the
``[auth]`` section of .streamlit/secrets.toml).
"""

from __future__ import annotations

import re
import shutil
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common import access_gate
from dashboard.common.disclosure import markdown_text
from dashboard.huddle.patient_list import list_key
from metrics.store import audit_log as audit
from metrics.store.audit import Actor
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.access.kiosk_tokens import create_token, revoke_token
from tests.app.conftest import APP, Store, all_html, build_store, tiles_in, latest_extract_day

ADMIN_ACTOR = Actor(device="test", user="admin@example.nhs.uk", role="administrator")
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 40,
    "client_id": "ward-dashboard",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
OIDC_ACCESS = """mode: oidc
user_claim: email
groups_claim: groups
idle_timeout_minutes: 15
groups:
  - {group: ward-7a, role: ward_staff, wards: [7A]}
  - {group: execs, role: executive}
  - {group: dash-admins, role: administrator}
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    """One day of the synthetic trust, for this module alone, so its audit log holds only this module's rows."""
    return build_store(tmp_path_factory.mktemp("access"), days=1, end=latest_extract_day())


@pytest.fixture(scope="module")
def oidc_store(store, tmp_path_factory) -> Store:
    config_dir = tmp_path_factory.mktemp("oidc") / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config_dir)
    (config_dir / "access.yaml").write_text(OIDC_ACCESS, encoding="utf-8")
    return Store(store.url, config_dir)


@pytest.fixture
def app(monkeypatch):
    """app(store, page, role=..., ward=..., user=..., secrets=..., session=..., **query) -> a run AppTest."""

    def run(
        store: Store,
        page: str = "huddle",
        *,
        role: str | None = None,
        demo_ward: str | None = None,
        matron: str | None = None,
        user: dict | None = None,
        secrets: dict | None = None,
        session: dict | None = None,
        **params: str,
    ) -> AppTest:
        monkeypatch.setenv("DATABASE_URL", store.url)
        monkeypatch.setenv("WARD_DASHBOARD_CONFIG", str(store.config_dir))
        at = AppTest.from_file(str(APP), default_timeout=90)
        if page != "huddle":
            at.switch_page(f"views/{page}.py")
        for key, value in params.items():
            at.query_params[key] = value
        if role is not None:
            at.session_state[access_gate.DEMO_ROLE] = role
            at.session_state[access_gate.DEMO_WARD] = demo_ward or "7A"
            at.session_state[access_gate.DEMO_MATRON] = matron or "M01"
        for key, value in (session or {}).items():
            at.session_state[key] = value
        if user is not None:
            at.user = user
        if secrets is not None:
            at.secrets = secrets
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run


def refusal(at: AppTest) -> str:
    """The refusal as the reader sees it (its Markdown escapes read as the characters they keep literal)."""
    texts = [e.value for e in at.error] + [h.value for h in at.html if 'data-testid="refusal"' in h.value]
    assert texts, "expected a refusal"
    return re.sub(r"\\(.)", r"\1", " ".join(texts))


def shows_nothing(at: AppTest) -> None:
    """A refused page draws no tile, table, list, chart, download or wall."""
    assert not tiles_in(at)
    assert (
        not at.dataframe
        and not at.get("popover")
        and not at.expander
        and not at.get("download_button")
        and not at.get("plotly_chart")
    )
    assert 'class="wall-root"' not in all_html(at) and 'class="ws-strip' not in all_html(at)


def audit_rows(store: Store, action: str, **match: str):
    rows = audit.audit_entries(store.engine, limit=None)
    rows = rows[rows["action"] == action]
    for column, value in match.items():
        rows = rows[rows[column] == value]
    return rows


# ---- demo mode: the banner, and the role picker's refusals ------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "role"),
    [
        ("huddle", "ward_staff"),
        ("exec", "executive"),
        ("status", "analyst"),
        ("admin", "administrator"),
        ("wall", None),
    ],
)
def test_every_demo_page_says_it_is_a_demo(app, store, page, role):
    at = app(store, page, role=role, **({"wards": "7A"} if page == "wall" else {}))
    banner = [h.value for h in at.html if 'data-testid="demo-banner"' in h.value]
    assert banner and "DEMO: synthetic data, no sign-in" in banner[0]


def test_a_fresh_demo_session_starts_as_the_ward_staff_of_the_ward_asked_for(app, store):
    at = app(store, ward="8C")
    assert {w for w, _ in tiles_in(at)} == {"8C"}
    assert at.session_state[access_gate.DEMO_ROLE] == "ward_staff" and at.session_state[access_gate.DEMO_WARD] == "8C"
    assert (
        len(at.sidebar.selectbox(key="huddle_ward").options) == 1
    )  # the ward picker offers only the principal's wards


def test_changing_the_demo_role_moves_to_a_ward_the_new_role_may_see(app, store):
    at = app(store, role="ward_staff", demo_ward="7A", ward="7A")
    at.sidebar.selectbox(key="_demo_ward_widget").set_value("8C").run()
    assert not at.error and {w for w, _ in tiles_in(at)} == {"8C"}
    at.sidebar.selectbox(key="_demo_role_widget").set_value("analyst").run()
    assert "The ward huddle is not open to analyst" in refusal(at)


def test_ward_staff_asking_for_another_ward_by_url_is_refused_shown_nothing_and_audited(app, store):
    before = len(audit_rows(store, access_gate.REFUSED, ward_code="8C", actor="demo ward staff"))
    at = app(store, role="ward_staff", demo_ward="7A", ward="8C")
    assert "Ward 8C is not one of your wards (ward staff for 7A)" in refusal(at)
    shows_nothing(at)
    logged = audit_rows(store, access_gate.REFUSED, ward_code="8C", actor="demo ward staff")
    assert len(logged) == before + 1
    detail = logged.iloc[-1]["detail"]
    assert (
        detail["view"] == "huddle" and detail["action"] == "view_board" and "not one of your wards" in detail["reason"]
    )


@pytest.mark.parametrize(
    ("page", "role", "reason"),
    [
        ("exec", "ward_staff", "The executive wall is not open to ward staff"),
        ("admin", "ward_staff", "Administration is not open to ward staff"),
        ("admin", "executive", "Administration is not open to executive"),
        ("huddle", "analyst", "The ward huddle is not open to analyst"),
        ("huddle", "administrator", "The ward huddle is not open to administrator"),
        ("exec", "matron", "The executive wall is not open to matron"),
        ("exec", "administrator", "The executive wall is not open to administrator"),
    ],
)
def test_a_view_the_role_lacks_is_refused_and_shows_nothing(app, store, page, role, reason):
    before = len(audit_rows(store, access_gate.REFUSED))
    at = app(store, page, role=role)
    assert reason in refusal(at)
    shows_nothing(at)
    refused = audit_rows(store, access_gate.REFUSED)
    assert len(refused) == before + 1 and reason in refused.iloc[-1]["detail"]["reason"]


def test_a_matron_may_not_put_another_matrons_ward_on_a_wall(app, store):
    at = app(store, "wall", role="matron", matron="M01", wards="7A,9A")
    assert "Ward 9A is not one of your wards" in refusal(at)
    shows_nothing(at)


def test_a_matron_sees_her_wards_on_the_wall(app, store):
    at = app(store, "wall", role="matron", matron="M01")
    assert 'data-ward="7A"' in all_html(at)


def test_an_executive_sees_every_ward_board_but_no_patient_list_sheet_export_or_input(app, store):
    for ward in ("7A", "9A"):
        at = app(store, role="executive", ward=ward, session={list_key(ward, "missed_critical_doses_today"): True})
        assert {w for w, _ in tiles_in(at)} == {ward}
        # The board's fold-away sections are expanders too; a patient list is one titled "… (N rows)".
        patient_lists = [e for e in at.expander if str(e.label).endswith(" rows)")]
        assert not at.get("popover") and not patient_lists and not at.dataframe
        assert [str(e.label) for e in at.expander if "concern" in str(e.label).lower()] == []
        assert not [b for b in at.get("download_button")], "no sheet, list or huddle export for an executive"
        assert not at.get("form") and "Add a concern" not in all_html(at)
    exec_wall = app(store, "exec", role="executive")
    assert not exec_wall.error and 'class="xw-grid"' in all_html(exec_wall)


def test_ward_staff_opening_a_patient_list_is_audited_once_per_opening(app, store):
    before = len(audit_rows(store, access_gate.PATIENT_LIST_OPENED, ward_code="7A"))
    key = list_key("7A", "patients_on_ward")
    at = app(store, role="ward_staff", demo_ward="7A", ward="7A", session={key: True})
    assert at.dataframe, "the open list is drawn"
    at.run()  # a rerun while it stays open is not a new opening
    rows = audit_rows(store, access_gate.PATIENT_LIST_OPENED, ward_code="7A")
    assert len(rows) == before + 1
    assert rows.iloc[-1]["detail"]["metrics"] == ["patients_on_ward"] and rows.iloc[-1]["role"] == "ward_staff"


def test_a_huddle_rating_is_audited_under_the_principal_not_just_the_device(app, oidc_store):
    user = signed_in("rater.7a@example.nhs.uk", ["ward-7a"])
    before = len(audit_rows(oidc_store, "rating.create", ward_code="7A", actor="rater.7a@example.nhs.uk"))
    at = app(oidc_store, ward="7A", user=user, secrets={"auth": AUTH})
    at.radio(key="hi-score-reliability").set_value(4)
    next(b for b in at.button if b.label == "Save rating").click().run()
    assert not at.exception
    rated = audit_rows(oidc_store, "rating.create", ward_code="7A", actor="rater.7a@example.nhs.uk")
    assert len(rated) == before + 1 and rated.iloc[-1]["role"] == "ward_staff"
    rows = audit.audit_entries(oidc_store.engine, limit=None)
    mine = rows[rows["actor"] == "rater.7a@example.nhs.uk"]
    assert set(mine["role"]) == {"ward_staff"}
    assert (mine["action"] != access_gate.SESSION_STARTED).any(), (
        "the rating itself is attributed to the signed-in user"
    )


def test_closed_patient_lists_send_no_rows_to_the_browser(app, store):
    at = app(store, role="ward_staff", demo_ward="7A", ward="7A")
    assert at.get("popover") and not at.dataframe


def test_csv_export_and_sheet_printing_are_audited(app, store):
    key = list_key("7A", "patients_on_ward")
    exported_before = len(audit_rows(store, access_gate.CSV_EXPORTED, ward_code="7A"))
    printed_before = len(audit_rows(store, access_gate.SHEET_PRINTED, ward_code="7A"))
    at = app(store, role="ward_staff", demo_ward="7A", ward="7A", session={key: True})
    next(b for b in at.get("download_button") if b.label == "Download CSV").click().run()
    exported = audit_rows(store, access_gate.CSV_EXPORTED, ward_code="7A")
    assert len(exported) == exported_before + 1 and exported.iloc[-1]["detail"]["metric"] == "patients_on_ward"
    at = next(b for b in at.button if b.label == "Print sheet (A4)").click().run()
    assert len(audit_rows(store, access_gate.SHEET_PRINTED, ward_code="7A")) == printed_before + 1
    next(b for b in at.get("download_button") if b.label == "Sheet as a file").click().run()
    assert len(audit_rows(store, access_gate.SHEET_PRINTED, ward_code="7A")) == printed_before + 2


def test_only_administrators_can_show_quarantined_rows_content(app, store):
    for role in ("ward_staff", "matron", "executive", "analyst"):
        at = app(store, "status", role=role)
        assert not at.sidebar.toggle, role
        assert "raw content" not in all_html(at) and not any("raw content" in s.value for s in at.subheader)
    before = len(audit_rows(store, access_gate.QUARANTINE_SHOWN))
    at = app(store, "status", role="administrator")
    assert at.sidebar.toggle(key="status_show_raw").value is False
    at.sidebar.toggle(key="status_show_raw").set_value(True).run()
    assert any("raw content" in s.value for s in at.subheader)
    assert len(audit_rows(store, access_gate.QUARANTINE_SHOWN)) == before + 1


def test_the_administrator_reads_filters_and_exports_the_audit_log(app, store):
    app(store, "exec", role="ward_staff")  # a refusal to find in the log
    at = app(store, "admin", role="administrator")
    log = at.dataframe[0].value
    assert {"When (UK time)", "Who", "Role", "What", "Ward", "Client address", "Detail"} <= set(log.columns)
    assert (log["What"] == access_gate.REFUSED).any()
    at.multiselect(key="audit_actions").set_value([access_gate.REFUSED]).run()
    assert set(at.dataframe[0].value["What"]) == {access_gate.REFUSED}
    before = len(audit_rows(store, access_gate.CSV_EXPORTED))
    at.download_button(key="audit_export").click().run()
    exported = audit_rows(store, access_gate.CSV_EXPORTED)
    assert len(exported) == before + 1 and exported.iloc[-1]["detail"]["what"] == "audit log"


def test_the_app_offers_no_way_to_change_or_delete_an_audit_row(app, store):
    at = app(store, "admin", role="administrator")
    labels = " ".join(b.label for b in at.button) + " ".join(b.label for b in at.get("download_button"))
    assert not any(word in labels.lower() for word in ("delete", "edit", "clear", "purge"))
    assert not at.get("data_editor")


# ---- wall screens with kiosk tokens ------------------------------------------------------------------------------


def test_a_valid_kiosk_token_opens_the_wall_for_its_wards_only(app, store):
    issued = create_token(store.engine, ["7A", "7B"], "Ward 7 corridor", actor=ADMIN_ACTOR)
    at = app(store, "wall", token=issued.token)
    html = all_html(at)
    assert 'class="wall-root" data-ward="7A"' in html and "Ward 1 of 2" in html
    assert not at.dataframe and not at.get("popover") and not at.get("download_button")
    outside = app(store, "wall", token=issued.token, wards="7A,8C")
    assert "Ward 8C is not one of your wards (wall screen for 7A, 7B)" in refusal(outside)
    shows_nothing(outside)
    assert len(audit_rows(store, access_gate.REFUSED, actor="Ward 7 corridor", ward_code="8C")) == 1


@pytest.mark.parametrize("kind", ["revoked", "expired", "made-up"])
def test_a_revoked_expired_or_made_up_token_gets_a_plain_message_and_no_data(app, store, kind):
    if kind == "made-up":
        token, expected = "not-a-real-token-" + "x" * 30, "This wall screen link is not valid."
    else:
        # Issued two hours ago; the expiring one lapsed an hour ago: the times are passed in, never waited for.
        issued_at = datetime.now(timezone.utc) - timedelta(hours=2)
        issued = create_token(
            store.engine,
            ["7A"],
            f"{kind} screen",
            actor=ADMIN_ACTOR,
            expires_at=issued_at + timedelta(hours=1) if kind == "expired" else None,
            now=issued_at,
        )
        token = issued.token
        if kind == "revoked":
            revoke_token(store.engine, issued.info.id, actor=ADMIN_ACTOR)
        expected = f"was {kind} on" if kind == "revoked" else "expired on"

    def wall_refusals() -> int:
        refused = audit_rows(store, access_gate.REFUSED)
        return len(refused[refused["detail"].apply(lambda d: d.get("view") == "wall")])

    before = wall_refusals()
    at = app(store, "wall", token=token)
    assert expected in refusal(at)
    shows_nothing(at)
    assert "Traceback" not in all_html(at) and token not in all_html(at)
    assert wall_refusals() == before + 1


def test_a_token_revoked_while_the_wall_runs_blanks_it_at_its_next_refresh(app, store):
    issued = create_token(store.engine, ["7B"], "Ward 7B corridor", actor=ADMIN_ACTOR)
    at = app(store, "wall", token=issued.token)
    assert 'data-ward="7B"' in all_html(at)
    revoke_token(store.engine, issued.info.id, actor=ADMIN_ACTOR)
    at.run()
    assert "was revoked on" in refusal(at)
    assert 'class="wall-root"' not in all_html(at)


def test_issuing_a_token_in_the_admin_page_shows_it_once(app, store):
    at = app(store, "admin", role="administrator")
    at.text_input(key="token_label").set_value("Ward 8 corridor")
    at.multiselect(key="token_wards").set_value(["8C"])
    at.button(key="token_issue").click().run()
    shown = [c.value for c in at.code if "/wall?token=" in c.value]
    assert len(shown) == 1
    token = shown[0].rsplit("token=", 1)[1]
    assert app(store, "wall", token=token).html and 'data-ward="8C"' in all_html(app(store, "wall", token=token))
    assert len(audit_rows(store, "kiosk_token_created", actor="demo administrator")) == 1


# ---- OpenID Connect mode ---------------------------------------------------------------------------------------


def signed_in(email: str, groups: list[str], minutes_ago: float = 0) -> dict:
    return {
        "is_logged_in": True,
        "email": email,
        "groups": groups,
        "sub": f"sub-{email}",
        "iat": int(time.time() - minutes_ago * 60),
    }


def test_sign_in_settings_missing_stop_the_app_rather_than_opening_up(app, oidc_store):
    for page in ("huddle", "exec", "status", "admin", "wall"):
        at = app(oidc_store, page)
        assert any("Sign-in is not configured correctly" in e.value for e in at.error), page
        assert any("no [auth] section" in c.value for c in at.code), page
        shows_nothing(at)
        assert not [h for h in at.html if "demo-banner" in h.value], "never a demo fallback"


def test_an_unsigned_visitor_is_offered_sign_in_and_nothing_else(app, oidc_store):
    at = app(oidc_store, ward="7A", user={"is_logged_in": False}, secrets={"auth": AUTH})
    assert [b.label for b in at.button] == ["Sign in"]
    shows_nothing(at)


def test_signed_in_ward_staff_see_their_ward_and_are_refused_another_by_url(app, oidc_store):
    user = signed_in("nurse.7a@example.nhs.uk", ["ward-7a", "unrelated-group"])
    at = app(
        oidc_store, ward="7A", user=user, secrets={"auth": AUTH}, session={list_key("7A", "patients_on_ward"): True}
    )
    assert {w for w, _ in tiles_in(at)} == {"7A"} and at.dataframe
    assert any(markdown_text("nurse.7a@example.nhs.uk") in c.value for c in at.sidebar.caption)  # shown literally
    assert any(b.label == "Sign out" for b in at.sidebar.button)
    opened = audit_rows(oidc_store, access_gate.PATIENT_LIST_OPENED, actor="nurse.7a@example.nhs.uk")
    assert len(opened) == 1 and opened.iloc[0]["role"] == "ward_staff"
    refused = app(oidc_store, ward="9A", user=user, secrets={"auth": AUTH})
    assert "Ward 9A is not one of your wards (ward staff for 7A)" in refusal(refused)
    shows_nothing(refused)
    assert len(audit_rows(oidc_store, access_gate.REFUSED, actor="nurse.7a@example.nhs.uk", ward_code="9A")) == 1


def test_a_signed_in_executive_gets_no_patient_list_anywhere(app, oidc_store):
    user = signed_in("ceo@example.nhs.uk", ["execs"])
    for ward in ("7A", "8C"):
        at = app(
            oidc_store, ward=ward, user=user, secrets={"auth": AUTH}, session={list_key(ward, "patients_on_ward"): True}
        )
        assert tiles_in(at) and not at.get("popover") and not at.dataframe and not at.get("download_button")
    assert not app(oidc_store, "exec", user=user, secrets={"auth": AUTH}).error


def test_a_user_in_no_mapped_group_is_refused_with_the_reason(app, oidc_store):
    at = app(
        oidc_store, ward="7A", user=signed_in("visitor@example.nhs.uk", ["somewhere-else"]), secrets={"auth": AUTH}
    )
    assert "visitor@example.nhs.uk has no role here" in refusal(at)
    shows_nothing(at)


def test_a_sign_in_without_the_user_claim_is_refused_as_unattributable(app, oidc_store):
    at = app(
        oidc_store,
        ward="7A",
        user={"is_logged_in": True, "sub": "abc", "groups": ["ward-7a"], "iat": int(time.time())},
        secrets={"auth": AUTH},
    )
    assert "carries no `email` claim" in refusal(at)
    shows_nothing(at)


def test_a_session_idle_past_the_timeout_ends_and_asks_to_sign_in_again(app, oidc_store):
    at = app(
        oidc_store,
        ward="7A",
        user=signed_in("late@example.nhs.uk", ["ward-7a"], minutes_ago=16),
        secrets={"auth": AUTH},
    )
    assert any("ended after 15 minutes without activity" in w.value for w in at.warning)
    assert [b.label for b in at.button] == ["Sign in again"]
    shows_nothing(at)
    assert len(audit_rows(oidc_store, access_gate.SESSION_TIMED_OUT, actor="late@example.nhs.uk")) == 1
    fresh = app(
        oidc_store,
        ward="7A",
        user=signed_in("late@example.nhs.uk", ["ward-7a"], minutes_ago=14),
        secrets={"auth": AUTH},
    )
    assert tiles_in(fresh)


def test_a_broken_access_file_stops_every_page(app, store, tmp_path):
    config_dir = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config_dir)
    (config_dir / "access.yaml").write_text("mode: open\n", encoding="utf-8")
    at = app(Store(store.url, config_dir), ward="7A")
    assert any("configuration has problems" in e.value for e in at.error)
    assert any("access.yaml line 1: field `mode`" in c.value for c in at.code)
    shows_nothing(at)


def test_a_missing_access_file_never_falls_back_to_demo(app, store, tmp_path):
    config_dir = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config_dir)
    (config_dir / "access.yaml").unlink()
    at = app(Store(store.url, config_dir), "wall", wards="7A")
    assert any("access.yaml: file not found" in c.value for c in at.code)
    shows_nothing(at)


def test_every_page_goes_through_the_gate():
    views = Path(APP).parent / "views"
    for page in views.glob("*.py"):
        assert re.search(r"enter\(\s*View\.", page.read_text()), (
            f"{page.name} does not ask dashboard.common.access_gate.enter first"
        )
