"""`jygproj dashboard` as a subprocess on a free loopback port: for the dashboard benchmark and tests."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from jygproj import paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def status(url: str, timeout: float = 30) -> tuple[int, str]:
    """Status and Location of a GET, redirects not followed."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as resp:
            return resp.status, resp.headers.get("Location", "")
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Location", "")


def start(args: list[str], log: Path, wait_s: float = 90) -> tuple[subprocess.Popen, str]:
    """Start ``jygproj dashboard --port <free> *args`` (output to ``log``); return the process and
    its base URL once it answers."""
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "jygproj", "dashboard", "--port", str(port), *args],
                                cwd=paths.ROOT, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dashboard exited early:\n{log.read_text(errors='replace')}")
        try:
            status(base + "/login")
            return proc, base
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    stop(proc)
    raise RuntimeError(f"dashboard did not start in {wait_s:.0f} s:\n{log.read_text(errors='replace')}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def kernels(proc: subprocess.Popen) -> list:
    """The kernel processes below the dashboard (psutil.Process objects)."""
    import psutil

    try:
        below = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    out = []
    for p in below:
        try:
            if "ipykernel_launcher" in " ".join(p.cmdline()):
                out.append(p)
        except psutil.Error:
            continue
    return out


def open_page(base: str, token: str, timeout: float = 180) -> tuple[int, str]:
    """GET the page as a browser's first request does (the kernel starts and runs the planner):
    (status, the page's kernel id) or (status, the page's text) when refused."""
    try:
        with urllib.request.urlopen(f"{base}/?token={token}", timeout=timeout) as resp:
            page = resp.read().decode("utf-8")
            return resp.status, re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', page)[1]
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


def leave_page(base: str, token: str, kernel_id: str) -> int:
    """What the page does when the browser leaves it (beforeunload): Voilà's shutdown request."""
    req = urllib.request.Request(f"{base}/voila/api/shutdown/{kernel_id}?token={token}", method="POST", data=b"")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status


def kernel_ids(proc: subprocess.Popen) -> set[str]:
    """The ids of the kernels below the dashboard (from their connection file, kernel-<id>.json)."""
    out = set()
    for k in kernels(proc):
        try:
            found = re.search(r"kernel-([0-9a-f-]{36})\.json", " ".join(k.cmdline()))
        except Exception:
            continue
        if found:
            out.add(found[1])
    return out


def wait_preheated(proc: subprocess.Popen, count: int = 1, timeout: float = 180) -> None:
    """Wait until ``count`` kernels run and all of them are idle (the preheated one has run the planner):
    CPU below 5% over half a second, twice in a row."""
    import psutil

    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        ks = kernels(proc)
        if len(ks) >= count:
            try:
                busy = max(k.cpu_percent(interval=0.5) for k in ks)
            except psutil.Error:
                busy = 100
            quiet = quiet + 1 if busy < 5 else 0
            if quiet >= 2:
                return
        else:
            time.sleep(0.3)
    raise RuntimeError(f"no preheated kernel became idle in {timeout:.0f} s")


# --- in a browser (Playwright with Debian's Chromium, every non-local request aborted) -------------------

CHROMIUM = "/usr/bin/chromium"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
VIEWPORT = {"width": 1366, "height": 768}


def offline_page(browser, blocked: list[str]):
    """A 1366×768 page whose requests beyond this machine are aborted and recorded in ``blocked``."""
    from urllib.parse import urlparse

    page = browser.new_page(viewport=VIEWPORT)

    def route(r):
        url = r.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.route("**/*", route)
    return page


def first_paint(page, url: str, timeout_ms: float = 180_000) -> float:
    """Seconds from navigation to the headline (both readings' verdict) being visible: the answer
    painted at once (jygproj.scenario.ui.PlannerUI.first_paint_html) or the live page."""
    start = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=timeout_ms)
    page.wait_for_function("() => [...document.querySelectorAll('.jyg-verdict .jyg-margin')]"
                           ".some(e => e.offsetParent !== null)", timeout=timeout_ms, polling=20)
    return time.perf_counter() - start


def live(page, timeout_ms: float = 180_000) -> float:
    """Wait until the live page (widgets connected to the kernel) shows its headline; seconds waited."""
    start = time.perf_counter()
    page.wait_for_selector("#jyg-headline .jyg-margin", state="visible", timeout=timeout_ms)
    return time.perf_counter() - start


_WATCH_CHART = """() => {
  window.__jyg = {t0: null, t1: null};
  const chart = document.querySelector('.jyg-chart');
  const before = chart.innerHTML;
  document.addEventListener('keydown', () => { window.__jyg.t0 = performance.now(); window.__jyg.t1 = null; },
                            {capture: true, once: true});
  new MutationObserver((_, obs) => {
    if (window.__jyg.t0 !== null && chart.innerHTML !== before) { window.__jyg.t1 = performance.now(); obs.disconnect(); }
  }).observe(chart, {subtree: true, childList: true, characterData: true});
}"""


def slider_move(page, index: int = 0, key: str = "ArrowRight", timeout_ms: float = 30_000) -> float:
    """Seconds from a key press on slider ``index`` to the chart redrawn (timed inside the page)."""
    page.evaluate(_WATCH_CHART)
    handle = page.locator(".widget-slider .noUi-handle").nth(index)
    handle.focus()
    page.keyboard.press(key)
    page.wait_for_function("() => window.__jyg.t1 !== null", timeout=timeout_ms)
    return page.evaluate("() => (window.__jyg.t1 - window.__jyg.t0) / 1000")
