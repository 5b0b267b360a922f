"""config/access.yaml: how people sign in, and which roles over which wards their groups give them.

Why this exists: hospitals sign staff in through their own identity provider
(Microsoft Entra ID, Keycloak, NHS CIS2: all OpenID Connect). The trust says,
in one validated file, which claim names the user, which claim carries their
groups, and which groups (or, for small sites, which named users) hold which
role over which wards. The embedded default is ``mode: demo``: the synthetic
sample with a role picker and no sign-in, said on every page. Demo mode is a
setting, never a fallback: a missing file, a broken file or (in ``oidc`` mode)
a missing ``[auth]`` section in .streamlit/secrets.toml stops the app with the
problems listed, each naming the file, the line and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from metrics.access.decisions import Grant, Principal, PrincipalKind, Role
from metrics.config.models import DEFAULT_CONFIG_DIR, AppConfig
from metrics.config.strict import Strict
from metrics.config.yaml_loader import ItemNames, load_yaml_model
from metrics.errors import ConfigError
from metrics.config.yaml_loader import line_of

ACCESS_FILE = "access.yaml"
SECRETS_HINT = "see .streamlit/secrets.toml.example"
PLACEHOLDER = "REPLACE"
WARD_SCOPED_ROLES = frozenset({Role.WARD_STAFF, Role.MATRON})


class Mode(StrEnum):
    DEMO = "demo"
    OIDC = "oidc"


def _codes(value: Any) -> Any:
    """A YAML list of codes as strings (7 and "7" alike); "*" alone means every ward."""
    if value == "*":
        return ("*",)
    if isinstance(value, (str, int)):
        raise ValueError(
            f'must be a list of codes such as [7A, 7B] (or "*" for every ward), got a single value {value!r}'
        )
    if isinstance(value, list | tuple):
        return tuple(str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value)
    return value


class _Mapping(Strict):
    role: Role
    wards: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    matrons: tuple[str, ...] = ()

    @field_validator("wards", "sites", "matrons", mode="before")
    @classmethod
    def _as_codes(cls, value: Any) -> Any:
        return _codes(value)


class GroupMapping(_Mapping):
    """Members of ``group`` (as the groups claim spells it: a name, a path or an Entra ID object id) hold ``role``."""

    group: str = Field(min_length=1)


class UserMapping(_Mapping):
    """The user whose user claim equals ``user`` (compared case-insensitively) holds ``role``."""

    user: str = Field(min_length=1)


class AccessFile(Strict):
    mode: Mode
    provider: str | None = Field(default=None, min_length=1, pattern=r"^[A-Za-z0-9-]+$")
    user_claim: str = Field(default="email", min_length=1)
    groups_claim: str = Field(default="groups", min_length=1)
    idle_timeout_minutes: int = Field(default=30, ge=1, le=24 * 60)
    groups: tuple[GroupMapping, ...] = ()
    users: tuple[UserMapping, ...] = ()


@dataclass(frozen=True)
class AccessSettings:
    """access.yaml, validated and resolved: every mapping's sites and matrons turned into ward codes."""

    mode: Mode
    provider: str | None
    user_claim: str
    groups_claim: str
    idle_timeout_minutes: int
    group_grants: Mapping[str, tuple[Grant, ...]] = field(default_factory=dict)
    user_grants: Mapping[str, tuple[Grant, ...]] = field(default_factory=dict)

    @property
    def is_demo(self) -> bool:
        return self.mode is Mode.DEMO

    def claim(self, claims: Mapping[str, Any], path: str) -> Any:
        """A claim by name, or by a dotted path into nested claims (Keycloak's ``realm_access.roles``)."""
        if path in claims:
            return claims[path]
        node: Any = claims
        for part in path.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        return node

    def groups_of(self, claims: Mapping[str, Any]) -> tuple[str, ...]:
        value = self.claim(claims, self.groups_claim)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list | tuple):
            return tuple(str(v) for v in value)
        return ()

    def principal_for(self, claims: Mapping[str, Any]) -> Principal | None:
        """The signed-in user's principal from the identity provider's claims; None when the user claim is missing."""
        user = self.claim(claims, self.user_claim)
        if user is None or not str(user).strip():
            return None
        grants: list[Grant] = list(self.user_grants.get(str(user).strip().lower(), ()))
        for group in self.groups_of(claims):
            grants.extend(self.group_grants.get(group, ()))
        unique = tuple(dict.fromkeys(grants))
        return Principal(PrincipalKind.USER, str(user).strip(), unique)


_ITEMS = ItemNames(words={"groups": "group", "users": "user"}, keys={"groups": "group", "users": "user"})


def _where(path: Path, raw: Any, loc: tuple[Any, ...]) -> str:
    line = line_of(raw, loc)
    return f"{path.name} line {line}" if line else path.name


def _resolve(mapping: _Mapping, app: AppConfig) -> frozenset[str] | None:
    if mapping.role not in WARD_SCOPED_ROLES or "*" in mapping.wards:
        return None
    wards = {w.upper() for w in mapping.wards}
    wards |= {w.code.upper() for w in app.wards.wards if w.site in mapping.sites or w.matron in mapping.matrons}
    return frozenset(wards)


def _scope_problems(kind: str, index: int, mapping: _Mapping, path: Path, raw: Any, app: AppConfig) -> list[str]:
    key = "group" if kind == "groups" else "user"
    name = f"{key} `{getattr(mapping, key)}`"
    where = _where(path, raw, (kind, index))
    problems = []
    if mapping.role is Role.KIOSK:
        problems.append(
            f"{where}: {name}, field `role`: kiosk is for wall screens, issued with `python -m metrics kiosk-token "
            "create`; give people one of ward_staff, matron, executive, analyst, administrator, assessor, system."
        )
    elif mapping.role in WARD_SCOPED_ROLES:
        if not (mapping.wards or mapping.sites or mapping.matrons):
            problems.append(
                f'{where}: {name}: role {mapping.role.value} is scoped to wards; list `wards` (or `sites`, `matrons`, '
                'or wards: "*" for every ward).'
            )
    elif mapping.wards or mapping.sites or mapping.matrons:
        problems.append(
            f"{where}: {name}: role {mapping.role.value} sees every ward; remove `wards`, `sites` and `matrons`."
        )
    known = {
        "wards": app.ward_codes,
        "sites": {s.code for s in app.wards.sites},
        "matrons": {m.code for m in app.wards.matrons},
    }
    for field_name, codes in (("wards", mapping.wards), ("sites", mapping.sites), ("matrons", mapping.matrons)):
        if field_name == "wards" and "*" in codes:
            if len(codes) > 1:
                problems.append(
                    f'{_where(path, raw, (kind, index, field_name))}: {name}, field `wards`: "*" (every ward) stands '
                    f'alone, got {list(codes)}.'
                )
            continue
        compare = {c.upper() for c in known[field_name]} if field_name == "wards" else known[field_name]
        for code in codes:
            if (code.upper() if field_name == "wards" else code) not in compare:
                problems.append(
                    f"{_where(path, raw, (kind, index, field_name))}: {name}, field `{field_name}`: unknown code "
                    f"{code!r}; it must be one of the {field_name} in wards.yaml."
                )
    return problems


def access_config_problems(
    directory: Path | str, app: AppConfig, optional: bool = False
) -> tuple[AccessSettings | None, list[str]]:
    """access.yaml in ``directory`` validated against the wards in ``app``: the settings, or None and every problem
    found.

    Problems start with the file name ("access.yaml line 12: group `x`, field `wards`: ..."). With
    ``optional`` a missing file is no problem (``check-config`` on a folder used only for refreshes).
    """
    path = Path(directory) / ACCESS_FILE
    if not path.exists():
        if optional:
            return None, []
        return None, [
            f"{ACCESS_FILE}: file not found. It says who may see what: `mode: demo` runs the synthetic demo with a "
            "role picker and no sign-in; "
            "`mode: oidc` signs staff in through the trust's identity provider. Copy the shipped "
            f"{DEFAULT_CONFIG_DIR / ACCESS_FILE}."
        ]
    found: list[str] = []
    model, raw = load_yaml_model(path, AccessFile, found, names=_ITEMS)
    if model is None:
        return None, [p.replace(str(path), ACCESS_FILE, 1) for p in found]
    problems: list[str] = []
    for kind, mappings in (("groups", model.groups), ("users", model.users)):
        for i, mapping in enumerate(mappings):
            problems.extend(_scope_problems(kind, i, mapping, path, raw, app))
    if model.mode is Mode.OIDC and not (model.groups or model.users):
        problems.append(
            f"{_where(path, raw, ('mode',))}: mode oidc with no `groups` or `users`: nobody could see anything; map at "
            "least one group to a role."
        )
    if problems:
        return None, problems
    group_grants: dict[str, tuple[Grant, ...]] = {}
    for g in model.groups:
        group_grants[g.group] = group_grants.get(g.group, ()) + (Grant(g.role, _resolve(g, app)),)
    user_grants: dict[str, tuple[Grant, ...]] = {}
    for u in model.users:
        key = u.user.strip().lower()
        user_grants[key] = user_grants.get(key, ()) + (Grant(u.role, _resolve(u, app)),)
    settings = AccessSettings(
        model.mode,
        model.provider,
        model.user_claim,
        model.groups_claim,
        model.idle_timeout_minutes,
        group_grants,
        user_grants,
    )
    return settings, []


def load_access_config(directory: Path | str, app: AppConfig) -> AccessSettings:
    """Load and validate ``directory``/access.yaml against the wards in ``app``; raise ConfigError listing every
    problem."""
    settings, problems = access_config_problems(directory, app)
    if problems or settings is None:
        raise ConfigError([f"{Path(directory)}/{p}" for p in problems])
    return settings


def auth_secrets_problems(secrets: Mapping[str, Any], provider: str | None = None) -> list[str]:
    """What is missing from .streamlit/secrets.toml for signing in with ``provider`` (None: the unnamed default); empty
    when usable.

    Checked before any sign-in is offered, so a misconfigured deployment stops
    with this list instead of opening up or failing at the identity provider.
    """
    where = ".streamlit/secrets.toml"
    auth = secrets.get("auth")
    if not isinstance(auth, Mapping) or not auth:
        return [
            f"{where}: no [auth] section. mode: oidc in config/access.yaml needs the identity provider's settings "
            f"there ({SECRETS_HINT})."
        ]
    problems = []
    redirect = str(auth.get("redirect_uri") or "")
    if not redirect:
        problems.append(f"{where}: [auth] has no redirect_uri (the app's address followed by /oauth2callback).")
    elif not redirect.endswith("/oauth2callback"):
        problems.append(f"{where}: [auth] redirect_uri must end with /oauth2callback, got {redirect!r}.")
    secret = str(auth.get("cookie_secret") or "")
    if len(secret) < 32:
        problems.append(
            f"{where}: [auth] cookie_secret must be a random string of at least 32 characters "
            f'(python -c "import secrets; print(secrets.token_urlsafe(32))"), got {len(secret)} character(s).'
        )
    section: Any = auth if provider is None else auth.get(provider)
    name = "[auth]" if provider is None else f"[auth.{provider}]"
    if not isinstance(section, Mapping):
        problems.append(f"{where}: no {name} section for the provider named in config/access.yaml ({SECRETS_HINT}).")
        return problems
    missing = [k for k in ("client_id", "client_secret", "server_metadata_url") if not section.get(k)]
    if missing:
        problems.append(f"{where}: {name} is missing {', '.join(missing)} ({SECRETS_HINT}).")
    placeholders = sorted(
        {f"[auth] {k}" for k, v in auth.items() if not isinstance(v, Mapping) and PLACEHOLDER in str(v)}
        | {f"{name} {k}" for k, v in section.items() if not isinstance(v, Mapping) and PLACEHOLDER in str(v)}
    )
    if placeholders:
        problems.append(
            f"{where}: still holds the example's placeholders in {', '.join(placeholders)}; put in your identity "
            "provider's values."
        )
    return problems
