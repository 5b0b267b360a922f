"""Text from extracts, configuration and the store, made safe to show: Markdown disarmed, locations withheld.

Why this exists: a manifest's ``source``, a ward's name or a refresh message
is free text written by whoever produced the extract or the YAML. Streamlit
renders Markdown (and st.table renders it in every cell), so a source of
``[Sign in again here](https://evil.example)`` would become a working link
on a trusted screen. Every such text passes ``markdown_text`` before it
reaches a Markdown body. Full paths and database URLs tell an attacker where the
data lives: only administrators see them; everyone else, and every wall
screen, sees messages with them taken out (``without_locations``).
Pure functions, no Streamlit.
"""

from __future__ import annotations

import re

import pandas as pd

# CommonMark's backslash-escapable punctuation that can start markup, plus Streamlit's own (:icon:, :red[], $math$).
MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>~&:$")
HIDDEN = "[location hidden]"
# A URL with a scheme (postgresql+psycopg://…, sqlite:///…, https://…): hidden whole.
URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"`]*")
# A Windows path or an absolute POSIX path: cut to its last part, which names the file without saying where it is.
PATH = re.compile(r"(?<![\w\\])(?:[A-Za-z]:\\|\\\\)[^\s'\"`]*|(?<![\w.~\-/])/(?:[^\s/'\"`]+/)*[^\s/'\"`:,;)]+")


def markdown_text(value: object) -> str:
    """``value`` as text that a Markdown renderer shows literally: no link, tag, emphasis, icon or formula."""
    return "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in str(value))


def markdown_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through ``markdown_text`` (st.table renders cells as
    Markdown)."""
    return frame.apply(lambda column: column.map(lambda v: markdown_text(v) if isinstance(v, str) else v))


def _last_part(match: re.Match[str]) -> str:
    return "…/" + re.split(r"[/\\]", match.group(0).rstrip("/\\"))[-1]


def without_locations(text: str) -> str:
    """``text`` fit for anyone but an administrator: a URL becomes '[location hidden]', a path only its last part.

    '/srv/extracts/2026-11-30/encounters.csv' reads '…/encounters.csv': the file to fix, not where it lives.
    """
    return PATH.sub(_last_part, URL.sub(HIDDEN, text))
