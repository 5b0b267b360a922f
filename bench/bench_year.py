"""A year of history: SPC for every series, the executive view, the board report and the store's size per day.

Why this exists: the demo store (``python -m metrics demo --days 365``) holds what a trust keeps after a year, and
the views and the board report must stay quick on it. This measures, on a store that is already filled (SQLite or
PostgreSQL), each figure in its own fresh process, ``--runs`` times, and prints the median with every run's wall
and CPU time (the machine is shared, so CPU time, every thread of the process, says more than wall time).
Nothing is asserted: the figures go into BENCHMARKS.md by hand.

    python bench/bench_year.py [--db URL] [--runs 3] [--month 2026-11]

Without ``--db`` it uses var/bench/year.sqlite, filled first by ``python -m metrics demo --days 365`` when it is
missing (about 15 minutes on the 2-core machine).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _child_spc(db: str, config_dir: str) -> None:
    from metrics.config.load import load_config
    from metrics.store.database import ready_engine
    from metrics.store.spc_history import spc_for_store

    cfg = load_config(Path(config_dir))
    engine = ready_engine(db)
    cpu, start = time.process_time(), time.perf_counter()
    result = spc_for_store(engine, cfg)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"wall": wall, "cpu": cpu, "series": len(result.summary)}))


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds and CPU seconds (the child's user + system) of one process, and its last line of output."""
    before = os.times()
    start = time.perf_counter()
    out = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = os.times()
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: {out.stderr[-2000:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, out.stdout.strip().splitlines()[-1]


def store_size_mb(db: str) -> float:
    """The store's size on disk: the SQLite file (with its write-ahead log), or the PostgreSQL database."""
    if db.startswith("sqlite:///"):
        path = Path(db.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file()) / 1e6
    from sqlalchemy import text

    from metrics.store.database import make_engine

    with make_engine(db).connect() as conn:
        return float(conn.execute(text("select pg_database_size(current_database())")).scalar_one()) / 1e6


def _days_and_wards(db: str, config_dir: Path) -> tuple[int, int]:
    """Days of history (one snapshot a day in the demo store) and the configuration's wards."""
    from sqlalchemy import text

    from metrics.config.load import load_config
    from metrics.store.database import make_engine

    with make_engine(db).connect() as conn:
        days = int(conn.execute(text("select count(*) from snapshots")).scalar_one())
    return days, len(load_config(config_dir).wards.wards)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="a filled store (default: var/bench/year.sqlite, made if missing)")
    parser.add_argument("--config", default=str(ROOT / "config"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--month", default=None, help="the board report's month (default: the last full month)")
    parser.add_argument("--child-spc", action="store_true")
    args = parser.parse_args()
    if args.child_spc:
        _child_spc(args.db, args.config)
        return
    if args.db is None:
        store = ROOT / "var" / "bench" / "year.sqlite"
        args.db = f"sqlite:///{store}"
        if not store.exists():
            store.parent.mkdir(parents=True, exist_ok=True)
            demo = [sys.executable, "-m", "metrics", "demo", "--days", "365", "--db", args.db, "--create-store"]
            subprocess.run(demo + ["--config", args.config], check=True, cwd=ROOT)
    env = {**os.environ, "DATABASE_URL": args.db, "WARD_DASHBOARD_CONFIG": args.config, "PYTHONPATH": str(ROOT)}
    days, wards = _days_and_wards(args.db, Path(args.config))
    size = store_size_mb(args.db)
    print(f"store: {days} days, {wards} wards, {size:.0f} MB: {size / days / wards * 100:.2f} MB per day per 100 wards")

    spc = [
        json.loads(_timed([sys.executable, __file__, "--child-spc", "--db", args.db], env)[2]) for _ in range(args.runs)
    ]
    print(
        f"SPC for every series ({spc[0]['series']}): median wall {statistics.median(r['wall'] for r in spc):.2f} s, "
        f"CPU {statistics.median(r['cpu'] for r in spc):.2f} s (runs: "
        + ", ".join(f"{r['wall']:.2f}/{r['cpu']:.2f}" for r in spc)
        + ")"
    )

    views = [
        json.loads(_timed([sys.executable, str(ROOT / "bench" / "bench_views.py"), "--child", "exec"], env)[2])
        for _ in range(args.runs)
    ]
    for key in ("first", "warm", "new"):
        figures = [r[key] if isinstance(r[key], float) else statistics.median(r[key]) for r in views]
        cpus = [r[f"{key}_cpu"] if key == "first" else statistics.median(r[f"{key}_cpu"]) for r in views]
        print(
            f"executive view {key}: median wall {statistics.median(figures):.2f} s, "
            f"CPU {statistics.median(cpus):.2f} s "
            "(runs: " + ", ".join(f"{f:.2f}/{c:.2f}" for f, c in zip(figures, cpus, strict=True)) + ")"
        )

    from datetime import date, timedelta

    month = args.month or (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    out = ROOT / "var" / "bench" / f"board-report-{month}.html"
    report = [
        _timed(
            [
                sys.executable,
                "-m",
                "metrics",
                "report",
                "--month",
                month,
                "--db",
                args.db,
                "--config",
                args.config,
                "--out",
                str(out),
            ],
            env,
        )
        for _ in range(args.runs)
    ]
    print(
        f"board report {month} (whole process): median wall {statistics.median(r[0] for r in report):.2f} s, "
        f"CPU {statistics.median(r[1] for r in report):.2f} s; {out.stat().st_size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
