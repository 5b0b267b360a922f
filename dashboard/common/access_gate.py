"""Who is asking, and may they: the one door every page goes through before it draws anything.

Why this exists: the huddle view shows which patient in which bed has missed
a dose, a corridor wall must show nothing of the kind, and every access to
patient-level data must be attributable. Each page's first line is
``enter(View.X)``: it reads config/access.yaml, finds the principal (the demo
role picker, the identity provider's claims through ``st.user``, or a wall's
``?token=``), asks ``metrics.access.decide`` and either returns an ``Access``
or shows a plain refusal, writes it to the audit log and stops the page, so
nothing else is drawn. Ward-level questions (``?ward=``, the wall's wards,
patient lists, exports) go through the same ``Access`` object.

Demo mode is a setting in access.yaml, never a fallback: a missing or broken
access.yaml, or (in ``oidc`` mode) missing sign-in settings in
.streamlit/secrets.toml, stop every page with the problems listed.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any, NoReturn

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import store_access
from metrics.store import audit
from metrics.access.decisions import (
    ROLE_LABELS,
    Action,
    Principal,
    PrincipalKind,
    Role,
    View,
    decide,
    demo_principal,
    kiosk_principal,
    permitted_wards,
)
from metrics.access.config import AccessSettings, auth_secrets_problems, load_access_config
from metrics.config.models import AppConfig
from metrics.errors import ConfigError
from metrics.access.kiosk_tokens import verify_token

_LOG = logging.getLogger(__name__)

# Audit log actions written by the dashboard (huddle ratings and actions are written by the huddle inputs).
REFUSED = "access_refused"
PATIENT_LIST_OPENED = "patient_list_opened"
CSV_EXPORTED = "csv_exported"
SHEET_PRINTED = "huddle_sheet_printed"
SESSION_STARTED = "session_started"
SIGNED_OUT = "signed_out"
SESSION_TIMED_OUT = "session_timed_out"
QUARANTINE_SHOWN = "quarantine_content_shown"

DEVICE_KEY = "access_device"
DEMO_ROLE = "access_demo_role"
DEMO_WARD = "access_demo_ward"
DEMO_MATRON = "access_demo_matron"
STARTED_KEY = "access_session_started"
DEMO_ROLES = (Role.WARD_STAFF, Role.MATRON, Role.EXECUTIVE, Role.ANALYST, Role.ADMINISTRATOR)
# The role a fresh demo session starts as on each page: the least the page needs (the picker changes it).
DEMO_START: dict[View, Role] = {
    View.HUDDLE: Role.WARD_STAFF,
    View.STATUS: Role.WARD_STAFF,
    View.EXEC: Role.EXECUTIVE,
    View.SPC: Role.ANALYST,
    View.ADMIN: Role.ADMINISTRATOR,
    View.WALL: Role.MATRON,
}
DEMO_BANNER_CSS = """
.ws-demo{margin:0 0 8px 0;padding:6px 12px;border-radius:4px;background:#330072;color:#fff;font-weight:700;font-size:0.95rem}
.ws-demo span{font-weight:400}
.ws-demo.ws-demo-wall{position:fixed;left:50%;top:6px;transform:translateX(-50%);z-index:1000;margin:0;opacity:0.9;font-size:0.8rem}
"""
REFUSAL_CSS = """
.ws-refusal{margin:12vh auto;max-width:60rem;padding:24px;border-left:10px solid #D5281B;background:#fff;color:#212B32}
.ws-refusal h2{margin:0;font-size:2rem;line-height:1.3}
"""
SIGN_IN_TITLE = "Ward safety dashboard"


# ---- configuration --------------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=8)
def _settings(directory: str, fingerprint: str) -> AccessSettings:
    """access.yaml, cached per configuration fingerprint (which covers every YAML file, access.yaml included)."""
    return load_access_config(directory, store_access.app_config())


def access_settings(cfg: AppConfig) -> AccessSettings:
    """The live access settings; raises ConfigError (never cached) when access.yaml is missing or broken."""
    return _settings(str(cfg.directory), cfg.fingerprint)


def _stop_with_config_problems(exc: ConfigError) -> NoReturn:
    st.error("The dashboard's configuration has problems, so nothing can be shown until they are fixed.")
    st.code(str(exc), language=None)
    st.caption(f"Check it with: python -m metrics check-config --config {store_access.config_dir()}")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises; this keeps type checkers honest


def _secrets() -> Mapping[str, Any]:
    """.streamlit/secrets.toml as a plain dict (empty when there is none)."""
    try:
        return st.secrets.to_dict()
    except Exception:  # noqa: BLE001 - no secrets file, or an unreadable one: both mean "not configured"
        return {}


# ---- the answer every page gets --------------------------------------------------------------------------------


def _engine() -> Engine:
    return store_access.engine_for(store_access.database_url())


def _device() -> str:
    """A random label for this browser session: who the audit log names when nobody is signed in."""
    if DEVICE_KEY not in st.session_state:
        st.session_state[DEVICE_KEY] = f"session-{secrets.token_hex(6)}"
    return str(st.session_state[DEVICE_KEY])


def _client() -> str | None:
    """The client address where Streamlit knows it (None in tests and behind some proxies)."""
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 - not every runtime (AppTest) has a client
        return None
    return address if isinstance(address, str) else None


def actor_for(principal: Principal | None, name: str | None = None) -> audit.Actor:
    """The audit log's who: the user (or the kiosk token's label), the role, this session and the client address."""
    user = name if principal is None else principal.name
    role = "none" if principal is None else principal.role_label
    return audit.Actor(device=_device(), user=user, role=role, client=_client())


@dataclass(frozen=True)
class Access:
    """Who is asking on this page, and the means to ask about anything further (wards, patient lists, exports)."""

    principal: Principal
    settings: AccessSettings
    view: View
    token: str | None = field(default=None, repr=False)  # a wall's kiosk token, re-checked on every refresh

    @property
    def actor(self) -> audit.Actor:
        return actor_for(self.principal)

    @property
    def is_demo(self) -> bool:
        return self.settings.is_demo

    def allows(self, action: Action | str, ward_code: str | None = None, view: View | None = None) -> bool:
        """Whether ``action`` is allowed (without auditing): for showing or hiding a button or a list."""
        return decide(self.principal, view or self.view, ward_code, action).allowed

    def wards(self, ward_codes: Iterable[str], action: Action | str = Action.VIEW_BOARD) -> list[str]:
        """Those of ``ward_codes`` this principal may see on this view: what a ward picker offers."""
        return permitted_wards(self.principal, self.view, action, ward_codes)

    def require(self, action: Action | str, ward_code: str | None = None) -> None:
        """Go on if allowed; otherwise show the refusal, audit it and stop the page."""
        decision = decide(self.principal, self.view, ward_code, action)
        if not decision.allowed:
            refuse(
                self.principal,
                self.view,
                ward_code,
                Action(action),
                decision.reason,
                demo=self.is_demo,
                plain=self.principal.kind is PrincipalKind.KIOSK,
            )

    def record(self, event: str, ward_code: str | None = None, **extra: Any) -> None:
        """Write one audit row for this principal; if the log cannot be written, stop rather than show unrecorded data."""
        record(self.principal, event, ward_code=ward_code, view=self.view, **extra)

    def still_valid(self) -> None:
        """For screens that redraw themselves (the wall): re-check the kiosk token and the idle time, stopping if either lapsed."""
        if self.token is not None:
            check = verify_token(_engine(), self.token)
            if not check.valid:
                refuse(
                    None,
                    self.view,
                    None,
                    Action.VIEW_BOARD,
                    check.reason,
                    name=check.label or "unknown wall token",
                    plain=True,
                )


def record(
    principal: Principal | None,
    event: str,
    *,
    ward_code: str | None = None,
    view: View | None = None,
    name: str | None = None,
    **extra: Any,
) -> None:
    """One audit row for ``event``; a failure to write it stops the page (patient-level data is never shown unrecorded)."""
    detail = {"view": view.value if view else None, **extra}
    try:
        audit.record(_engine(), actor_for(principal, name), event, ward_code=ward_code, extra=detail)
    except SQLAlchemyError as exc:
        _LOG.error("audit log write failed: %s", exc)
        st.error(
            f"The audit log cannot be written ({type(exc).__name__}), so nothing more is shown. Check the database."
        )
        st.stop()


def refuse(
    principal: Principal | None,
    view: View,
    ward_code: str | None,
    action: Action,
    reason: str,
    *,
    demo: bool = False,
    name: str | None = None,
    plain: bool = False,
) -> NoReturn:
    """Show a clear refusal and nothing else, write it to the audit log, and stop the page."""
    record(principal, REFUSED, ward_code=ward_code, view=view, name=name, action=action.value, reason=reason)
    if plain:  # a wall screen: one plain sentence, nothing about the system behind it
        st.html(
            f"<style>{REFUSAL_CSS}</style>"
            f'<div class="ws-refusal" role="alert" data-testid="refusal"><h2>{escape(reason)}</h2></div>'
        )
    else:
        st.error(f"**Not available to you.** {reason}", icon=":material/block:")
        if demo:
            st.caption("Demo: pick another role in the sidebar to see what it may see.")
        else:
            st.caption("If your work needs this, ask the dashboard's administrator. This refusal has been recorded.")
    st.stop()
    raise AssertionError("unreachable")


# ---- who is asking --------------------------------------------------------------------------------------------


def _persisted_select(label: str, options: list[Any], store_key: str, widget_key: str, **kwargs: Any) -> Any:
    """A sidebar selectbox whose choice survives pages that do not draw it (Streamlit drops unrendered widgets' state)."""
    if st.session_state.get(store_key) not in options:
        st.session_state[store_key] = options[0]
    st.session_state[widget_key] = st.session_state[store_key]

    def keep() -> None:
        st.session_state[store_key] = st.session_state[widget_key]
        st.query_params.pop("ward", None)  # a new demo role starts on its own first ward, not a refusal of the old one

    st.sidebar.selectbox(label, options, key=widget_key, on_change=keep, **kwargs)
    return st.session_state[store_key]


def _demo_start(cfg: AppConfig, view: View, ward_hint: str | None) -> None:
    """A fresh demo session starts as the least role the page it opened needs (the ward from the URL for ward staff)."""
    st.session_state[DEMO_ROLE] = DEMO_START[view].value
    hinted = cfg.ward(ward_hint) if ward_hint else None
    st.session_state[DEMO_WARD] = hinted.code if hinted else cfg.wards.wards[0].code
    matrons = [m.code for m in cfg.wards.matrons]
    if matrons:
        st.session_state[DEMO_MATRON] = hinted.matron if hinted else matrons[0]


def _demo_principal(cfg: AppConfig, view: View, ward_hint: str | None, picker: bool) -> Principal:
    if DEMO_ROLE not in st.session_state:
        _demo_start(cfg, view, ward_hint)
    codes = [w.code for w in cfg.wards.wards]
    matrons = {m.code: m.name for m in cfg.wards.matrons}
    role = Role(st.session_state[DEMO_ROLE])
    if picker:
        st.sidebar.markdown("**Demo: view as**")
        role = Role(
            _persisted_select(
                "Role",
                [r.value for r in DEMO_ROLES],
                DEMO_ROLE,
                "_demo_role_widget",
                format_func=lambda r: ROLE_LABELS[Role(r)].capitalize(),
            )
        )
        if role is Role.WARD_STAFF:
            _persisted_select("Ward staff of", codes, DEMO_WARD, "_demo_ward_widget")
        elif role is Role.MATRON and matrons:
            _persisted_select(
                "Matron",
                list(matrons),
                DEMO_MATRON,
                "_demo_matron_widget",
                format_func=lambda c: f"{c} · {matrons.get(c, c)}",
            )
    if role is Role.WARD_STAFF:
        return demo_principal(role, [st.session_state.get(DEMO_WARD) or codes[0]])
    if role is Role.MATRON:
        matron = st.session_state.get(DEMO_MATRON)
        wards = [w.code for w in cfg.wards.wards if w.matron == matron] or codes
        return demo_principal(role, wards)
    return demo_principal(role)


@st.cache_resource(show_spinner=False)
def _last_seen() -> dict[str, float]:
    """When each signed-in sign-in (subject and issue time) was last active, across sessions: the idle clock survives a reload."""
    return {}


def _idle_key(claims: Mapping[str, Any]) -> str:
    return f"{claims.get('sub', '')}|{claims.get('iat', '')}"


def _check_idle(settings: AccessSettings, claims: Mapping[str, Any], principal: Principal, view: View) -> None:
    """End a signed-in session idle for longer than idle_timeout_minutes; otherwise note the activity."""
    seen = _last_seen()
    key = _idle_key(claims)
    now = time.time()
    try:
        issued = float(claims.get("iat") or now)
    except (TypeError, ValueError):
        issued = now
    last = seen.get(key, issued)
    if now - last > settings.idle_timeout_minutes * 60:
        seen[key] = float("-inf")  # this sign-in stays ended, in every tab and after a reload
        if last != float("-inf"):
            record(principal, SESSION_TIMED_OUT, view=view, idle_minutes=settings.idle_timeout_minutes)
        st.warning(
            f"Your session ended after {settings.idle_timeout_minutes} minutes without activity. Sign in again to go on."
        )
        if st.button("Sign in again", type="primary"):
            _login(settings)
        st.stop()
    seen[key] = now
    if len(seen) > 10_000:  # forget sign-ins idle for a day
        for stale in [k for k, v in seen.items() if now - v > 86_400]:
            seen.pop(stale, None)


def _login(settings: AccessSettings) -> None:
    if settings.provider:
        st.login(settings.provider)
    else:
        st.login()


def _sign_in_page(settings: AccessSettings, view: View) -> NoReturn:
    st.title(SIGN_IN_TITLE)
    if view is View.WALL:
        st.info(
            "A wall screen needs a kiosk token in its address (…/wall?token=…): ask the dashboard's administrator. Or sign in."
        )
    st.write("Sign in with your trust account to see the wards you work on.")
    if st.button("Sign in", type="primary", icon=":material/login:"):
        _login(settings)
    st.stop()
    raise AssertionError("unreachable")


def _oidc_principal(settings: AccessSettings, view: View) -> Principal:
    problems = auth_secrets_problems(_secrets(), settings.provider)
    if problems:
        st.error("Sign-in is not configured correctly, so the dashboard stays closed. An administrator must fix:")
        st.code("\n".join(f"- {p}" for p in problems), language=None)
        st.caption(
            "config/access.yaml says mode: oidc; the identity provider's settings belong in .streamlit/secrets.toml "
            "(see .streamlit/secrets.toml.example). Demo mode is never switched on by itself."
        )
        st.stop()
    if not st.user.is_logged_in:
        _sign_in_page(settings, view)
    claims = st.user.to_dict()
    principal = settings.principal_for(claims)
    if principal is None:
        refuse(
            None,
            view,
            None,
            Action.VIEW_BOARD,
            f"Your sign-in carries no `{settings.user_claim}` claim, which config/access.yaml names as user_claim, so your access could not be attributed.",
            name=str(claims.get("sub") or "unnamed sign-in"),
        )
    _check_idle(settings, claims, principal, view)
    if not st.session_state.get(STARTED_KEY):
        st.session_state[STARTED_KEY] = True
        record(principal, SESSION_STARTED, view=view, roles=principal.describe())
    return principal


def _kiosk(view: View, token: str) -> Principal:
    check = verify_token(_engine(), token)
    if not check.valid or check.label is None:
        refuse(None, view, None, Action.VIEW_BOARD, check.reason, name=check.label or "unknown wall token", plain=True)
    return kiosk_principal(check.label, check.wards)


def _identity_sidebar(access: Access) -> None:
    principal = access.principal
    if principal.kind is PrincipalKind.USER:
        st.sidebar.caption(f"Signed in as **{principal.name}**  \n{principal.describe()}")
        if st.sidebar.button("Sign out", icon=":material/logout:", key="access_sign_out"):
            record(principal, SIGNED_OUT, view=access.view)
            _last_seen().pop(_idle_key(st.user.to_dict()), None)
            st.logout()
            st.stop()


def demo_banner(access: Access) -> None:
    """The line every demo page carries: synthetic data, no sign-in, and who the page is being viewed as."""
    if not access.is_demo:
        return
    as_whom = (
        "a wall screen"
        if access.principal.kind is PrincipalKind.KIOSK and access.token is None
        else access.principal.describe()
    )
    wall = " ws-demo-wall" if access.view is View.WALL else ""
    st.html(
        f"<style>{DEMO_BANNER_CSS}</style>"
        f'<div class="ws-demo{wall}" role="note" data-testid="demo-banner">DEMO: synthetic data, no sign-in. '
        f"<span>Viewing as {escape(as_whom)}. Not for real patients: set mode: oidc in config/access.yaml.</span></div>"
    )


def enter(view: View, *, ward_code: str | None = None, wall_wards: Iterable[str] | None = None) -> Access:
    """Every page's first call: who is asking, and may they open ``view`` (for ``ward_code``)? Stops the page when not.

    ``ward_code`` is the ward the URL asks for (an unknown code is left for the page to explain);
    ``wall_wards`` are the wards a wall bookmark asks for in demo mode without a token.
    """
    try:
        cfg = store_access.app_config()
        settings = access_settings(cfg)
    except ConfigError as exc:
        _stop_with_config_problems(exc)
    token = st.query_params.get("token") if view is View.WALL else None
    if token is not None:
        principal = _kiosk(view, token)
    elif settings.is_demo:
        if view is View.WALL and DEMO_ROLE not in st.session_state:
            wards = [w for w in (wall_wards or []) if cfg.ward(w)] or [w.code for w in cfg.wards.wards]
            principal = kiosk_principal("demo wall screen", wards)
        else:
            principal = _demo_principal(cfg, view, ward_code, picker=view is not View.WALL)
    else:
        principal = _oidc_principal(settings, view)
    access = Access(principal, settings, view, token)
    demo_banner(access)
    if view is not View.WALL:
        _identity_sidebar(access)
    known_ward = ward_code if ward_code is not None and cfg.ward(ward_code) is not None else None
    access.require(Action.VIEW_BOARD, known_ward)
    return access
