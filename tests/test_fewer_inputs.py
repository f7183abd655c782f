"""A run never replaces a report with one built on fewer inputs without saying so (issue 17: with the
1-10月 government table truncated the run exited 0 and overwrote the previous report; 34 figures
changed and the only sign was a problems count).

The runner compares the rows loaded per workbook and sheet with those recorded in the report it
would replace: fewer (a workbook gone, a sheet not loaded, a sheet with fewer rows) is refused
before any kernel starts, naming what shrank, and the previous report stays; with
--allow-fewer-inputs the report is replaced, the command says so loudly and manifest.json records
what shrank.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from jygproj import cli, ingest, paths, runs

GOV = "2023年1-10月政府投资项目调度表（样例数据）.xlsx"


def _rows(files: dict, folder: str = "收到/2023") -> dict:
    return {"folder": folder, "files": files}


BEFORE = _rows({GOV: {"10月调度": 75}, "b.xlsx": {"清单": 40, "说明": 0}, "c.xlsx": {"表": 10}})


@pytest.mark.parametrize("now, expected", [
    (BEFORE, []),
    (_rows({GOV: {"10月调度": 80}, "b.xlsx": {"清单": 40, "说明": 0}, "c.xlsx": {"表": 10}, "新.xlsx": {}}), []),  # more
    (_rows({GOV: {"10月调度": 75}, "b.xlsx": {"清单": 40}, "c.xlsx": {"表": 10}}), []),  # a sheet of no rows gone
    (_rows({GOV: {"10月调度": 41}, "b.xlsx": {"清单": 40, "说明": 0}, "c.xlsx": {"表": 10}}),
     [f"工作簿 {GOV} 工作表 10月调度：上次载入 75 行，本次 41 行"]),
    (_rows({GOV: {}, "b.xlsx": {"清单": 40, "说明": 0}, "c.xlsx": {"表": 10}}),  # unreadable now
     [f"工作簿 {GOV} 工作表 10月调度 本次未载入（上次载入 75 行）"]),
    (_rows({GOV: {"10月调度": 75}, "b.xlsx": {"清单": 40, "说明": 0}}), ["工作簿 c.xlsx（上次载入 10 行）本次没有"]),
    (_rows({GOV: {"10月调度": 75}, "b.xlsx": {"清单": 40, "说明": 0}}, folder="别处/2023"),
     ["数据目录由 收到/2023 换成了 别处/2023", "工作簿 c.xlsx（上次载入 10 行）本次没有"]),
])
def test_what_shrank_is_named(now, expected):
    assert runs.fewer_inputs({"input_rows": BEFORE}, now) == expected


def test_nothing_to_compare_with():
    assert runs.fewer_inputs(None, BEFORE) == []
    assert runs.fewer_inputs({"parameters": {}}, BEFORE) == []  # a report made before rows were recorded


def _notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('报告')")]
    nb.metadata["kernelspec"] = {"name": "jygproj", "display_name": "jygproj", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_the_runner_refuses_fewer_inputs_and_records_them_when_allowed(tmp_path):
    nb, out = _notebook(tmp_path / "t.ipynb"), tmp_path / "out"
    runs.run_notebook(nb, out, {}, input_rows=BEFORE)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    fewer = _rows({GOV: {"10月调度": 41}, "b.xlsx": {"清单": 40, "说明": 0}, "c.xlsx": {"表": 10}})

    with pytest.raises(runs.FewerInputsError) as info:
        runs.run_notebook(nb, out, {}, input_rows=fewer)
    assert info.value.code == "fewer_inputs" and "上次载入 75 行，本次 41 行" in str(info.value)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the previous report stays

    result = runs.run_notebook(nb, out, {}, input_rows=fewer, allow_fewer_inputs=True)
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["fewer_inputs"] == [f"工作簿 {GOV} 工作表 10月调度：上次载入 75 行，本次 41 行"]
    assert manifest["input_rows"] == fewer and result.fewer_inputs == tuple(manifest["fewer_inputs"])
    # the next run compares with what this report was built on
    assert runs.run_notebook(nb, out, {}, input_rows=fewer).fewer_inputs == ()


def _truncate(workbook: Path, keep_rows: int) -> int:
    """Cut a scheduling table after ``keep_rows`` sheet rows, keeping its closing note; returns rows cut."""
    import openpyxl

    wb = openpyxl.load_workbook(workbook)
    ws = wb.worksheets[0]
    cut = ws.max_row - 2 - keep_rows
    ws.delete_rows(keep_rows + 1, cut)
    wb.save(workbook)
    return cut


@pytest.mark.slow
def test_a_truncated_government_table_does_not_quietly_replace_the_report(tmp_path, capsys):
    data, out = tmp_path / "收到" / "2023", tmp_path / "reports" / "2023Q3"
    shutil.copytree(paths.SAMPLE_2023, data)
    command = ["quarterly", "2023Q3", "--data", str(data), "--out", str(out)]
    try:
        assert cli.main(command) == 0
        good = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        loaded = good["input_rows"]["files"][GOV]["10月调度"]
        summary = (out / "summary.json").read_bytes()
        assert _truncate(data / GOV, 40) > 0
        capsys.readouterr()

        # the cut table's 合计 no longer adds up: an error, so the publish gate refuses first (issue 13)
        assert cli.main(command) == 1
        said = capsys.readouterr().err
        assert "[input_errors]" in said and "--allow-errors" in said and "Traceback" not in said
        assert (out / "summary.json").read_bytes() == summary  # the good report stays
        command = [*command, "--allow-errors"]

        assert cli.main(command) == 1
        said = capsys.readouterr().err
        assert f"工作簿 {GOV} 工作表 10月调度：上次载入 {loaded} 行，本次" in said
        assert "未替换该报告" in said and "--allow-fewer-inputs" in said and "Traceback" not in said
        assert (out / "summary.json").read_bytes() == summary  # the good report stays

        assert cli.main([*command, "--allow-fewer-inputs"]) == 0
        assert "注意：本报告替换了输入更多的上次报告" in capsys.readouterr().err
        replaced = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert replaced["fewer_inputs"][0].startswith(f"工作簿 {GOV} 工作表 10月调度：上次载入 {loaded} 行")
        assert replaced["input_rows"]["files"][GOV]["10月调度"] < loaded
    finally:
        shutil.rmtree(ingest.default_out(data), ignore_errors=True)
