"""What ``report`` runs: the monthly SPC board report, one self-contained HTML file.

Why this exists: the report draws its charts with plotly, which no other
command needs; the parser names this module lazily.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from metrics.config.load import load_config
from metrics.report.board import write_board_report
from metrics.store.database import ready_engine
from metrics.store.url import PROJECT_ROOT


def cmd_report(args: argparse.Namespace) -> int:
    out = Path(args.out or PROJECT_ROOT / "var" / "reports" / f"board-report-{args.month}.html")
    write_board_report(ready_engine(args.db), load_config(Path(args.config)), args.month, out)
    print(f"wrote {out}")
    return 0
