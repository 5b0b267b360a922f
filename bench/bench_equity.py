"""What the equity splits add to a refresh: the evaluate stage with and without them, and the rows they store.

Prints figures for BENCHMARKS.md; never run by the tests. ``python bench/bench_equity.py --scale 5``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from metrics.config.load import load_config
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.equity import splits
from metrics.evaluate import engine
from metrics.evaluate.derive import derive
from metrics.extract.reader import read_extract
from metrics.extract.validate import validate_extract
from metrics.synthetic.trust import generate_one
from metrics.synthetic.wards import write_scaled_wards_yaml


def _best(run: object, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = root / "config"
        config.mkdir()
        for f in DEFAULT_CONFIG_DIR.glob("*.yaml"):
            (config / f.name).write_bytes(f.read_bytes())
        write_scaled_wards_yaml(DEFAULT_CONFIG_DIR / "wards.yaml", args.scale, config / "wards.yaml")
        cfg = load_config(config)
        base_wards = DEFAULT_CONFIG_DIR / "wards.yaml"
        folder = generate_one(root / "x", end=date(2026, 12, 7), fmt="parquet", wards_yaml=base_wards, scale=args.scale)
        derived = derive(validate_extract(read_extract(folder, cfg.sources), cfg), cfg)
        with_splits = _best(lambda: engine.evaluate(derived, cfg), args.repeats)
        rows = len(engine.evaluate(derived, cfg).splits)
        original = engine.is_proportion
        engine.is_proportion = lambda *_a: False  # type: ignore[assignment]
        try:
            without = _best(lambda: engine.evaluate(derived, cfg), args.repeats)
        finally:
            engine.is_proportion = original
        assert splits.is_proportion is original
        print(
            f"scale {args.scale}: {len(cfg.ward_codes)} wards, evaluate {without:.2f} s without splits, "
            f"{with_splits:.2f} s with them (+{with_splits - without:.2f} s); {rows:,} split rows stored"
        )


if __name__ == "__main__":
    main()
