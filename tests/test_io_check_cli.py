"""`jygproj check`: JSON shape, exit status, human output (issue 3, point 6)."""

from __future__ import annotations

import json

import pytest

from jygproj.cli import main
from test_io_builders import build_baseline, build_progress, build_register, build_reserve

PROBLEM_KEYS = {"sheet", "row", "column", "header", "value", "code", "message"}
SHEET_KEYS = {"sheet", "kind", "list", "unit", "period", "rows", "by_nature"}


def _run(capsys, *argv):
    code = main(["check", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_good_workbooks_exit_0_with_json(tmp_path, capsys):
    paths = [build_register(tmp_path), build_progress(tmp_path), build_baseline(tmp_path), build_reserve(tmp_path)]
    code, out, _ = _run(capsys, *paths, "--json")
    assert code == 0
    report = json.loads(out)
    assert [f["path"] for f in report["files"]] == [str(p) for p in paths]
    for f in report["files"]:
        assert set(f) == {"path", "sheets", "errors", "warnings"}
        assert f["errors"] == []
        for s in f["sheets"]:
            assert set(s) == SHEET_KEYS
            r = s["rows"]
            assert r["read"] == r["loaded"] + r["structure"] + r["rejected"]
        for w in f["warnings"]:
            assert set(w) == PROBLEM_KEYS
    reg = report["files"][0]["sheets"][0]
    assert (reg["kind"], reg["list"], reg["unit"], reg["period"]) == ("register", "government", "万元", None)
    assert reg["by_nature"]["new"] == {"projects": 3, "total_investment_wan": 41000.0, "annual_plan_wan": 10500.0,
                                       "completed_ytd_wan": None}
    prog = report["files"][1]["sheets"][0]
    assert (prog["kind"], prog["period"]) == ("progress", "2023-10")
    assert [s["kind"] for f in report["files"] for s in f["sheets"]] == ["register", "progress", "baseline", "reserve"]


def test_broken_cell_exit_1_names_row_and_column(tmp_path, capsys):
    path = build_register(tmp_path, cells={"G8": "待定"})
    code, out, _ = _run(capsys, path, "--json")
    assert code == 1
    err = json.loads(out)["files"][0]["errors"]
    assert len(err) == 1
    assert set(err[0]) == PROBLEM_KEYS
    assert (err[0]["sheet"], err[0]["row"], err[0]["column"], err[0]["value"], err[0]["code"]) == (
        "政府投资项目", 8, "G", "待定", "amount_not_number")
    assert err[0]["header"] == "年度计划投资/合计"


def test_human_output_in_chinese(tmp_path, capsys):
    path = build_register(tmp_path, cells={"F7": "abc"})
    code, out, _ = _run(capsys, path)
    assert code == 1
    assert "工作表“政府投资项目”" in out and "读取 16 = 载入 0 + 结构 10 + 拒绝 6" in out
    assert "第7行F列" in out and "错误 1 条" in out
    code, out, _ = _run(capsys, build_register(tmp_path, file="好.xlsx"))
    assert code == 0
    assert "续建" in out and "20,345.60" in out and "错误 0 条" in out


def test_directory_argument(tmp_path, capsys):
    build_register(tmp_path)
    build_baseline(tmp_path)
    code, out, _ = _run(capsys, tmp_path, "--json")
    assert code == 0 and len(json.loads(out)["files"]) == 2


def test_usage_problems_exit_2(tmp_path, capsys):
    code, _, err = _run(capsys, tmp_path / "nope.xlsx")
    assert code == 2 and "找不到" in err
    (tmp_path / "empty").mkdir()
    code, _, err = _run(capsys, tmp_path / "empty")
    assert code == 2
    with pytest.raises(SystemExit) as exc:
        main(["check"])
    assert exc.value.code == 2


def test_unreadable_file_is_an_error_not_a_crash(tmp_path, capsys):
    et = tmp_path / "清单.et"
    et.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    code, out, _ = _run(capsys, et, build_register(tmp_path), "--json")
    assert code == 1
    files = json.loads(out)["files"]
    assert files[0]["sheets"] == [] and files[0]["errors"][0]["code"] == "wps_et_format"
    assert files[0]["errors"][0]["sheet"] is None
    assert files[1]["errors"] == [] and files[1]["sheets"][0]["rows"]["loaded"] == 6  # the other file still loads
