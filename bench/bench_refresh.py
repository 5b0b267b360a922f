"""Refresh benchmark: a full refresh against a plain pyarrow parse of the same files.

Why this exists: the speed goal (a refresh within 3x the raw-parse floor, cost
growing linearly with rows) is measured here and printed, never asserted in a
timed test. Each measurement runs in its own process so peak memory (max RSS)
is that run's alone. Figures go into BENCHMARKS.md by hand.

    python bench/bench_refresh.py [--scales 1 5 25] [--out bench/out] [--no-next-day]

Besides a first load into an empty store, it times the daily case: a day's
extract loaded onto a store that holds the day before (the barometer's
history is then mostly unchanged and is not written again).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported in the child processes only, so that each measures its own imports
    from sqlalchemy import Engine

    from metrics.config.models import AppConfig

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _child_parse(folder: str) -> None:
    import pyarrow.parquet as pq

    files = sorted(Path(folder).glob("*.parquet"))
    start = time.perf_counter()
    rows = sum(pq.read_table(p).num_rows for p in files)
    seconds = time.perf_counter() - start  # the floor: a first parse in a fresh process, as a refresh's own read is
    start = time.perf_counter()
    sum(pq.read_table(p).num_rows for p in files)
    warm = time.perf_counter() - start  # the same files again: pyarrow's start-up already paid
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": seconds,
                "warm": warm,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def _timed_refresh(folder: Path, cfg: AppConfig, engine: Engine) -> None:
    """Refresh ``folder`` and print, as JSON, the seconds it took, each stage's seconds and the peak memory."""
    from metrics.pipeline import refresh

    start = time.perf_counter()
    result = refresh(folder, cfg, engine)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "stages": result.seconds, "peak_mb": peak_mb}))


def _child_refresh(folder: str, config_dir: str, db: str) -> None:
    from metrics.config.load import load_config
    from metrics.store.database import make_engine, migrate

    cfg = load_config(Path(config_dir))
    engine = make_engine(db)
    migrate(engine)
    _timed_refresh(Path(folder), cfg, engine)


def _child_next_day(first: str, second: str, config_dir: str, db: str) -> None:
    """The daily case: ``second`` loaded onto a store that already holds ``first`` (the day before); only ``second`` is
    timed."""
    from metrics.config.load import load_config
    from metrics.pipeline import refresh
    from metrics.store.database import make_engine, migrate

    cfg = load_config(Path(config_dir))
    engine = make_engine(db)
    migrate(engine)
    refresh(Path(first), cfg, engine)
    _timed_refresh(Path(second), cfg, engine)


_FLOOR_SCRIPT = (
    "import sys, pathlib, pyarrow.parquet as pq; "
    "print(sum(pq.read_table(p).num_rows for p in sorted(pathlib.Path(sys.argv[1]).glob('*.parquet'))))"
)


def _process_seconds(command: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system of the child) of one whole process."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def whole_process(
    folder: Path, config_dir: Path, db: str, runs: int = 3
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Wall-clock and CPU seconds of whole processes, start-up included on both sides: the floor, a fresh Python
    reading the extract's Parquet files with pyarrow, and ``python -m metrics refresh`` of the same extract into an
    empty store (migrated by that process, as a first run would be). ``runs`` of each, alternating."""
    floors: list[tuple[float, float]] = []
    refreshes: list[tuple[float, float]] = []
    for _ in range(runs):
        floors.append(_process_seconds([sys.executable, "-c", _FLOOR_SCRIPT, str(folder)]))
        if db.startswith("sqlite:///"):
            for suffix in ("", "-wal", "-shm"):
                Path(db.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        command = [sys.executable, "-m", "metrics", "refresh", str(folder), "--config", str(config_dir), "--db", db]
        refreshes.append(_process_seconds(command))
    return floors, refreshes


def _run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 5, 25])
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    parser.add_argument("--db", default=None, help="database URL template; default a fresh SQLite file per scale")
    parser.add_argument(
        "--no-next-day",
        dest="next_day",
        action="store_false",
        help="skip the daily case (a day loaded onto the day before)",
    )
    parser.add_argument(
        "--whole-process",
        type=int,
        default=0,
        metavar="RUNS",
        help="also time RUNS whole processes each: a pyarrow parse and `python -m metrics refresh` (SQLite only)",
    )
    args = parser.parse_args()
    from metrics.synthetic.trust import generate_one
    from metrics.synthetic.wards import write_scaled_wards_yaml

    out = Path(args.out)
    print(
        f"{'scale':>5} {'rows':>10} {'parse s':>8} {'warm s':>7} {'refresh s':>9} {'ratio':>6} {'s/Mrow':>7} "
        f"{'peak MB':>8}  stages"
    )
    for scale in args.scales:
        base = out / f"scale{scale}"
        config_dir = base / "config"
        if not (base / "extract" / "manifest.json").exists():
            import shutil

            config_dir.mkdir(parents=True, exist_ok=True)
            for name in ("clinical.yaml", "metrics.yaml", "dashboard.yaml", "sources.yaml"):
                shutil.copy(ROOT / "config" / name, config_dir / name)
            write_scaled_wards_yaml(ROOT / "config" / "wards.yaml", scale, config_dir / "wards.yaml")
            folder = generate_one(base / "gen", scale=scale, fmt="parquet", wards_yaml=ROOT / "config" / "wards.yaml")
            folder.rename(base / "extract")
        db = args.db or f"sqlite:///{base / 'store.sqlite'}"
        if db.startswith("sqlite:///"):
            Path(db.removeprefix("sqlite:///")).unlink(missing_ok=True)
        parse = _run_child("--child-parse", str(base / "extract"))
        full = _run_child("--child-refresh", str(base / "extract"), str(config_dir), db)
        stages = " ".join(f"{k}={v:.2f}" for k, v in full["stages"].items())
        ratio = full["seconds"] / parse["seconds"]
        print(
            f"{scale:>5} {parse['rows']:>10,} {parse['seconds']:>8.2f} {parse['warm']:>7.2f} {full['seconds']:>9.2f} "
            f"{ratio:>6.1f} {full['seconds'] / parse['rows'] * 1e6:>7.2f} {full['peak_mb']:>8.0f}  {stages}",
            flush=True,
        )
        if args.whole_process and db.startswith("sqlite:///"):
            floors, refreshes = whole_process(
                base / "extract", config_dir, f"sqlite:///{base / 'whole.sqlite'}", args.whole_process
            )
            floor, whole = min(w for w, _ in floors), min(w for w, _ in refreshes)
            floor_cpu, whole_cpu = min(c for _, c in floors), min(c for _, c in refreshes)
            print(
                f"{'':>5} whole processes, best of {args.whole_process} (wall/CPU s): pyarrow parse {floor:.2f}/"
                f"{floor_cpu:.2f} (all: {', '.join(f'{w:.2f}/{c:.2f}' for w, c in floors)}), python -m metrics "
                f"refresh {whole:.2f}/{whole_cpu:.2f} (all: {', '.join(f'{w:.2f}/{c:.2f}' for w, c in refreshes)}), "
                f"ratio {whole / floor:.1f} wall, {whole_cpu / floor_cpu:.1f} CPU",
                flush=True,
            )
        if args.next_day:
            pair = base / "next"
            if not (pair / "done").exists():
                from metrics.synthetic.trust import generate_trust

                generate_trust(pair, wards_yaml=ROOT / "config" / "wards.yaml", days=2, scale=scale, fmt="parquet")
                (pair / "done").touch()
            first, second = sorted(p for p in pair.iterdir() if p.is_dir())
            next_db = args.db or f"sqlite:///{base / 'next.sqlite'}"
            if next_db.startswith("sqlite:///"):
                Path(next_db.removeprefix("sqlite:///")).unlink(missing_ok=True)
            nxt = _run_child("--child-next", str(first), str(second), str(config_dir), next_db)
            stages = " ".join(f"{k}={v:.2f}" for k, v in nxt["stages"].items())
            print(
                f"{'':>5} {'next day onto the day before:':>30} {nxt['seconds']:>9.2f} {'':>6} {'':>7} "
                f"{nxt['peak_mb']:>8.0f}  {stages}",
                flush=True,
            )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-parse":
        _child_parse(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-next":
        _child_next_day(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-refresh":
        _child_refresh(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
