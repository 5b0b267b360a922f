"""Views benchmark: each view's server-side first run, warm rerun and new session, and its HTML size.

Why this exists: the boards must stay quick at region scale (600 wards). This drives the real app with
Streamlit's AppTest, server side (no browser), on stores at scale 1 (24 wards) and scale 25 (600 wards)
with 30 days of history (built once by ``bench/view_stores.py`` under var/bench/), and prints a table.
Nothing here is asserted: the figures go into BENCHMARKS.md by hand.

* first run: the view's first run in a fresh process where Streamlit is already imported and has found its
  installed components (as a server does at start-up): the app's own imports, reading the store, every cache
  empty;
* first run, imported: the same, with the app's modules already imported (as once any view has been opened);
* warm rerun: the same session run again (a widget touched, a fragment's timer);
* new session: another browser opening the view in that warm process (shared caches, new session state;
  Streamlit's component registry, which a server builds once at start-up, shared as a server shares it);
* HTML: the bytes of every HTML and Markdown element the view sent.

Each figure is the median of ``--runs`` (default 3) fresh processes; warm and new-session figures are the
median of every run in every process.

    python bench/bench_views.py [--scales 1 25] [--days 30] [--runs 3] [--views huddle wall exec status]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
APP = ROOT / "dashboard" / "app.py"
VIEWS = {
    # view: (page script, query parameters)
    "huddle": (None, {"ward": "7A"}),
    "wall": ("views/wall.py", {"wards": "7A,7B,8C", "rotate": "30"}),
    "exec": ("views/exec.py", {}),
    "status": ("views/status.py", {}),
}


APP_MODULES = (
    "dashboard.common.store_access",
    "dashboard.common.board",
    "dashboard.exec.layout",
    "dashboard.huddle.board",
    "dashboard.wall.screen",
    "dashboard.status.page",
)


def _child(view: str, repeats: int, preimport: bool) -> None:
    import importlib

    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.testing.v1 import AppTest  # the server's own import, before the clock starts

    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)  # a server does this at start-up
    if preimport:
        for module in APP_MODULES:
            importlib.import_module(module)
    page, params = VIEWS[view]

    def opened() -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=300)
        if page:
            at.switch_page(page)
        for key, value in params.items():
            at.query_params[key] = value
        return at

    at = opened()
    at._bidi_component_manager = components
    cpu, start = time.process_time(), time.perf_counter()
    at.run()
    first, first_cpu = time.perf_counter() - start, time.process_time() - cpu
    if at.exception:
        raise SystemExit(f"{view}: {[e.value for e in at.exception]}")
    html = sum(len(e.value.encode()) for e in at.html) + sum(len(e.value.encode()) for e in at.markdown)
    warm, warm_cpu = [], []
    for _ in range(repeats):
        cpu, start = time.process_time(), time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
        warm_cpu.append(time.process_time() - cpu)
    fresh, fresh_cpu = [], []
    for _ in range(repeats):
        other = opened()
        # A server finds Streamlit's installed components once, at start-up; AppTest does it again for every
        # new AppTest (about 1 s of reading package metadata). Share the first one's, as a server's sessions do.
        other._bidi_component_manager = components
        cpu, start = time.process_time(), time.perf_counter()
        other.run()
        fresh.append(time.perf_counter() - start)
        fresh_cpu.append(time.process_time() - cpu)
    print(
        json.dumps(
            {
                "first": first,
                "warm": warm,
                "new": fresh,
                "html": html,
                "first_cpu": first_cpu,
                "warm_cpu": warm_cpu,
                "new_cpu": fresh_cpu,
            }
        )
    )


def _run_child(view: str, env: dict[str, str], runs: int, preimport: bool) -> dict:
    command = [sys.executable, __file__, "--child", view, "--repeats", str(runs)]
    out = subprocess.run(command + (["--preimport"] if preimport else []), env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{view}: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure(view: str, url: str, config_dir: Path, runs: int) -> dict[str, float]:
    env = {**os.environ, "DATABASE_URL": url, "WARD_DASHBOARD_CONFIG": str(config_dir), "PYTHONPATH": str(ROOT)}
    results = [_run_child(view, env, runs, preimport=False) for _ in range(runs)]
    imported = [_run_child(view, env, runs, preimport=True) for _ in range(runs)]
    results += imported
    return {
        "first": statistics.median(r["first"] for r in results[:runs]),
        "first_cpu": statistics.median(r["first_cpu"] for r in results[:runs]),
        "first_imported": statistics.median(r["first"] for r in imported),
        "first_imported_cpu": statistics.median(r["first_cpu"] for r in imported),
        "warm": statistics.median(w for r in results for w in r["warm"]),
        "new": statistics.median(n for r in results for n in r["new"]),
        "warm_cpu": statistics.median(w for r in results for w in r["warm_cpu"]),
        "new_cpu": statistics.median(n for r in results for n in r["new_cpu"]),
        "html": statistics.median(r["html"] for r in results),
    }


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    try:
        kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{cpus} cores{memory}, Python {platform.python_version()}, {platform.system()}, load average {load:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--preimport", action="store_true")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 25])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--views", nargs="+", default=list(VIEWS), choices=list(VIEWS))
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.repeats, args.preimport)
        return
    from bench.view_stores import view_store

    print(f"machine: {machine()}; SQLite store; medians of {args.runs} runs")
    print(
        "| scale | wards | view | first run s (CPU) | first run, imported s (CPU) | warm rerun s (CPU) "
        "| new session s (CPU) | HTML KB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for scale in args.scales:
        store = view_store(scale, args.days)
        for view in args.views:
            m = _measure(view, store.url, store.config_dir, args.runs)
            print(
                f"| {scale} | {24 * scale} | {view} | {m['first']:.2f} ({m['first_cpu']:.2f}) "
                f"| {m['first_imported']:.2f} ({m['first_imported_cpu']:.2f}) | {m['warm']:.3f} ({m['warm_cpu']:.3f}) "
                f"| {m['new']:.3f} ({m['new_cpu']:.3f}) "
                f"| {m['html'] / 1024:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
