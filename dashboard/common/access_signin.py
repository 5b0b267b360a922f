"""Who is asking when nobody picks a demo role: a person signed in through the identity provider, or a wall's token.

Why this exists: in ``oidc`` mode the dashboard stays closed until sign-in is
configured and the person has signed in; an idle sign-in is ended after
access.yaml's ``idle_timeout_minutes`` (the rule is ``metrics.access.idle``).
A wall screen is let in by its kiosk token (``access_kiosk``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, NoReturn

import streamlit as st

from dashboard.common.disclosure import markdown_text
from dashboard.common.access_audit import SESSION_STARTED, SESSION_TIMED_OUT, SIGNED_OUT, record, refuse
from metrics.access.config import AccessSettings, auth_secrets_problems
from metrics.access.decisions import Action, Principal, PrincipalKind, View
from metrics.access.idle import forget_idle, idle_decision, issued_at

STARTED_KEY = "access_session_started"
SIGN_IN_TITLE = "Ward safety dashboard"


def _secrets() -> Mapping[str, Any]:
    """.streamlit/secrets.toml as a plain dict (empty when there is none)."""
    try:
        return st.secrets.to_dict()
    except Exception:  # noqa: BLE001 - no secrets file, or an unreadable one: both mean "not configured"
        return {}


@st.cache_resource(show_spinner=False)
def _last_seen() -> dict[str, float]:
    """When each signed-in sign-in (subject and issue time) was last active, across sessions: the idle clock survives a
    reload."""
    return {}


def _idle_key(claims: Mapping[str, Any]) -> str:
    return f"{claims.get('sub', '')}|{claims.get('iat', '')}"


def _check_idle(settings: AccessSettings, claims: Mapping[str, Any], principal: Principal, view: View) -> None:
    """End a signed-in session idle for longer than idle_timeout_minutes (``metrics.access.idle``); else note the
    activity."""
    seen = _last_seen()
    key = _idle_key(claims)
    now = time.time()
    decision = idle_decision(seen.get(key), issued_at(claims.get("iat"), now), now, settings.idle_timeout_minutes)
    seen[key] = decision.last_active  # an ended sign-in stays ended, in every tab and after a reload
    if decision.timed_out:
        if decision.newly_timed_out:
            record(principal, SESSION_TIMED_OUT, view=view, idle_minutes=settings.idle_timeout_minutes)
        st.warning(
            f"Your session ended after {settings.idle_timeout_minutes} minutes without activity. Sign in again to go "
            "on."
        )
        if st.button("Sign in again", type="primary"):
            _login(settings)
        st.stop()
    forget_idle(seen, now)


def _login(settings: AccessSettings) -> None:
    if settings.provider:
        st.login(settings.provider)
    else:
        st.login()


def _sign_in_page(settings: AccessSettings, view: View) -> NoReturn:
    st.title(SIGN_IN_TITLE)
    if view is View.WALL:
        st.info(
            "A wall screen needs a kiosk token in its address (…/wall?token=…): ask the dashboard's administrator. Or "
            "sign in."
        )
    st.write("Sign in with your trust account to see the wards you work on.")
    if st.button("Sign in", type="primary", icon=":material/login:"):
        _login(settings)
    st.stop()
    raise AssertionError("unreachable")


def oidc_principal(settings: AccessSettings, view: View) -> Principal:
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
            f"Your sign-in carries no `{settings.user_claim}` claim, which config/access.yaml names as user_claim, so "
            "your access could not be attributed.",
            name=str(claims.get("sub") or "unnamed sign-in"),
        )
    _check_idle(settings, claims, principal, view)
    if not st.session_state.get(STARTED_KEY):
        st.session_state[STARTED_KEY] = True
        record(principal, SESSION_STARTED, view=view, roles=principal.describe())
    return principal


def identity_sidebar(principal: Principal, view: View) -> None:
    """Who is signed in, and the sign-out button (which ends this sign-in's idle clock too)."""
    if principal.kind is PrincipalKind.USER:
        st.sidebar.caption(f"Signed in as **{markdown_text(principal.name)}**  \n{markdown_text(principal.describe())}")
        if st.sidebar.button("Sign out", icon=":material/logout:", key="access_sign_out"):
            record(principal, SIGNED_OUT, view=view)
            _last_seen().pop(_idle_key(st.user.to_dict()), None)
            st.logout()
            st.stop()
