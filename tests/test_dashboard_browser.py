"""End to end: `jygproj dashboard` in headless Chromium, offline.

Starts the dashboard server as a subprocess on a free port, refuses a request without the token,
opens the page in Debian's Chromium through Playwright with every non-local request aborted (and
recorded: there must be none), moves a slider with the keyboard and sees the headline figures change.
Installs Chromium through scripts/setup.sh --browser when it is missing; skips, saying why, only when
it truly cannot be installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from benchmarks import dashboard_server

from jygproj import paths

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
TOKEN = "test-token-6f2c"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _ensure_chromium() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    subprocess.run(["bash", str(paths.ROOT / "scripts" / "setup.sh"), "--browser"], cwd=paths.ROOT,
                   capture_output=True, timeout=900)
    if Path(CHROMIUM).exists():
        return CHROMIUM
    found = shutil.which("chromium")
    if found:
        return found
    pytest.skip("无法安装 Chromium（需要 root 和 apt-get：sudo apt-get install -y chromium）[no_chromium]")


def _data_dir(tmp_path_factory) -> Path:
    sample = paths.SAMPLE_2023
    if sample.is_dir() and any(sample.glob("*.xlsx")):
        return sample
    out = tmp_path_factory.mktemp("sample")
    subprocess.run([sys.executable, "-m", "jygproj", "sample", str(out)], check=True, capture_output=True,
                   timeout=600)
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = _data_dir(tmp_path_factory)
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    try:
        # a closed page's session ends 3 s after its connection drops (default 60 s): see the slider test
        proc, base = dashboard_server.start(["--token", TOKEN, "--data", str(data), "--draws", "2000",
                                             "--idle-timeout", "3"], log)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield base, proc
    dashboard_server.stop(proc)


def test_request_without_token_is_refused(server):
    base, _ = server
    status, location = dashboard_server.status(base + "/")
    # Voilà/jupyter_server: redirect to the login page (or 403), never the planner itself
    assert status in (302, 403), status
    if status == 302:
        assert "/login" in location


def test_page_loads_offline_and_slider_changes_headline(server):
    base, proc = server
    chromium = _ensure_chromium()
    playwright = pytest.importorskip("playwright.sync_api")
    blocked: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        try:
            page = browser.new_page()

            def route(r):
                host = urlparse(r.request.url).hostname
                if r.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(f"{base}/?token={TOKEN}", timeout=120_000)
            page.wait_for_selector("#jyg-headline .jyg-margin", timeout=180_000)
            before = page.inner_text("#jyg-headline")
            assert "亿元" in before and "达到月份" in before
            # The code is not shown (Voilà hides inputs): no parameters cell text on the page.
            assert "data_dir: str" not in page.content()

            handle = page.locator(".widget-slider .noUi-handle").first
            handle.focus()
            for _ in range(10):  # provincial major pace 1.00 → 1.50 in steps of 0.05
                page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "before => document.querySelector('#jyg-headline').innerText !== before",
                arg=before, timeout=60_000)
            after = page.inner_text("#jyg-headline")
            assert after != before
            # the diff table shows the change (updated right after the headline and the chart)
            page.wait_for_function("() => document.body.innerText.includes('分清单推进倍数')", timeout=60_000)
            # closing the tab ends its session (issue 17: kernels outlived their pages): Voilà's own
            # beforeunload beacon does not reach the server from a closing headless tab, the dropped
            # connection does, and the kernel is culled --idle-timeout seconds later
            assert len(dashboard_server.kernels(proc)) == 1
            page.close(run_before_unload=True)
            deadline = time.monotonic() + 30
            while dashboard_server.kernels(proc) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert dashboard_server.kernels(proc) == []
        finally:
            browser.close()
    assert blocked == [], f"page tried to reach the network: {blocked}"
