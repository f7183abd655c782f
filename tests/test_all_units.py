"""`jygproj quarterly 2023Q3 --all-units` (issue 18, "many reports, one load"): the unit reports run
in lent kernels (jygproj.runs.LentKernel), one per thread of the command, each kernel running a share of the
units one after another. Each unit keeps its own record (notebook, HTML, Excel, manifest, summary),
gives the figures of `--unit <name>` run alone, a failing unit is named and leaves no half-written
folder, and no kernel is left running afterwards."""

from __future__ import annotations

import json
import pickle
import shutil
import time
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest

from jygproj import cli, paths, quarterly, runs
from jygproj.commands import quarterly as command

pytestmark = pytest.mark.slow
SAMPLE = paths.SAMPLE_2023
MARK = "JYGPROJ_TEST_ALL_UNITS_MARK"  # inherited by the workers and their kernels: finds them afterwards


def _marked(mark: str, within: float = 5.0) -> list[list[str]]:
    """The command lines of the processes still running with our mark in their environment ``within``
    seconds after the command returned: kernels and the chart-drawing process, orphans too (not
    multiprocessing's resource tracker, which lasts as long as this process: it is the test process's
    own). A drawing process ends on its own once its kernels' connections close, a moment after the
    command returns; on a loaded machine that moment came after the first look (flaky before)."""
    deadline = time.monotonic() + within
    while (found := _marked_now(mark)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def _marked_now(mark: str) -> list[list[str]]:
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(MARK) == mark and proc.status() != psutil.STATUS_ZOMBIE:
                cmd = proc.cmdline()
                if not any("resource_tracker" in part for part in cmd):
                    found.append(cmd)
        except (psutil.Error, OSError):
            continue
    return found


def _units() -> list[str]:
    from jygproj.ingest import load_or_ingest
    from jygproj.catalogue import catalogue

    return quarterly.units(load_or_ingest(catalogue(SAMPLE)).projects)


@pytest.fixture(scope="module")
def all_units(tmp_path_factory):
    if not SAMPLE.is_dir():
        pytest.skip("data/sample/2023 missing (make sample)")
    base = tmp_path_factory.mktemp("all_units")
    shutil.copytree(SAMPLE, base / "sample")
    out = base / "2023Q3"
    mark = uuid.uuid4().hex
    mp = pytest.MonkeyPatch()
    mp.setenv(MARK, mark)
    try:
        assert cli.main(["quarterly", "2023Q3", "--all-units", "--jobs", "2", "--data", str(base / "sample"),
                         "--out", str(out)]) == 0
        left = _marked(mark)
    finally:
        mp.undo()
    return out, base / "sample", left


def test_every_unit_keeps_its_own_record(all_units):
    out, _, _ = all_units
    names = _units()
    folders = paths.unique_names(names)
    assert sorted(p.name for p in (out / "units").iterdir() if not p.name.startswith(".")) == sorted(folders.values())
    lent = []
    for unit in names:
        folder = out / "units" / folders[unit]
        stem = paths.safe_name(paths.output_name("2023Q3", "季度考核", unit))
        for suffix in (".ipynb", ".html", ".xlsx"):
            assert (folder / f"{stem}{suffix}").is_file(), (unit, suffix)
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["parameters"]["unit"] == unit
        assert {o["path"] for o in manifest["outputs"]} >= {f"{stem}.ipynb", f"{stem}.html", "summary.json"}
        nb = nbformat.read(folder / f"{stem}.ipynb", as_version=4)
        assert nb.metadata["jygproj"]["lent_kernel"] == manifest["lent_kernel"]  # the record says so
        lent.append(manifest["lent_kernel"]["reports_before"])
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1))  # a fresh namespace: counts start at 1 again
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert summary["run"]["unit"] == unit
    # two kernels shared the reports (the city's first, in one of them): each ran its first, then others
    city = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    lent.append(city["lent_kernel"]["reports_before"])
    assert city["lent_kernel"]["reports_before"] == 0
    assert lent.count(0) == 2 and max(lent) >= len(names) // 2 - 1
    leftovers = [p for p in out.rglob(".*") if "staging" in p.name or ".old-" in p.name]
    assert leftovers == []
    # the units were staged beside the city's folder while it was made: that staging folder is gone
    assert [p.name for p in out.parent.iterdir() if "staging" in p.name] == []


def test_units_are_made_while_the_city_report_is(all_units):
    """The units do not wait for the city report (issue 18): a unit report started before the city's
    ended (both reports' manifests record their start and end)."""
    out, _, _ = all_units
    city = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    starts = [json.loads(m.read_text(encoding="utf-8"))["started"] for m in (out / "units").glob("*/manifest.json")]
    assert min(starts) <= city["finished"]


def test_kernels_and_workers_are_gone_afterwards(all_units):
    _, _, left = all_units
    assert left == []


@pytest.mark.parametrize("pick", [0, 1, -1])
def test_a_unit_report_gives_the_figures_of_the_unit_run_alone(all_units, tmp_path, pick):
    out, data, _ = all_units
    unit = _units()[pick]
    folder = paths.unique_names(_units())[unit]
    alone = tmp_path / "2023Q3"
    assert cli.main(["quarterly", "2023Q3", "--unit", unit, "--data", str(data), "--out", str(alone)]) == 0
    one = json.loads((alone / "units" / folder / "summary.json").read_text(encoding="utf-8"))
    many = json.loads((out / "units" / folder / "summary.json").read_text(encoding="utf-8"))
    assert many == one
    manifest = json.loads((alone / "units" / folder / "manifest.json").read_text(encoding="utf-8"))
    assert "lent_kernel" not in manifest  # a report run alone has a kernel of its own


def test_run_errors_come_back_from_a_worker_whole():
    err = runs.NotebookRunError(Path("/x/10_quarterly_review.ipynb"), 3, 2, "ValueError", "坏了 [bad_thing]", "x = 1")
    back = pickle.loads(pickle.dumps(err))
    assert str(back) == str(err) and back.explain("某单位报告") == err.explain("某单位报告")
    fewer = runs.FewerInputsError(Path("/x/out"), ["工作簿 a.xlsx 本次没有"])
    assert str(pickle.loads(pickle.dumps(fewer))) == str(fewer)


def test_a_failing_unit_is_named_and_leaves_no_half_written_folder(tmp_path, monkeypatch, capsys):
    if not SAMPLE.is_dir():
        pytest.skip("data/sample/2023 missing (make sample)")
    names = _units()
    bad = names[1]
    nb = nbformat.read(command.NOTEBOOK, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(f"if unit == {bad!r}:\n    raise ValueError('故意的错误')"))
    broken = tmp_path / "10_quarterly_review.ipynb"
    nbformat.write(nb, broken)
    monkeypatch.setattr(command, "NOTEBOOK", broken)  # read by the command (its kernels are driven by its threads)
    mark = uuid.uuid4().hex
    monkeypatch.setenv(MARK, mark)
    out = tmp_path / "2023Q3"
    assert cli.main(["quarterly", "2023Q3", "--all-units", "--jobs", "1", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}2023年三季度考核报告未生成" in err and "故意的错误" in err
    folders = paths.unique_names(names)
    assert (out / "units" / folders[names[0]] / "manifest.json").is_file()  # the one before it was made
    assert not (out / "units" / folders[bad]).exists()  # the failing one: nothing, not half a folder
    assert [p.name for p in (out / "units").iterdir() if p.name.startswith(".") and not p.name.endswith(".lock")] == []
    assert _marked(mark) == []  # its kernel was shut down too


def test_a_lent_kernel_resets_between_reports(tmp_path):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("x: int = 1")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(
        "import os\n"
        "assert 'leftover' not in globals(), 'a variable of the previous report'\n"
        "leftover = x\n"
        "from jygproj import runs\n"
        "(runs.output_dir('unused') / 'where.txt').write_text(os.getcwd() + '|' + os.environ['JYGPROJ_RUN_DIR'])\n"
        "if x == 2:\n    raise ValueError('故意的错误')")]
    nb.metadata["kernelspec"] = {"name": "jygproj", "display_name": "jygproj", "language": "python"}
    path = tmp_path / "t.ipynb"
    nbformat.write(nb, path)
    with runs.LentKernel() as kernel:
        first = runs.run_notebook(path, tmp_path / "a", {"x": 1}, kernel=kernel)
        with pytest.raises(runs.NotebookRunError):
            runs.run_notebook(path, tmp_path / "b", {"x": 2}, kernel=kernel)
        third = runs.run_notebook(path, tmp_path / "c", {"x": 3}, kernel=kernel)
        km = kernel.km
        assert kernel.runs == 3
    assert km is not None and not km.has_kernel  # shut down on leaving the block
    assert not (tmp_path / "b").exists()
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []
    cwd, run_dir = (third.run_dir / "where.txt").read_text().split("|")
    assert Path(cwd).name.startswith(".c.staging-") and cwd == run_dir  # the kernel worked in its staging folder
    m1 = json.loads(first.manifest.read_text())
    m3 = json.loads(third.manifest.read_text())
    assert (m1["lent_kernel"]["reports_before"], m3["lent_kernel"]["reports_before"]) == (0, 2)


def test_a_unit_whose_kernel_dies_is_named(tmp_path, monkeypatch, capsys):
    """A kernel that dies during a unit's report (killed, out of memory): the command says which
    report it was making ([worker_died]), leaves no half-written folder and no kernel running."""
    if not SAMPLE.is_dir():
        pytest.skip("data/sample/2023 missing (make sample)")
    names = _units()
    bad = names[1]
    nb = nbformat.read(command.NOTEBOOK, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(f"if unit == {bad!r}:\n    import os\n    os._exit(1)"))
    broken = tmp_path / "10_quarterly_review.ipynb"
    nbformat.write(nb, broken)
    monkeypatch.setattr(command, "NOTEBOOK", broken)
    mark = uuid.uuid4().hex
    monkeypatch.setenv(MARK, mark)
    out = tmp_path / "2023Q3"
    assert cli.main(["quarterly", "2023Q3", "--all-units", "--jobs", "1", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"生成{bad}2023年三季度考核报告的笔记本内核意外退出" in err and "[worker_died]" in err
    assert not (out / "units" / paths.unique_names(names)[bad]).exists()
    assert _marked(mark) == []
