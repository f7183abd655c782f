"""`jygproj dashboard [--port N] [--token T] [--data DIR]`: the scenario planner as a local web page.

Voilà serves notebooks/30_scenario_planner.ipynb with the code hidden (Voilà shows outputs and
widgets only), bound to 127.0.0.1, behind a token (generated and printed when not given; a
request without it is sent to the login page). Voilà serves the widget JavaScript from the local
installation and the chart is inline SVG, so the page needs no network (tests/test_dashboard_browser.py
aborts every non-local request and checks the page still works).

Sessions end (issue 17): each page runs its own kernel (jygproj.dashboard_kernels); a page closed,
crashed or never connected frees it after ``--idle-timeout`` seconds idle, a page left open and
untouched after ``--open-idle-timeout``, and at most ``--max-sessions`` run at once (one more page
is told so in Chinese). The dashboard writes only saved scenarios, and only into reports/scenarios
(jygproj.scenario.ui.scenario_file).
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
from dataclasses import dataclass
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
    p.add_argument("--draws", type=int, default=0,
                   help="蒙特卡洛抽样次数（默认 0：预测模型的次数，与季度报告的概率相同）")
    d = Sessions()
    p.add_argument("--max-sessions", dest="max_sessions", type=int, default=d.max_sessions,
                   help=f"同时打开的看板页面上限（每个约占 300 MB 内存；默认 {d.max_sessions}）")
    p.add_argument("--idle-timeout", dest="idle_s", type=int, default=d.idle_s, metavar="SECONDS",
                   help=f"页面关闭（或未连上）后，其会话保留的秒数（默认 {d.idle_s}）")
    p.add_argument("--open-idle-timeout", dest="open_idle_s", type=int, default=d.open_idle_s, metavar="SECONDS",
                   help=f"页面仍打开但无人操作时，会话保留的秒数（默认 {d.open_idle_s}，即 30 分钟；0 为不关闭）")
    p.set_defaults(func=run)


@dataclass(frozen=True)
class Sessions:
    """How long dashboard sessions (one kernel per page) live and how many run at once.

    Defaults: a closed page's kernel is gone within about a minute and a half (60 s idle, checked
    every 15 s), a page left open keeps its kernel for half an hour without use, and 8 pages at once
    cost about 2.3 GiB (a kernel: 289 MiB resident, 272 MiB its own; benchmarks/bench_dashboard.py):
    a commission's office, not a public site."""

    max_sessions: int = 8
    idle_s: int = 60
    open_idle_s: int = 1800
    pool: int = 1  # kernels kept preheated (planner run, waiting for a page)
    refill_delay_s: float = 3.0  # after a page took one: lets that page's first paint use the cores

    @property
    def check_every_s(self) -> int:
        """How often idle kernels are looked for: a quarter of the shorter timeout, 1–15 s."""
        return max(1, min(15, self.idle_s // 4))

    def problem(self) -> str | None:
        if self.max_sessions < 1:
            return f"错误 [bad_max_sessions]: --max-sessions 至少为 1，实际为 {self.max_sessions}"
        if self.idle_s < 1 or self.open_idle_s < 0:
            return "错误 [bad_timeout]: --idle-timeout 至少为 1 秒，--open-idle-timeout 不能为负数"
        return None

    def options(self) -> list[str]:
        """Voilà's options for them (jygproj.dashboard_kernels.DashboardKernelManager)."""
        manager = "DashboardKernelManager"
        return [
            "--VoilaConfiguration.multi_kernel_manager_class=jygproj.dashboard_kernels.DashboardKernelManager",
            f"--{manager}.max_kernels={self.max_sessions}",
            f"--{manager}.cull_idle_timeout={self.idle_s}",
            f"--{manager}.cull_interval={self.check_every_s}",
            f"--{manager}.cull_connected=False",
            f"--{manager}.cull_busy=False",
            f"--{manager}.open_idle_timeout={self.open_idle_s}",
            "--VoilaConfiguration.preheat_kernel=True",
            f"--VoilaConfiguration.default_pool_size={self.pool}",
            f"--VoilaKernelManager.fill_delay={self.refill_delay_s}",
        ]


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
LOADING_TEXT = "正在打开情景推演看板，请稍候……"
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
    text = text.replace("{% block data_priority scoped %}", "{% block data_priority scoped %}" + _FIRST_PAINT, 1)
    (target / "index.html.j2").write_text(text, encoding="utf-8")
    (target / "conf.json").write_text(json.dumps({"base_template": "lab"}), encoding="utf-8")
    # the page one session too many gets (jupyter_server renders "<status>.html" first): Chinese only
    (target / "503.html").write_text(_BUSY_PAGE, encoding="utf-8")
    # the loading state in Chinese: Voilà's own macros ("Running …", "Executing 8 of 8") shadowed
    base = source.parent / "base"
    for name, old in (("spinner.macro.html.j2", "Running {{nb_title}}..."),
                      ("voila_setup.macro.html.j2", "`Executing ${cell_index} of ${cell_count}`")):
        text = (base / name).read_text(encoding="utf-8")
        new = LOADING_TEXT if name.startswith("spinner") else f"`{LOADING_TEXT}`"
        (target / name).write_text(text.replace(old, new).replace("`Reading ${cell_index} of ${cell_count}`", new),
                                   encoding="utf-8")
    return root


# The answer painted before Voilà's front end has started (issue 18: headline first): the planner's
# plain-HTML snapshot (jygproj.scenario.ui.PlannerUI.first_paint_html, class jyg-first) is put into the
# loading block the moment its cell arrives; Voilà removes that block when its page is drawn.
_FIRST_PAINT = """{% if output and output.data and 'text/html' in output.data %}{% set h = output.data['text/html'] %}\
{% if h is not string %}{% set h = h | join %}{% endif %}{% if 'jyg-first' in h %}
<template id="jyg-first-paint">{{ h | safe }}</template>
<script>(function () { var l = document.getElementById('loading'); if (!l) return;
  l.style.display = 'block'; l.style.height = 'auto'; l.style.padding = '8px 16px';
  l.replaceChildren(document.getElementById('jyg-first-paint').content.cloneNode(true)); })();</script>
{% endif %}{% endif %}"""

_BUSY_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>情景推演看板</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 15vh auto; line-height: 1.8">
<h2>情景推演看板暂时无法打开</h2><p>{{ message }}</p></body></html>
"""


def voila_command(notebook: Path, port: int, token: str, sessions: Sessions = Sessions()) -> list[str]:
    return [
        sys.executable, "-m", "voila", str(notebook), f"--template={TEMPLATE}",
        "--no-browser", f"--port={port}", f"--Voila.ip={HOST}", f"--token={token}",
        "--VoilaConfiguration.show_tracebacks=False",
        "--Voila.port_retries=0",
        "--Voila.identity_provider_class=jygproj.dashboard_pages.DashboardIdentityProvider",
        *sessions.options(),
    ]


def _duration(seconds: int) -> str:
    return f"{seconds // 60} 分钟" if seconds >= 60 and seconds % 60 == 0 else f"{seconds} 秒"


def run(args) -> int:
    if not (0 < args.port < 65536):
        print(f"错误 [bad_port]: 端口应为 1–65535，实际为 {args.port}")
        return 2
    sessions = Sessions(args.max_sessions, args.idle_s, args.open_idle_s)
    if sessions.problem():
        print(sessions.problem())
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
        print(f"仅本机可访问；同时最多 {sessions.max_sessions} 个页面，关闭的页面约 {_duration(sessions.idle_s)}后释放，"
              + (f"无人操作的页面 {_duration(sessions.open_idle_s)}后关闭" if sessions.open_idle_s else "打开的页面不自动关闭")
              + "；按 Ctrl+C 停止。", flush=True)
        jupyter = offline_template(Path(tmp))
        env = dict(os.environ, PYTHONUNBUFFERED="1",
                   JUPYTER_PATH=os.pathsep.join(filter(None, [str(jupyter), os.environ.get("JUPYTER_PATH")])))
        child = subprocess.Popen(voila_command(notebook, args.port, token, sessions), cwd=tmp, env=env)
        # Stopping the command stops the server (and its kernels) too, whether by Ctrl+C or SIGTERM.
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.terminate()
            child.wait(timeout=10)
            return 0
