"""What the team records at its huddle: 1-5 ratings, and the actions that carry over until closed.

Why this exists: beside the EPR tiles, the reference ward board carries the
team's own answer to "How reliable are our current processes?" (and "How
safe do we feel today?"), counted per score, and its list of "What could go
wrong today?" actions. Entries come from several devices at the same huddle,
so:

* every input is checked before it is stored (a score outside 1-5, a date in
  the future or too far back, an unknown ward, role or shift is refused with
  a message naming the field; the database's CHECK constraints back this up);
* ratings are only ever added, so two devices rating at once are both kept;
* an action carries a ``version``: a change names the version it was made
  from and is applied with ``UPDATE ... WHERE version = :read``, so of two
  devices closing the same action one wins and the other is told, and no
  change is ever silently lost (optimistic concurrency, the same on SQLite
  and PostgreSQL);
* every entry and change writes its audit row in the same transaction
  (``metrics.store.audit``).

The statements themselves live in ``metrics.store.huddle``; this module
checks the entries and decides what a change means.

No personal name is stored with a rating or an action: a role at most, and
the device/session label. "Today" is the London date of the moment given
(``now``, default the clock); the huddle is a live event, not an extract.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Engine

from metrics.entry_fields import EntryRefused, known_ward, one_line_text, utc_moment
from metrics.errors import UserFacingError
from metrics.store.audit import Actor
from metrics.store.huddle import (
    action,
    actions_of_ward,
    change_action_if_unchanged,
    insert_action,
    insert_rating,
    open_action_counts,
    open_or_closed_between,
    ratings,
    ratings_on,
)
from metrics.store.huddle_models import ACTION_SOURCES, ACTION_STATUSES, RATING_KINDS
from metrics.store.learning import response as stored_response
from metrics.rules.clock import LONDON

if TYPE_CHECKING:
    from metrics.config.models import AppConfig
    from metrics.huddle.config import HuddleConfig

SCORES = (1, 2, 3, 4, 5)


class HuddleInputError(EntryRefused):
    """An entry refused before it reached the store; ``problems`` are (field, message) pairs, all of them."""


class StaleEditError(UserFacingError):
    """The action changed on another device since this one read it; nothing was saved."""

    def __init__(self, action_id: int, expected_version: int, current: dict[str, Any] | None):
        self.action_id = action_id
        self.expected_version = expected_version
        self.current = current
        if current is None:
            now_is = "it no longer exists"
        else:
            when = _london(current["closed_at"]).strftime("%H:%M") if current.get("closed_at") else None
            now_is = f"it is now {current['status']}" + (f" (closed at {when})" if when else "")
        super().__init__(
            f"Not saved: action #{action_id} was changed on another device since you opened it ({now_is}). "
            "The list has been reloaded; check it and try again if still needed."
        )


def _london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def london_today(now: datetime | None = None) -> date:
    """The huddle's date: the London calendar date of ``now`` (default: the clock)."""
    return _london(now or datetime.now(timezone.utc)).date()


# ---- checking an entry --------------------------------------------------------------------------


def _ward(app_cfg: AppConfig, ward_code: Any, problems: list[tuple[str, str]]) -> str | None:
    ward = known_ward(app_cfg, ward_code, problems)
    return None if ward is None else ward.code


def _huddle_date(value: Any, today: date, late_days: int, problems: list[tuple[str, str]]) -> date | None:
    if isinstance(value, datetime) or not isinstance(value, date):
        problems.append(("huddle_date", f"the huddle date must be a date, got {value!r:.40}"))
        return None
    if value > today:
        problems.append(
            ("huddle_date", f"the huddle date {value:%d %b %Y} is in the future (today is {today:%d %b %Y})")
        )
        return None
    if value < today - timedelta(days=late_days):
        problems.append(
            (
                "huddle_date",
                f"the huddle date {value:%d %b %Y} is more than {late_days} days ago; entries that late are not "
                "accepted",
            )
        )
        return None
    return value


def _code(
    field: str,
    value: Any,
    allowed: Iterable[str],
    problems: list[tuple[str, str]],
    *,
    optional: bool = False,
    what: str = "",
) -> str | None:
    if value in (None, "") and optional:
        return None
    allowed = tuple(allowed)
    if value not in allowed:
        problems.append((field, f"{what or field} must be one of {', '.join(allowed)}, got {str(value)[:30]!r}"))
        return None
    return str(value)


def _score(value: Any, problems: list[tuple[str, str]]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCORES:
        problems.append(("score", f"the score must be a whole number from 1 to 5, got {value!r:.20}"))
        return None
    return int(value)


# ---- ratings ------------------------------------------------------------------------------------


def record_rating(
    engine: Engine,
    app_cfg: AppConfig,
    huddle_cfg: HuddleConfig,
    *,
    ward_code: str,
    score: int,
    actor: Actor,
    kind: str = "reliability",
    huddle_date: date | None = None,
    shift: str | None = None,
    role: str | None = None,
    comment: str | None = None,
    now: datetime | None = None,
) -> int:
    """Check and store one rating, with its audit row; return its id. Raises HuddleInputError listing every problem."""
    moment = utc_moment(now)
    today = london_today(moment)
    problems: list[tuple[str, str]] = []
    row: dict[str, Any] = {
        "ward_code": _ward(app_cfg, ward_code, problems),
        "huddle_date": _huddle_date(
            today if huddle_date is None else huddle_date, today, huddle_cfg.huddle.late_entry_days, problems
        ),
        "shift": _code(
            "shift", huddle_cfg.shift_codes[0] if shift is None else shift, huddle_cfg.shift_codes, problems
        ),
        "kind": _code("kind", kind, RATING_KINDS, problems, what="the rating kind"),
        "score": _score(score, problems),
        "role": _code("role", role, huddle_cfg.role_codes, problems, optional=True),
        "comment": one_line_text("comment", comment, huddle_cfg.huddle.comment_max_chars, problems, what="the comment"),
        "device": actor.device,
        "created_at": moment,
    }
    if problems:
        raise HuddleInputError(problems)
    return insert_rating(engine, row, actor, moment)


def score_counts(frame: pd.DataFrame, kind: str = "reliability", on: date | None = None) -> dict[int, int]:
    """How many ratings gave each score 1-5 (every score present, zeros included), for one kind and optionally one
    date."""
    chosen = frame[frame["kind"] == kind] if len(frame) else frame
    if on is not None and len(chosen):
        chosen = chosen[chosen["huddle_date"] == on]
    counts = {s: 0 for s in SCORES}
    for score, n in chosen["score"].value_counts().items() if len(chosen) else ():
        counts[int(score)] = int(n)
    return counts


def median_score(counts: dict[int, int]) -> float | None:
    """The median of the ratings counted in ``counts`` (None when nobody rated)."""
    scores = [s for s in SCORES for _ in range(counts.get(s, 0))]
    if not scores:
        return None
    middle = len(scores) // 2
    return float(scores[middle]) if len(scores) % 2 else (scores[middle - 1] + scores[middle]) / 2


def daily_medians(frame: pd.DataFrame, kind: str, start: date, end: date) -> pd.DataFrame:
    """One row per date from ``start`` to ``end``: date, median, rated (how many); median empty on days nobody rated."""
    days = pd.date_range(start, end, freq="D").date
    chosen = frame[frame["kind"] == kind] if len(frame) else frame
    out = []
    for day in days:
        scores = chosen.loc[chosen["huddle_date"] == day, "score"] if len(chosen) else pd.Series(dtype=float)
        out.append({"date": day, "median": float(scores.median()) if len(scores) else None, "rated": int(len(scores))})
    return pd.DataFrame(out, columns=["date", "median", "rated"])


# ---- actions ------------------------------------------------------------------------------------


def _learning_response(
    engine: Engine, source: str, response_id: int | None, ward_code: str | None, problems: list[tuple[str, str]]
) -> int | None:
    """The learning response an action names: required for, and only for, an action from a learning response."""
    if source != "learning_response":
        if response_id is not None:
            problems.append(("learning_response_id", "only an action from a learning response names one"))
        return None
    found = None if response_id is None else stored_response(engine, int(response_id))
    if found is None or (ward_code is not None and str(found["ward_code"]).upper() != ward_code.upper()):
        problems.append(("learning_response_id", "an action from a learning response names a response of its ward"))
        return None
    return int(found["id"])


def add_action(
    engine: Engine,
    app_cfg: AppConfig,
    huddle_cfg: HuddleConfig,
    *,
    ward_code: str,
    text: str,
    owner_role: str,
    actor: Actor,
    due_at: datetime | None = None,
    huddle_date: date | None = None,
    now: datetime | None = None,
    source: str = "huddle",
    learning_response_id: int | None = None,
) -> int:
    """Check and store a new open action (version 1), with its audit row; return its id.

    Huddles, accreditation visits and learning responses keep their actions in this one list; ``source`` says
    which, and an action from a learning response names it (``learning_response_id``, a response of the ward).
    """
    moment = utc_moment(now)
    today = london_today(moment)
    problems: list[tuple[str, str]] = []
    if due_at is not None and due_at.tzinfo is None:
        problems.append(("due_at", "the due time must carry its time zone"))
        due_at = None
    elif due_at is not None and due_at < moment - timedelta(minutes=15):
        problems.append(
            ("due_at", f"the due time {_london(due_at):%H:%M %d %b} has already passed; choose a later time")
        )
    row_ward = _ward(app_cfg, ward_code, problems)
    row: dict[str, Any] = {
        "ward_code": row_ward,
        "text": one_line_text(
            "text",
            text,
            huddle_cfg.huddle.comment_max_chars,
            problems,
            required=True,
            what="what could go wrong and the action",
        ),
        "owner_role": _code("owner_role", owner_role, huddle_cfg.role_codes, problems, what="the owner's role"),
        "due_at": due_at,
        "status": "open",
        "created_on": _huddle_date(
            today if huddle_date is None else huddle_date, today, huddle_cfg.huddle.late_entry_days, problems
        ),
        "created_at": moment,
        "closed_at": None,
        "device": actor.device,
        "version": 1,
        "source": _code("source", source, ACTION_SOURCES, problems, what="where the action came from"),
        "learning_response_id": _learning_response(engine, source, learning_response_id, row_ward, problems),
    }
    if problems:
        raise HuddleInputError(problems)
    return insert_action(engine, row, actor, moment)


def set_action_status(
    engine: Engine, *, action_id: int, expected_version: int, status: str, actor: Actor, now: datetime | None = None
) -> dict[str, Any]:
    """Close an open action as done or cancelled, if it is still at ``expected_version``; return it as now stored.

    Raises StaleEditError (nothing saved) when another device changed it first, HuddleInputError for a status
    that is not a closing one or an action already closed.
    """
    moment = utc_moment(now)
    if status not in ACTION_STATUSES or status == "open":
        raise HuddleInputError([("status", f"an action is closed as done or cancelled, got {status!r:.20}")])
    before = action(engine, action_id)  # read outside the write transaction: the write below starts with the UPDATE
    if before is None or before["version"] != expected_version:
        raise StaleEditError(action_id, expected_version, before)
    if before["status"] != "open":
        raise HuddleInputError([("status", f"action #{action_id} is already {before['status']}")])
    changes = {"status": status, "closed_at": moment, "version": expected_version + 1}
    applied, stored = change_action_if_unchanged(
        engine,
        action_id=action_id,
        expected_version=expected_version,
        changes=changes,
        before=before,
        actor=actor,
        audit_action=f"action.{status}",
        at=moment,
    )
    if not applied or stored is None:  # another device's change landed between the read and the update: say so
        raise StaleEditError(action_id, expected_version, stored)
    return stored


def actions_for_huddle(engine: Engine, ward_code: str, huddle_date: date) -> pd.DataFrame:
    """The huddle's list: every action still open that was raised on or before ``huddle_date`` (``carried_over`` when
    raised earlier),
    then the ones closed on that date. Open first, oldest first."""
    start = datetime.combine(huddle_date, datetime.min.time(), LONDON).astimezone(timezone.utc)
    end = start + timedelta(days=1, hours=1)  # a clock-change day is 23 or 25 hours; the date test below is exact
    frame = open_or_closed_between(engine, ward_code, huddle_date, start, end)
    if frame.empty:
        return frame.assign(carried_over=pd.Series(dtype=bool))
    closed_today = frame["closed_at"].map(
        lambda t: t is not None and not pd.isna(t) and _london(t).date() == huddle_date
    )
    frame = frame[(frame["status"] == "open") | closed_today].copy()
    frame["carried_over"] = frame["created_on"] < huddle_date
    frame["_order"] = (frame["status"] != "open").astype(int)
    return frame.sort_values(["_order", "created_on", "id"]).drop(columns="_order").reset_index(drop=True)


# ---- export -------------------------------------------------------------------------------------


def _export_times(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for col in columns:
        out[col] = out[col].map(lambda t: "" if t is None or pd.isna(t) else _london(t).isoformat(timespec="seconds"))
    return out


def ratings_export(engine: Engine, ward_code: str, start: date, end: date) -> pd.DataFrame:
    """A ward's ratings for a CSV: times as London ISO 8601, no personal data (role and device label only)."""
    return _export_times(ratings(engine, ward_code, start, end), ["created_at"])


def actions_export(engine: Engine, ward_code: str) -> pd.DataFrame:
    """Every action of a ward, open and closed, for a CSV: times as London ISO 8601."""
    return _export_times(actions_of_ward(engine, ward_code), ["due_at", "created_at", "closed_at"])


@dataclass(frozen=True)
class HuddleSummary:
    """What a wall screen or the executive grid shows of one ward's huddle today."""

    ward_code: str
    counts: dict[int, int]
    median: float | None
    rated: int
    open_actions: int


def huddle_summaries(
    engine: Engine, ward_codes: Iterable[str], on: date, kind: str = "reliability"
) -> list[HuddleSummary]:
    """Per ward, in the order given: today's counts per score, their median, how many rated, and open actions."""
    codes = [str(w) for w in ward_codes]
    given = ratings_on(engine, codes, on, kind)
    open_counts = open_action_counts(engine, codes)
    out = []
    for code in codes:
        scores = given.loc[given["ward_code"] == code.upper(), "score"]
        counts = {s: int((scores == s).sum()) for s in SCORES}
        out.append(
            HuddleSummary(code, counts, median_score(counts), int(len(scores)), open_counts.get(code.upper(), 0))
        )
    return out
