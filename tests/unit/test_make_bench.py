"""``make bench`` runs every benchmark in bench/, not just the first one written."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_bench_runs_every_benchmark_in_bench():
    benchmarks = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "bench").glob("bench_*.py"))
    dry_run = subprocess.run(
        ["make", "--dry-run", "--always-make", "--no-print-directory", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dry_run.returncode == 0, dry_run.stderr
    loop = next(line for line in dry_run.stdout.splitlines() if line.startswith("for b in "))
    assert loop.split(";", 1)[0].split()[3:] == benchmarks
    assert {"bench/bench_refresh.py", "bench/bench_spc.py"} <= set(benchmarks)
