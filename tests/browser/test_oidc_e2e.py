"""Who sees what, end to end: the real app signing people in through a real OpenID Connect provider, in headless
Chromium.

The provider is oidc-provider-mock (PyPI), started by this module on
127.0.0.1 with two predefined people: a ward 7A nurse and an executive, each
with a ``groups`` claim. The app is started with ``streamlit run`` from a
temporary working folder whose .streamlit/secrets.toml points at that
provider, and with a config copy whose access.yaml says ``mode: oidc``. Wall
tokens are issued and revoked with the command line. Screenshots go to
var/screenshots/.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from metrics.store import audit_log as audit
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.config.load import load_config
from metrics.pipeline import refresh
from metrics.synthetic.trust import generate_trust
from metrics.store.database import make_engine, migrate
from tests.browser.conftest import ROOT, start_app
from tests.app.conftest import latest_extract_day

pytestmark = pytest.mark.browser
SHOTS = ROOT / "var" / "screenshots"  # not docs/: a test run must not rewrite tracked files
LAPTOP = {"width": 1366, "height": 900}
WALL = {"width": 1920, "height": 1080}
NURSE = ("nurse-7a", "nurse.7a@example.nhs.uk", ["ward-7a"])
EXECUTIVE = ("exec-1", "ceo@example.nhs.uk", ["trust-executives"])
ACCESS_YAML = """mode: oidc
user_claim: email
groups_claim: groups
idle_timeout_minutes: 30
groups:
  - {group: ward-7a, role: ward_staff, wards: [7A]}
  - {group: trust-executives, role: executive}
"""


@dataclass(frozen=True)
class World:
    app_url: str
    idp_url: str
    db_url: str
    config_dir: Path
    extracts: list[Path]


@pytest.fixture(scope="module")
def identity_provider() -> Iterator[str]:
    """oidc-provider-mock on 127.0.0.1 (a free port), in a thread of this process."""
    import werkzeug.serving
    from oidc_provider_mock import User, app

    previous = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http on the loopback interface, for the test only
    users = [
        User(sub=sub, claims={"email": email, "name": email.split("@")[0], "groups": groups})
        for sub, email, groups in (NURSE, EXECUTIVE)
    ]
    server = werkzeug.serving.make_server("127.0.0.1", 0, app(user_claims=users, require_nonce=True), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
        if previous is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["AUTHLIB_INSECURE_TRANSPORT"] = previous


@pytest.fixture(scope="module")
def world(identity_provider, tmp_path_factory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("oidc")
    db_url = f"sqlite:///{base / 'store.sqlite'}"
    engine = make_engine(db_url)
    migrate(engine)
    today = latest_extract_day()  # before 07:30 today's extract would be in the future, so held
    folders = generate_trust(base / "extracts", days=2, end=today, fmt="parquet")
    cfg = load_config(DEFAULT_CONFIG_DIR)
    for folder in folders:
        refresh(folder, cfg, engine)
    engine.dispose()
    config_dir = base / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config_dir)
    (config_dir / "access.yaml").write_text(ACCESS_YAML, encoding="utf-8")
    workdir = base / "run"
    (workdir / ".streamlit").mkdir(parents=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", workdir / ".streamlit" / "config.toml")
    (workdir / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "ward-dashboard-test"\n'
        f'client_secret = "{secrets.token_urlsafe(16)}"\n'
        f'server_metadata_url = "{identity_provider}/.well-known/openid-configuration"\n'
        'client_kwargs = { scope = "openid profile email" }\n',
        encoding="utf-8",
    )
    proc, url = start_app(db_url, config_dir, extra_env={"AUTHLIB_INSECURE_TRANSPORT": "1"}, cwd=workdir)
    try:
        yield World(url, identity_provider, db_url, config_dir, folders)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def log(world: World, action: str, **match: str) -> pd.DataFrame:
    engine = make_engine(world.db_url)
    rows = audit.audit_entries(engine, limit=None)
    engine.dispose()
    rows = rows[rows["action"] == action]
    for column, value in match.items():
        rows = rows[rows[column] == value]
    return rows


def sign_in(browser, world: World, who: tuple[str, str, list[str]]):
    """A fresh browser (no cookies), signed in as ``who`` at the identity provider; returns the page on the app."""
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.goto(f"{world.app_url}/?ward=7A", wait_until="domcontentloaded")
    page.get_by_role("button", name="Sign in").click(timeout=60_000)
    page.wait_for_url(re.compile(re.escape(world.idp_url) + r"/oauth2/authorize"), timeout=30_000)
    page.locator(f'button[name="sub"][value="{who[0]}"]').click()
    page.wait_for_url(re.compile(re.escape(world.app_url)), timeout=30_000)
    page.get_by_text(f"Signed in as {who[1]}").wait_for(timeout=60_000)
    return context, page


def open_view(page, url: str, ready: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.locator(ready).first.wait_for(timeout=60_000)
    page.wait_for_timeout(800)


def test_ward_staff_sign_in_open_a_patient_list_and_are_refused_another_ward_by_url(world, browser):
    context, page = sign_in(browser, world, NURSE)
    open_view(page, f"{world.app_url}/?ward=7A", '[data-testid="huddle-today"]')
    before = len(log(world, "patient_list_opened", actor=NURSE[1], ward_code="7A"))
    page.get_by_role("button", name=re.compile(r"Patient list \(")).first.click()
    page.get_by_text("most urgent first").first.wait_for(timeout=30_000)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # let the table's canvas draw before the screenshot
    page.screenshot(path=str(SHOTS / "access-huddle-signed-in.png"), full_page=True)
    opened = log(world, "patient_list_opened", actor=NURSE[1], ward_code="7A")
    assert len(opened) == before + 1
    assert opened.iloc[-1]["role"] == "ward_staff"
    assert pd.isna(
        opened.iloc[-1]["client"]
    )  # Streamlit gives no client address for a loopback connection (st.context.ip_address)

    open_view(page, f"{world.app_url}/?ward=9A", "text=Not available to you")
    text = page.inner_text("body")
    assert "Ward 9A is not one of your wards (ward staff for 7A)" in text
    assert page.locator("[data-metric]").count() == 0 and "Patient list" not in text
    page.screenshot(path=str(SHOTS / "access-refused-other-ward.png"), full_page=True)
    refused = log(world, "access_refused", actor=NURSE[1], ward_code="9A")
    assert len(refused) == 1 and "not one of your wards" in refused.iloc[0]["detail"]["reason"]

    open_view(page, f"{world.app_url}/exec", "text=Not available to you")
    assert "The executive wall is not open to ward staff" in page.inner_text("body")

    page.get_by_role("button", name="Sign out").click()  # one click; the provider then asks to confirm its own sign-out
    page.wait_for_url(re.compile(re.escape(world.idp_url)), timeout=30_000)
    assert len(log(world, "signed_out", actor=NURSE[1])) == 1
    context.close()


def test_an_executive_signs_in_and_sees_no_patient_list_anywhere(world, browser):
    context, page = sign_in(browser, world, EXECUTIVE)
    for ward in ("7A", "9A", "8C"):
        open_view(page, f"{world.app_url}/?ward={ward}", '[data-testid="huddle-today"]')
        text = page.inner_text("body")
        assert "Patient list" not in text and "Print sheet" not in text and "Download CSV" not in text, ward
    page.screenshot(path=str(SHOTS / "access-executive-huddle.png"), full_page=True)
    open_view(page, f"{world.app_url}/exec?mode=analyst", "text=Wards most in need of support")
    assert "Patient list" not in page.inner_text("body")
    open_view(page, f"{world.app_url}/admin", "text=Not available to you")
    assert "Administration is not open to executive" in page.inner_text("body")
    assert log(world, "patient_list_opened", actor=EXECUTIVE[1]).empty
    context.close()


def kiosk_cli(world: World, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "metrics",
            "kiosk-token",
            *args,
            "--db",
            world.db_url,
            "--config",
            str(world.config_dir),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_the_wall_opens_with_a_valid_token_and_refuses_a_revoked_or_made_up_one(world, browser):
    created = kiosk_cli(world, "create", "--wards", "7A,7B", "--label", "Ward 7 corridor", "--base-url", world.app_url)
    wall_url = re.search(r"(http://\S+/wall\?token=[A-Za-z0-9_-]+)", created.stdout).group(1)
    token_id = re.search(r"Kiosk token (\d+)", created.stdout).group(1)
    context = browser.new_context(viewport=WALL)  # nobody signed in: the screen has only its token
    page = context.new_page()
    open_view(page, wall_url, '.wall-root[data-ward="7A"]')
    text = page.inner_text("body")
    assert "Ward 1 of 2" in text and "Sign in" not in text
    page.screenshot(path=str(SHOTS / "access-wall-token.png"))

    kiosk_cli(world, "revoke", token_id)
    open_view(page, wall_url, '[data-testid="refusal"]')
    text = page.inner_text("body")
    assert "This wall screen link (Ward 7 corridor) was revoked" in text and page.locator(".wall-root").count() == 0
    page.screenshot(path=str(SHOTS / "access-wall-revoked.png"))

    open_view(page, f"{world.app_url}/wall?token=made-up-{secrets.token_hex(8)}", '[data-testid="refusal"]')
    assert "This wall screen link is not valid" in page.inner_text("body") and page.locator(".wall-root").count() == 0
    open_view(page, f"{world.app_url}/wall?wards=7A", "text=Sign in")  # no token, nobody signed in: no data
    assert page.locator(".wall-root").count() == 0
    context.close()
    assert len(log(world, "access_refused", actor="Ward 7 corridor")) >= 1
    assert len(log(world, "access_refused", actor="unknown wall token")) >= 1
