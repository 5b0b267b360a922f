"""The stores the views benchmark reads: the synthetic region at a scale, with days of history, built once.

Why this exists: building a 600-ward store with 30 days of history takes minutes; the views benchmark
(and anyone profiling a view by hand) reuses it. A store is built the one way data enters the store
(``generate-sample`` then ``refresh``, day by day) and kept under var/bench/ with the configuration that
lists its wards. Its last extract is the latest one before now, so the board it shows is current.

    python bench/view_stores.py --scale 25 --days 30     # prints the store's URL and config folder
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench"


@dataclass(frozen=True)
class BenchStore:
    """A built store: its SQLAlchemy URL and the configuration folder that lists its wards."""

    url: str
    config_dir: Path
    scale: int
    days: int


def latest_extract_day(now: datetime | None = None) -> date:
    """The last day whose synthetic extract (stamped 07:30 London) is not after now."""
    from metrics.rules.clock import LONDON

    now = now or datetime.now(LONDON)
    return now.date() if (now.hour, now.minute) >= (7, 30) else now.date() - timedelta(days=1)


def config_stamp() -> str:
    """A hash of the shipped config/*.yaml: a store built from other configuration is built again."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "config").glob("*.yaml")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def view_store(scale: int, days: int, root: Path = BENCH_DIR) -> BenchStore:
    """The store for ``scale`` and ``days``, built now if it is missing, does not end on the latest day, or was
    built from a different shipped configuration."""
    from metrics.config.load import load_config
    from metrics.pipeline import refresh
    from metrics.store import queries
    from metrics.store.database import ready_engine
    from metrics.synthetic.region_config import write_region_config
    from metrics.synthetic.trust import generate_trust

    end = latest_extract_day()
    folder = root / f"views-s{scale}-d{days}"
    db = folder / "store.sqlite"
    config_dir = folder / "config"
    stamp = folder / "ends_on"
    wanted = f"{end.isoformat()} {config_stamp()}"
    if db.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return BenchStore(f"sqlite:///{db}", config_dir, scale, days)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    write_region_config(ROOT / "config", scale, config_dir)
    cfg = load_config(config_dir)
    extracts = generate_trust(
        folder / "extracts",
        wards_yaml=ROOT / "config" / "wards.yaml",
        clinical_yaml=ROOT / "config" / "clinical.yaml",
        days=days,
        scale=scale,
        end=end,
        fmt="parquet",
    )
    engine = ready_engine(f"sqlite:///{db}")
    for i, extract in enumerate(extracts, 1):
        refresh(extract, cfg, engine)
        print(f"  … scale {scale}: loaded {i}/{len(extracts)}", file=sys.stderr, flush=True)
    assert queries.current_snapshot(engine) is not None
    shutil.rmtree(folder / "extracts")  # the store holds what the views read; the extracts are not needed again
    stamp.write_text(wanted)
    return BenchStore(f"sqlite:///{db}", config_dir, scale, days)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    store = view_store(args.scale, args.days)
    print(store.url, store.config_dir)


if __name__ == "__main__":
    main()
