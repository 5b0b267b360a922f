"""A wall screen's kiosk token: checked on every load and refresh, and wrong ones audited only as the throttle says.

Why this exists: every refused wall token is written to the audit log, which
nobody can delete from, so an anonymous visitor guessing tokens could grow it
without bound. One ``KioskMissThrottle`` per server process counts wrong
tokens per client address (``metrics.access.kiosk_throttle``): the first five
a minute are audited one by one, the next is audited once as the start of a
throttled burst, and the rest are refused without a row. A valid token is
always checked and always let in, even from a throttled address: wall screens
behind one hospital proxy share an address, and a flood from elsewhere behind
it must not blank them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NoReturn

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import access_audit, store_access
from dashboard.common.board import explain_store_unreachable
from metrics.access.decisions import Action, Principal, View, kiosk_principal
from metrics.access.kiosk_throttle import KioskMissThrottle, MissVerdict
from metrics.access.kiosk_tokens import TokenCheck

KIOSK_THROTTLED = "kiosk_token_throttled"
UNKNOWN_CLIENT = "unknown client"  # every client whose address Streamlit does not know shares one count


@st.cache_resource(show_spinner=False)
def kiosk_throttle() -> KioskMissThrottle:
    """The one throttle of this server process, shared by every session."""
    return KioskMissThrottle()


def now() -> datetime:
    """The moment a wrong token is counted at (a function so that tests pass time in)."""
    return datetime.now(UTC)


def refuse_wrong_token(view: View, check: TokenCheck) -> NoReturn:
    """Refuse a wrong, revoked or expired token with one plain sentence; audit it as the throttle says."""
    client = access_audit.client_address() or UNKNOWN_CLIENT
    throttle = kiosk_throttle()
    verdict = throttle.miss(client, now())
    name = check.label or "unknown wall token"
    if verdict is MissVerdict.THROTTLE_STARTED:
        access_audit.record(
            None,
            KIOSK_THROTTLED,
            view=view,
            name=name,
            reason=f"more than {throttle.limit} wrong wall tokens from this client within {throttle.window}; "
            "further ones are refused without an audit row until it slows down",
        )
    access_audit.refuse(
        None, view, None, Action.VIEW_BOARD, check.reason, name=name, plain=True, audited=verdict is MissVerdict.AUDIT
    )


def checked_token(token: str) -> TokenCheck:
    """The store's verdict on ``token``; when the store cannot be reached, a plain message (no location) and a stop."""
    try:
        return store_access.verify_kiosk_token(token)
    except SQLAlchemyError as exc:  # a wall screen says only that there is no data, never where the store is
        explain_store_unreachable(exc, store_access.database_url(), show_location=False)
        st.stop()
        raise AssertionError("unreachable") from exc


def kiosk_token_principal(view: View, token: str) -> Principal:
    """The wall screen a valid token names; anything else is refused (``refuse_wrong_token``)."""
    check = checked_token(token)
    if not check.valid or check.label is None:
        refuse_wrong_token(view, check)
    return kiosk_principal(check.label, check.wards)
