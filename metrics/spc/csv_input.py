"""An SPC chart from a ``date,value`` CSV file, as JSON (the ``spc`` command is ``metrics.cli.spc``).

Why this exists: an analyst or ward manager should be able to check one
measure's chart from a spreadsheet export without the dashboard. A bad file
must be answered with the file, the row (as the spreadsheet shows it: the
header is row 1) and how to fix it, never a traceback.

File format: a header row naming the columns ``date`` and ``value`` (any
order, any case; other columns are ignored), then one row per day. Dates are
written YYYY-MM-DD. A value is a plain number (``12``, ``-3.5``, ``1e3``); an
empty cell or ``NA`` is a missing day, which the chart shows as a gap.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from metrics.spc.xmr import IMPROVEMENTS, SpcResult, spc

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GAP_TEXT = {"", "na"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SpcInputError(ValueError):
    """A file or argument the SPC command cannot use; the message names the file, the row and the fix."""

    exit_code = 2

    def __init__(self, path: str, row: int | None, problem: str, fix: str):
        self.path = path
        self.row = row
        self.problem = problem
        self.fix = fix
        where = f"{path}: row {row}" if row is not None else path
        super().__init__(f"{where}: {problem}. {fix}")


# ---------------------------------------------------------------- reading the CSV


def read_spc_csv(path: str | Path) -> tuple[list[date], list[float]]:
    """The dates and values of a ``date,value`` file, in file order; NaN for a missing day.

    Raises ``SpcInputError`` for a missing, unreadable, empty or malformed file.
    """
    name = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            records = list(csv.reader(handle))
    except FileNotFoundError:
        raise SpcInputError(name, None, "no such file", "Check the path and the file name.") from None
    except IsADirectoryError:
        raise SpcInputError(name, None, "this is a folder, not a file", "Give the path of a CSV file.") from None
    except UnicodeDecodeError:
        raise SpcInputError(
            name, None, "the file is not UTF-8 text", "Save it from your spreadsheet as 'CSV UTF-8'."
        ) from None
    except csv.Error as exc:
        raise SpcInputError(
            name, None, f"the file is not valid CSV ({exc})", "Save it from your spreadsheet as CSV."
        ) from None

    if not any(any(cell.strip() for cell in record) for record in records):
        raise SpcInputError(
            name, 1, "the file is empty", "Put the header date,value on row 1 and one row per day below it."
        )

    header = [cell.strip().lower() for cell in records[0]]
    if _DATE.match(header[0] if header else ""):
        raise SpcInputError(
            name, 1, "there is no header row (row 1 holds data)", "Insert a first row with the column names date,value."
        )
    missing = [col for col in ("date", "value") if col not in header]
    if missing:
        found = ",".join(records[0]) or "(blank)"
        raise SpcInputError(
            name,
            1,
            f"the header lacks the column{'s' if len(missing) > 1 else ''} {' and '.join(missing)} (it reads: {found})",
            "Name the columns date and value on row 1.",
        )
    date_col, value_col = header.index("date"), header.index("value")

    dates: list[date] = []
    values: list[float] = []
    seen: dict[date, int] = {}
    for row_number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank line is not a day
        if len(record) <= max(date_col, value_col):
            raise SpcInputError(
                name,
                row_number,
                f"the row has {len(record)} cell{'s' if len(record) != 1 else ''} but the header has {len(header)}",
                "Give every row a date and a value, separated by a comma (leave the value empty for a missing day).",
            )
        day = _parse_date(name, row_number, record[date_col].strip())
        if day in seen:
            raise SpcInputError(
                name,
                row_number,
                f"the date {day.isoformat()} already appears on row {seen[day]}",
                "Each date may appear once: remove or merge the duplicate row.",
            )
        seen[day] = row_number
        dates.append(day)
        values.append(_parse_value(name, row_number, record[value_col].strip()))

    if not dates:
        raise SpcInputError(name, 2, "the file has a header but no data rows", "Add one row per day below the header.")
    return dates, values


def _parse_date(name: str, row: int, text: str) -> date:
    fix = "Write dates as YYYY-MM-DD, for example 2024-01-31."
    if not text:
        raise SpcInputError(name, row, "the date is empty", fix)
    if not _DATE.match(text):
        raise SpcInputError(name, row, f"the date {text!r} is not in the form YYYY-MM-DD", fix)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SpcInputError(name, row, f"the date {text!r} does not exist", fix) from None


def _parse_value(name: str, row: int, text: str) -> float:
    if text.lower() in _GAP_TEXT:
        return math.nan
    if not _NUMBER.match(text):
        raise SpcInputError(
            name,
            row,
            f"the value {text!r} is not a number",
            "Write a plain number such as 12 or 3.5 (no units or thousands separators), or leave it empty for a "
            "missing day.",
        )
    value = float(text)
    if not math.isfinite(value):
        raise SpcInputError(name, row, f"the value {text!r} is too large", "Write a number of ordinary size.")
    return value


def parse_rebase(rebase: Iterable[Any]) -> list[date]:
    out = []
    for item in rebase:
        if isinstance(item, date):
            out.append(item)
            continue
        text = str(item).strip()
        try:
            if not _DATE.match(text):
                raise ValueError
            out.append(date.fromisoformat(text))
        except ValueError:
            raise SpcInputError(
                "--rebase",
                None,
                f"{text!r} is not a date",
                "Write each rebase date as YYYY-MM-DD, for example 2024-04-01.",
            ) from None
    return out


# ---------------------------------------------------------------- JSON


def _number(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def result_to_dict(result: SpcResult) -> dict[str, Any]:
    """The JSON shape: ``points`` (one per date, in date order) and the two icons.

    Each point has date (YYYY-MM-DD), value, mean, lower_limit, upper_limit,
    point_type, and also rule, phase and trial_limits. Missing numbers (a gap's
    value, limits of a phase too short to have them) and a gap's point_type
    and rule are null.
    """
    p = result.points
    points = [
        {
            "date": pd.Timestamp(d).date().isoformat(),
            "value": _number(v),
            "mean": _number(mean),
            "lower_limit": _number(lo),
            "upper_limit": _number(hi),
            "point_type": _text(pt),
            "rule": _text(rule),
            "phase": int(phase),
            "trial_limits": bool(trial),
        }
        for d, v, mean, lo, hi, pt, rule, phase, trial in zip(
            p["date"],
            p["value"],
            p["mean"],
            p["lower_limit"],
            p["upper_limit"],
            p["point_type"],
            p["rule"],
            p["phase"],
            p["trial_limits"],
            strict=True,
        )
    ]
    return {"points": points, "variation_icon": result.variation_icon, "assurance_icon": result.assurance_icon}


def spc_from_csv(
    path: str | Path, improvement: str, target: float | None = None, rebase: Sequence[Any] = ()
) -> dict[str, Any]:
    """Read a ``date,value`` CSV and return the chart as a JSON-ready dict (see ``result_to_dict``)."""
    if improvement not in IMPROVEMENTS:
        raise SpcInputError(
            "--improvement", None, f"{improvement!r} is not a direction", f"Use one of: {', '.join(IMPROVEMENTS)}."
        )
    rebase_dates = parse_rebase(rebase)
    dates, values = read_spc_csv(path)
    return result_to_dict(spc(dates, values, improvement, target=target, rebase_dates=rebase_dates))
