"""The dashboard (`jygproj dashboard`): what one session costs (issue 17: every page load starts a
kernel of about 300 MB). The server runs with its defaults (10,000 Monte Carlo draws, the embedded
sample); each run opens the page as a browser's first request does (the kernel starts and runs the
planner), measures that kernel's memory, and leaves the page as the browser does (Voilà's shutdown
request), so every run starts a new kernel. Timed: the page load.

Run alone: `.venv/bin/python -m benchmarks dashboard`.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import dashboard_server
from benchmarks.harness import Case, Measured

TOKEN = "bench-dashboard"


def _setup() -> dict:
    log = Path(tempfile.mkdtemp(prefix="bench_dashboard_")) / "server.log"
    proc, base = dashboard_server.start(["--token", TOKEN], log)
    return {"proc": proc, "base": base, "kernel_mib": [], "kernel_uss_mib": [], "server_mib": []}


def _session(state: dict) -> Measured:
    import psutil

    start = time.perf_counter()
    status, kernel_id = dashboard_server.open_page(state["base"], TOKEN)
    wall = time.perf_counter() - start
    if status != 200:
        raise RuntimeError(f"page refused ({status}): {kernel_id[:300]}")
    (kernel,) = dashboard_server.kernels(state["proc"])
    mem = kernel.memory_full_info()
    state["kernel_mib"].append(mem.rss / 2**20)
    state["kernel_uss_mib"].append(mem.uss / 2**20)
    server = psutil.Process(state["proc"].pid).children()[0]  # the Voilà process below the command
    state["server_mib"].append(server.memory_info().rss / 2**20)
    dashboard_server.leave_page(state["base"], TOKEN, kernel_id)
    deadline = time.monotonic() + 30
    while dashboard_server.kernels(state["proc"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return Measured(wall, value=kernel_id)


def _report(state: dict, _last) -> str:
    gone = not dashboard_server.kernels(state["proc"])
    dashboard_server.stop(state["proc"])
    med = statistics.median
    return (f"memory per session (the kernel after the page loaded): RSS median {med(state['kernel_mib']):.0f} MiB "
            f"(min {min(state['kernel_mib']):.0f}, max {max(state['kernel_mib']):.0f}), unique to it (USS) "
            f"{med(state['kernel_uss_mib']):.0f} MiB; Voilà server {med(state['server_mib']):.0f} MiB; "
            f"{len(state['kernel_mib'])} sessions, each kernel gone after leaving the page: {gone}")


def cases():
    return [
        Case("dashboard session: page load and kernel memory", setup=_setup, run=_session, repeat=5, check=_report,
             note="jygproj dashboard with its defaults (10,000 draws, embedded sample); one kernel per page"),
    ]
