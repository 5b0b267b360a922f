"""Checks for the fields people type into the app, shared by every form that stores an entry.

Why this exists: the huddle's ratings and actions, learning responses, chart annotations and improvement projects
all take a ward, free text and the moment of the entry, and must refuse a bad one the same way: each problem a
(field, message) pair, every problem collected before anything is stored, the same words for the same fault. Each
form keeps its own fields, limits and error class and calls these.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from metrics.errors import UserFacingError

if TYPE_CHECKING:
    from metrics.config.models import AppConfig, Ward
    from metrics.store.audit import Actor

Problems = list[tuple[str, str]]


class EntryRefused(UserFacingError):
    """An entry refused before it reached the store; ``problems`` are (field, message) pairs, all of them."""

    def __init__(self, problems: Problems):
        self.problems = list(problems)
        super().__init__("Not saved: " + "; ".join(message for _, message in self.problems))


def utc_moment(now: datetime | None = None) -> datetime:
    """The moment of an entry: ``now`` (which must carry its time zone) or the clock, in UTC."""
    moment = now or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        raise ValueError("now must carry its time zone")
    return moment.astimezone(timezone.utc)


def known_ward(app_cfg: AppConfig, ward_code: Any, problems: Problems) -> Ward | None:
    """The configured ward ``ward_code`` names (any case); a problem, and None, when there is none."""
    ward = app_cfg.ward(str(ward_code)) if ward_code not in (None, "") else None
    if ward is None:
        problems.append(("ward_code", f"ward {str(ward_code)[:20]!r} is not in config/wards.yaml"))
    return ward


def one_line_text(
    field: str, value: Any, max_chars: int, problems: Problems, *, what: str, required: bool = False
) -> str | None:
    """The text with control characters and runs of spaces made one space (None when empty); a problem when it is
    required and empty, or longer than ``max_chars``."""
    text = "" if value is None else " ".join(str(value).split())
    if not text:
        if required:
            problems.append((field, f"{what} is required"))
        return None
    if len(text) > max_chars:
        problems.append((field, f"{what} is {len(text)} characters; at most {max_chars} are kept"))
        return None
    return text


def entered_by(actor: Actor, moment: datetime) -> dict[str, Any]:
    """The columns that say who entered a row and when: author (at most 120 characters), device, created_at."""
    return {"author": actor.label[:120], "device": actor.device, "created_at": moment}
