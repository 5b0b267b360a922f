"""config/access.yaml is validated like every other config file, and sign-in settings are checked before anyone signs
in."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from metrics.access.decisions import Action, Grant, PrincipalKind, Role, View, decide
from metrics.access.config import Mode, auth_secrets_problems, load_access_config
from metrics.config.load import load_config
from metrics.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]

OIDC_HEAD = """mode: oidc
user_claim: email
groups_claim: groups
idle_timeout_minutes: 20
"""


def write(config_dir: Path, text: str) -> Path:
    path = config_dir / "access.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load(config_dir: Path):
    return load_access_config(config_dir, load_config(config_dir))


def problems(config_dir: Path, text: str) -> str:
    write(config_dir, text)
    with pytest.raises(ConfigError) as err:
        load(config_dir)
    return str(err.value)


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_the_shipped_file_is_the_explicit_demo_mode(cfg):
    settings = load_access_config(cfg.directory, cfg)
    assert settings.mode is Mode.DEMO and settings.is_demo
    assert settings.idle_timeout_minutes == 30
    assert settings.user_claim == "email" and settings.groups_claim == "groups"


def test_a_missing_file_stops_with_a_hint_and_never_falls_back_to_demo(config_dir):
    (config_dir / "access.yaml").unlink()
    with pytest.raises(ConfigError) as err:
        load(config_dir)
    message = str(err.value)
    assert "access.yaml: file not found" in message and "mode: demo" in message and "mode: oidc" in message


def test_groups_map_to_roles_over_wards_sites_and_matrons(config_dir):
    write(
        config_dir,
        OIDC_HEAD
        + """groups:
  - {group: ward-7a, role: ward_staff, wards: [7a]}
  - {group: matron-m01, role: matron, matrons: [M01]}
  - {group: community, role: ward_staff, sites: [SCH]}
  - {group: outreach, role: ward_staff, wards: "*"}
  - {group: execs, role: executive}
users:
  - {user: Admin@Example.NHS.uk, role: administrator}
""",
    )
    cfg = load_config(config_dir)
    settings = load_access_config(config_dir, cfg)
    assert settings.mode is Mode.OIDC and settings.idle_timeout_minutes == 20
    assert settings.group_grants["ward-7a"] == (Grant(Role.WARD_STAFF, frozenset({"7A"})),)
    m01 = {w.code for w in cfg.wards.wards if w.matron == "M01"}
    assert settings.group_grants["matron-m01"] == (Grant(Role.MATRON, frozenset(m01)),) and {"7A", "7B", "8C"} <= m01
    assert settings.group_grants["community"][0].wards == frozenset(w.code for w in cfg.wards.wards if w.site == "SCH")
    assert settings.group_grants["outreach"] == (Grant(Role.WARD_STAFF, None),)
    assert settings.group_grants["execs"] == (Grant(Role.EXECUTIVE, None),)
    assert settings.user_grants["admin@example.nhs.uk"] == (Grant(Role.ADMINISTRATOR, None),)


def test_claims_become_a_principal_with_every_role_their_groups_give(config_dir):
    write(
        config_dir,
        OIDC_HEAD
        + """groups:
  - {group: ward-7a, role: ward_staff, wards: [7A]}
  - {group: execs, role: executive}
users:
  - {user: pat@example.nhs.uk, role: administrator}
""",
    )
    settings = load(config_dir)
    pat = settings.principal_for(
        {"email": "Pat@Example.nhs.uk", "groups": ["ward-7a", "execs", "unmapped"], "sub": "123"}
    )
    assert pat is not None and pat.kind is PrincipalKind.USER and pat.name == "Pat@Example.nhs.uk"
    assert pat.roles == (Role.WARD_STAFF, Role.EXECUTIVE, Role.ADMINISTRATOR)
    assert decide(pat, View.HUDDLE, "7A", Action.VIEW_PATIENT_LIST).allowed
    assert not decide(pat, View.HUDDLE, "8C", Action.VIEW_PATIENT_LIST).allowed
    single = settings.principal_for({"email": "sam@example.nhs.uk", "groups": "ward-7a"})
    assert single is not None and single.roles == (Role.WARD_STAFF,)
    nobody = settings.principal_for({"email": "kim@example.nhs.uk"})
    assert nobody is not None and nobody.grants == ()
    assert settings.principal_for({"groups": ["execs"]}) is None  # no user claim: nobody to attribute access to


def test_a_dotted_groups_claim_reaches_nested_claims(config_dir):
    write(
        config_dir,
        OIDC_HEAD.replace("groups_claim: groups", "groups_claim: realm_access.roles")
        + "groups:\n  - {group: dashboard-exec, role: executive}\n",
    )
    settings = load(config_dir)
    principal = settings.principal_for(
        {"email": "a@b", "realm_access": {"roles": ["dashboard-exec", "offline_access"]}}
    )
    assert principal is not None and principal.roles == (Role.EXECUTIVE,)


@pytest.mark.parametrize(
    ("text", "needle", "expected"),
    [
        ("mode: open\n", "mode: open", r"field `mode`: Input should be 'demo' or 'oidc'"),
        (
            OIDC_HEAD + "groups:\n  - {group: g1, role: nurse, wards: [7A]}\n",
            "group: g1",
            r"group `g1`, field `role`: Input should be 'ward_staff', 'matron'",
        ),
        (
            OIDC_HEAD + "groups:\n  - group: g1\n    role: ward_staff\n    wards: [ZZ9]\n",
            "wards: [ZZ9]",
            r"group `g1`, field `wards`: unknown code 'ZZ9'",
        ),
        (
            OIDC_HEAD + "groups:\n  - group: g1\n    role: matron\n    matrons: [M99]\n",
            "matrons: [M99]",
            r"group `g1`, field `matrons`: unknown code 'M99'",
        ),
        (
            OIDC_HEAD + "groups:\n  - group: g1\n    role: ward_staff\n",
            "group: g1",
            r"group `g1`: role ward_staff is scoped to wards; list `wards`",
        ),
        (
            OIDC_HEAD + "groups:\n  - group: g1\n    role: executive\n    wards: [7A]\n",
            "group: g1",
            r"group `g1`: role executive sees every ward; remove `wards`",
        ),
        (
            OIDC_HEAD + "groups:\n  - group: g1\n    role: kiosk\n",
            "group: g1",
            r"group `g1`, field `role`: kiosk is for wall screens, issued with `python -m metrics kiosk-token create`",
        ),
        (
            OIDC_HEAD + "groups:\n  - group: g1\n    role: ward_staff\n    wards: 7A\n",
            "wards: 7A",
            r"group `g1`, field `wards`: must be a list of codes",
        ),
        (
            OIDC_HEAD + "users:\n  - user: a@b\n    role: matron\n    colour: red\n",
            "colour: red",
            r"user `a@b`, field `colour`: Extra inputs are not permitted",
        ),
        (
            OIDC_HEAD.replace("20", "0"),
            "idle_timeout_minutes",
            r"field `idle_timeout_minutes`: Input should be greater than or equal to 1",
        ),
        (OIDC_HEAD, "mode: oidc", r"mode oidc with no `groups` or `users`: nobody could see anything"),
        ("mode: demo\n  bad: [\n", "bad", r"not valid YAML"),
    ],
    ids=[
        "mode",
        "role",
        "ward",
        "matron",
        "no-wards",
        "exec-with-wards",
        "kiosk",
        "wards-not-list",
        "extra-field",
        "timeout",
        "oidc-empty",
        "syntax",
    ],
)
def test_each_problem_names_file_line_item_and_field(config_dir, text, needle, expected):
    message = problems(config_dir, text)
    path = config_dir / "access.yaml"
    assert re.search(rf"access.yaml line {line_of(path, needle)}: {expected}", message), message


def test_every_problem_is_reported_at_once(config_dir):
    message = problems(
        config_dir,
        OIDC_HEAD
        + """groups:
  - {group: a, role: ward_staff, wards: [ZZ1]}
  - {group: b, role: analyst, sites: [RGH]}
  - {group: c, role: matron}
""",
    )
    assert "group `a`, field `wards`: unknown code 'ZZ1'" in message
    assert "group `b`: role analyst sees every ward" in message
    assert "group `c`: role matron is scoped to wards" in message


# ---- .streamlit/secrets.toml: checked before sign-in is offered -------------------------------------------------

GOOD = {
    "auth": {
        "redirect_uri": "https://dash.example.nhs.uk/oauth2callback",
        "cookie_secret": "x" * 40,
        "client_id": "ward-dashboard",
        "client_secret": "s3cret",
        "server_metadata_url": "https://idp.example.nhs.uk/.well-known/openid-configuration",
    }
}


def test_complete_auth_settings_have_no_problems():
    assert auth_secrets_problems(GOOD) == []
    named = {
        "auth": {k: v for k, v in GOOD["auth"].items() if k in ("redirect_uri", "cookie_secret")}
        | {"entra": {k: GOOD["auth"][k] for k in ("client_id", "client_secret", "server_metadata_url")}}
    }
    assert auth_secrets_problems(named, "entra") == []


@pytest.mark.parametrize(
    ("secrets", "provider", "expected"),
    [
        ({}, None, "no [auth] section. mode: oidc in config/access.yaml needs"),
        (
            {"auth": {**GOOD["auth"], "redirect_uri": "https://dash/"}},
            None,
            "redirect_uri must end with /oauth2callback",
        ),
        ({"auth": {k: v for k, v in GOOD["auth"].items() if k != "redirect_uri"}}, None, "[auth] has no redirect_uri"),
        (
            {"auth": {**GOOD["auth"], "cookie_secret": "short"}},
            None,
            "cookie_secret must be a random string of at least 32 characters",
        ),
        (
            {"auth": {k: v for k, v in GOOD["auth"].items() if k != "client_secret"}},
            None,
            "[auth] is missing client_secret",
        ),
        (GOOD, "keycloak", "no [auth.keycloak] section for the provider named in config/access.yaml"),
    ],
    ids=["no-auth", "bad-redirect", "no-redirect", "short-cookie-secret", "missing-key", "missing-provider"],
)
def test_broken_auth_settings_are_listed(secrets, provider, expected):
    assert any(expected in p for p in auth_secrets_problems(secrets, provider)), auth_secrets_problems(
        secrets, provider
    )


def test_the_example_secrets_file_is_complete_but_refused_until_its_placeholders_are_replaced():
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text())
    found = auth_secrets_problems(example)
    assert len(found) == 1 and "still holds the example's placeholders" in found[0]
    assert "[auth] client_id" in found[0] and "[auth] cookie_secret" in found[0]


def test_secrets_toml_is_git_ignored():
    result = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=ROOT)
    assert result.returncode == 0, ".streamlit/secrets.toml must be listed in .gitignore"


def test_check_config_reports_access_problems_with_the_other_files(config_dir):
    write(config_dir, OIDC_HEAD + "groups:\n  - {group: g1, role: ward_staff, wards: [ZZ9]}\n")
    with pytest.raises(ConfigError) as err:
        load_config(config_dir)
    assert re.search(
        rf"{re.escape(str(config_dir))}/access.yaml line 6: group `g1`, field `wards`: unknown code 'ZZ9'",
        str(err.value),
    )


def test_security_lint_runs_in_ci():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "S" in pyproject["tool"]["ruff"]["lint"]["select"], "ruff's bandit rules (S) must stay selected"
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test:.*\blint\b", makefile, re.M), "make test (what .ci/run runs) must run the lint"
    assert "make test" in (ROOT / ".ci" / "run").read_text()
