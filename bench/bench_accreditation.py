"""Benchmark: loading an audit app's accreditation history with a refresh.

Why this exists: every synthetic extract carries about two years of accreditation visits (one row per question).
The first refresh into an empty store levels and stores them all (one transaction); every later refresh finds them
already held. This prints both times for one scale, beside the whole refresh.
Run: ``PYTHONPATH=. python bench/bench_accreditation.py --scale 1``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from metrics.accreditation.extract_visits import TABLE, load_visits
from metrics.config.load import load_config
from metrics.extract.reader import read_extract
from metrics.extract.validate import validate_extract
from metrics.store.database import ready_engine
from metrics.synthetic.trust import generate_one


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    cfg = load_config()
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate_one(Path(tmp) / "extract", scale=args.scale)
        if args.scale > 1:
            raise SystemExit("scale > 1 needs the region's config (generate-sample --scale N); use --scale 1")
        valid = validate_extract(read_extract(folder, cfg.sources), cfg)
        rows = valid.tables[TABLE]
        engine = ready_engine(f"sqlite:///{Path(tmp) / 'store.sqlite'}")
        now = datetime.now(timezone.utc)
        started = time.perf_counter()
        first = load_visits(engine, cfg, rows, now)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        again = load_visits(engine, cfg, rows, now)
        again_s = time.perf_counter() - started
    assert first is not None and again is not None
    print(
        f"rows {len(rows)}: first load {first.summary()} in {first_s:.2f} s; "
        f"again {again.summary()} in {again_s:.2f} s"
    )


if __name__ == "__main__":
    main()
