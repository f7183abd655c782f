"""The papermill runner: audit record, offline HTML, atomic swap, failing cell named."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from jygproj import runs

pytestmark = pytest.mark.slow  # each run starts a kernel (about 2 s)


def _notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        "x: int = 1  # 一个数\nfail: bool = False  # 是否在第二个计算单元格报错"
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 测试报告"),
        params,
        nbformat.v4.new_code_cell(
            "from jygproj import runs\n"
            "out = runs.output_dir('unused')\n"
            "(out / 'value.txt').write_text(str(x * 2))"
        ),
        nbformat.v4.new_code_cell("if fail:\n    raise ValueError('故意的错误')\nprint('完成', x)"),
    ]
    nb.metadata["kernelspec"] = {"name": "jygproj", "display_name": "jygproj", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_run_writes_record_html_and_manifest(tmp_path):
    nb = _notebook(tmp_path / "t.ipynb")
    data = tmp_path / "data.txt"
    data.write_text("abc")
    result = runs.run_notebook(nb, tmp_path / "out", {"x": 21}, inputs=[data], name="报告")

    assert result.run_dir == (tmp_path / "out").resolve()
    assert (result.run_dir / "value.txt").read_text() == "42"  # 21 * 2, written by the notebook
    executed = nbformat.read(result.notebook, as_version=4)
    audit = executed.metadata["jygproj"]
    assert audit["parameters"] == {"x": 21}
    # sha256("abc"), as `printf abc | sha256sum` prints it
    assert audit["inputs"][0]["sha256"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert executed.metadata["papermill"]["parameters"] == {"x": 21}
    assert audit["seconds"] > 0
    manifest = json.loads(result.manifest.read_text())
    assert {o["path"] for o in manifest["outputs"]} >= {"value.txt", "报告.ipynb", "报告.html"}

    html = result.html.read_text()
    assert "完成 21" in html
    assert "runs.output_dir" not in html  # code hidden
    assert runs.remote_references(html) == []
    # nothing to fetch: no src/href/url()/@import pointing at the network (URLs in comments are fine)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import""", html)


def test_the_record_is_written_once_with_its_audit_into_any_folder_name(tmp_path):
    """papermill writes the executed notebook, with the runner's audit (finished, seconds) and its
    own record of the path, into a folder whose name has braces (papermill fills parameters into
    the path it is given: issue 18)."""
    nb = _notebook(tmp_path / "t.ipynb")
    out = tmp_path / "季度{x}{{y}}"
    result = runs.run_notebook(nb, out, {"x": 4}, name="报告")
    assert result.notebook == out.resolve() / "报告.ipynb"
    executed = nbformat.read(result.notebook, as_version=4)
    written = Path(executed.metadata["papermill"]["output_path"])  # where it was staged
    assert written.name == "报告.ipynb" and written.parent.name.startswith(".季度{x}{{y}}.staging-")
    assert executed.metadata["jygproj"]["seconds"] > 0 and executed.metadata["jygproj"]["finished"]
    assert (out / "value.txt").read_text() == "8"


def test_an_input_changed_during_the_run_fails_it(tmp_path):
    nb = _notebook(tmp_path / "t.ipynb")
    data = tmp_path / "data.txt"
    data.write_text("abc")
    out = tmp_path / "out"
    runs.run_notebook(nb, out, {"x": 1}, inputs=[data])
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    src = nbformat.read(nb, as_version=4)  # a cell that changes the input as the run goes
    src.cells.append(nbformat.v4.new_code_cell(f"open({str(data)!r}, 'w').write('abd')"))
    nbformat.write(src, nb)
    with pytest.raises(runs.InputChangedError, match="运行期间输入文件被修改"):
        runs.run_notebook(nb, out, {"x": 2}, inputs=[data])
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # untouched


def test_records_taken_before_the_run_are_checked_at_its_end(tmp_path):
    """Input records taken once for many reports (--all-units, issue 18) are recorded, and a file
    changed since they were taken fails the run, even if it changed before the run started."""
    nb = _notebook(tmp_path / "t.ipynb")
    data = tmp_path / "data.txt"
    data.write_text("abc")
    records = runs.file_records([data])
    result = runs.run_notebook(nb, tmp_path / "a", {"x": 1}, inputs=[data], input_records=records)
    assert json.loads(result.manifest.read_text(encoding="utf-8"))["inputs"] == records
    data.write_text("abd")
    with pytest.raises(runs.InputChangedError, match="data.txt"):
        runs.run_notebook(nb, tmp_path / "b", {"x": 1}, inputs=[data], input_records=records)
    assert not (tmp_path / "b").exists()


def test_failed_run_keeps_previous_report_and_names_cell(tmp_path):
    nb = _notebook(tmp_path / "t.ipynb")
    out = tmp_path / "out"
    runs.run_notebook(nb, out, {"x": 1})
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    with pytest.raises(runs.NotebookRunError) as info:
        runs.run_notebook(nb, out, {"x": 5, "fail": True})
    err = info.value
    assert err.ename == "ValueError" and "故意的错误" in str(err)
    # cells: markdown, parameters, injected parameters, output_dir, the failing one -> 5th
    assert "第 5 个单元格" in str(err) and "if fail:" in str(err)
    assert err.code == "notebook_cell_failed"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # untouched
    assert (out / "value.txt").read_text() == "2"
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name or ".old-" in p.name] == []


def test_keep_carries_subreports_over(tmp_path):
    nb = _notebook(tmp_path / "t.ipynb")
    out = tmp_path / "out"
    runs.run_notebook(nb, out, {"x": 1})
    (out / "units").mkdir()
    (out / "units" / "a.txt").write_text("unit report")
    runs.run_notebook(nb, out, {"x": 3}, keep=("units",))
    assert (out / "units" / "a.txt").read_text() == "unit report"
    assert (out / "value.txt").read_text() == "6"


def test_missing_input_is_refused_before_running(tmp_path):
    nb = _notebook(tmp_path / "t.ipynb")
    with pytest.raises(runs.RunError, match="输入文件不存在"):
        runs.run_notebook(nb, tmp_path / "out", {}, inputs=[tmp_path / "nope.xlsx"])
    assert not (tmp_path / "out").exists()


def test_output_dir_outside_runner_follows_the_one_path_rule(monkeypatch, tmp_path):
    monkeypatch.delenv(runs.RUN_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert runs.output_dir("reports/x") == tmp_path / "reports/x"  # relative: from the current folder
    assert runs.output_dir(tmp_path / "o") == tmp_path / "o"
    monkeypatch.setenv(runs.RUN_DIR_ENV, str(tmp_path / "stage"))
    assert runs.output_dir("reports/x") == tmp_path / "stage"


def test_remote_module_imports_inside_scripts_are_caught():
    # nbconvert's lab template once carried: import("https://cdnjs.cloudflare.com/…/mermaid.esm.min.mjs")
    html = '<script type="module">const m = await import("https://cdn.example/mermaid.mjs");</script>'
    assert runs.remote_references(html) == ['import("https://cdn.example/mermaid.mjs"']
    assert runs.remote_references('<script>import x from "//cdn.example/x.js"</script>')
    # a keyword is a whole word (the pattern checks its boundary after its first letter, issue 18)
    assert runs.remote_references('import("//a.js")') == ['import("//a.js"']
    assert runs.remote_references('m=(import("//a.js"))') == ['import("//a.js"']
    assert runs.remote_references('reimport("//a.js"); _from "//b.js"') == []


def test_a_spent_notebook_exports_to_the_same_html(tmp_path):
    """export_html(spent=True) (the runner's, issue 18: the notebook is not copied first) makes the same
    page; without it the notebook given is left as it was (but for its title)."""
    import copy

    nb = nbformat.v4.new_notebook()
    nb.metadata["language_info"] = {"name": "python"}
    cell = nbformat.v4.new_code_cell("x = 1\nprint(x)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="一\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="二\n"),
                    nbformat.v4.new_output("display_data", {"text/markdown": "**三**", "text/plain": "三"}),
                    nbformat.v4.new_output("display_data", {"image/svg+xml": "<svg><g/></svg>", "text/plain": "图"})]
    nb.cells = [nbformat.v4.new_markdown_cell("# 标题\n\n正文 **粗体**"), cell]
    kept = copy.deepcopy(nb)
    html = runs.export_html(nb, title="报告")
    kept.metadata["title"] = "报告"
    assert nb == kept
    assert runs.export_html(copy.deepcopy(nb), title="报告", spent=True) == html
    assert "三" in html and "二" in html


def test_meanwhile_starts_once_at_the_second_code_cell_after_the_parameters(tmp_path):
    """run_notebook's ``meanwhile`` (the command's HTML exporter warmed, issue 18) starts as the second
    code cell after the parameters starts (the first opens the data and calculates), known by its id in
    papermill's copy of the notebook, and only once."""
    import copy
    import threading

    nb = nbformat.read(_notebook(tmp_path / "n.ipynb"), as_version=4)
    ran = threading.Event()
    hook = runs._meanwhile_hook(nb, ran.set)
    first, second = [copy.deepcopy(c) for c in nb.cells if c.cell_type == "code"][1:3]
    hook(cell=first, cell_index=3)
    assert not ran.wait(0.2)
    hook(cell=second, cell_index=4)
    assert ran.wait(10)
    ran.clear()
    hook(cell=second, cell_index=4)
    assert not ran.wait(0.2)
    assert runs._meanwhile_hook(nb, None) is None


def test_a_lent_kernel_runs_one_notebook_after_another_with_its_meanwhile(tmp_path):
    """A lent kernel's client is handed to nbclient for every report, ready once its kernel_info is
    answered and the output channel has shown that request's idle status (not after 0.2 s of silence);
    each report's outputs are its own, and the meanwhile work runs."""
    import threading

    notebook = _notebook(tmp_path / "n.ipynb")
    with runs.LentKernel() as kernel:
        for x in (3, 4):
            ran = threading.Event()
            result = runs.run_notebook(notebook, tmp_path / f"out{x}", {"x": x}, kernel=kernel, meanwhile=ran.set)
            assert ran.wait(10)
            assert (result.run_dir / "value.txt").read_text() == str(2 * x)
            executed = nbformat.read(result.notebook, as_version=4)
            assert "完成 " + str(x) in json.dumps(executed.cells[-1].outputs, ensure_ascii=False)


def test_a_report_kernel_is_launched_without_debugpy_and_the_kernelspec_is_left_as_it_is(tmp_path):
    """A report's kernel runs ipykernel's launcher with debugpy kept out (issue 18: ~60 ms of every
    kernel start), with the kernelspec's interpreter and options; the installed kernelspec is unchanged
    (the analysts' kernels keep their debugger), and one that does not run ipykernel's launcher is
    used as it is."""
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    installed = KernelSpecManager().get_kernel_spec("jygproj")
    assert installed.argv[installed.argv.index("-m") + 1] == "ipykernel_launcher"
    spec = runs._report_kernel_manager()(kernel_name="jygproj").kernel_spec
    at = installed.argv.index("-m")
    assert spec.argv == (installed.argv[:at] + ["-c", runs.REPORT_KERNEL_LAUNCH] + installed.argv[at + 2:]
                         + [runs.REPORT_KERNEL_STARTED])
    assert (spec.env, spec.language, spec.resource_dir) == (installed.env, installed.language, installed.resource_dir)
    other = KernelSpec(argv=["python", "-m", "my_kernel", "-f", "{connection_file}"], display_name="x", language="python")
    assert runs._report_kernel_spec(other) is other

    seen = tmp_path / "seen.json"
    with runs.LentKernel(keep_data=False) as kernel:
        kernel.execute("import gc, json, sys\n"
                       f"open({str(seen)!r}, 'w').write(json.dumps([sys.modules.get('debugpy', 0) is None,"
                       " sys.argv[0].endswith('ipykernel_launcher.py'), '' in sys.path, gc.isenabled(),"
                       " gc.get_freeze_count() > 0, sorted(k for k in get_ipython().user_ns if k[0] != '_')]))")
    # the collector on again once the kernel has started (REPORT_KERNEL_STARTED), nothing left in
    # the namespace a notebook sees but what IPython puts there
    assert json.loads(seen.read_text()) == [True, True, True, True, True,
                                            ["In", "Out", "exit", "gc", "get_ipython", "json", "open", "quit", "sys"]]


def test_a_report_kernels_clients_retry_their_connection_promptly():
    """The clients of a report's kernel connect as the kernel is launched, before it listens: their
    sockets retry every 10 ms, not zmq's 100 (issue 18: the warm-up reached the kernel, up and idle,
    ~0.1 s late), the lent kernel's own and nbclient's (papermill's kernel of a report run without a
    lent one: `jygproj reserve`); the warm-up is run all the same."""
    import zmq

    client = runs._report_kernel_manager()(kernel_name="jygproj").client()
    assert client.context.getsockopt(zmq.RECONNECT_IVL) == 10
    with runs.LentKernel(warm_up="x = 1", keep_data=False) as kernel:
        kernel.ready()
        assert kernel._kc.shell_channel.socket.getsockopt(zmq.RECONNECT_IVL) == 10
        kernel.execute("assert x == 1")


def test_a_report_kernels_warm_up_imports_with_the_collector_off_and_leaves_it_on(tmp_path):
    """The quarterly kernels' warm-up (jygproj.commands.quarterly.kernel_ahead_code) imports with the
    cycle collector off (issue 18: full collections over the imports, ~0.07 CPU-s of every kernel
    start), then freezes what they made and turns the collector on again, also when an import fails."""
    from jygproj.commands import quarterly

    seen = tmp_path / "gc.json"
    check = ("import gc, json\n"
             f"open({str(seen)!r}, 'w').write(json.dumps([gc.isenabled(), gc.get_freeze_count() > 0]))")
    with runs.LentKernel(warm_up=quarterly.kernel_ahead_code(), keep_data=False) as kernel:
        kernel.execute(check)
    assert json.loads(seen.read_text()) == [True, True]
    failing = quarterly.kernel_ahead_code().replace("jygproj.charts.warm_up()", "raise ImportError('故意的')")
    with runs.LentKernel(warm_up=failing, keep_data=False) as kernel:
        with pytest.raises(runs.RunError, match="故意的"):
            kernel.ready()
        kernel.execute(check)
    assert json.loads(seen.read_text()) == [True, True]
