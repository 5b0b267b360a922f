"""Errors meant for users, shown without a traceback, each with its exit code.

Why this exists: a ward manager or an integration engineer who feeds the
dashboard a bad file must be told which file, which row or line, what must
hold and how to fix it. Anything else that escapes is a bug.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """Base class: the message is complete and safe to show; ``exit_code`` is what the CLI returns."""

    exit_code = 1


class ConfigError(UserFacingError):
    """One or more configuration problems, each naming file, line and field."""

    exit_code = 3

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("Configuration problems:\n" + "\n".join(f"  - {p}" for p in self.problems))


class ExtractRejected(UserFacingError):
    """A structural fault rejects the whole extract; the previous snapshot stays current."""

    exit_code = 2

    def __init__(self, path: str, problem: str, fix: str):
        self.path = path
        self.problem = problem
        self.fix = fix
        super().__init__(f"Extract rejected: {path}: {problem}. {fix}")
