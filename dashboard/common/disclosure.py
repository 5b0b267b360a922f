"""Text from extracts, configuration and the store, made safe to show: Markdown disarmed, locations withheld.

Why this exists: a manifest's ``source``, a ward's name or a refresh message
is free text written by whoever produced the extract or the YAML. Streamlit
renders Markdown (and st.table renders it in every cell), so a source of
``[Sign in again here](https://evil.example)`` would become a working link
on a trusted screen. Every such text passes ``markdown_text`` before it
reaches a Markdown body. Paths and database URLs tell an attacker where the
data lives: only administrators see them; everyone else, and every wall
screen, sees the message with its locations taken out (``without_locations``).
Pure functions, no Streamlit.
"""

from __future__ import annotations

import re

import pandas as pd

# CommonMark's backslash-escapable punctuation that can start markup, plus Streamlit's own (:icon:, :red[], $math$).
MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>~&:$")
HIDDEN = "[location hidden]"
# A URL with a scheme (postgresql+psycopg://…, sqlite:///…, https://…), a Windows path, or an absolute POSIX path.
LOCATION = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"`]*"
    r"|(?<![\w\\])(?:[A-Za-z]:\\|\\\\)[^\s'\"`]*"
    r"|(?<![\w.~\-/])/(?:[^\s/'\"`]+/)*[^\s/'\"`:,;)]+"
)


def markdown_text(value: object) -> str:
    """``value`` as text that a Markdown renderer shows literally: no link, tag, emphasis, icon or formula."""
    return "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in str(value))


def markdown_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through ``markdown_text`` (st.table renders cells as Markdown)."""
    return frame.apply(lambda column: column.map(lambda v: markdown_text(v) if isinstance(v, str) else v))


def without_locations(text: str) -> str:
    """``text`` with every path and URL replaced by '[location hidden]': a message fit for anyone but an administrator."""
    return LOCATION.sub(HIDDEN, text)
