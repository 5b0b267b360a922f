"""``python -m metrics safety-case``: regenerate the clinical safety case report from the hazard log.

Why this exists: the report in docs/safety/ must match the hazard log, and
every test a hazard cites must exist. This command checks both and writes the
report; ``--check`` only says whether the committed copy is current, for CI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from metrics.safety.evidence import missing_evidence
from metrics.safety.hazard_log import HazardLogError, load_hazard_log
from metrics.safety.report import HAZARDS_PATH, REPORT_PATH, render_safety_case
from metrics.store.database import PROJECT_ROOT


def build_report(root: Path, hazards_dir: Path) -> str:
    """The report for the hazard log in ``hazards_dir``, after checking every cited test exists under ``root``."""
    hazards = load_hazard_log(hazards_dir)
    problems = missing_evidence(hazards, root)
    if problems:
        raise HazardLogError(problems)
    return render_safety_case(hazards)


def cmd_safety_case(args: argparse.Namespace) -> int:
    root = Path(args.root)
    out = Path(args.out) if args.out else root / REPORT_PATH
    report = build_report(root, Path(args.hazards) if args.hazards else root / HAZARDS_PATH)
    if args.check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != report:
            print(f"{out} is out of date: run python -m metrics safety-case", file=sys.stderr)
            return 1
        print(f"{out} is current")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")
    print(f"wrote {out}")
    return 0


def add_safety_case_subcommand(sub: Any) -> argparse.ArgumentParser:
    """Register ``safety-case`` on the main parser's subcommands."""
    p = sub.add_parser(
        "safety-case",
        help="check the hazard log (docs/safety/hazards/) and write the clinical safety case report",
    )
    p.add_argument("--root", default=str(PROJECT_ROOT), help="project root holding docs/ and tests/ (default: this one)")
    p.add_argument("--hazards", default=None, help="hazard log folder (default: ROOT/docs/safety/hazards)")
    p.add_argument("--out", default=None, help="report file (default: ROOT/docs/safety/safety-case-report.md)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if the report is out of date")
    p.set_defaults(func=cmd_safety_case)
    return p
