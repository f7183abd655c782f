"""Papermill runner: notebook + parameters -> reports/<run>/ (executed notebook, offline HTML, manifest).

The executed notebook is the run's audit record (style page: papermill): papermill already stores
the parameters and per-cell timing in its metadata; we add the sha256 of every input file, the
start/end time and the run's output files, and write the same facts to ``manifest.json``.

Atomic by construction: everything is written into a staging directory beside ``out_dir``
(``reports/.2023Q3.staging-xxxx``) and swapped in only when every cell ran and the HTML was made.
A failed run leaves the previous good report untouched and raises :class:`NotebookRunError`
naming the failing cell. Files a notebook writes itself (Excel, letters, summary.json) go to
:func:`output_dir`, which under the runner is that staging directory.

Offline: the HTML report embeds every chart (SVG outputs) and carries no remote script, stylesheet
or font (a government intranet has no internet, design page "Notebook contract").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from jygproj import paths
from jygproj.errors import JygprojError

#: Environment variable through which the runner tells a notebook's kernel where to write its files.
RUN_DIR_ENV = "JYGPROJ_RUN_DIR"
MANIFEST_NAME = "manifest.json"

_ENV_LOCK = threading.Lock()  # os.environ is process-wide: one kernel launch at a time edits it
#: A module import from the network inside a script body: import("https://…") or from "https://…".
_REMOTE_IMPORT = re.compile(r"(?:\bimport\s*\(\s*|\bfrom\s+)[\"'](?:https?:)?//[^\"']+[\"']")
_REMOTE_TAG = re.compile(
    r"<(script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//[^>]*>(?:\s*</script>)?",
    re.IGNORECASE,
)


class RunError(JygprojError, RuntimeError):
    """A run failed; ``code`` is the English code, the message is Chinese."""

    code = "run_failed"


class NotebookRunError(RunError):
    """A cell raised: names the notebook, the cell (index and execution count) and the error."""

    code = "notebook_cell_failed"

    def __init__(self, notebook: Path, cell_index: int | None, exec_count: int | None,
                 ename: str, evalue: str, source: str = ""):
        self.notebook, self.cell_index, self.exec_count = Path(notebook), cell_index, exec_count
        self.ename, self.evalue, self.source = ename, evalue, source
        first_line = next((ln for ln in source.splitlines() if ln.strip()), "")
        # papermill's index counts from 0 and includes the injected-parameters cell
        where = f"第 {cell_index + 1} 个单元格" if cell_index is not None else "未知单元格"
        if exec_count is not None:
            where += f"（执行序号 In[{exec_count}]）"
        super().__init__(
            f"笔记本 {self.notebook.name} 运行失败：{where} 报错 {ename}: {evalue}"
            + (f"；该单元格首行：{first_line}" if first_line else "")
            + "；原有报告保持不变"
        )


class InputChangedError(RunError):
    code = "input_changed_during_run"


@dataclass(frozen=True)
class RunResult:
    run_dir: Path  # the final report directory (out_dir)
    notebook: Path  # executed notebook (audit record)
    html: Path  # offline HTML report, code hidden
    manifest: Path  # manifest.json: parameters, timing, input and output hashes
    seconds: float  # wall time of the run
    outputs: tuple[Path, ...] = field(default=())  # every file of the report


def output_dir(default: str | Path) -> Path:
    """Where a notebook writes its files: the runner's staging directory when run by
    :func:`run_notebook`, else ``default`` (relative paths are taken from the repository root,
    so the same notebook works from JupyterLab, whose working directory is notebooks/)."""
    staged = os.environ.get(RUN_DIR_ENV)
    path = Path(staged) if staged else resolve(default)
    path.mkdir(parents=True, exist_ok=True)
    return path


def resolve(path: str | Path) -> Path:
    """A path parameter as the user means it: absolute as given, relative to the repository root."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (paths.ROOT / p)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_records(files: Iterable[Path], base: Path | None = None) -> list[dict[str, Any]]:
    """sha256 and size of each file; path shown relative to ``base`` (or the repo root) when inside."""
    out = []
    for f in files:
        f = Path(f).resolve()
        out.append({"path": _display(f, base), "sha256": sha256_file(f), "bytes": f.stat().st_size})
    return out


def _display(path: Path, base: Path | None) -> str:
    for root in (base, paths.ROOT):
        if root is not None:
            with contextlib.suppress(ValueError):
                return path.relative_to(root.resolve()).as_posix()
    return str(path)


def remote_references(html: str) -> list[str]:
    """Every tag in an HTML page that would load a script, stylesheet, image or frame from the network."""
    tags = [m.group(0) for m in _REMOTE_TAG.finditer(html)]
    return tags + [m.group(0) for m in _REMOTE_IMPORT.finditer(html)]


_OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
"""


def export_html(nb: Any, *, title: str | None = None) -> str:
    """nbconvert HTML with code hidden and nothing loaded from the network."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        # The lab template also carries a mermaid loader that imports from a CDN inside a script
        # (not a src=, so the tag filter below would not see it): empty that block.
        extra_loaders=[DictLoader({"jygproj_offline.html.j2": _OFFLINE_TEMPLATE})],
        template_file="jygproj_offline.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        # The lab template links require.js and MathJax from a CDN; the report needs neither
        # (charts are inline SVG), so point them nowhere and strip what is left below.
        require_js_url="",
        mathjax_url="",
        jquery_url="",
    )
    if title:
        nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
    body = _REMOTE_TAG.sub("", body)
    body = re.sub(r"<script\b[^>]*\bsrc\s*=\s*[\"']\s*[\"'][^>]*>\s*</script>", "", body, flags=re.I)
    leftover = remote_references(body)
    if leftover:  # never ship a report that needs the internet
        raise RunError(f"HTML 报告仍引用网络资源：{leftover[0][:120]}")
    return body


@contextlib.contextmanager
def _kernel_env(run_dir: Path):
    with _ENV_LOCK:
        old = os.environ.get(RUN_DIR_ENV)
        os.environ[RUN_DIR_ENV] = str(run_dir)
        try:
            yield
        finally:
            if old is None:
                os.environ.pop(RUN_DIR_ENV, None)
            else:
                os.environ[RUN_DIR_ENV] = old


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def run_notebook(
    notebook: Path,
    out_dir: Path,
    parameters: dict[str, Any],
    *,
    inputs: Sequence[Path] = (),
    name: str | None = None,
    keep: Sequence[str] = (),
    kernel_name: str = paths.KERNEL_NAME,
    timeout: int | None = 1800,
) -> RunResult:
    """Execute ``notebook`` with ``parameters`` into ``out_dir`` atomically.

    ``inputs``: the data files the run reads; their sha256 go to the notebook metadata and the
    manifest (and a file that changes during the run fails it). ``name``: base name of the
    executed notebook and HTML (default: the notebook's stem). ``keep``: names of entries of the
    previous report to carry over into the new one (e.g. ``units`` below a city report).
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    notebook = Path(notebook).resolve()
    out_dir = Path(out_dir).resolve()
    name = name or notebook.stem
    inputs = [Path(p).resolve() for p in inputs]
    missing = [str(p) for p in inputs if not p.is_file()]
    if missing:
        raise RunError(f"输入文件不存在：{'、'.join(missing)}")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; a report is meant to be shared
    started, t0 = _now(), time.perf_counter()
    try:
        input_records = file_records(inputs)
        nb = nbformat.read(notebook, as_version=4)
        audit = {
            "run_name": name,
            "notebook": _display(notebook, None),
            "notebook_sha256": sha256_file(notebook),
            "out_dir": _display(out_dir, None),
            "parameters": parameters,
            "started": started,
            "inputs": input_records,
            "kernel": kernel_name,
        }
        nb.metadata["jygproj"] = audit
        nb_path = staging / f"{name}.ipynb"
        try:
            with _kernel_env(staging):
                # no copy saved after every cell (papermill's default: ~50 writes of the growing
                # notebook, issue 18): a failed run's staging directory is thrown away anyway
                executed = pm.execute_notebook(
                    nb, str(nb_path), parameters=parameters, kernel_name=kernel_name,
                    cwd=str(staging), progress_bar=False, execution_timeout=timeout,
                    request_save_on_cell_execute=False,
                )
        except PapermillExecutionError as exc:
            raise NotebookRunError(notebook, exc.cell_index, exc.exec_count, exc.ename,
                                   exc.evalue, exc.source) from None
        after = file_records(inputs)
        changed = [a["path"] for a, b in zip(input_records, after) if a["sha256"] != b["sha256"]]
        if changed:
            more = f"等 {len(changed)} 个文件" if len(changed) > 3 else ""
            raise InputChangedError(f"运行期间输入文件被修改：{'、'.join(changed[:3])}{more}；请在数据不再变动时重新运行")
        seconds = time.perf_counter() - t0
        audit.update(finished=_now(), seconds=round(seconds, 3))
        executed.metadata["jygproj"] = audit
        nbformat.write(executed, nb_path)
        html_path = staging / f"{name}.html"
        html_path.write_text(export_html(executed, title=name), encoding="utf-8")
        outputs = sorted(p for p in staging.rglob("*") if p.is_file())
        manifest = dict(audit, outputs=file_records(outputs, staging))
        manifest_path = staging / MANIFEST_NAME
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        _swap_in(staging, out_dir, keep)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    final = sorted(p for p in out_dir.rglob("*") if p.is_file())
    return RunResult(out_dir, out_dir / nb_path.name, out_dir / html_path.name,
                     out_dir / MANIFEST_NAME, seconds, tuple(final))


def _swap_in(staging: Path, out_dir: Path, keep: Sequence[str]) -> None:
    """Replace out_dir by staging: two renames, the old report restored if the second fails."""
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    moved = []
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}-{time.time_ns()}")
    try:
        for entry in keep:  # carried over first, so the new report is complete the moment it appears
            if (out_dir / entry).exists() and not (staging / entry).exists():
                os.replace(out_dir / entry, staging / entry)
                moved.append(entry)
        os.replace(out_dir, old)
        try:
            os.replace(staging, out_dir)
        except BaseException:
            os.replace(old, out_dir)
            raise
    except BaseException:
        for entry in moved:  # give the old report back what was lent to the new one
            if (staging / entry).exists():
                os.replace(staging / entry, out_dir / entry)
        raise
    shutil.rmtree(old, ignore_errors=True)
