"""``python -m metrics safety-case``, declared; the report is written by ``metrics.cli.safety_case_report``.

Why this exists: the report in docs/safety/ must match the hazard log, and
every test a hazard cites must exist. The command names its handler lazily, so
the rest of the command line never loads the hazard log's models.
"""

from __future__ import annotations

from metrics.cli.command_table import Command, option
from metrics.store.url import PROJECT_ROOT

SAFETY_CASE = Command(
    "safety-case",
    "metrics.cli.safety_case_report:cmd_safety_case",
    "check the hazard log (docs/safety/hazards/) and write the clinical safety case report",
    (
        option("--root", default=str(PROJECT_ROOT), help="project root holding docs/ and tests/ (default: this one)"),
        option("--hazards", default=None, help="hazard log folder (default: ROOT/docs/safety/hazards)"),
        option("--out", default=None, help="report file (default: ROOT/docs/safety/safety-case-report.md)"),
        option("--check", action="store_true", help="write nothing; exit 1 if the report is out of date"),
    ),
    common=False,
)
