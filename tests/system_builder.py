"""A synthetic system for the federation tests: two trusts loaded into their own stores and exported as bundles.

Built the way a deployment does it: ``generate_system`` writes each trust's extracts and config, each trust's
store is filled by ``refresh``, and ``export_bundle`` writes its bundle. A hub is then any store the bundles
are imported into (``hub_from``). The first trust's ward 8D is the planted outlier (it rarely records a
Clinical Frailty Scale score); the second trust's wards are over-dispersed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from metrics.config.load import load_config
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.federation.export import export_bundle
from metrics.federation.importer import import_bundle
from metrics.pipeline import refresh
from metrics.store.database import ready_engine
from metrics.synthetic.system import TrustSample, generate_system

END = date(2026, 11, 30)  # a fixed past day: the system's data does not move with the clock
EXPORTED_AT = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


@dataclass(frozen=True)
class SystemWorld:
    trusts: tuple[TrustSample, ...]
    store_urls: dict[str, str]
    bundles: dict[str, Path]


def build_system(root: Path, *, days: int = 5, end: date = END) -> SystemWorld:
    """Two synthetic trusts, each refreshed into its own SQLite store and exported (whole months from ``end -
    days``)."""
    trusts = generate_system(root / "system", DEFAULT_CONFIG_DIR, trusts=2, days=days, end=end, fmt="csv")
    urls, bundles = {}, {}
    for trust in trusts:
        url = f"sqlite:///{root / (trust.code + '.sqlite')}"
        engine = ready_engine(url)
        cfg = load_config(trust.config)
        for folder in trust.folders:
            refresh(folder, cfg, engine)
        bundles[trust.code] = export_bundle(
            engine, cfg, root / "bundles" / trust.code, since=end - timedelta(days=days - 1), now=EXPORTED_AT
        ).folder
        urls[trust.code] = url
        engine.dispose()
    return SystemWorld(tuple(trusts), urls, bundles)


def hub_from(world: SystemWorld, hub_url: str) -> None:
    """Import every trust's bundle into the hub at ``hub_url``."""
    engine = ready_engine(hub_url)
    for folder in world.bundles.values():
        import_bundle(engine, folder)
    engine.dispose()
