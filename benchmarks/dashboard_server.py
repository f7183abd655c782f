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
