"""``python -m metrics safety-case``: the parser; the report is written by ``metrics.cli.safety_case_report``.

Why this exists: the report in docs/safety/ must match the hazard log, and
every test a hazard cites must exist. The parser names its handler lazily, so
the rest of the command line never loads the hazard log's models.
"""

from __future__ import annotations

import argparse

from metrics.cli.lazy import lazy
from metrics.store.url import PROJECT_ROOT


def add_safety_case_subcommand(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register ``safety-case`` on the main parser's subcommands."""
    p = sub.add_parser(
        "safety-case",
        help="check the hazard log (docs/safety/hazards/) and write the clinical safety case report",
    )
    p.add_argument(
        "--root", default=str(PROJECT_ROOT), help="project root holding docs/ and tests/ (default: this one)"
    )
    p.add_argument("--hazards", default=None, help="hazard log folder (default: ROOT/docs/safety/hazards)")
    p.add_argument("--out", default=None, help="report file (default: ROOT/docs/safety/safety-case-report.md)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if the report is out of date")
    p.set_defaults(func=lazy("metrics.cli.safety_case_report:cmd_safety_case"))
    return p
