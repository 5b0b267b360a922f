"""Wall screen tokens on SQLite and PostgreSQL: issued once, stored only as a hash, scoped, revocable, expiring; and
the command line."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text

from metrics.store.audit import Actor
from metrics.store.audit_log import audit_entries
from metrics.errors import UserFacingError
from metrics.access.kiosk_tokens import INVALID, create_token, list_tokens, revoke_token, token_hash, verify_token
from metrics.store.access_models import KioskToken
from metrics.store.database import make_engine

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
ADMIN = Actor(device="session-1", user="admin@example.nhs.uk", role="administrator", client="10.0.0.5")
OTHER = Actor(device="session-2", user="someone@example.nhs.uk", role="administrator")


def test_a_token_opens_its_wards_and_only_its_hash_is_stored(engine):
    issued = create_token(engine, ["7a", "7B"], "Ward 7 corridor", actor=ADMIN, now=NOW)
    assert len(issued.token) >= 43  # 32 random bytes, URL-safe
    assert issued.wall_path == f"/wall?token={issued.token}"
    check = verify_token(engine, issued.token, now=NOW + timedelta(days=1))
    assert (
        check.valid
        and check.label == "Ward 7 corridor"
        and check.wards == ("7A", "7B")
        and check.token_id == issued.info.id
    )
    with engine.connect() as conn:
        stored = conn.execute(select(KioskToken.__table__)).mappings().one()
        dump = " ".join(str(v) for row in conn.execute(text("SELECT * FROM kiosk_tokens")).all() for v in row)
    assert stored["token_hash"] == token_hash(issued.token) and len(stored["token_hash"]) == 64
    assert issued.token not in dump


def test_issuing_and_revoking_are_audited_with_who_wards_and_when_but_never_the_token(engine):
    issued = create_token(engine, ["7A", "7B"], "Ward 7 corridor", actor=ADMIN, now=NOW)
    revoke_token(engine, issued.info.id, actor=OTHER, now=NOW + timedelta(hours=1))
    revoke_token(
        engine, issued.info.id, actor=ADMIN, now=NOW + timedelta(hours=2)
    )  # already revoked: nothing changes, nothing logged
    log = audit_entries(engine)
    assert log[["actor", "role", "action", "entity", "entity_id", "ward_code", "client"]].fillna(
        "-"
    ).values.tolist() == [
        [
            "admin@example.nhs.uk",
            "administrator",
            "kiosk_token_created",
            "kiosk_token",
            str(issued.info.id),
            "7A,7B",
            "10.0.0.5",
        ],
        [
            "someone@example.nhs.uk",
            "administrator",
            "kiosk_token_revoked",
            "kiosk_token",
            str(issued.info.id),
            "7A,7B",
            "-",
        ],
    ]
    assert list(log["at"]) == [NOW, NOW + timedelta(hours=1)]
    assert log["detail"][0]["after"]["label"] == "Ward 7 corridor"
    assert issued.token not in log.to_string() and token_hash(issued.token) not in str(log["detail"].tolist())


def test_two_tokens_never_collide(engine):
    a = create_token(engine, ["7A"], "A", actor=ADMIN, now=NOW)
    b = create_token(engine, ["7A"], "B", actor=ADMIN, now=NOW)
    assert a.token != b.token
    assert verify_token(engine, a.token, now=NOW).label == "A" and verify_token(engine, b.token, now=NOW).label == "B"


@pytest.mark.parametrize("token", ["made-up-token", "", None, "x" * 500])
def test_an_unknown_token_is_refused_plainly_without_echoing_it(engine, token):
    create_token(engine, ["7A"], "Ward 7 corridor", actor=ADMIN, now=NOW)
    check = verify_token(engine, token, now=NOW)
    assert not check.valid and check.reason == INVALID and check.wards == ()


def test_a_revoked_token_stops_working_and_says_so(engine):
    issued = create_token(engine, ["7A"], "Ward 7 corridor", actor=ADMIN, now=NOW)
    info = revoke_token(engine, issued.info.id, actor=ADMIN, now=NOW + timedelta(hours=1))
    assert info.status() == "revoked" and info.revoked_by == "admin@example.nhs.uk"
    check = verify_token(engine, issued.token, now=NOW + timedelta(hours=2))
    assert not check.valid and "was revoked on 25 Nov 2026" in check.reason and "Ask an administrator" in check.reason
    again = revoke_token(engine, issued.info.id, actor=OTHER, now=NOW + timedelta(hours=3))
    assert again.revoked_at == info.revoked_at and again.revoked_by == "admin@example.nhs.uk"


def test_a_token_expires_at_its_expiry(engine):
    issued = create_token(engine, ["7A"], "Ward 7 corridor", actor=ADMIN, expires_at=NOW + timedelta(days=30), now=NOW)
    assert verify_token(engine, issued.token, now=NOW + timedelta(days=29, hours=23)).valid
    expired = verify_token(engine, issued.token, now=NOW + timedelta(days=30))
    assert not expired.valid and "expired on 25 Dec 2026" in expired.reason


def test_listing_shows_status_but_never_the_token_or_hash(engine):
    a = create_token(engine, ["7A"], "A", actor=ADMIN, now=NOW)
    b = create_token(engine, ["8C"], "B", actor=ADMIN, expires_at=NOW + timedelta(days=1), now=NOW)
    c = create_token(engine, ["9A"], "C", actor=ADMIN, now=NOW)
    revoke_token(engine, c.info.id, actor=ADMIN, now=NOW)
    later = NOW + timedelta(days=2)
    listed = list_tokens(engine, now=later)
    assert [(t.label, t.status(later)) for t in listed] == [("C", "revoked"), ("B", "expired"), ("A", "active")]
    assert [t.label for t in list_tokens(engine, include_inactive=False, now=later)] == ["A"]
    assert not any(hasattr(t, "token") or hasattr(t, "token_hash") for t in listed)
    assert a.token and b.token


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"wards": [], "label": "x"}, "needs at least one ward"),
        ({"wards": ["7A"], "label": "  "}, "needs a label naming the screen"),
        ({"wards": ["7A"], "label": "x", "expires_at": NOW - timedelta(seconds=1)}, "is already past"),
    ],
)
def test_a_token_is_refused_without_wards_label_or_a_future_expiry(engine, kwargs, message):
    with pytest.raises(UserFacingError, match=message):
        create_token(engine, actor=ADMIN, now=NOW, **kwargs)
    assert audit_entries(engine).empty


def test_revoking_an_unknown_id_says_how_to_find_ids(engine):
    with pytest.raises(
        UserFacingError, match="No kiosk token has id 99; `python -m metrics kiosk-token list` shows them"
    ):
        revoke_token(engine, 99, actor=ADMIN)


# ---- the command line ---------------------------------------------------------------------------------------


def cli(*args: str, db: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics", "kiosk-token", *args, "--db", db, "--create-store"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_command_line_create_list_revoke(db_url):
    created = cli("create", "--wards", "7A,7b", "--label", "Ward 7 corridor", "--expires-in-days", "90", db=db_url)
    assert created.returncode == 0, created.stderr
    token = re.search(r"/wall\?token=([A-Za-z0-9_-]{43,})", created.stdout).group(1)
    assert "shown this once and is not stored" in created.stdout
    assert "wards 7A, 7B" in created.stdout and "expires" in created.stdout

    engine = make_engine(db_url)
    assert verify_token(engine, token).wards == ("7A", "7B")

    listed = cli("list", db=db_url)
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"^\s+1\s+active\s+7A,7B\s+\S+ \S+\s+.*Ward 7 corridor$", listed.stdout, re.M), listed.stdout
    assert token not in listed.stdout and token_hash(token) not in listed.stdout

    revoked = cli("revoke", "1", db=db_url)
    assert revoked.returncode == 0, revoked.stderr
    assert "Kiosk token 1 (Ward 7 corridor) revoked" in revoked.stdout
    log = audit_entries(engine)
    assert list(log["action"]) == ["kiosk_token_created", "kiosk_token_revoked"]
    assert all(a.startswith("command line (") for a in log["actor"]) and set(log["role"]) == {"administrator"}
    assert not verify_token(engine, token).valid
    assert re.search(r"^\s+1\s+revoked\s+7A,7B", cli("list", db=db_url).stdout, re.M)
    assert cli("list", "--active", db=db_url).stdout.strip() == "no kiosk tokens"
    engine.dispose()


def test_command_line_refuses_unknown_wards_and_ids_without_a_traceback(db_url):
    unknown = cli("create", "--wards", "7A,ZZ9", "--label", "x", db=db_url)
    assert (
        unknown.returncode == 1 and "Unknown ward code(s) ZZ9" in unknown.stderr and "Traceback" not in unknown.stderr
    )
    missing = cli("revoke", "42", db=db_url)
    assert (
        missing.returncode == 1 and "No kiosk token has id 42" in missing.stderr and "Traceback" not in missing.stderr
    )
    past = cli("create", "--wards", "7A", "--label", "x", "--expires", "2001-01-01", db=db_url)
    assert past.returncode == 1 and "is already past" in past.stderr
