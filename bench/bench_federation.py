"""Federation benchmark: a system hub of 10 trusts x ~100 wards x 365 days on PostgreSQL.

Why this exists: the hub must take in a trust's scheduled bundle within 2 s and draw /system within 1 s
warm, at the size of an integrated care system. Figures are printed, never asserted; they go into
BENCHMARKS.md by hand.

    python bench/bench_federation.py [--trusts 10] [--scale 4] [--days 365] [--db postgresql+psycopg://...]

A trust's year of ward-day values is made up directly (counts drawn around plausible levels for every
metric of config/metrics.yaml, on the shipped wards repeated ``--scale`` times: 4 gives 96 wards), because
simulating 10 trusts' patient rows for a year would take hours and the hub never sees patient rows anyway;
that year's bundle is then sent under each of the ten trusts' codes (re-hashed, as each trust would send it).
Everything after that is the real code: disclosure control and the bundle (``metrics.federation.export``),
the import (``metrics.federation.importer``) and the system view's reads (``metrics.federation.hub_read``).
It times: building and writing a year bundle, importing it (the hub's first load of the trust), importing a
one-month bundle into the full hub (the scheduled export that replaces the month to date) resent unchanged, with
its newest day changed (the daily schedule) and with every day changed (a reloaded month),
the system view's reads cold (after an import) and warm (the app caches them by the newest bundle, so a warm
draw is the app's own rendering, measured with Streamlit's AppTest), and the hub tables' size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from metrics.config.load import load_config  # noqa: E402
from metrics.federation import hub_read  # noqa: E402
from metrics.federation.export import build_values, write_bundle  # noqa: E402
from metrics.federation.importer import import_bundle  # noqa: E402
from metrics.store.database import make_engine, migrate  # noqa: E402
from metrics.federation.bundle import MANIFEST_FILE, write_manifest  # noqa: E402
from metrics.synthetic.system import trust_identity, write_trust_config  # noqa: E402

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def made_up_history(cfg, days: int, end: date, rng: np.random.Generator) -> pd.DataFrame:
    """date, metric_id, ward_code, value, numerator, denominator for every ward, metric and day."""
    wards = [w.code.upper() for w in cfg.wards.wards]
    dates = pd.date_range(end - timedelta(days=days - 1), end, freq="D")
    frames = []
    for metric in cfg.metrics:
        shape = (len(wards), len(dates))
        if metric.ratio is not None:
            den = rng.poisson(25, shape).astype(float)
            num = rng.binomial(den.astype(int), rng.uniform(0.5, 0.95, (len(wards), 1))).astype(float)
            val = np.where(den > 0, num / np.maximum(den, 1), np.nan)
        else:
            num = rng.poisson(rng.uniform(0.5, 12, (len(wards), 1)), shape).astype(float)
            den = np.full(shape, np.nan)
            val = num
        frames.append(
            pd.DataFrame(
                {
                    "date": np.tile(dates.to_numpy(), len(wards)),
                    "metric_id": metric.id,
                    "ward_code": np.repeat(wards, len(dates)),
                    "value": val.ravel(),
                    "numerator": num.ravel(),
                    "denominator": den.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def bumped(history: pd.DataFrame, rows: pd.Series, by: int) -> pd.DataFrame:
    """``history`` with the numerators of ``rows`` raised by ``by`` (never above a ratio's denominator)."""
    out = history.copy()
    raised = out.loc[rows, "numerator"] + by
    out.loc[rows, "numerator"] = np.minimum(raised, out.loc[rows, "denominator"].fillna(np.inf))
    ratio = out["denominator"].notna()
    out.loc[rows & ~ratio, "value"] = out.loc[rows & ~ratio, "numerator"]
    den = out.loc[rows & ratio, "denominator"]
    out.loc[rows & ratio, "value"] = np.where(den > 0, out.loc[rows & ratio, "numerator"] / den.clip(lower=1), np.nan)
    return out


def timed(what: str, fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    print(f"  {what}: {time.perf_counter() - start:.2f} s", flush=True)
    return out, time.perf_counter() - start


def view_reads(engine) -> float:
    """Every read the system view makes for its default screen, cold; returns seconds."""
    start = time.perf_counter()
    system = hub_read.load_hub(engine)
    month = system.months[0]
    variant = next(v for v in system.variants if v.metric_id == "frailty_cfs_recorded")
    for level in ("trust", "site", "ward"):
        hub_read.grid(engine, system, month, level)
    hub_read.funnel_units(engine, system, variant, month, "ward")
    for v in (x for x in system.variants if x.metric_id.startswith("frailty_")):
        for level in ("trust", "ward"):
            hub_read.breakdown(engine, system, v, month, level)
    hub_read.trust_spc(engine, variant)
    return time.perf_counter() - start


def warm_draw(db_url: str, runs: int = 3) -> list[float]:
    """The whole /system script run by Streamlit's AppTest, after a first run filled the caches."""
    from streamlit.testing.v1 import AppTest

    os.environ["DATABASE_URL"] = db_url
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=600)
    at.switch_page("views/system.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        out.append(time.perf_counter() - start)
    return out


def _resent(folder: Path, to: Path, exported_at: datetime) -> Path:
    """The bundle as a later export of the same trust (a newer exported_at), so the hub takes it again."""
    copy = shutil.copytree(folder, to)
    manifest = json.loads((copy / MANIFEST_FILE).read_text())
    manifest.pop("files")
    manifest.update(exported_at=exported_at.isoformat(), trust_code="RX1", trust_name=trust_identity(0)[1])
    write_manifest(copy, manifest)
    return copy


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trusts", type=int, default=10)
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--db", default=None, help="a PostgreSQL URL (default: a new schema in TEST_POSTGRES_URL)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_federation_"))
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    if args.db is None:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db_url = args.db or f"{POSTGRES}?options=-csearch_path%3D{schema}"
    engine = make_engine(db_url)
    migrate(engine)
    end = date(2026, 11, 30)
    rng = np.random.Generator(np.random.PCG64(20261207))
    try:
        config = write_trust_config(ROOT / "config", work / "config", 0, args.scale)
        cfg = load_config(config)
        print(f"one trust's year: {len(cfg.wards.wards)} wards, {args.days} days", flush=True)
        history = made_up_history(cfg, args.days, end, rng)
        (values, first, last), _ = timed(
            f"bundle values and disclosure control ({len(history):,} ward-day values)",
            build_values,
            history,
            cfg,
            end - timedelta(days=args.days - 1),
            7,
        )
        exported = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
        year, _ = timed(
            f"write the bundle ({len(values):,} rows, {int(values['suppressed'].sum()):,} withheld)",
            write_bundle,
            work / "year",
            cfg,
            values,
            first,
            last,
            7,
            exported,
            None,
        )
        size = sum(p.stat().st_size for p in year.folder.iterdir()) / 1e6
        print(f"  bundle size: {size:.1f} MB", flush=True)
        # the same year under each trust's code and name: the hub's import is the real one for every trust
        for index in range(args.trusts):
            code, name, _ = trust_identity(index)
            folder = shutil.copytree(year.folder, work / f"bundle{index}")
            manifest = json.loads((folder / MANIFEST_FILE).read_text())
            manifest.pop("files")
            manifest.update(trust_code=code, trust_name=name)
            write_manifest(folder, manifest)
            timed(f"{code}: import the year bundle (first load of the trust)", import_bundle, engine, folder)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT count(*) FROM hub_values")).scalar_one()
            size = conn.execute(
                text(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                    "c.relnamespace WHERE c.relkind = 'r' AND c.relname LIKE 'hub_%' AND n.nspname = current_schema()"
                )
            ).scalar_one()
        print(f"hub: {rows:,} values, {int(size) / 1e6:.0f} MB with indexes ({args.trusts} trusts x {args.days} days)")
        print(f"store growth per year: {int(size) / 1e6 * 365 / args.days:.0f} MB for {args.trusts} trusts")
        # the scheduled bundle (the month to date) three ways: resent unchanged; with its newest day changed (the
        # daily schedule: a new day, and so new month totals); with every day of the month changed (a trust that
        # reloaded its month). Each run changes what the hub holds, so no run finds the previous one's rows.
        month_start = pd.Timestamp(date(2026, 11, 1))
        newest, month = history["date"] == pd.Timestamp(end), history["date"] >= month_start
        changed = {
            "nothing changed (the same month resent)": [history],
            "the newest day changed (the daily schedule)": [bumped(history, newest, k) for k in (1, 2, 1)],
            "every day of the month changed (the month reloaded)": [bumped(history, month, k) for k in (1, 2, 1)],
        }
        attempt = 0
        for what, variants in changed.items():
            for run in range(3):
                source = variants[run % len(variants)]
                month_values, mfirst, mlast = build_values(source, cfg, date(2026, 11, 1), 7)
                folder = write_bundle(
                    work / f"sent{attempt}", cfg, month_values, mfirst, mlast, 7, exported + timedelta(days=1), None
                ).folder
                attempt += 1
                timed(
                    f"import the month's bundle ({len(month_values):,} rows) into the full hub: {what}, run {run + 1}",
                    import_bundle,
                    engine,
                    _resent(folder, work / f"monthly{attempt}", exported + timedelta(days=2 + attempt)),
                )
        print(f"  system view reads, cold: {view_reads(engine):.2f} s", flush=True)
        print(f"  system view reads, cold again: {view_reads(engine):.2f} s", flush=True)
        draws = warm_draw(db_url)
        print(f"  /system warm draw (AppTest, caches filled): {', '.join(f'{d:.2f}' for d in draws)} s", flush=True)
    finally:
        engine.dispose()
        if args.db is None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
