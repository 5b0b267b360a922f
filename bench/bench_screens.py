"""Benchmark: how many matron wall screens one dashboard server keeps refreshed.

Why this exists: a trust puts a wall screen in every ward corridor, each redrawing itself every minute
(``wall_refresh_seconds``). The design says a hundred screens read the same stored rows, cached by snapshot; this
measures what that costs the server. It starts one ``streamlit run`` server on a store, opens N wall sessions
against it as real websocket clients (the browser's own protocol: a ``rerun_script`` message per refresh, the
wall's refreshing fragment named as the browser names it), and times every refresh. It reports the server's CPU
per refresh (psutil on the server's pid, every thread) and the largest N that holds a refresh a minute.

To keep a run short the screens refresh every ``--interval`` seconds (default 6) instead of every 60: N screens
at 6 s ask as much of the server as 10 N screens at 60 s. A load holds when every refresh finished within the
interval and the server's CPU stayed under the machine's cores; the figure for 60 s is the largest load that
held, scaled by 60 / interval. The store is the synthetic region at ``--scale`` (default 1: 24 wards) with two days
of history, built under var/bench/screens-sS/ on the first run. Run: ``PYTHONPATH=. python bench/bench_screens.py``
(about two minutes at the defaults).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
REFRESH_SECONDS = 60  # a wall screen's real refresh (config/dashboard.yaml wall_refresh_seconds)


def build_store(scale: int, days: int) -> tuple[Path, Path]:
    """The synthetic region's store and configuration (built once, reused)."""
    folder = ROOT / "var" / "bench" / f"screens-s{scale}"
    store, config = folder / "store.sqlite", folder / "extracts" / "config"
    if store.exists():
        return store, config
    python = sys.executable
    subprocess.run(
        [python, "-m", "metrics", "generate-sample", "--scale", str(scale), "--days", str(days), "--out",
         str(folder / "extracts")],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [python, "-m", "metrics", "refresh", str(folder / "extracts"), "--config", str(config), "--db",
         f"sqlite:///{store}", "--create-store"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )
    return store, config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(store: Path, config: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{store}", "WARD_DASHBOARD_CONFIG": str(config),
           "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the streamlit server did not start")


def rerun(query: str, fragment_id: str = "") -> bytes:
    """The message a browser sends to run the page (or, with ``fragment_id``, to redraw the wall's fragment)."""
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = "wall"
    if fragment_id:
        msg.rerun_script.fragment_id = fragment_id
        msg.rerun_script.is_auto_rerun = True
    return msg.SerializeToString()


@dataclass
class Screen:
    """One wall screen: a websocket session that redraws itself every ``interval`` seconds."""

    port: int
    query: str
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    fragment_id: str = ""

    async def _run_once(self, ws: websockets.ClientConnection, message: bytes) -> float:
        start = time.perf_counter()
        await ws.send(message)
        while True:
            reply = ForwardMsg()
            reply.ParseFromString(await ws.recv())
            kind = reply.WhichOneof("type")
            if kind == "delta" and reply.delta.fragment_id and not self.fragment_id:
                self.fragment_id = reply.delta.fragment_id
            if kind == "script_finished":
                return time.perf_counter() - start

    async def open(self) -> websockets.ClientConnection:
        """Connect and run the page once (a screen switched on: not counted as a refresh)."""
        url = f"ws://127.0.0.1:{self.port}/_stcore/stream"
        ws = await websockets.connect(url, subprotocols=["streamlit"], max_size=None)  # type: ignore[list-item]
        await self._run_once(ws, rerun(self.query))
        return ws

    async def refresh(self, ws: websockets.ClientConnection, interval: float, seconds: float, offset: float) -> None:
        await asyncio.sleep(offset)  # screens switched on at different moments, not all on the same tick
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            began = time.monotonic()
            try:
                self.latencies.append(
                    await asyncio.wait_for(self._run_once(ws, rerun(self.query, self.fragment_id)), interval * 3)
                )
            except TimeoutError:
                self.failures += 1
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - began)))


async def load(
    port: int, screens: int, interval: float, seconds: float, query: str, process: psutil.Process
) -> tuple[list[Screen], float, float]:
    """N screens switched on, then refreshing for ``seconds``: the screens, and the server's CPU and the wall time
    of the refreshing part only."""
    clients = [Screen(port, query) for _ in range(screens)]
    sockets = await asyncio.gather(*(c.open() for c in clients))
    cpu0, wall0 = server_cpu(process), time.monotonic()
    pairs = enumerate(zip(clients, sockets, strict=True))
    await asyncio.gather(*(c.refresh(ws, interval, seconds, interval * i / screens) for i, (c, ws) in pairs))
    cpu, wall = server_cpu(process) - cpu0, time.monotonic() - wall0
    await asyncio.gather(*(ws.close() for ws in sockets))
    return clients, cpu, wall


def server_cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="region size: wards.yaml repeated (25 = 600 wards)")
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--screens", type=int, nargs="+", default=[2, 8, 24], help="loads N to try, in order")
    parser.add_argument("--interval", type=float, default=6.0, help="seconds between a screen's refreshes")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long each load runs")
    parser.add_argument("--wards", default="7A,7B,8C", help="the wall's wards (?wards=)")
    args = parser.parse_args()

    store, config = build_store(args.scale, args.days)
    port = free_port()
    server = start_server(store, config, port)
    process = psutil.Process(server.pid)
    first, _, _ = asyncio.run(load(port, 1, args.interval, 0, f"wards={args.wards}", process))  # imports, caches
    how = "the wall's own fragment" if first[0].fragment_id else "the whole page (no fragment seen)"
    cores = psutil.cpu_count() or 1
    query = f"wards={args.wards}"
    scale_to_minute = REFRESH_SECONDS / args.interval
    print(f"server pid {server.pid}, {cores} cores, load average {os.getloadavg()[0]:.1f}; store {store.name} at "
          f"scale {args.scale}; wall ?{query}; a refresh every {args.interval:g} s stands for every "
          f"{REFRESH_SECONDS} s ({scale_to_minute:g}x); a refresh reruns {how}")
    print("| screens | as screens at 60 s | refreshes | failed | median s | p95 s | server CPU s per refresh | "
          "server CPU share of cores | holds |")
    print("|---|---|---|---|---|---|---|---|---|")
    held = 0
    per_refresh: list[float] = []
    try:
        for n in args.screens:
            clients, cpu, wall = asyncio.run(load(port, n, args.interval, args.seconds, query, process))
            latencies = sorted(x for c in clients for x in c.latencies)
            failures = sum(c.failures for c in clients)
            refreshes = max(1, len(latencies))
            share = cpu / wall / cores
            p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
            holds = failures == 0 and bool(latencies) and p95 < args.interval and share < 0.9
            per_refresh.append(cpu / refreshes)
            if holds:
                held = max(held, n)
            median = statistics.median(latencies) if latencies else float("nan")
            print(f"| {n} | {n * scale_to_minute:g} | {len(latencies)} | {failures} | {median:.3f} | {p95:.3f} | "
                  f"{cpu / refreshes:.3f} | {share:.0%} | {'yes' if holds else 'no'} |", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    cpu_each = statistics.median(per_refresh)
    print(f"largest load that held: {held} screens at {args.interval:g} s = {held * scale_to_minute:g} screens "
          f"refreshing every {REFRESH_SECONDS} s")
    print(f"server CPU per refresh (median over the loads): {cpu_each:.3f} s; {cores} cores at 90 % allow about "
          f"{int(cores * 0.9 * REFRESH_SECONDS / cpu_each)} refreshes a minute; load average at the end "
          f"{os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
