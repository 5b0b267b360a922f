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

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NoReturn

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import store_access
from dashboard.common.board import explain_config_problems, explain_store_unreachable
from dashboard.common.access_audit import (
    CSV_EXPORTED,
    PATIENT_LIST_OPENED,
    QUARANTINE_SHOWN,
    REFUSED,
    SESSION_STARTED,
    SESSION_TIMED_OUT,
    SHEET_PRINTED,
    SIGNED_OUT,
    actor_for,
    record,
    refuse,
)
from dashboard.common.access_demo import DEMO_MATRON, DEMO_ROLE, DEMO_WARD, demo_banner, demo_session_principal
from dashboard.common.access_kiosk import checked_token, kiosk_token_principal, refuse_wrong_token
from dashboard.common.access_signin import identity_sidebar, oidc_principal
from metrics.access.config import AccessSettings, load_access_config
from metrics.access.decisions import Action, Principal, PrincipalKind, View, decide, kiosk_principal, permitted_wards
from metrics.config.models import AppConfig
from metrics.errors import ConfigError
from metrics.store import audit

# The audit events and demo session keys, named here too for the pages and their tests.
__all__ = [
    "CSV_EXPORTED",
    "DEMO_MATRON",
    "DEMO_ROLE",
    "DEMO_WARD",
    "PATIENT_LIST_OPENED",
    "QUARANTINE_SHOWN",
    "REFUSED",
    "SESSION_STARTED",
    "SESSION_TIMED_OUT",
    "SHEET_PRINTED",
    "SIGNED_OUT",
    "Access",
    "access_settings",
    "enter",
    "record",
    "refuse",
]


# ---- configuration --------------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=8)
def _settings(directory: str, fingerprint: str) -> AccessSettings:
    """access.yaml, cached per configuration fingerprint (which covers every YAML file, access.yaml included)."""
    return load_access_config(directory, store_access.app_config())


def access_settings(cfg: AppConfig) -> AccessSettings:
    """The live access settings; raises ConfigError (never cached) when access.yaml is missing or broken."""
    return _settings(str(cfg.directory), cfg.fingerprint)


def _stop_with_config_problems(exc: ConfigError) -> NoReturn:
    explain_config_problems(exc)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises; this keeps type checkers honest


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

    @property
    def may_see_locations(self) -> bool:
        """Paths and database URLs are for administrators (whoever may open /admin); never for a wall screen."""
        return self.principal.kind is not PrincipalKind.KIOSK and self.allows(Action.VIEW_BOARD, view=View.ADMIN)

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
        """Write one audit row for this principal; if the log cannot be written, stop rather than show unrecorded
        data."""
        record(self.principal, event, ward_code=ward_code, view=self.view, **extra)

    def still_valid(self) -> None:
        """For screens that redraw themselves (the wall): re-check the kiosk token and the idle time, stopping if
        either lapsed."""
        if self.token is not None:
            check = checked_token(self.token)
            if not check.valid:
                refuse_wrong_token(self.view, check)


def _stop_unless_demo_data_is_synthetic(access: Access) -> None:
    """Demo mode has no sign-in: it shows nothing when the current snapshot looks real
    (``metrics.access.demo_data``)."""
    db_url = store_access.database_url()
    try:
        snapshot = store_access.current_snapshot(db_url)
        refusal = None if snapshot is None else store_access.demo_refusal(db_url, snapshot.id, snapshot.source)
    except SQLAlchemyError as exc:  # what is stored cannot be checked, so nothing is shown
        explain_store_unreachable(exc, db_url, access.may_see_locations)
        st.stop()
        raise AssertionError("unreachable") from exc
    if refusal is not None:
        st.error(refusal, icon=":material/block:")
        st.stop()


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
        principal = kiosk_token_principal(view, token)
    elif settings.is_demo:
        if view is View.WALL and DEMO_ROLE not in st.session_state:
            wards = [w for w in (wall_wards or []) if cfg.ward(w)] or [w.code for w in cfg.wards.wards]
            principal = kiosk_principal("demo wall screen", wards)
        else:
            principal = demo_session_principal(cfg, view, ward_code, picker=view is not View.WALL)
    else:
        principal = oidc_principal(settings, view)
    access = Access(principal, settings, view, token)
    if access.is_demo:
        _stop_unless_demo_data_is_synthetic(access)
        demo_banner(principal, view, token)
    if view is not View.WALL:
        identity_sidebar(principal, view)
    known_ward = ward_code if ward_code is not None and cfg.ward(ward_code) is not None else None
    access.require(Action.VIEW_BOARD, known_ward)
    return access
