"""Cells that are not values, and the other silent losses of issue 17 point 5: each reported at its
cell (file, sheet, row, column), nothing blanked. Each case was silent (or internal_error) before."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from jygproj.io import load_workbooks, rules
from test_io_builders import REGISTER_MERGES, build_progress, build_register, register_rows, write_workbook

ROOT = Path(__file__).resolve().parents[1]


def _patch(path: Path, old: bytes, new: bytes) -> Path:
    """Rewrite the sheet XML (what openpyxl will not write: control characters, a 1 MB cell)."""
    src = zipfile.ZipFile(path)
    members = {i.filename: src.read(i.filename) for i in src.infolist()}
    src.close()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, body in members.items():
            out.writestr(name, body.replace(old, new))
    return path


def _problems(path, code=None):
    ds = load_workbooks(path if isinstance(path, list) else [path])
    rows = ds.problems.to_dicts()
    return ds, [p for p in rows if code is None or p["code"] == code]


@pytest.mark.parametrize("value", ["#REF!", "#DIV/0!", "#N/A", "#VALUE!"])
def test_excel_error_value_is_reported_at_its_cell(tmp_path, value):
    ds, found = _problems(build_progress(tmp_path, cells={"G5": value}), "cell_error_value")
    assert [(p["row"], p["column"], p["severity"]) for p in found] == [(5, "G", "error")]
    assert value in found[0]["message"]
    assert ds.progress.height == 0  # a sheet with errors loads nothing: never read as a blank


def test_formula_without_cached_value_is_reported(tmp_path):
    ds, found = _problems(build_progress(tmp_path, cells={"G6": "=SUM(E6:F6)"}), "formula_without_value")
    assert [(p["row"], p["column"]) for p in found] == [(6, "G")] and "=SUM(E6:F6)" in found[0]["message"]
    assert ds.progress.height == 0


@pytest.mark.parametrize("value", ["1e309", "1e400", "inf", "nan", "-inf", "123456789012"])
def test_infinite_nan_and_absurd_amounts_are_errors(tmp_path, value):
    ds, found = _problems(build_progress(tmp_path, cells={"G5": value}))
    bad = [p for p in found if p["row"] == 5 and p["column"] == "G"]
    assert bad and bad[0]["code"] in ("amount_absurd", "amount_not_number") and bad[0]["severity"] == "error"
    assert ds.progress.height == 0
    assert all(math.isfinite(x) for x in ds.progress["completed_ytd_wan"].drop_nulls())


def test_absurd_in_the_sheets_unit(tmp_path):
    """2,000,000 亿元 in a 亿元 sheet is 200 万亿元 — above the bound; 2 亿元 is not."""
    path = build_register(tmp_path, unit="亿元", cells={"F7": "2000000"})
    _, found = _problems(path, "amount_absurd")
    assert [(p["row"], p["column"]) for p in found] == [(7, "F")]
    assert not rules.absurd_wan(2 * 10_000.0) and rules.absurd_wan(float("inf")) and rules.absurd_wan(float("nan"))


def test_future_year_is_warned(tmp_path):
    path = build_progress(tmp_path, month=3, title="2099年1-3月政府投资项目建设进度调度表（样例数据）", file="调度.xlsx")
    ds, found = _problems(path, "period_future")
    assert len(found) == 1 and "2099-03" in found[0]["message"] and found[0]["severity"] == "warning"


def test_impossible_month_is_an_error_not_internal(tmp_path):
    path = build_progress(tmp_path, month=10, title="2023年1-13月政府投资项目建设进度调度表（样例数据）")
    ds, found = _problems(path)
    assert "internal_error" not in {p["code"] for p in found}
    bad = [p for p in found if p["code"] == "period_impossible"]
    assert bad and "1-13月" in bad[0]["message"] and ds.progress.height == 0
    assert rules.impossible_months("2023年1-９月") is None and rules.impossible_months("1—15月") == "1—15月"


def test_control_characters_are_named_and_never_reach_the_terminal(tmp_path):
    path = _patch(build_progress(tmp_path, cells={"K5": "PLACEHOLDER"}), b"PLACEHOLDER", "形象\x1b[2J\x1b[31m进度\u009b".encode())
    ds, found = _problems(path, "cell_control_chars")
    assert [(p["row"], p["column"], p["severity"]) for p in found] == [(5, "K", "warning")]
    for args in ([], ["--json"]):
        out = subprocess.run([sys.executable, "-m", "jygproj", "check", str(path), *args], capture_output=True,
                             text=True, cwd=ROOT, timeout=120)
        assert "\x1b" not in out.stdout and "\u009b" not in out.stdout
    assert json.loads(out.stdout)  # still valid JSON
    assert "\\x1b[2J" in subprocess.run([sys.executable, "-m", "jygproj", "check", str(path)], capture_output=True,
                                        text=True, cwd=ROOT, timeout=120).stdout


def test_a_1_mb_cell_is_reported_not_loaded(tmp_path):
    path = _patch(build_progress(tmp_path, cells={"K5": "PLACEHOLDER"}), b"PLACEHOLDER", ("长" * 1_000_000).encode())
    ds, found = _problems(path, "cell_too_long")
    assert [(p["row"], p["column"]) for p in found] == [(5, "K")] and "1,000,000 个字符" in found[0]["message"]
    assert len(found[0]["message"]) < 500 and ds.progress.height == 0


def test_second_ytd_column_is_ambiguous(tmp_path):
    ds, found = _problems(build_progress(tmp_path, cells={"N3": "1-10月完成投资", "N5": 999}), "column_ambiguous")
    assert found and found[0]["severity"] == "error" and ds.progress.height == 0


def test_merged_unit_cells_are_filled_down_with_a_warning(tmp_path):
    """Offices merge 建设单位/责任单位 over the projects of one unit on purpose: each row gets the unit,
    and a warning names the rows (a merge drawn by mistake is seen)."""
    path = write_workbook(tmp_path / "清单.xlsx", {"政府投资项目": register_rows()},
                          {"政府投资项目": REGISTER_MERGES + ["E10:E12"]}, cells={"E10": "市住建局"})
    ds, found = _problems(path, "merged_cell_filled")
    assert [(p["row"], p["column"], p["severity"]) for p in found] == [(10, "E", "warning")]
    assert "第10-12行" in found[0]["message"]
    owners = dict(ds.projects.select("name", "owner").iter_rows())
    assert owners["嘉峪关市冷链物流中心"] == owners["峪泉镇污水处理厂扩建项目"] == "市住建局"


def test_data_sheet_named_like_instructions_is_read(tmp_path):
    ds, found = _problems(build_progress(tmp_path, name="填报说明"), "instruction_sheet_with_data")
    assert len(found) == 1 and ds.progress.height == 4


def test_identical_copies_are_named_and_read_once(tmp_path):
    first = build_progress(tmp_path, month=3)
    copies = []
    for i in range(1000):
        copy = tmp_path / f"副本{i:04d}.xlsx"
        shutil.copy(first, copy)
        copies.append(copy)
    ds, found = _problems([first, *copies], "duplicate_file")
    assert len(found) == 1000 and {p["file"] for p in found} == {str(c) for c in copies}
    assert ds.progress.height == 4


def test_summary_json_cannot_hold_infinity(tmp_path):
    """The only source of an infinity was a cell; now refused, the loaded figures are all finite."""
    ds, _ = _problems(build_progress(tmp_path, cells={"G5": "1e309", "E6": "1e400"}))
    for frame in (ds.progress, ds.projects, ds.memberships):
        for name, dtype in frame.schema.items():
            if dtype.is_float():
                assert all(math.isfinite(x) for x in frame[name].drop_nulls())
    json.dumps(ds.progress.to_dicts(), allow_nan=False, default=str)
