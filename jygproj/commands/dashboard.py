"""`jygproj dashboard [--port N] [--token T] [--data DIR]`: the scenario planner as a local web page.

Voilà serves notebooks/30_scenario_planner.ipynb with the code hidden (Voilà shows outputs and
widgets only), bound to 127.0.0.1, behind a token (generated and printed when not given; a
request without it is sent to the login page). Voilà serves the widget JavaScript from the local
installation and the chart is inline SVG, so the page needs no network (tests/test_dashboard_browser.py
aborts every non-local request and checks the page still works).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from jygproj import paths

NOTEBOOK = paths.NOTEBOOKS / "30_scenario_planner.ipynb"
HOST = "127.0.0.1"  # never listen beyond this machine


def add_parser(sub) -> None:
    p = sub.add_parser(
        "dashboard",
        help="启动情景推演看板（本机网页，需令牌） / serve the scenario planner locally",
        description="用 Voilà 在本机（127.0.0.1）提供情景推演看板：不显示代码，不需联网，访问须带令牌。",
    )
    p.add_argument("--port", type=int, default=8866, help="端口（默认 8866）")
    p.add_argument("--token", default=None, help="访问令牌（默认自动生成并打印）")
    p.add_argument("--data", type=Path, default=None, help="数据目录（默认：内置样例 data/sample/2023）")
    p.add_argument("--as-of", dest="as_of", default=None, help="推演基准月 YYYY-MM")
    p.add_argument("--draws", type=int, default=10_000, help="蒙特卡洛抽样次数（默认 10000）")
    p.set_defaults(func=run)


def prepare_notebook(directory: Path, parameters: dict) -> Path:
    """A copy of the planner notebook with ``parameters`` injected (papermill's own parameterising,
    so the notebook keeps its literal-only contract); the live data and the original stay untouched."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = parameterize_notebook(load_notebook_node(str(NOTEBOOK)), parameters)
    out = Path(directory) / "情景推演看板.ipynb"
    nbformat.write(nb, out)
    return out


TEMPLATE = "jygproj-offline"
_CDN_LINK = re.compile(r"^\s*<link[^>]+href=\"https?://[^\"]*\"[^>]*>\s*$\n?", re.MULTILINE)


def offline_template(directory: Path) -> Path:
    """A Voilà template identical to the installed ``lab`` one minus its remote stylesheet links
    (Font Awesome from a CDN): a government intranet has no internet, and the planner uses no icons.
    Returns the Jupyter data directory to put on JUPYTER_PATH."""
    # where Voilà is installed, without importing it here (0.3 s): the server runs in its own process
    lab = Path(importlib.util.find_spec("voila").origin).resolve().parent
    candidates = [Path(sys.prefix) / "share/jupyter/voila/templates/lab",
                  lab.parent.parent.parent.parent / "share/jupyter/voila/templates/lab"]
    source = next(p for p in candidates if (p / "index.html.j2").is_file())
    root = Path(directory) / "jupyter"
    target = root / "voila" / "templates" / TEMPLATE
    target.mkdir(parents=True, exist_ok=True)
    text = _CDN_LINK.sub("", (source / "index.html.j2").read_text(encoding="utf-8"))
    (target / "index.html.j2").write_text(text, encoding="utf-8")
    (target / "conf.json").write_text(json.dumps({"base_template": "lab"}), encoding="utf-8")
    return root


def voila_command(notebook: Path, port: int, token: str) -> list[str]:
    return [
        sys.executable, "-m", "voila", str(notebook), f"--template={TEMPLATE}",
        "--no-browser", f"--port={port}", f"--Voila.ip={HOST}", f"--token={token}",
        "--VoilaConfiguration.show_tracebacks=False",
        "--Voila.port_retries=0",
    ]


def run(args) -> int:
    if not (0 < args.port < 65536):
        print(f"错误 [bad_port]: 端口应为 1–65535，实际为 {args.port}")
        return 2
    token = args.token or secrets.token_urlsafe(18)
    params = {"draws": args.draws}
    if args.data:
        params["data_dir"] = str(Path(args.data).resolve())
    if args.as_of:
        params["as_of"] = args.as_of
    with tempfile.TemporaryDirectory(prefix="jygproj-dashboard-") as tmp:
        notebook = prepare_notebook(Path(tmp), params)
        url = f"http://{HOST}:{args.port}/?token={token}"
        print(f"情景推演看板：{url}", flush=True)
        print("仅本机可访问；按 Ctrl+C 停止。", flush=True)
        jupyter = offline_template(Path(tmp))
        env = dict(os.environ, PYTHONUNBUFFERED="1",
                   JUPYTER_PATH=os.pathsep.join(filter(None, [str(jupyter), os.environ.get("JUPYTER_PATH")])))
        child = subprocess.Popen(voila_command(notebook, args.port, token), cwd=tmp, env=env)
        # Stopping the command stops the server (and its kernels) too, whether by Ctrl+C or SIGTERM.
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.terminate()
            child.wait(timeout=10)
            return 0
