"""What the huddle inputs keep for one browser session: who enters (a device label or the signed-in user),
the live huddle configuration, and the one message shown after a save.

Why this exists: the rating form, the actions and the export each write to the
store from a callback, and each must name the same actor in the audit log and
tell the person what happened on the next run.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.common import store_access
from metrics.errors import UserFacingError
from metrics.huddle.config import HuddleConfig, load_huddle_config
from metrics.rules.clock import LONDON as LONDON_TZ
from metrics.store.audit import Actor

DEVICE_KEY = "huddle_device"
FLASH_KEY = "hi-flash"
ACTOR_KEY = "hi-actor"  # the page's audit actor for this run (a signed-in user), kept for the callbacks


def device_label() -> str:
    """This browser session's device label: a random id, made once per session (never a name)."""
    if DEVICE_KEY not in st.session_state:
        st.session_state[DEVICE_KEY] = f"device-{secrets.token_hex(4)}"
    return str(st.session_state[DEVICE_KEY])


def entry_actor(role: str | None = None) -> Actor:
    """Who the audit log names: the page's actor when it gave one (the signed-in user), else this browser tab's device
    label."""
    given = st.session_state.get(ACTOR_KEY)
    if isinstance(given, Actor):
        return given
    return Actor(device=device_label(), role=role, client="dashboard")


@st.cache_resource(show_spinner=False, max_entries=8)
def _huddle_config(directory: str, signature: tuple) -> HuddleConfig:
    return load_huddle_config(Path(directory), store_access.app_config())


def huddle_config() -> HuddleConfig:
    """The live huddle and barometer configuration; raises ConfigError (never cached) when it is missing or broken."""
    directory = store_access.config_dir()
    return _huddle_config(str(directory), store_access.config_signature(directory))


def flash(kind: str, message: str) -> None:
    st.session_state[FLASH_KEY] = (kind, message)


@dataclass
class Saving:
    """Whether the writes inside ``saving()`` went through."""

    ok: bool = True


@contextmanager
def saving() -> Iterator[Saving]:
    """Around a form's writes: a refusal (bad input, a stale copy) or a store failure becomes the flashed message.

    The caller checks ``.ok`` afterwards and stops if the write did not go through.
    """
    outcome = Saving()
    try:
        yield outcome
    except UserFacingError as exc:
        outcome.ok = False
        flash("error", str(exc))
    except SQLAlchemyError as exc:
        outcome.ok = False
        flash("error", f"Not saved: the store could not be written ({type(exc).__name__}). Try again.")


def show_flash() -> None:
    shown = st.session_state.pop(FLASH_KEY, None)
    if shown:
        kind, message = shown
        (st.success if kind == "success" else st.error)(message)


def london_text(moment: object) -> str:
    """A stored time as "HH:MM d Mon" in London time; "" when there is none."""
    if moment is None or pd.isna(moment):  # type: ignore[arg-type]
        return ""
    stamp = pd.Timestamp(moment)
    local = stamp.tz_convert(LONDON_TZ) if stamp.tzinfo else stamp.tz_localize("UTC").tz_convert(LONDON_TZ)
    return f"{local:%H:%M} {local.day} {local:%b}"
