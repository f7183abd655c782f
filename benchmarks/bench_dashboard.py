"""The dashboard (`jygproj dashboard`): what one session costs (issue 17: every page load starts a
kernel of about 300 MB). The server runs with its defaults (the forecast's Monte Carlo draws, the embedded
sample); each run opens the page as a browser's first request does (the kernel starts and runs the
planner), measures that kernel's memory, and leaves the page as the browser does (Voilà's shutdown
request), so every run starts a new kernel. Timed: the page load.

In a browser (issue 18, item 4: "dashboard first paint ≤ 3 s and a slider move to redrawn chart ≤ 0.3 s"):
headless Chromium at 1366×768 with the network off, once the kernel kept preheated is ready —
navigation to the headline visible (first paint), and a key press on a pace slider to the chart
redrawn, timed inside the page (the median of five moves, in the case's note).

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
    (kernel,) = [k for k in dashboard_server.kernels(state["proc"]) if kernel_id in " ".join(k.cmdline())]
    mem = kernel.memory_full_info()
    state["kernel_mib"].append(mem.rss / 2**20)
    state["kernel_uss_mib"].append(mem.uss / 2**20)
    server = psutil.Process(state["proc"].pid).children()[0]  # the Voilà process below the command
    state["server_mib"].append(server.memory_info().rss / 2**20)
    dashboard_server.leave_page(state["base"], TOKEN, kernel_id)
    deadline = time.monotonic() + 30
    while kernel_id in dashboard_server.kernel_ids(state["proc"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    state.setdefault("left", []).append(kernel_id)
    return Measured(wall, value=kernel_id)


def _report(state: dict, _last) -> str:
    gone = not dashboard_server.kernel_ids(state["proc"]) & set(state.get("left", []))
    dashboard_server.stop(state["proc"])
    med = statistics.median
    return (f"memory per session (the kernel after the page loaded): RSS median {med(state['kernel_mib']):.0f} MiB "
            f"(min {min(state['kernel_mib']):.0f}, max {max(state['kernel_mib']):.0f}), unique to it (USS) "
            f"{med(state['kernel_uss_mib']):.0f} MiB; Voilà server {med(state['server_mib']):.0f} MiB; "
            f"{len(state['kernel_mib'])} sessions, each kernel gone after leaving the page: {gone}")


def _browser_setup() -> dict:
    from playwright.sync_api import sync_playwright

    log = Path(tempfile.mkdtemp(prefix="bench_dashboard_browser_")) / "server.log"
    proc, base = dashboard_server.start(["--token", TOKEN], log)
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=dashboard_server.CHROMIUM, headless=True,
                                 args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
    return {"proc": proc, "base": base, "pw": pw, "browser": browser, "paint_s": [], "slider_s": [], "blocked": []}


def _browser_session(state: dict) -> Measured:
    dashboard_server.wait_preheated(state["proc"])  # the page a user opens finds a preheated kernel
    page = dashboard_server.offline_page(state["browser"], state["blocked"])
    try:
        paint = dashboard_server.first_paint(page, f"{state['base']}/?token={TOKEN}")
        state.setdefault("live_s", []).append(paint + dashboard_server.live(page))
        page.wait_for_selector(".jyg-chart svg", state="visible")
        for key in ("ArrowRight", "ArrowRight", "ArrowLeft", "ArrowRight", "ArrowLeft"):
            state["slider_s"].append(dashboard_server.slider_move(page, 0, key))
    finally:
        page.close(run_before_unload=True)
    state["paint_s"].append(paint)
    return Measured(paint, value=paint)


def _browser_report(state: dict, _last) -> str:
    state["browser"].close()
    state["pw"].stop()
    dashboard_server.stop(state["proc"])
    med = statistics.median
    slider = state["slider_s"]
    return (f"first paint (navigation to headline visible, preheated kernel): median {med(state['paint_s']):.2f} s "
            f"(min {min(state['paint_s']):.2f}, max {max(state['paint_s']):.2f}; goal <= 3 s); live page (widgets "
            f"connected) median {med(state['live_s']):.2f} s; slider move to "
            f"redrawn chart, timed in the page: median {med(slider) * 1000:.0f} ms (min {min(slider) * 1000:.0f}, "
            f"max {max(slider) * 1000:.0f}; goal <= 300 ms; {len(slider)} moves); requests beyond this machine: "
            f"{len(state['blocked'])}")


def cases():
    return [
        Case("dashboard session: page load and kernel memory", setup=_setup, run=_session, repeat=5, check=_report,
             note="jygproj dashboard with its defaults (forecast's draws, embedded sample); one kernel per page"),
        Case("dashboard in a browser: first paint and slider move", setup=_browser_setup, run=_browser_session,
             repeat=3, goal_s=3.0, check=_browser_report,
             note="headless Chromium 1366x768, network off; first paint once the preheated kernel is ready"),
    ]
