"""`jygproj quarterly 2023Q3 [--data DIR] [--unit NAME | --all-units] [--out DIR]`: the quarterly review.

Runs notebooks/10_quarterly_review.ipynb with papermill into reports/<run>/ (or, per responsible
unit, reports/<run>/units/<unit>/): the executed notebook (audit record), the HTML report with code
hidden, the Excel workbook, the reminder letters and summary.json. Defaults come from
notebooks/params/<run>.yaml when it exists; options override them. Each report directory is
replaced atomically: a failed run leaves the previous report in place and names the failing cell.
A run whose inputs are fewer than those of the report it would replace (a workbook gone, a sheet
with fewer rows loaded) is refused, naming what shrank, unless --allow-fewer-inputs is given; the
comparison is recorded in the report's manifest.json either way. Inputs with errors (a sheet the
loader left out) are refused, naming each bad cell, unless --allow-errors is given: the report then
says first which sheets were left out and what they hold (issue 13, publish gate).

--all-units (issue 18, "many reports, one load"): the city report and every unit's, each kept
with its own executed notebook, HTML, manifest and files as a report run alone, but run in lent
kernels (jygproj.runs.LentKernel): one per core (--jobs), each driven by a thread of this process
(jygproj.runs.KernelThreads), started, given the package's imports and the data folder once, then
running one report after another, each in a fresh namespace; every report's manifest says its
kernel was lent. Their charts are drawn by one process for all (jygproj.drawer). The units run
while the city report does, staged outside its folder and put in place after it (_city_and_units).

A report run alone (the city's, or --unit) has a kernel of its own, started first (issue 18): it
starts and imports the package while this process reads the parameters, checks the inputs and
readies the HTML exporter; it reads no data before the notebook does, and runs this report only
(its manifest says so: kernel_started_ahead). The --all-units kernels start the same way.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import shutil
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from jygproj import outputs, paths, runs
from jygproj.errors import JygprojError, UsageError

# jygproj.quarterly, .evaluation, .schema (polars, ~0.5 s) are imported where used, after the command
# has started the kernel (_kernel_ahead): the kernel starts while this process imports and checks

NOTEBOOK = paths.NOTEBOOKS / "10_quarterly_review.ipynb"
PARAM_KEYS = ("year", "quarter", "data_dir", "as_of", "unit", "headline", "out_dir")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "quarterly",
        help="季度考核分析报告（笔记本、离线 HTML、Excel、提醒函、summary.json） / quarterly review report",
        description="运行季度考核笔记本，生成 reports/<季度>/ 下的已执行笔记本（审计记录）、隐藏代码的离线 HTML 报告、"
                    "正式格式的 Excel 工作簿、提醒函（docx）和 summary.json。默认参数取自 notebooks/params/<季度>.yaml。",
    )
    p.add_argument("run", metavar="YYYYQn", help="考核季度，如 2023Q3")
    p.add_argument("--data", metavar="DIR", help="数据目录（相对路径从当前目录算起；默认：内置样例 data/sample/<年度>）")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--unit", metavar="NAME", help="只生成某一责任单位的报告（写入 <out>/units/<单位>/）")
    who.add_argument("--all-units", action="store_true", help="生成全市报告及每个责任单位的报告")
    p.add_argument("--out", metavar="DIR", help="报告目录（相对路径从当前目录算起；默认 reports/<季度>）")
    p.add_argument("--as-of", metavar="YYYY-MM", help="数据截至月份（默认：参数文件，或季度后一个月）")
    p.add_argument("--headline", metavar="口径",
                   help="增长目标（提前完成）的主口径：增速口径（rate，默认）/ 总量口径（level）；两种口径始终并列")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                   help="--all-units 时并行运行的单位报告数（默认 %(default)s）")
    p.add_argument("--allow-fewer-inputs", action="store_true",
                   help="输入比要替换的报告少（工作簿缺失、工作表载入行数减少）时仍替换（默认拒绝并说明少了什么）")
    add_allow_errors(p)
    p.set_defaults(func=run)


def add_allow_errors(p) -> None:
    """--allow-errors, shared by quarterly, reserve and scenario (the publish gate, runs.publish_gate)."""
    p.add_argument("--allow-errors", action="store_true",
                   help="输入有错误（有工作表未载入）时仍生成报告，并在报告首页列出未载入的工作表及其行数、金额（默认拒绝并列出错误）")


REFUSED_HINT = "请更正后重新运行（jygproj check 列出全部问题）；如确需先出报告，请加 --allow-errors"


def say_gate(errors: list[str]) -> None:
    """What a command says when --allow-errors let errors through (the report's first screen lists them)."""
    if errors:
        print(f"注意：输入有 {len(errors)} 处错误，已按 --allow-errors 生成报告；报告首页列出未载入的工作表。首条：{errors[0]}",
              file=sys.stderr)

def parameters(args) -> dict[str, Any]:
    """The notebook's parameters: params/<run>.yaml, then defaults, then command-line options."""
    from jygproj import quarterly
    from jygproj.evaluation import default_as_of, parse_run
    from jygproj.schema import READING_NAMES, code_of

    year, quarter = parse_run(args.run)
    params = runs.read_parameters(paths.NOTEBOOK_PARAMS / f"{year}Q{quarter}.yaml", PARAM_KEYS)
    params.update(year=year, quarter=quarter)
    params.setdefault("data_dir", "")
    params.setdefault("as_of", default_as_of(year, quarter))
    params.setdefault("headline", quarterly.growth.DEFAULT_HEADLINE)
    params.setdefault("unit", None)
    params.setdefault("out_dir", "")
    if args.data:
        params["data_dir"] = args.data
    if args.out:
        params["out_dir"] = args.out
    if args.as_of:
        params["as_of"] = args.as_of
    if args.headline:
        params["headline"] = code_of(args.headline, READING_NAMES) or args.headline  # 增速口径 = rate
    # one path rule (jygproj.paths.resolve): the notebook gets absolute paths, whatever its working folder
    params["data_dir"] = str(paths.data_folder(params["data_dir"], year))
    params["out_dir"] = str(paths.output_folder(params["out_dir"], f"{year}Q{quarter}"))
    # validate early: a usage problem is reported before any kernel starts
    quarterly.ReviewParams(params["year"], params["quarter"], params["data_dir"], params["as_of"],
                           params["unit"], params["headline"])
    return params


def run_one(params: dict[str, Any], inputs: list[Path], rows: dict[str, Any] | None = None,
            allow_fewer_inputs: bool = False, kernel: runs.LentKernel | None = None,
            stage_in: Path | None = None, previous: dict[str, Any] | None = None,
            meanwhile: Any = None, records: list[dict[str, Any]] | None = None) -> runs.RunResult:
    """One report (city or one unit) into params["out_dir"]; ``rows``: the rows loaded per workbook
    and sheet, compared with those of the report it replaces (jygproj.runs.fewer_inputs); ``kernel``:
    a kernel lent to this report (jygproj.runs.LentKernel) instead of one of its own; ``stage_in``,
    ``previous``: staged there and left to be swapped in, the replaced report's manifest read
    beforehand; ``meanwhile``: this process's work while the kernel runs; ``records``: the inputs'
    records taken once for every report of the command (jygproj.runs.run_notebook's input_records)."""
    out = Path(params["out_dir"])
    from jygproj.report import REVIEW_KIND  # (not review_files: the report writers are the kernel's)

    name = paths.output_name(f"{params['year']}Q{params['quarter']}", REVIEW_KIND, params["unit"])
    return runs.run_notebook(NOTEBOOK, out, params, inputs=inputs, name=name,
                             keep=("units",) if params["unit"] is None else (),
                             input_rows=rows, allow_fewer_inputs=allow_fewer_inputs, kernel=kernel,
                             stage_in=stage_in, previous=previous, meanwhile=meanwhile, input_records=records)


def _city_and_units(stack: contextlib.ExitStack, kernels: runs.KernelThreads, params: dict[str, Any],
                    names: list[str], folders: dict[str, str], inputs: list[Path], rows: dict[str, Any] | None,
                    allow: bool) -> tuple[Future, list[tuple[str, Future]]]:
    """The city report and every unit's, all at once in the lent kernels (issue 18). A unit's
    folder is inside the city report's folder, which the city's run replaces when it ends: so each
    unit is staged in a folder of its own beside the city's (``.<run>.staging-<pid>-…``, removed
    when the command ends, whatever happened; a killed command's is removed by the next run, as any
    staging folder) and put in place once the city report is. The units' leftovers are put right and
    their replaced reports' manifests read first, before the city's run may move their folder."""
    out = Path(params["out_dir"])
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = outputs.staging_dir_in(out.parent, out)  # a staging folder of the city's, as a killed run's is removed
    stack.callback(shutil.rmtree, stage, ignore_errors=True)
    # last in, first out: the kernels' threads have stopped (nothing more written in the stage) before it goes
    stack.callback(kernels.shutdown)
    units = [(u, _unit_params(params, u, folders)) for u in names]
    previous = {}
    for unit, p in units:
        outputs.recover(p["out_dir"])
        previous[unit] = runs.read_manifest(Path(p["out_dir"]))
    # the inputs hashed once for all the reports, not again at the start of each (issue 18): each
    # report's run still checks at its end that they are unchanged
    records = runs.file_records(inputs)
    city = kernels.submit(run_one, params, inputs, rows, allow, records=records)
    return city, [(u, kernels.submit(run_one, p, inputs, rows, allow, stage_in=stage, previous=previous[u],
                                     records=records)) for u, p in units]


def _calculate_ahead(stack: contextlib.ExitStack, kernel: runs.LentKernel, params: dict[str, Any]) -> None:
    """A report run alone: its review calculated here while its kernel starts and imports the
    package, and handed to it (jygproj.handover; the manifest says whether the notebook took it).
    Calculated as the notebook would (jygproj.open(…).quarterly(…)); if that fails here, nothing is
    handed and the notebook calculates it and reports the failure, naming its cell, as without."""
    from jygproj import handover, workbench

    t = time.perf_counter()
    out = Path(params["out_dir"])
    path = out.parent / f".{out.name}.tmp-{os.getpid()}-review"  # a killed run's is swept (jygproj.outputs)
    failed: list[BaseException] = []
    books: list[handover.WorkbookAhead] = []

    def calculate() -> None:
        try:
            wb = workbench.open(params["data_dir"], year=params["year"], as_of=params["as_of"])
            review = wb.quarterly(params["quarter"], unit=params["unit"], headline=params["headline"])
            # a province's workbook (~5 s of a core) begun now, not when the notebook reaches its last
            # cell: it is the longest part of the report (jygproj.handover.WorkbookAhead)
            from jygproj.report import review_files

            folder = handover.workbook_folder(path)
            job = review_files.start_workbook(review, folder)
            if job is not None:
                books.append(handover.WorkbookAhead(folder, job))
            handover.write(path, handover.key(wb.kept_key(), review.params), review, workbook=bool(books))
        except Exception as exc:  # noqa: BLE001 - the notebook calculates it and says what went wrong
            failed.append(exc)

    # in a thread, while this one imports what runs the notebook (papermill, nbformat: ~0.25 s of
    # Python) and reads it once: the calculation is mostly polars, which lets go of the GIL while it works
    worker = threading.Thread(target=calculate, name="jygproj-calculate-ahead")
    worker.start()
    import nbformat
    import papermill  # noqa: F401

    # the notebook's schema validator compiled here (~25 ms), not when runs.run_notebook reads it
    nbformat.read(NOTEBOOK, as_version=4)
    worker.join()
    _imports_done()
    for book in books:  # when the report is done (or given up): the writer stopped, its folder removed
        stack.callback(book.close)
    if failed:
        path.unlink(missing_ok=True)
        return
    stack.callback(path.unlink, missing_ok=True)
    kernel.handed = (path, time.perf_counter() - t)


def _imports_done() -> None:
    """The command's imports done (and a report run alone's review calculated ahead): what they made
    frozen, the cycle collector on again (once; :func:`run` turns it off first). The imports made it
    run full collections over everything imported so far (~0.05 CPU-s of the command's first second,
    when both cores are busy: issue 18); what they made lives until the command ends, and its frozen
    objects are out of the sight of the collections that follow (Python's gc.freeze documentation:
    disable, then freeze)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _unit_params(params: dict[str, Any], unit: str, folders: dict[str, str]) -> dict[str, Any]:
    """A unit's report goes to <out>/units/<its safe folder name> (jygproj.paths.unique_names)."""
    return params | {"unit": unit, "out_dir": str(Path(params["out_dir"]) / "units" / folders[unit])}

def _say(result: runs.RunResult, label: str, t0: float | None = None) -> None:
    summary = result.run_dir / "summary.json"
    extra = ""
    if summary.exists():
        s = json.loads(summary.read_text(encoding="utf-8"))
        w = s.get("warnings", {}).get("projects_by_level", {})
        extra = f"；预警 红{w.get('red', 0)}/黄{w.get('yellow', 0)}/蓝{w.get('blue', 0)}；提醒函 {s.get('letters', 0)} 份"
    elapsed = f"，已用 {time.perf_counter() - t0:.0f} 秒" if t0 is not None else ""
    print(f"{label}：{paths.display(result.run_dir)}（{result.seconds:.1f} 秒{extra}{elapsed}）", flush=True)
    if result.fewer_inputs:
        print(f"注意：本报告替换了输入更多的上次报告（已指定 --allow-fewer-inputs），少了：{'；'.join(result.fewer_inputs)}"
              "；已记入 manifest.json", file=sys.stderr)

#: What the kernel of a report run alone imports before the notebook runs (_kernel_ahead): the
#: modules the notebook's cells use, found with python -X importtime (no data is read).
AHEAD_IMPORTS = ("jygproj.workbench", "jygproj.ingest", "jygproj.quarterly", "jygproj.charts",
                 "jygproj.report.review_charts", "jygproj.report.review_files", "jygproj.scenario.files",
                 "vl_convert")
#: Imported while the kernel waits for its first drawing (jygproj.charts.import_while_waiting), not
#: at its start, when both cores are busy starting it and calculating the review: what only the last
#: cell uses, the writers of the files (reply forms and closure record with openpyxl ~0.09 s, letters
#: and the brief with python-docx ~0.03 s, the workbook's xlsxwriter ~0.01 s).
WAITING_IMPORTS = ("jygproj.followups.form", "jygproj.letters", "jygproj.report.brief", "xlsxwriter")


def kernel_ahead_code() -> str:
    """What the kernel runs as soon as it is up: the notebook's imports, vl-convert's engine started
    in a thread (jygproj.charts.warm_up), the later imports left for its first wait on a drawing, the objects made so far frozen (gc.freeze), and its exit
    readied (:func:`kernel_at_exit`). The cycle collector is off until they are frozen: the imports
    made it run full collections over everything imported so far (twice, ~0.07 CPU-s of the kernel's
    start, which the report waits for: issue 18); what they leave is kept for the kernel's life
    anyway (Python's gc.freeze documentation: disable, then freeze)."""
    return ("import gc\n"
            "gc.disable()\n"
            "try:\n"
            "    import importlib\n"
            f"    for _jygproj_module in {AHEAD_IMPORTS!r}:\n"
            "        importlib.import_module(_jygproj_module)\n"
            "    del _jygproj_module\n"
            "    import jygproj.charts\n"
            "    jygproj.charts.warm_up()\n"
            f"    jygproj.charts.import_while_waiting(*{WAITING_IMPORTS!r})\n"
            # what the imports made lives as long as the kernel: out of the cycle collector's sight,
            # so its full collections (IPython's reset before each report makes one: 0.15 s) scan
            # only what the reports make
            "finally:\n"
            "    gc.freeze()\n"
            "    gc.enable()\n"
            "import jygproj.commands.quarterly\n"
            "jygproj.commands.quarterly.kernel_at_exit()\n")


def kernel_at_exit() -> None:
    """In a report's kernel: as it exits (the command waits for that), first its control thread
    waited for, then what the reports made put out of the collector's sight (the interpreter's last
    collections no longer scan it). ipykernel closes its output channel at exit before it stops its
    control thread, which flushes that channel after answering the shutdown request: on a loaded
    machine the thread came second, and a ZMQError traceback reached the command's terminal (issue 18:
    seen once in 4 runs of tests/test_concurrent_runs.py, once the kernel kept no history and so
    exited sooner)."""
    from ipykernel.kernelapp import IPKernelApp

    control = IPKernelApp.instance().control_thread if IPKernelApp.initialized() else None

    def at_exit() -> None:
        if control is not None:
            control.join(timeout=1.0)  # its loop stopped by the shutdown request: it ends at once
        gc.freeze()

    atexit.register(at_exit)  # after ipykernel's own: run before them


def _kernel_ahead(stack: contextlib.ExitStack) -> runs.LentKernel:
    """The kernel of a report run alone, started first (issue 18): it starts and imports the
    package while this process reads the parameters, checks the inputs, makes their Parquet copy and
    readies the HTML exporter, so that much of the run's time is spent on both cores. It runs this one
    report (its manifest says the kernel was started ahead, kernel_started_ahead) and is shut down
    with the command."""
    kernel = runs.LentKernel(warm_up=kernel_ahead_code(), keep_data=False)
    stack.callback(kernel.shutdown)
    return kernel


def run(args) -> int:
    # what this process made lives until it exits: put out of the collector's sight as it exits, so
    # the interpreter's last collections do not scan it all (0.07 s of a city run, issue 18)
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    gc.disable()  # until the imports are done (_imports_done), or the command ends
    try:
        with contextlib.ExitStack() as stack:
            kernel = kernels = None
            if not args.all_units:
                kernel = _kernel_ahead(stack)
            else:
                # every report in a lent kernel (jygproj.runs.LentKernel), one per thread of this process
                # (--jobs), each started and warmed up once, then running one report after another.
                # Started first: the kernels start while this process checks the inputs. Their charts are
                # drawn by one process for all (jygproj.drawer: one vl-convert engine started, not one each).
                from jygproj import drawer

                shared = drawer.start(stack)
                kernels = runs.KernelThreads(max(1, args.jobs), warm_up=kernel_ahead_code(), env=shared)
                stack.callback(kernels.shutdown)
            return _run(args, stack, kernel, kernels)
    finally:
        _imports_done()


def _run(args, stack: contextlib.ExitStack, kernel: runs.LentKernel | None,
         kernels: runs.KernelThreads | None = None) -> int:
    from jygproj import quarterly
    from jygproj.catalogue import catalogue
    from jygproj.ingest import ingest, input_rows, load_ingested
    from jygproj.schema import QUARTER_LABELS

    t0 = time.perf_counter()
    try:
        params = parameters(args)
        inputs = quarterly.input_files(params["data_dir"], params["year"])
        cat = catalogue(params["data_dir"])
        # the Parquet copy made once, before any kernel (concurrent runs wait for the one making it)
        copy = ingest(cat)
        rows = input_rows(cat, copy.manifest)
        let_through = runs.publish_gate(load_ingested(copy.out_dir, tables=("problems",)).problems,
                                        args.allow_errors)
    except runs.InputErrorsError as exc:
        print(f"错误：{exc}\n{REFUSED_HINT}", file=sys.stderr)
        return 1
    except JygprojError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    say_gate(let_through)
    allow = args.allow_fewer_inputs
    report = f"{params['year']}年{QUARTER_LABELS[params['quarter']]}考核报告"
    what = report  # the report being made, named when it fails
    try:
        if args.unit or args.all_units:
            projects = load_ingested(copy.out_dir, tables=("projects",)).projects
            names = quarterly.units(projects)
            folders = paths.unique_names(names)
        if args.unit:
            unit = quarterly.unit_named(projects, args.unit)  # 市住房和城乡建设局 = 市住建局
            what = f"{unit}{report}"
            print(f"正在生成{what}……", flush=True)
            unit_params = _unit_params(params, unit, folders)
            _calculate_ahead(stack, kernel, unit_params)
            _say(run_one(unit_params, inputs, rows, allow, kernel=kernel, meanwhile=runs.warm_html), f"{unit} 报告")
        elif not args.all_units:
            print(f"正在生成全市{report}……", flush=True)
            _calculate_ahead(stack, kernel, params)
            _say(run_one(params, inputs, rows, allow, kernel=kernel, meanwhile=runs.warm_html), "全市报告")
        else:
            total = 1 + len(names)
            print(f"[1/{total}] 正在生成全市{report}及 {len(names)} 个责任单位的报告（同时 {max(1, args.jobs)} 个）……",
                  flush=True)
            city, futures = _city_and_units(stack, kernels, params, names, folders, inputs, rows, allow)
            runs.warm_html()  # while the kernels import: the HTML exporter built, its templates compiled
            _imports_done()
            _say(city.result(), f"[1/{total}] 全市报告", t0)
            for i, (unit, fut) in enumerate(futures, 2):
                what = f"{unit}{report}"
                # a unit made while the city report was: put in place now that the city's folder is
                _say(runs.swap_staged(fut.result()), f"[{i}/{total}] {unit} 报告", t0)
    except runs.KernelLost:
        print(f"错误：生成{what}的笔记本内核意外退出（未能启动，或进程被终止）[worker_died]", file=sys.stderr)
        return 1
    except runs.FewerInputsError as exc:
        print(f"错误：{exc}\n如确属有意（例如撤回了有误的工作簿），请加 --allow-fewer-inputs 重新运行", file=sys.stderr)
        return 1
    except runs.NotebookRunError as exc:
        print(f"错误：{exc.explain(what)}", file=sys.stderr)
        return 1
    except quarterly.ReviewError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2 if exc.code == "unknown_unit" else 1
    except JygprojError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(f"总耗时 {time.perf_counter() - t0:.1f} 秒")
    return 0
