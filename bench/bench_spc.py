"""Benchmark: SPC charts for a large trust, 120 wards x 40 metrics x 365 days, in one call.

Why this exists: the dashboard recomputes every ward's charts after each
extract; the target is under 5 seconds on 2 cores for 4,800 series and
1.75 million points. Run: ``PYTHONPATH=. python bench/bench_spc.py``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from metrics.spc.xmr import spc_many


def make_frame(wards: int, metrics: int, days: int, seed: int = 1) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Random daily series with a level shift part way, a few gaps, mixed directions and targets."""
    rng = np.random.default_rng(seed)
    n_series = wards * metrics
    series = np.array([f"W{w:03d}|M{m:02d}" for w in range(wards) for m in range(metrics)])
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    level = rng.uniform(5, 100, n_series)
    noise = rng.normal(0, 1, (n_series, days)) * (level[:, None] * 0.1)
    shift_at = rng.integers(days // 2, days, n_series)
    shifted = np.arange(days)[None, :] >= shift_at[:, None]
    values = level[:, None] + noise + shifted * level[:, None] * 0.15
    values[rng.random(values.shape) < 0.01] = np.nan  # about 1% missing days
    frame = pd.DataFrame(
        {
            "series_id": np.repeat(series, days),
            "date": np.tile(dates.to_numpy(), n_series),
            "value": values.ravel(),
            "improvement": np.repeat(rng.choice(["increase", "decrease", "neutral"], n_series), days),
            "target": np.repeat(np.where(rng.random(n_series) < 0.5, level * 1.1, np.nan), days),
        }
    )
    rebase = {sid: [dates[days // 3].date()] for sid in series[::10]}  # every tenth series rebased once
    return frame, rebase


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=120)
    parser.add_argument("--metrics", type=int, default=40)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    frame, rebase = make_frame(args.wards, args.metrics, args.days)
    n_series = args.wards * args.metrics
    print(f"{n_series:,} series, {len(frame):,} points")
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = spc_many(frame, rebase=rebase)
        times.append(time.perf_counter() - start)
    counts = result.points["point_type"].value_counts()
    print("point types:", ", ".join(f"{k}={v:,}" for k, v in counts.items()))
    print(f"spc_many: best {min(times):.2f} s, worst {max(times):.2f} s over {args.repeat} runs")


if __name__ == "__main__":
    main()
