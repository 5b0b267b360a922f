"""Patient identity in the test world: every value of every column the contract marks as identifying.

The wall, executive and huddle-sheet tests scan what a screen shows for these
values, so the list of what identifies a patient is the contract's own
(``ColumnSpec.identifying``), never a list kept by a test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from metrics.extract.contract import TABLES, Identifying

_WORD = re.compile(r"[A-Za-z0-9]+")


# A sensitive column's value (a deprivation decile, an ethnic category code) names no one alone: screens are checked
# for those columns' names instead (the wall and executive tests read IDENTIFYING_COLUMNS).
IDENTITY_KINDS = frozenset({Identifying.KEY, Identifying.WARD_TEAM})


def identifying_values(folder: Path, kinds: frozenset[Identifying] = IDENTITY_KINDS) -> set[str]:
    """Every value of a column identifying a patient in one of ``kinds`` ways, in the extract at ``folder``."""
    values: set[str] = set()
    for table in TABLES:
        columns = [c.name for c in table.columns if c.identifying in kinds]
        csv, parquet = folder / f"{table.name}.csv", folder / f"{table.name}.parquet"
        if not columns or not (csv.exists() or parquet.exists()):
            continue
        frame = (
            pd.read_parquet(parquet, columns=columns)
            if parquet.exists()
            else pd.read_csv(csv, usecols=columns, dtype=str, keep_default_na=False)
        )
        for column in columns:
            values |= {str(v) for v in frame[column].dropna() if str(v)}
    return values


def latest_extract(sqlite_url: str) -> Path:
    """The newest daily extract loaded into an app-test store (its extracts sit beside the SQLite file)."""
    extracts = Path(sqlite_url.removeprefix("sqlite:///")).parent / "extracts"
    return sorted(p for p in extracts.iterdir() if (p / "manifest.json").exists())[-1]


def identity_shown(text: str, values: set[str]) -> set[str]:
    """The identifying values that appear in ``text`` as whole words (style sheets left out)."""
    visible = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
    return values & set(_WORD.findall(visible))
