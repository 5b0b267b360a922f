"""What every access decision leaves behind: the audit log's who, one audit row per event, and a refusal.

Why this exists: every access to patient-level data, and every refusal, must
be attributable. A page that cannot write its audit row stops rather than show
unrecorded data. The rows are written through the store gateway.
"""

from __future__ import annotations

import logging
import secrets
from html import escape
from typing import Any, NoReturn

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import store_access
from dashboard.common.disclosure import markdown_text
from dashboard.common.page_links import draw_page_links, refusal_pointer
from metrics.access.decisions import Action, Principal, View
from metrics.store import audit

_LOG = logging.getLogger(__name__)
DEVICE_KEY = "access_device"

# Audit log actions written by the dashboard (huddle ratings and actions are written by the huddle inputs).
REFUSED = "access_refused"
PATIENT_LIST_OPENED = "patient_list_opened"
CSV_EXPORTED = "csv_exported"
SHEET_PRINTED = "huddle_sheet_printed"
SESSION_STARTED = "session_started"
SIGNED_OUT = "signed_out"
SESSION_TIMED_OUT = "session_timed_out"
QUARANTINE_SHOWN = "quarantine_content_shown"

REFUSAL_CSS = """
.ws-refusal{margin:12vh auto;max-width:60rem;padding:24px;border-left:10px solid #D5281B;background:#fff;color:#212B32}
.ws-refusal h2{margin:0;font-size:2rem;line-height:1.3}
"""


def _device() -> str:
    """A random label for this browser session: who the audit log names when nobody is signed in."""
    if DEVICE_KEY not in st.session_state:
        st.session_state[DEVICE_KEY] = f"session-{secrets.token_hex(6)}"
    return str(st.session_state[DEVICE_KEY])


def client_address() -> str | None:
    """The client address where Streamlit knows it (None in tests and behind some proxies)."""
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 - not every runtime (AppTest) has a client
        return None
    return address if isinstance(address, str) else None


def actor_for(principal: Principal | None, name: str | None = None) -> audit.Actor:
    """The audit log's who: the user (or the kiosk token's label), the role, the connection and the client address."""
    user = name if principal is None else principal.name
    role = "none" if principal is None else principal.role_label
    return audit.Actor(device=_device(), user=user, role=role, client=client_address())


def record(
    principal: Principal | None,
    event: str,
    *,
    ward_code: str | None = None,
    view: View | None = None,
    name: str | None = None,
    **extra: Any,
) -> None:
    """One audit row for ``event``; a failure to write it stops the page (patient-level data is never shown
    unrecorded)."""
    detail = {"view": view.value if view else None, **extra}
    try:
        store_access.record_audit(actor_for(principal, name), event, ward_code=ward_code, extra=detail)
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
    audited: bool = True,
) -> NoReturn:
    """Show a clear refusal and nothing else, write it to the audit log (unless a throttle says not), and stop the
    page."""
    if audited:
        record(principal, REFUSED, ward_code=ward_code, view=view, name=name, action=action.value, reason=reason)
    if plain:  # a wall screen: one plain sentence, nothing about the system behind it
        st.html(
            f"<style>{REFUSAL_CSS}</style>"
            f'<div class="ws-refusal" role="alert" data-testid="refusal"><h2>{escape(reason)}</h2></div>'
        )
    else:
        st.error(
            f"**Not available to you.** {markdown_text(reason)} {refusal_pointer(principal, view)}",
            icon=":material/block:",
        )
        draw_page_links(principal, view)
        if demo:
            st.caption("Demo: pick another role in the sidebar to see what it may see.")
        else:
            st.caption("If your work needs this, ask the dashboard's administrator. This refusal has been recorded.")
    st.stop()
    raise AssertionError("unreachable")
