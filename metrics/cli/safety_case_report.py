"""What ``python -m metrics safety-case`` runs: regenerate the clinical safety case report from the hazard log.

Why this exists: the report in docs/safety/ must match the hazard log, and
every test a hazard cites must exist. This command checks both and writes the
report; ``--check`` only says whether the committed copy is current, for CI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from metrics.safety.evidence import missing_evidence
from metrics.safety.hazard_log import HazardLogError, load_hazard_log
from metrics.safety.report import HAZARDS_PATH, REPORT_PATH, render_safety_case


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
