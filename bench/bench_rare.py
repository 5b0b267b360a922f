"""Rare-event charts and the improvement board's executive count: how long they take, printed as a table.

g and t charts (metrics.spc.rare) over many events, and ``board_counts`` (one chart per active project, each
reading its measure's stored history) over a store of synthetic daily extracts with a project on every ward.
Run: python bench/bench_rare.py [--days 30]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from metrics.config.load import load_config  # noqa: E402
from metrics.config.models import DEFAULT_CONFIG_DIR  # noqa: E402
from metrics.improvement.projects import add_cycle, board_counts, open_project  # noqa: E402
from metrics.pipeline import refresh  # noqa: E402
from metrics.spc.rare import g_chart, t_chart  # noqa: E402
from metrics.store.audit import Actor  # noqa: E402
from metrics.store.database import make_engine, migrate  # noqa: E402
from metrics.synthetic.trust import generate_trust  # noqa: E402


def _timed(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    print("| chart | events | best of 3 s |")
    print("|---|---|---|")
    for n in (100, 1_000, 10_000):
        days = sorted(date(2000, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 9000, n))
        print(f"| g chart | {n:,} | {_timed(lambda days=days: g_chart(days, as_of=date(2026, 1, 1))):.3f} |")
        start = datetime(2000, 1, 1)
        times = list(start + timedelta(hours=float(h)) for h in np.cumsum(rng.exponential(200.0, n)) + 1)
        print(f"| t chart | {n:,} | {_timed(lambda times=times: t_chart(times)):.3f} |")

    cfg = load_config(DEFAULT_CONFIG_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'store.sqlite'}")
        migrate(engine)
        end = date.today() - timedelta(days=1)
        for folder in generate_trust(Path(tmp) / "extracts", days=args.days, end=end, fmt="parquet"):
            refresh(folder, cfg, engine)
        now = datetime.now(timezone.utc)
        for ward in cfg.wards.wards:
            pid = open_project(
                engine,
                cfg,
                ward_code=ward.code,
                title="Fewer falls",
                problem="Falls at night",
                metric_id="falls_last_24h",
                target_date=date.today() + timedelta(days=60),
                change_ideas=[],
                actor=Actor("device-bench"),
                now=now,
            )
            add_cycle(engine, project_id=pid, cycle_date=end - timedelta(days=7), note="x", actor=Actor("d"), now=now)
        seconds = _timed(lambda: board_counts(engine, cfg, date.today()))
        counts = board_counts(engine, cfg, date.today())
        print()
        print("| store | projects | days of history | board_counts best of 3 s | active | improving |")
        print("|---|---|---|---|---|---|")
        row = [len(cfg.wards.wards), args.days, f"{seconds:.2f}", counts.active, counts.showing_improvement]
        print("| SQLite | " + " | ".join(str(v) for v in row) + " |")
        engine.dispose()


if __name__ == "__main__":
    main()
