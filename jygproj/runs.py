"""Papermill runner: notebook + parameters -> reports/<run>/ (executed notebook, offline HTML, manifest).

The executed notebook is the run's audit record (style page: papermill): papermill already stores
the parameters and per-cell timing in its metadata; we add the sha256 of every input file, the
start/end time and the run's output files, and write the same facts to ``manifest.json``.

Atomic by construction: everything is written into this run's own staging directory beside
``out_dir`` (``reports/.2023Q3.staging-<pid>-xxxx``, jygproj.outputs) and swapped in, under the
report's lock, only when every cell ran and the HTML was made. A failed run leaves the previous
good report untouched and raises :class:`NotebookRunError` naming the failing cell. Files a
notebook writes itself (Excel, letters, summary.json) go to :func:`output_dir`, which under the
runner is that staging directory.

Never a report on fewer inputs without saying so (issue 17): given the rows loaded per workbook
and sheet (``input_rows``), the runner compares them with those recorded in the report it would
replace and refuses (:class:`FewerInputsError`, naming what shrank) unless told to go on; what
shrank is recorded in the manifest either way.

Offline: the HTML report embeds every chart (SVG outputs) and carries no remote script, stylesheet
or font (a government intranet has no internet, design page "Notebook contract").
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import json
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from jygproj import outputs, paths
from jygproj.errors import JygprojError

#: Environment variable through which the runner tells a notebook's kernel where to write its files.
RUN_DIR_ENV = "JYGPROJ_RUN_DIR"
MANIFEST_NAME = "manifest.json"
_CODED = re.compile(r"^(.*?)\s*\[([a-z][a-z0-9_]*)\]$", re.S)  # a JygprojError: "中文说明 [english_code]"
_HAS_CHINESE = re.compile(r"[\u4e00-\u9fff]")
#: The kernel's own log is kept off the user's terminal (jupyter's IPKernelApp option): its notices
#: are English, and on a loaded machine a kernel slow to exit logs "ERROR | KeyboardInterrupt caught
#: in kernel" when the shutdown interrupts it (seen in tests/test_user_words.py at load 6). A cell's
#: error reaches the user through papermill (NotebookRunError), a kernel that dies as DeadKernelError.
KERNEL_QUIET = "--IPKernelApp.log_level=CRITICAL"
#: No input history kept by a report's kernel (IPython's HistoryManager writes every cell to
#: ~/.ipython's history.sqlite, a commit each, and closes its session there as the kernel exits): the
#: executed notebook is the record of its cells (issue 18: the city run 0.11 s faster, its kernel's
#: exit no longer waited for; the execution counts are the same).
KERNEL_NO_HISTORY = "--HistoryManager.enabled=False"
#: No output cache (IPython's Out[n], _, __): no report reads it, and keeping it made IPython's reset
#: before each report of a lent kernel flush it with a full garbage collection over every object the
#: previous report still held (issue 18). Execution counts and outputs are the same.
KERNEL_NO_OUTPUT_CACHE = "--InteractiveShell.cache_size=0"
#: How a report's kernel runs ipykernel's launcher (in place of the kernelspec's ``-m
#: ipykernel_launcher``): with debugpy kept out. ipykernel imports debugpy as it starts, for its
#: debugger (~60 ms CPU of every kernel start, on the busy first second of a run, issue 18); a
#: report's kernel is never debugged. ipykernel goes on without a debugger when debugpy cannot be
#: imported (its kernel_info then says so; no notebook records it). The analysts' kernelspec is
#: unchanged: their kernels keep the debugger. The cycle collector is off while the kernel starts
#: (:data:`REPORT_KERNEL_STARTED` turns it on again).
REPORT_KERNEL_LAUNCH = ("import gc, runpy, sys; gc.disable(); sys.modules['debugpy'] = None; "
                        "runpy.run_module('ipykernel_launcher', run_name='__main__', alter_sys=True)")
#: The last step of a report kernel's start (IPython's exec_lines: run once the kernel is set up,
#: before it answers anything, in no cell and no history): what its start made frozen, the cycle
#: collector on again. Its start (ipykernel's and IPython's imports, the shell made) ran collections
#: over everything made so far: ~0.05 CPU-s of every kernel start (issue 18); what it made lives as
#: long as the kernel (Python's gc.freeze documentation: disable, then freeze).
REPORT_KERNEL_STARTED = "--IPKernelApp.exec_lines=__import__('gc').freeze(); __import__('gc').enable()"

_ENV_LOCK = threading.Lock()  # os.environ is process-wide: one kernel launch at a time edits it
#: A module import from the network inside a script body: import("https://…") or from "https://…".
#: Each keyword's word boundary is checked after its first letter (``i(?<!\wi)`` is ``\bi``: no word
#: character before the i), so the pattern starts with a letter and the regex engine skips ahead to
#: the next i or f instead of trying a match at every character of the page: the same matches, 8 → 2 ms
#: a report's page (issue 18: every report's HTML is checked).
_REMOTE_IMPORT = re.compile(r"(?:i(?<!\wi)mport\s*\(\s*|f(?<!\wf)rom\s+)[\"'](?:https?:)?//[^\"']+[\"']")
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

    def __reduce__(self):  # whole through pickle (a run in another process hands its error back)
        return (type(self), (self.notebook, self.cell_index, self.exec_count, self.ename, self.evalue, self.source))

    @property
    def cause(self) -> str:
        """What went wrong in one Chinese phrase: the package's own message (its English code dropped),
        or, for any other error, that the calculation itself failed."""
        found = _CODED.match(self.evalue.strip())
        if found and _HAS_CHINESE.search(found.group(1)):
            return found.group(1).rstrip("。；")
        return f"计算程序出错（{self.ename}），请把下方单元格信息交给分析人员"

    def explain(self, what: str) -> str:
        """Two lines for a command's user: one Chinese sentence naming the cause, then the notebook
        cell for the analyst."""
        code = _CODED.match(self.evalue.strip())
        where = f"第 {self.cell_index + 1} 个单元格" if self.cell_index is not None else "未知单元格"
        if self.exec_count is not None:
            where += f"（In[{self.exec_count}]）"
        first = next((ln for ln in self.source.splitlines() if ln.strip()), "")
        return (f"{what}未生成：{self.cause}；原有报告保持不变。\n"
                f"  供分析人员：笔记本 {self.notebook.name} {where}报错 {self.ename}"
                + (f"，该单元格首行：{first}" if first else "")
                + (f" [{code.group(2)}]" if code else f"：{self.evalue}"))


class InputChangedError(RunError):
    code = "input_changed_during_run"


class FewerInputsError(RunError):
    """The run would replace a report built on more inputs (``.shrank`` names what is missing)."""

    code = "fewer_inputs"

    def __init__(self, out_dir: Path, shrank: Sequence[str]):
        self.out_dir, self.shrank = Path(out_dir), list(shrank)
        more = f"等 {len(self.shrank)} 处" if len(self.shrank) > 5 else ""
        super().__init__(f"本次输入比现有报告 {paths.display(self.out_dir)} 所用的少，未替换该报告："
                         f"{'；'.join(self.shrank[:5])}{more}")

    def __reduce__(self):
        return (type(self), (self.out_dir, self.shrank))


class InputErrorsError(RunError):
    """The inputs have errors: a report built on them would leave sheets out (issue 13, publish gate).
    ``.errors`` names each bad cell (the loader's messages); ``--allow-errors`` publishes anyway, with
    the left-out sheets listed on the report's first screen."""

    code = "input_errors"

    def __init__(self, errors: Sequence[str]):
        self.errors = list(errors)
        more = f"（共 {len(self.errors)} 条，其余见 jygproj check）" if len(self.errors) > 5 else ""
        super().__init__(f"输入有 {len(self.errors)} 处错误，本次不生成报告（结果）：" + "；".join(self.errors[:5]) + more)


def left_out_sheets(dataset: Any) -> Any:
    """Every sheet (or workbook) of a data set left out, wholly or partly, for errors, and what it
    holds: file, sheet, list, period, rows_left_out, rows_loaded, completed_wan (its 1-X月 total of
    the rows left out, scheduling tables), annual_plan_wan (registers), errors, first_error. Empty
    when the inputs have no error."""
    import polars as pl

    schema_ = {"file": pl.String, "sheet": pl.String, "list": pl.String, "period": pl.String,
               "rows_left_out": pl.Int64, "rows_loaded": pl.Int64, "completed_wan": pl.Float64,
               "annual_plan_wan": pl.Float64, "errors": pl.Int64, "first_error": pl.String}
    problems = getattr(dataset, "problems", None)
    if problems is None or not problems.height:
        return pl.DataFrame(schema=schema_)
    errors = problems.filter(pl.col("severity") == "error")
    first = {(f, s): m for f, s, m in errors.group_by(["file", "sheet"], maintain_order=True)
             .agg(pl.col("message").first()).iter_rows()}
    rows = []
    for rep in getattr(dataset, "sheets", []) or []:
        if not rep.errors and not rep.rows.get("rejected"):
            continue

        def total(field_name: str) -> float | None:
            values = [v.get(field_name) for v in (rep.by_nature or {}).values() if v.get(field_name) is not None]
            return float(sum(values)) if values else None

        rows.append({"file": Path(rep.path).name, "sheet": rep.sheet, "list": rep.list, "period": rep.period,
                     "rows_left_out": int(rep.rows.get("rejected", 0)), "rows_loaded": int(rep.rows.get("loaded", 0)),
                     "completed_wan": total("completed_ytd_wan"), "annual_plan_wan": total("annual_plan_wan"),
                     "errors": int(rep.errors), "first_error": first.get((rep.path, rep.sheet))})
    seen = {(r["file"], r["sheet"]) for r in rows}
    for (file, sheet), message in first.items():  # a workbook that could not be opened has no sheet report
        if sheet is None and (Path(file).name, None) not in seen:
            rows.append({"file": Path(file).name, "sheet": None, "list": None, "period": None, "rows_left_out": None,
                         "rows_loaded": 0, "completed_wan": None, "annual_plan_wan": None,
                         "errors": int(errors.filter(pl.col("file") == file).height), "first_error": message})
    return pl.DataFrame(rows, schema=schema_)


def publish_gate(problems: Any, allow_errors: bool) -> list[str]:
    """The publish gate of quarterly, reserve and scenario (issue 13): the inputs' errors, each naming
    its cell; refused (:class:`InputErrorsError`) unless ``allow_errors``. Returns the errors let through."""
    errors = input_errors(problems)
    if errors and not allow_errors:
        raise InputErrorsError(errors)
    return errors


def input_errors(problems: Any) -> list[str]:
    """The loader's error messages (each names file, sheet, row, column, what was found and expected)."""
    import polars as pl

    if problems is None or not problems.height:
        return []
    return problems.filter(pl.col("severity") == "error")["message"].to_list()


@dataclass(frozen=True)
class RunResult:
    run_dir: Path  # the final report directory (out_dir)
    notebook: Path  # executed notebook (audit record)
    html: Path  # offline HTML report, code hidden
    manifest: Path  # manifest.json: parameters, timing, input and output hashes
    seconds: float  # wall time of the run
    outputs: tuple[Path, ...] = field(default=())  # every file of the report
    fewer_inputs: tuple[str, ...] = ()  # what the replaced report had and this one lacks (Chinese)
    #: where the report waits to be swapped in (run_notebook's ``stage_in``): None once in run_dir
    staged: Path | None = None


def output_dir(given: str | Path | None, default_name: str = "notebook") -> Path:
    """Where a notebook writes its files: the runner's staging directory when run by
    :func:`run_notebook`, else ``given`` (jygproj.paths.output_folder: reports/<default_name> when empty)."""
    staged = os.environ.get(RUN_DIR_ENV)
    path = Path(staged) if staged else paths.output_folder(given, default_name)
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_parameters(file: Path, allowed: Sequence[str]) -> dict[str, Any]:
    """A standard run's parameter file (notebooks/params/*.yaml): {} when there is none; a duplicate or
    unknown key is refused naming file, line and key (the commands' one reader of parameter files)."""
    from jygproj.reference import check_keys, read_strict

    if not Path(file).exists():
        return {}
    data, lines = read_strict(Path(file))
    data = data or {}
    check_keys(data, file=Path(file), lines=lines, key_path=(), required=set(), optional=set(allowed))
    return dict(data)


def _display(path: Path, base: Path | None) -> str:
    if base is not None:
        with contextlib.suppress(ValueError):
            return Path(path).relative_to(Path(base).resolve()).as_posix()  # path: resolved by file_records
    return paths.display(path)


def file_records(files: Iterable[Path], base: Path | None = None) -> list[dict[str, Any]]:
    """sha256 and size of each file; path shown relative to ``base`` (or the repo root) when inside."""
    from jygproj import catalogue  # (polars: not imported before the command has started its kernel)

    return catalogue.file_records(files, lambda f: _display(f, base))


def read_manifest(run_dir: Path) -> dict[str, Any] | None:
    """The manifest of a report directory (None when there is none or it cannot be read)."""
    with contextlib.suppress(OSError, ValueError):
        return json.loads((Path(run_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
    return None


def fewer_inputs(previous: Mapping[str, Any] | None, rows: Mapping[str, Any]) -> list[str]:
    """What a new run's inputs lack against the report it would replace, one Chinese line each: a
    workbook the previous report read and this run does not, a sheet loaded before and not now, a
    sheet with fewer rows loaded. ``rows`` (and the previous manifest's ``input_rows``):
    {"folder": the data folder, "files": {workbook path in the folder: {sheet: rows loaded}}}.
    Empty when nothing shrank, when there is no previous report, or when it recorded no rows."""
    before = (previous or {}).get("input_rows")
    if not before or not isinstance(before.get("files"), dict):
        return []
    now = rows.get("files", {})
    out = []
    for file, sheets in sorted(before["files"].items()):
        if file not in now:
            out.append(f"工作簿 {file}（上次载入 {sum(sheets.values())} 行）本次没有")
            continue
        for sheet, n in sorted(sheets.items()):
            m = now[file].get(sheet)
            if m is None:
                if n:  # a sheet that gave no rows (说明) is no loss
                    out.append(f"工作簿 {file} 工作表 {sheet} 本次未载入（上次载入 {n} 行）")
            elif m < n:
                out.append(f"工作簿 {file} 工作表 {sheet}：上次载入 {n} 行，本次 {m} 行")
    if out and before.get("folder") != rows.get("folder"):
        out.insert(0, f"数据目录由 {before.get('folder')} 换成了 {rows.get('folder')}")
    return out


def remote_references(html: str) -> list[str]:
    """Every tag in an HTML page that would load a script, stylesheet, image or frame from the network."""
    tags = [m.group(0) for m in _REMOTE_TAG.finditer(html)]
    return tags + [m.group(0) for m in _REMOTE_IMPORT.finditer(html)]


_OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
"""


#: The cell inputs and outputs nbconvert's HTMLExporter makes focusable (tabindex) in its last step.
_FOCUSABLE_DIV = re.compile(r'(<div\b[^>]*\bclass="[^"]*\b(?:jp-OutputArea-output|jp-Cell-inputWrapper)\b[^"]*")')

#: A numeric character reference, decimal or hex (:func:`_non_ascii_char`).
_CHAR_REF = re.compile(r"&#(?:(\d{1,7})|[xX]([0-9a-fA-F]{1,6}));")


def _non_ascii_char(m: re.Match) -> str:
    """The character of a reference to a non-ASCII one; an ASCII one (&#60; is <) stays a reference."""
    code = int(m[1], 10) if m[1] else int(m[2], 16)
    return chr(code) if 128 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m[0]


@functools.cache
def _html_exporter() -> Any:
    """One exporter per process: building one (its templates found and compiled) costs about as
    much as exporting a report, and --all-units exports one report after another (issue 18)."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class OfflineHTMLExporter(HTMLExporter):
        """HTMLExporter.from_notebook_node (nbconvert 7) without its last step, which parses the whole
        page again with BeautifulSoup (half a second a report: the tables and SVG charts are large)
        only to add tabindex to each cell's input and output and an English alt text to each <img> without one (a
        report has none: its charts are inline SVG). The tabindex is added here by pattern."""

        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            # the Markdown renderer writes a heading's Chinese as character references (&#19968;…);
            # BeautifulSoup's round trip wrote them back as characters: so here (only non-ASCII ones,
            # which have no meaning in HTML markup; &lt; and the like stay)
            body = _CHAR_REF.sub(_non_ascii_char, body)
            return _FOCUSABLE_DIV.sub(r'\1 tabindex="0"', body), resources

    return OfflineHTMLExporter(
        # The lab template also carries a mermaid loader that imports from a CDN inside a script
        # (not a src=, so the tag filter below would not see it): empty that block.
        extra_loaders=[DictLoader({"jygproj_offline.html.j2": _OFFLINE_TEMPLATE})],
        template_file="jygproj_offline.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        # the notebook validated once, after the last preprocessor, not after each of the dozen (each
        # validation walks every output: a fifth of a report's export, issue 18); an invalid notebook
        # is refused all the same
        optimistic_validation=True,
        # The lab template links require.js and MathJax from a CDN; the report needs neither
        # (charts are inline SVG), so point them nowhere and strip what is left below.
        require_js_url="",
        mathjax_url="",
        jquery_url="",
    )


#: One export at a time with the one exporter (its filters keep state per export), and a report's
#: export waits for a warm-up still going in another thread (run_notebook's ``meanwhile``).
_EXPORT_LOCK = threading.Lock()


def warm_html() -> None:
    """Build this process's HTML exporter and export a small notebook with it (templates compiled,
    Markdown renderer and highlighter set up: a third of a second), so a report's export that follows
    is only its own work: the command does this while the kernel starts (issue 18)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["language_info"] = {"name": "python"}
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.outputs = [nbformat.v4.new_output("display_data", {"text/html": "<p>一</p>", "text/plain": "一"}),
                    nbformat.v4.new_output("display_data", {"text/markdown": "**一**", "text/plain": "一"})]
    nb.cells = [nbformat.v4.new_markdown_cell("# 一\n\n二、三 **四**"), cell]
    export_html(nb, title="一")


@functools.cache
def _spent_notebook() -> type:
    from nbformat import NotebookNode

    class SpentNotebook(NotebookNode):
        """A notebook given to the exporter and not used after it (export_html's ``spent``). nbconvert
        deep-copies the notebook it exports three times (its exporter, before the preprocessors,
        nbformat's normalize), so that the caller's is left as it was; this one is its own copy, and
        the preprocessors change it in place (issue 18: a report's export 27 → 18 ms, the same HTML)."""

        def __deepcopy__(self, memo: Any) -> "SpentNotebook":
            return self

    return SpentNotebook


def export_html(nb: Any, *, title: str | None = None, spent: bool = False) -> str:
    """nbconvert HTML with code hidden and nothing loaded from the network. ``spent``: ``nb`` is not
    used after this (its cells are then changed in place, not copied first)."""
    if title:
        nb.metadata["title"] = title
    if spent:
        nb = _spent_notebook()(nb)
    with _EXPORT_LOCK:
        body, _ = _html_exporter().from_notebook_node(nb)
    body = _REMOTE_TAG.sub("", body)
    body = re.sub(r"<script\b[^>]*\bsrc\s*=\s*[\"']\s*[\"'][^>]*>\s*</script>", "", body, flags=re.I)
    leftover = remote_references(body)
    if leftover:  # never ship a report that needs the internet
        raise RunError(f"HTML 报告仍引用网络资源：{leftover[0][:120]}")
    return body


def _kernel_environ(run_dir: Path) -> dict[str, str | None]:
    """What the runner sets in a kernel's environment (None: not set): the staging directory, and the
    plans folder ($JYGPROJ_PLANS) made absolute, for the kernel runs in the staging directory."""
    plans = os.environ.get(paths.PLANS_ENV)
    return {RUN_DIR_ENV: str(run_dir), paths.PLANS_ENV: str(paths.resolve(plans)) if plans else None}


@contextlib.contextmanager
def _kernel_env(run_dir: Path):
    """The kernel's environment: the staging directory, and a plans folder ($JYGPROJ_PLANS) made
    absolute (the kernel runs in the staging directory, not the caller's folder)."""
    with _ENV_LOCK:
        saved = {k: os.environ.get(k) for k in (RUN_DIR_ENV, paths.PLANS_ENV)}
        os.environ.update({k: v for k, v in _kernel_environ(run_dir).items() if v is not None})
        try:
            yield
        finally:
            for key, old in saved.items():
                if old is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = old


def _report_kernel_spec(spec: Any) -> Any:
    """A kernelspec as a report's kernel is launched: ipykernel's launcher run by
    :data:`REPORT_KERNEL_LAUNCH` and ended by :data:`REPORT_KERNEL_STARTED` (its interpreter, options
    and environment as given); any other kernelspec as it is."""
    argv = list(spec.argv)
    at = next((i for i in range(len(argv) - 1) if argv[i:i + 2] == ["-m", "ipykernel_launcher"]), None)
    if at is None:
        return spec
    argv[at:at + 2] = ["-c", REPORT_KERNEL_LAUNCH]
    argv.append(REPORT_KERNEL_STARTED)
    return type(spec)(**{**spec.to_dict(), "argv": argv}, resource_dir=spec.resource_dir)


@functools.cache
def _report_kernel_manager() -> type:
    """jupyter_client's AsyncKernelManager for a report's kernel: the installed kernelspec, launched by
    :func:`_report_kernel_spec`. Looked for first in jupyter's kernel folders only: jupyter_client's
    list of folders ends with IPython's own (~/.ipython/kernels), which costs an import of IPython
    (~20 ms of the command's first, busy second, issue 18); looked for there too, as jupyter_client
    would, only when the kernelspec is not in jupyter's."""
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from jupyter_core.paths import jupyter_path
    from traitlets import default

    class ReportKernelSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> Any:
            try:
                spec = KernelSpecManager(parent=self.parent, data_dir=self.data_dir,
                                         kernel_dirs=jupyter_path("kernels")).get_kernel_spec(kernel_name)
            except NoSuchKernel:
                spec = super().get_kernel_spec(kernel_name)
            return _report_kernel_spec(spec)

    class ReportKernelManager(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _report_kernel_specs(self) -> Any:
            return ReportKernelSpecs(data_dir=self.data_dir)

        def client(self, **kwargs: Any) -> Any:
            """nbclient's client of the kernel, its sockets retrying a refused connection promptly
            (:func:`_prompt_context`): papermill connects it as soon as it has launched the kernel."""
            return super().client(**{"context": _prompt_context(asynchronous=True), **kwargs})

    return ReportKernelManager


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


#: Set inside a lent kernel (:class:`LentKernel`): jygproj.workbench.open keeps what it loaded, keyed
#: by the inputs' sha256, for the next report the kernel runs (never in an analyst's own kernel).
LENT_KERNEL_ENV = "JYGPROJ_LENT_KERNEL"


async def _channels_ready(kc: Any, timeout: float | None = None) -> None:
    """nbclient's wait for a client's kernel (jupyter_client's wait_for_ready) for a lent kernel's
    client: a kernel_info request answered on the shell channel and its idle status seen on the output
    channel (so that channel is connected: what is sent from now on reaches this client), as there;
    but not then the wait for 0.2 s without a message that jupyter_client ends with, to pass over
    what is left on the output channel (issue 18: 0.2 s of every report; nbclient passes over
    messages that answer no request of its own). The kernel is up: LentKernel.ready waited for it."""
    from queue import Empty

    deadline = time.monotonic() + (60.0 if timeout is None else timeout)
    while True:
        asked = kc.kernel_info()
        reply = None
        while reply is None and time.monotonic() < deadline:
            try:
                msg = await kc.shell_channel.get_msg(timeout=1.0)
            except Empty:
                if not await kc.is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info") from None
                continue
            if msg["parent_header"].get("msg_id") == asked and msg["msg_type"] == "kernel_info_reply":
                reply = msg
        if reply is None:
            raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        # its idle status on the output channel; none within 0.2 s: not connected yet, asked again
        # (as jupyter_client does: what was published before the channel connected is not received)
        while True:
            try:
                msg = await kc.iopub_channel.get_msg(timeout=0.2)
            except Empty:
                break
            if (msg["parent_header"].get("msg_id") == asked and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                kc._handle_kernel_info_reply(reply)
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


@functools.cache
def _prompt_context(asynchronous: bool = False) -> Any:
    """The zmq context of a report kernel's clients (LentKernel's own; nbclient's, ``asynchronous``),
    their sockets retrying a connection every 10 ms instead of zmq's default 100 ms: a client connects
    as soon as the kernel is launched, before the kernel listens, and its first connection refused was
    tried again only 100 ms later, so the kernel, up and idle, got its first request that much later
    (issue 18: measured 0.30 s → 0.20 s from launch to the warm-up's start, at the same CPU). Only the
    connection is sooner: what is sent and received is the same."""
    import zmq
    import zmq.asyncio

    context = zmq.asyncio.Context() if asynchronous else zmq.Context()
    context.setsockopt(zmq.RECONNECT_IVL, 10)
    return context


class LentKernel:
    """One kernel lent to one report after another (issue 18: ``--all-units`` ran 22 kernels, each
    importing the package and loading the data again).

    nbclient runs a notebook in a kernel it is given without starting or stopping it (papermill
    passes ``km=`` through). Before each notebook :meth:`prepare` resets the kernel's namespace
    (IPython's reset: no variable of the previous report is left, execution counts start at 1 again)
    and sets its working folder and environment as a kernel of its own would have them
    (:func:`_kernel_env`); imported modules, and the data a lent kernel keeps
    (jygproj.workbench.open, keyed by the inputs' sha256), stay. The statement runs through a client of
    its own (shell channel only), so it is in no notebook; each report's manifest says that its
    kernel was lent and how many reports it ran before (:meth:`record`). Use as a context manager,
    or call :meth:`shutdown`."""

    def __init__(self, kernel_name: str = paths.KERNEL_NAME, *, startup_timeout: float = 60.0,
                 warm_up: str | None = None, keep_data: bool = True, env: Mapping[str, str] | None = None):
        """``warm_up``: code the kernel runs (silently) as soon as it is up, e.g. the notebook's imports;
        not waited for here: the kernel starts and runs it while the caller goes on (the first
        :meth:`execute` or :meth:`prepare` waits for it, and raises its error). ``keep_data``: the
        lent-kernel mark is set (jygproj.workbench.open keeps what it loaded for the next report);
        False for a kernel that runs one report only. ``env``: set in the kernel's environment beyond
        this process's (e.g. the shared drawing process, jygproj.drawer)."""
        self.kernel_name, self.startup_timeout = kernel_name, startup_timeout
        self.keep_data, self._warm_up, self._env = keep_data, warm_up, dict(env or {})
        self.km: Any = None
        self.runs = 0  # reports this kernel has run
        #: the review the command calculated for this kernel's next report, and its seconds
        #: (jygproj.handover; set by the command, given to the kernel by prepare)
        self.handed: tuple[Path, float] | None = None
        self._exiting = False  # request_shutdown() asked it to exit
        self._start()

    def _start(self) -> None:
        from jupyter_client import BlockingKernelClient
        from jupyter_core.utils import run_sync

        handed: list[Any] = []

        class Manager(_report_kernel_manager()):
            def client(self, **kwargs: Any) -> Any:
                """nbclient's client, one for every report: a new one per report would wait for its
                output channel to connect (0.2 s a report) and, not being stopped when the kernel is
                lent, keep receiving every later report's output. Messages of an earlier report are
                passed over (nbclient reads only those answering its own requests)."""
                if not handed:
                    kc = super().client(**kwargs)
                    start = kc.start_channels
                    started: list[bool] = []

                    def start_once(*args: Any, **kw: Any) -> None:  # its heartbeat thread starts only once
                        if not started:
                            start(*args, **kw)
                            started.append(True)

                    kc.start_channels = start_once
                    kc.wait_for_ready = functools.partial(_channels_ready, kc)
                    handed.append(kc)
                return handed[0]

        self.km, self._handed = Manager(kernel_name=self.kernel_name), handed
        run_sync(self.km.start_kernel)(extra_arguments=[KERNEL_QUIET, KERNEL_NO_HISTORY, KERNEL_NO_OUTPUT_CACHE],
                                       **({"env": {**os.environ, **self._env}} if self._env else {}))
        self.started = _now()
        self._kc = BlockingKernelClient(context=_prompt_context())
        self._kc.load_connection_info(self.km.get_connection_info())
        # no iopub: this client would receive (and keep) every output of every report
        self._kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        # sent now, answered once the kernel is up (zmq queues it): the kernel starts and warms up
        # while the caller goes on; the first execute() or prepare() waits for the answer
        self._pending = self._send(self._warm_up or "pass")

    def _send(self, code: str) -> str:
        return self._kc.execute(code, silent=True, store_history=False, allow_stdin=False)

    def ready(self) -> None:
        """Wait until the kernel is up and has run its warm-up (raises :class:`RunError` with its error)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            self._wait(pending, self.startup_timeout, "笔记本内核启动失败")

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def execute(self, code: str, timeout: float | None = 600.0) -> None:
        """Run ``code`` in the kernel, silently (not in its history; its output goes nowhere);
        raises :class:`RunError` with the kernel's error."""
        self.ready()
        self._wait(self._send(code), timeout, "笔记本内核准备失败")

    def _wait(self, msg_id: str, timeout: float | None, failed: str) -> None:
        from queue import Empty

        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                reply = self._kc.get_shell_msg(timeout=1.0)
            except Empty:  # still running, or the kernel is gone
                if not self.alive():
                    raise RunError("笔记本内核意外退出") from None
                if deadline is not None and time.monotonic() > deadline:
                    raise RunError(f"笔记本内核 {timeout:.0f} 秒内没有响应") from None
                continue
            if reply["parent_header"].get("msg_id") != msg_id:
                continue
            content = reply["content"]
            if content.get("status") != "ok":
                raise RunError(f"{failed}：{content.get('ename')}: {content.get('evalue')}")
            return

    def prepare(self, run_dir: Path) -> None:
        """Before a report: a fresh namespace, the working folder ``run_dir`` and the environment the
        runner gives a kernel (the run directory, an absolute plans folder, the lent-kernel mark)."""
        if self._exiting or not self.alive():  # a report that killed its kernel: the next one gets a new kernel
            self.shutdown()
            self._exiting = False
            self._start()
        from jygproj import handover

        env = {**_kernel_environ(run_dir), LENT_KERNEL_ENV: "1" if self.keep_data else None,
               handover.ENV: str(self.handed[0]) if self.handed else None}
        # the folder first: the previous report's may be gone (a failed run's staging folder is removed)
        self.execute("import os as _jygproj_os\n"
                     f"_jygproj_os.chdir({str(run_dir)!r})\n"
                     "get_ipython().reset(new_session=True)\n"
                     "import os as _jygproj_os\n"
                     + "".join(f"_jygproj_os.environ[{k!r}] = {v!r}\n" if v is not None
                               else f"_jygproj_os.environ.pop({k!r}, None)\n" for k, v in env.items())
                     + "del _jygproj_os\n")

    def record(self) -> dict[str, Any]:
        """What a report's manifest says about the kernel it was lent."""
        if not self.keep_data:  # one report's own kernel, started ahead by its command
            return {"started": self.started,
                    "before_the_notebook": "started by the command while it checked the inputs; the "
                                           "package's modules imported (no data read); namespace reset"}
        return {"started": self.started, "reports_before": self.runs,
                "namespace": "reset before this report (IPython reset); imported modules and the data "
                             "loaded for an earlier report kept, keyed by the inputs' sha256"}

    def release(self) -> None:
        """After a report: count it."""
        self.runs += 1

    def request_shutdown(self) -> None:
        """Ask the kernel to exit, without waiting: it exits while the caller goes on (a report run
        alone: while the runner writes the notebook and its HTML); :meth:`shutdown` then waits for it."""
        from jupyter_core.utils import run_sync

        if self.km is None or self._exiting:
            return
        self._stop_channels()
        try:
            run_sync(self.km.request_shutdown)()
            self._exiting = True
        except Exception:  # noqa: BLE001 - shutdown() stops it the usual way
            pass

    def _stop_channels(self) -> None:
        for kc in (*self._handed, self._kc):
            with contextlib.suppress(Exception):
                kc.stop_channels()
        self._handed.clear()

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        if self.km is None:
            return
        self._stop_channels()
        try:
            if self._exiting:  # asked already (request_shutdown): wait for it, killed if it does not exit
                # looked at every 10 ms, not jupyter_client's 100: a report run alone waits for its
                # kernel's exit at the very end, 0.05 s on average lost to the longer interval
                run_sync(self.km.finish_shutdown)(pollinterval=0.01)
                run_sync(self.km.cleanup_resources)()
            else:
                # a kernel that ran no report (the command stopped first: a usage problem, inputs
                # refused) has nothing to finish: stopped at once, not after the 5 s a kernel still
                # starting may take to answer a shutdown request
                run_sync(self.km.shutdown_kernel)(now=self.runs == 0)
        except Exception:
            with contextlib.suppress(Exception):
                run_sync(self.km.shutdown_kernel)(now=True)
        self.km = None

    def __enter__(self) -> "LentKernel":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()


class KernelLost(RunError):
    """A lent kernel did not start (or its thread could not run): every report given to it names it."""

    code = "worker_died"


class KernelThreads:
    """Lent kernels (:class:`LentKernel`), one per thread of this process, each running the reports
    given to it one after another (``--all-units``, issue 18). Threads, not worker processes: a
    report's driver mostly waits for its kernel (nbclient is async) and its Python work (the
    notebook's messages, its write, the HTML export, serialised by ``_EXPORT_LOCK`` anyway) is small,
    while a worker process cost an interpreter importing papermill, nbconvert and polars again
    (~0.7 CPU-s each on both busy cores). Each kernel is started, used and shut down by its own thread:
    its manager's sockets belong to that thread's event loop (jupyter_core's run_sync), which
    concurrent.futures' thread pool cannot do (it has no per-thread finaliser). Reports are taken
    in the order given; :meth:`shutdown` cancels those not started and waits for the running ones
    and for every kernel's exit."""

    def __init__(self, jobs: int, warm_up: str | None = None, env: Mapping[str, str] | None = None):
        import queue

        self._tasks: Any = queue.SimpleQueue()
        self._warm_up, self._env = warm_up, env
        self._threads = [threading.Thread(target=self._serve, name=f"jygproj-kernel-{i + 1}", daemon=True)
                         for i in range(jobs)]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, kernel=<a lent kernel>, **kwargs)`` in the first thread free; its Future."""
        from concurrent.futures import Future

        done: Future = Future()
        self._tasks.put((done, fn, args, kwargs))
        return done

    def _serve(self) -> None:
        try:
            kernel: LentKernel | None = LentKernel(warm_up=self._warm_up, env=self._env)
            lost: BaseException | None = None
        except BaseException as exc:  # noqa: BLE001 - handed to every report given to this thread
            kernel, lost = None, exc
        try:
            while (task := self._tasks.get()) is not None:
                done, fn, args, kwargs = task
                if not done.set_running_or_notify_cancel():
                    continue
                try:
                    if lost is not None:
                        raise KernelLost(f"笔记本内核未能启动：{lost}") from lost
                    done.set_result(fn(*args, kernel=kernel, **kwargs))
                except BaseException as exc:  # noqa: BLE001 - handed on to the caller, as a pool would
                    done.set_exception(exc)
        finally:
            if kernel is not None:
                kernel.shutdown()

    def shutdown(self) -> None:
        """Cancel the reports not started; wait for the running ones and the kernels' exit (once;
        later calls find it done)."""
        import queue

        if not self._threads:
            return
        with contextlib.suppress(queue.Empty):
            while True:
                task = self._tasks.get_nowait()
                if task is not None:
                    task[0].cancel()
        for _ in self._threads:
            self._tasks.put(None)
        for thread in self._threads:
            thread.join()
        self._threads = []


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
    input_rows: Mapping[str, Any] | None = None,
    allow_fewer_inputs: bool = False,
    kernel: LentKernel | None = None,
    stage_in: Path | None = None,
    previous: Mapping[str, Any] | None = None,
    meanwhile: Callable[[], Any] | None = None,
    input_records: Sequence[Mapping[str, Any]] | None = None,
) -> RunResult:
    """Execute ``notebook`` with ``parameters`` into ``out_dir`` atomically.

    ``inputs``: the data files the run reads; their sha256 go to the notebook metadata and the
    manifest (and a file that changes during the run fails it). ``name``: base name of the
    executed notebook and HTML (default: the notebook's stem; made a safe file name, jygproj.paths.
    safe_name). ``keep``: names of entries of the previous report to carry over into the new one
    (e.g. ``units`` below a city report). ``input_rows``: the rows loaded per workbook and sheet
    (:func:`fewer_inputs`); the run is refused before it starts when they are fewer than those of
    the report it would replace, unless ``allow_fewer_inputs``. ``kernel``: a running kernel lent to
    this run (:class:`LentKernel`) instead of one started and stopped for it.

    ``stage_in``: a folder (on the filesystem of ``out_dir``) to stage the report in instead of beside
    ``out_dir``; the report is then not swapped in: the result's ``staged`` says where it waits, and
    :func:`swap_staged` puts it in place. For a unit report made while the city report that holds
    its folder is still being made (--all-units): the caller has put right ``out_dir``'s leftovers
    (outputs.recover) and read the manifest of the report it replaces (``previous``) beforehand.
    ``meanwhile``: work for this process, run in a thread from the second code cell after the
    notebook's parameters on (e.g. :func:`warm_html`): the first one opens the data and takes or
    calculates the report's figures, and the thread would take turns with this process's handling
    of its cells' messages (0.05-0.1 s between the first cells of the city run, issue 18); from the
    next one on, a report's kernel mostly waits for its charts to be drawn, and the other core is
    free for the thread.

    ``input_records``: :func:`file_records` of ``inputs`` taken by the caller before this run, for
    reports made one after another on the same inputs (--all-units: taken once for all of them, not
    once more per report, issue 18). They are what the manifest records, and the run fails if the
    files differ from them when it ends, as it would from records taken at its start: a file changed
    since they were taken, before the run or during it, fails the run.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    import nbformat
    import papermill as pm
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError
    from papermill.execute import raise_for_execution_errors

    from jygproj.catalogue import sha256_file

    notebook = Path(notebook).resolve()
    out_dir = Path(out_dir).resolve()
    run_name = name or notebook.stem
    name = paths.safe_name(run_name)  # a unit's name such as 市文旅局/文物科 is not a path
    inputs = [Path(p).resolve() for p in inputs]
    missing = [str(p) for p in inputs if not p.is_file()]
    if missing:
        raise RunError(f"输入文件不存在：{'、'.join(missing)}")
    if stage_in is None:
        staging = outputs.staging_dir(out_dir, keep)  # first: a report a killed run took away is put back
        previous = read_manifest(out_dir)
    else:
        staging = outputs.staging_dir_in(Path(stage_in), out_dir)
    started, t0 = _now(), time.perf_counter()
    try:
        shrank = fewer_inputs(previous, input_rows) if input_rows is not None else []
        if shrank and not allow_fewer_inputs:
            raise FewerInputsError(out_dir, shrank)
        input_records = list(input_records) if input_records is not None else file_records(inputs)
        nb = nbformat.read(notebook, as_version=4)
        audit = {
            "run_name": run_name,
            "notebook": _display(notebook, None),
            "notebook_sha256": sha256_file(notebook),
            "out_dir": _display(out_dir, None),
            "parameters": parameters,
            "started": started,
            "inputs": input_records,
            "kernel": kernel.kernel_name if kernel is not None else kernel_name,
        }
        if kernel is not None:
            audit["lent_kernel" if kernel.keep_data else "kernel_started_ahead"] = kernel.record()
        if input_rows is not None:
            audit.update(input_rows=dict(input_rows), fewer_inputs=shrank)
        nb.metadata["jygproj"] = audit
        nb_path = staging / f"{name}.ipynb"
        released: list[bool] = []
        rehashed: list[Future] = []  # the inputs' records when the notebook has run (finish)

        def release() -> None:  # once, as soon as the kernel has run the notebook (or failed to)
            if kernel is not None and not released:
                released.append(True)
                kernel.release()
                if not kernel.keep_data:  # its one report: it exits while the notebook and HTML are written
                    kernel.request_shutdown()

        def finish(executed: Any) -> None:
            """The executed notebook made the record, before papermill writes it (_recording_engine)."""
            release()
            raise_for_execution_errors(executed, None)  # a failed cell first, as papermill would next
            # the inputs hashed again in a thread while the notebook and its HTML are written (after
            # the kernel's last cell, the run's last step: 10-40 ms of a city run under load, issue
            # 18; reading and hashing let the other thread go on), checked before anything is put in place
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jygproj-inputs")
            rehashed.append(pool.submit(file_records, inputs))
            pool.shutdown(wait=False)
            audit.update(finished=_now(), seconds=round(time.perf_counter() - t0, 3))
            handed = kernel.handed if kernel is not None else None
            if kernel is not None:
                # a review handed to a kernel is for its next report only: a later report in the same
                # kernel is never recorded as handed one
                kernel.handed = None
            if handed:
                from jygproj import handover

                audit["review_handed"] = handover.record(*handed)
            executed.metadata["jygproj"] = audit

        # papermill writes the executed notebook once, with its record (finish): given no path, it
        # made the whole file all the same and threw it away, and this runner made it again (7 % of
        # the command's CPU per report in --all-units, issue 18). Its path is given as a format
        # string (papermill fills parameters into it): braces doubled, it is the path itself.
        # No copy saved after every cell (papermill's default: ~50 writes of the growing notebook): a
        # failed run's staging directory is thrown away anyway.
        run = dict(parameters=parameters, progress_bar=False, execution_timeout=timeout,
                   request_save_on_cell_execute=False, engine_name=_recording_engine(), finish=finish)
        output_path = str(nb_path).replace("{", "{{").replace("}", "}}")
        try:
            if kernel is not None:
                kernel.prepare(staging)
                try:
                    executed = pm.execute_notebook(nb, output_path, kernel_name=kernel.kernel_name, km=kernel.km,
                                                   on_cell_start=_meanwhile_hook(nb, meanwhile), **run)
                finally:
                    release()
            else:
                with _kernel_env(staging):
                    executed = pm.execute_notebook(
                        nb, output_path, kernel_name=kernel_name, cwd=str(staging),
                        kernel_manager_class=_report_kernel_manager(),
                        # the kernel's own start-up notices (an English "IPKernelApp WARNING … without
                        # encryption" line: the kernel is local, on 127.0.0.1) are not the user's business
                        extra_arguments=[KERNEL_QUIET, KERNEL_NO_HISTORY, KERNEL_NO_OUTPUT_CACHE], **run)
        except PapermillExecutionError as exc:
            raise NotebookRunError(notebook, exc.cell_index, exc.exec_count, exc.ename,
                                   exc.evalue, exc.source) from None
        except DeadKernelError as exc:
            raise KernelLost(f"笔记本内核意外退出：{exc}") from None
        seconds = audit["seconds"]
        html_path = staging / f"{name}.html"
        html_path.write_text(export_html(executed, title=run_name, spent=True), encoding="utf-8")
        after = rehashed[0].result()
        changed = [a["path"] for a, b in zip(input_records, after) if a["sha256"] != b["sha256"]]
        if changed:
            more = f"等 {len(changed)} 个文件" if len(changed) > 3 else ""
            raise InputChangedError(f"运行期间输入文件被修改：{'、'.join(changed[:3])}{more}；请在数据不再变动时重新运行")
        written = sorted(p for p in staging.rglob("*") if p.is_file())
        manifest = dict(audit, outputs=file_records(written, staging))
        manifest_path = staging / MANIFEST_NAME
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        if stage_in is None:
            outputs.swap_in(staging, out_dir, keep)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result = RunResult(out_dir, out_dir / nb_path.name, out_dir / html_path.name, out_dir / MANIFEST_NAME,
                       seconds, fewer_inputs=tuple(shrank), staged=staging if stage_in is not None else None)
    return result if stage_in is not None else _listed(result)


@functools.cache
def _recording_engine() -> str:
    """The name of a papermill engine (papermill's engines registry: its way to run notebooks
    differently) that is papermill's own (nbclient) with one step more: ``finish(nb)``, given to
    papermill.execute_notebook, is called with the executed notebook as the engine returns it, before
    papermill looks for a failed cell and writes the notebook (run_notebook: its record made then)."""
    from papermill.engines import NBClientEngine, papermill_engines

    class RecordingEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb: Any, kernel_name: str, finish: Callable[[Any], None] | None = None,
                             **kwargs: Any) -> Any:
            nb = super().execute_notebook(nb, kernel_name, **kwargs)
            if finish is not None:
                finish(nb)
            return nb

    papermill_engines.register("jygproj-recording", RecordingEngine)
    return "jygproj-recording"


def _meanwhile_hook(nb: Any, work: Callable[[], Any] | None) -> Callable[..., None] | None:
    """nbclient's on_cell_start hook that starts ``work`` in a thread (run_notebook's ``meanwhile``)
    as the second code cell after the notebook's parameters starts; None without work. The cell is
    known by its id (papermill runs a copy of ``nb``, its parameters injected). While the work runs,
    this process's threads take turns every 0.5 ms, not Python's 5 ms: its main thread answers the
    kernel's messages without waiting out the work's turn."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    after = next((i + 1 for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", [])), 0)
    at = code[min(after + 1, len(code) - 1)] if code else None
    if work is None or at is None:
        return None
    started: list[threading.Thread] = []

    def turns() -> None:
        import sys

        interval = sys.getswitchinterval()
        sys.setswitchinterval(0.0005)
        try:
            work()
        finally:
            sys.setswitchinterval(interval)

    def on_cell_start(cell: Any, cell_index: int, **_: Any) -> None:
        if not started and cell.get("id") == at.get("id") and cell.source == at.source:
            started.append(threading.Thread(target=turns, name="jygproj-meanwhile", daemon=True))
            started[0].start()

    return on_cell_start


def _listed(result: RunResult) -> RunResult:
    """The result with the files of its report listed (once it is in place)."""
    final = sorted(p for p in result.run_dir.rglob("*") if p.is_file())
    return dataclasses.replace(result, outputs=tuple(final), staged=None)


def swap_staged(result: RunResult) -> RunResult:
    """Put a report staged elsewhere (run_notebook's ``stage_in``) in place, as run_notebook would
    have at its end: atomically, under the lock of its folder."""
    if result.staged is None:
        return result
    outputs.swap_in(result.staged, result.run_dir)
    return _listed(result)

